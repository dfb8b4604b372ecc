package config

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func loadWith(t *testing.T, env map[string]string, args ...string) (*Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	Register(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return Load(fs)
}

func TestEditions(t *testing.T) {
	c, err := loadWith(t, nil)
	if err != nil || strings.Join(c.Editions, ",") != "en" {
		t.Fatalf("default editions = %v, %v; want the site language alone", c.Editions, err)
	}
	c, err = loadWith(t, map[string]string{"SPEKTRUM_EDITIONS": " en, DE,fr-FR,de,, es"})
	if err != nil || strings.Join(c.Editions, ",") != "en,de,fr,es" {
		t.Fatalf("editions from the environment = %v, %v", c.Editions, err)
	}
	c, err = loadWith(t, map[string]string{"SPEKTRUM_EDITIONS": "en,de"}, "--editions", "pl,it", "--language", "de")
	if err != nil || strings.Join(c.Editions, ",") != "pl,it" {
		t.Fatalf("--editions = %v, %v; flags win", c.Editions, err)
	}
	if _, err := loadWith(t, nil, "--editions", "en,deutsch"); err == nil || !strings.Contains(err.Error(), "--editions") {
		t.Fatalf("bad edition: err = %v, want one naming --editions", err)
	}
	c, err = loadWith(t, map[string]string{"SPEKTRUM_TRANSLATE_APERTIUM_URL": "http://127.0.0.1:2737", "SPEKTRUM_TRANSLATE_BUDGETS": "deepl=5"})
	if err != nil || c.Translators["SPEKTRUM_TRANSLATE_APERTIUM_URL"] != "http://127.0.0.1:2737" || c.TranslateBudgets != "deepl=5" {
		t.Fatalf("translation settings = %+v, %v", c, err)
	}
}
