package translate

import (
	"fmt"
	"strings"
)

// The registry: every provider Spektrum has, each described once — its
// name, its settings and how it is built from them — in the file that
// implements it. A new provider is one file here and one line in Providers;
// the flags, the environment variables, their help and the order of
// preference all follow from its descriptor. Providers returns a fresh list
// on each call instead of init()-time registration into a package variable,
// so there is no package-level mutable state and the order is written down
// in one place.

// Setting is one of a provider's settings. Its environment variable is
// SPEKTRUM_TRANSLATE_<NAME>_<KEY>; unless Secret it is also the flag
// --translate-<name>-<key>, which wins over the environment.
type Setting struct {
	Key   string // "URL", "KEY", "MODEL" …
	Usage string
	// Secret settings (keys, tokens) come from the environment only: never
	// a flag (flags show in process lists and --help), never logged.
	Secret bool
}

// Provider describes one translation provider.
type Provider struct {
	Name     string
	Settings []Setting
	// New builds the provider from its settings (get takes a Key). It
	// returns nil, nil when the provider is not configured, and an error
	// naming what is missing when it is half configured.
	New func(get func(key string) string, o HTTPOptions) (Translator, error)
}

// Env is s's environment variable.
func (p Provider) Env(s Setting) string {
	return "SPEKTRUM_TRANSLATE_" + strings.ToUpper(p.Name) + "_" + s.Key
}

// Flag is s's flag name without dashes, "" for a secret.
func (p Provider) Flag(s Setting) string {
	if s.Secret {
		return ""
	}
	return "translate-" + p.Name + "-" + strings.ToLower(s.Key)
}

// Providers lists every provider in the default order of preference: the
// local, free ones first, then the paid ones, then a general model.
func Providers() []Provider {
	return []Provider{apertiumProvider(), libreTranslateProvider(), deeplProvider(), googleProvider(), openAIProvider()}
}

// Build returns the configured providers in the default order. value gives
// a setting's value by its environment variable name (for a flag setting,
// the flag's value; for a secret, the environment's).
func Build(value func(env string) string, o HTTPOptions) ([]Translator, error) {
	var out []Translator
	var errs []string
	for _, p := range Providers() {
		t, err := p.New(func(key string) string {
			return strings.TrimSpace(value(p.Env(Setting{Key: key})))
		}, o)
		switch {
		case err != nil:
			errs = append(errs, fmt.Sprintf("%s: %v", p.Name, err))
		case t != nil:
			out = append(out, t)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("translation providers: %s", strings.Join(errs, "; "))
	}
	return out, nil
}

// needs reports a half-configured provider: set names the settings given,
// missing the one that is not.
func needs(p, set, missing string) error {
	return fmt.Errorf("%s is set but %s is not: set both to use %s, or neither", env(p, set), env(p, missing), p)
}

func env(p, key string) string { return Provider{Name: p}.Env(Setting{Key: key}) }
