package config_test

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"spektrum/internal/config"
)

func load(t *testing.T, env map[string]string, args ...string) (*config.Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	config.Register(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return config.Load(fs)
}

func TestPrecedenceFlagOverEnvOverDefault(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "data/spektrum.db" || c.Addr != "127.0.0.1:8080" || c.AllowPrivateNetworks || c.PollInterval != 30*time.Minute {
		t.Fatalf("defaults: %+v", c)
	}
	if c.BaseURL != "http://127.0.0.1:8080" {
		t.Fatalf("base URL defaults to the listen address, got %q", c.BaseURL)
	}
	env := map[string]string{"SPEKTRUM_DB": "postgres://x@db/spektrum", "SPEKTRUM_ALLOW_PRIVATE_NETWORKS": "true", "SPEKTRUM_WORKERS": "9"}
	c, err = load(t, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "postgres://x@db/spektrum" || !c.AllowPrivateNetworks || c.Workers != 9 {
		t.Fatalf("environment not applied: %+v", c)
	}
	c, err = load(t, env, "--db", "/tmp/x.db", "--workers", "2", "--base-url", "https://news.example/")
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "/tmp/x.db" || c.Workers != 2 || c.BaseURL != "https://news.example" {
		t.Fatalf("flags must win over the environment: %+v", c)
	}
	// A switch alone means true and leaves the next argument alone.
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	config.Register(fs, func(string) string { return "" })
	if err := fs.Parse([]string{"--allow-private-networks", "https://example.org/feed"}); err != nil {
		t.Fatal(err)
	}
	if c, err := config.Load(fs); err != nil || !c.AllowPrivateNetworks || fs.Arg(0) != "https://example.org/feed" {
		t.Fatalf("--allow-private-networks URL: %+v, %v, args %q", c, err, fs.Args())
	}
}

func TestInvalidValuesAreNamed(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--role", "boss"}, "--role"},
		{[]string{"--workers", "0"}, "--workers"},
		{[]string{"--worker-nice", "20"}, "--worker-nice: \"20\" is not a niceness from 0 to 19"},
		{[]string{"--worker-nice", "-1"}, "--worker-nice"},
		{[]string{"--poll-interval", "soon"}, "--poll-interval"},
		{[]string{"--poll-interval", "10s"}, "at least 1m"},
		{[]string{"--allow-private-networks=maybe"}, "--allow-private-networks"},
		{[]string{"--max-bytes", "-5"}, "--max-bytes"},
		{[]string{"--db", ""}, "--db"},
		{[]string{"--untranslated", "before"}, "--untranslated: \"before\" is neither after nor apart"},
	}
	for _, tc := range cases {
		_, err := load(t, nil, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %q", tc.args, err, tc.want)
		}
	}
}

func TestEverySettingHasAnEnvironmentName(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range config.All() {
		if !strings.HasPrefix(s.Env, "SPEKTRUM_") || s.Usage == "" || seen[s.Name] {
			t.Errorf("setting %+v: needs a unique name, a SPEKTRUM_ variable and a description", s)
		}
		seen[s.Name] = true
	}
}

// The translation providers' settings come from translate's registry:
// each non-secret one is a flag that wins over its environment variable;
// keys and tokens are no flags at all.
func TestTranslatorSettingsFromTheRegistry(t *testing.T) {
	env := map[string]string{"SPEKTRUM_TRANSLATE_OPENAI_URL": "http://127.0.0.1:11434/v1", "SPEKTRUM_TRANSLATE_OPENAI_MODEL": "from-env",
		"SPEKTRUM_TRANSLATE_DEEPL_KEY": "s3cret"}
	c, err := load(t, env, "--translate-openai-model", "llama3.1", "--translate-google-url", "http://127.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"SPEKTRUM_TRANSLATE_OPENAI_URL": "http://127.0.0.1:11434/v1", "SPEKTRUM_TRANSLATE_OPENAI_MODEL": "llama3.1",
		"SPEKTRUM_TRANSLATE_GOOGLE_URL": "http://127.0.0.1:9", "SPEKTRUM_TRANSLATE_APERTIUM_URL": ""} {
		if got, ok := c.Translators[k]; !ok || got != want {
			t.Errorf("Translators[%s] = %q, %v; want %q", k, got, ok, want)
		}
	}
	for k, v := range c.Translators {
		if v == "s3cret" || strings.HasSuffix(k, "_KEY") || strings.HasSuffix(k, "_TOKEN") {
			t.Errorf("secret %s in the configuration", k)
		}
	}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	config.Register(fs, func(string) string { return "" })
	for _, secret := range []string{"translate-deepl-key", "translate-google-token", "translate-openai-key", "translate-libretranslate-key"} {
		if fs.Lookup(secret) != nil {
			t.Errorf("--%s is a flag; keys and tokens come from the environment only", secret)
		}
	}
}
