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
		{[]string{"--poll-interval", "soon"}, "--poll-interval"},
		{[]string{"--poll-interval", "10s"}, "at least 1m"},
		{[]string{"--allow-private-networks=maybe"}, "--allow-private-networks"},
		{[]string{"--max-bytes", "-5"}, "--max-bytes"},
		{[]string{"--db", ""}, "--db"},
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
	for _, s := range config.Settings {
		if !strings.HasPrefix(s.Env, "SPEKTRUM_") || s.Usage == "" || seen[s.Name] {
			t.Errorf("setting %+v: needs a unique name, a SPEKTRUM_ variable and a description", s)
		}
		seen[s.Name] = true
	}
}
