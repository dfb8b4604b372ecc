package translate

import (
	"fmt"
	"strconv"
	"strings"
)

// Routes maps "from-to" pairs (or "*-to", "from-*", "*") to provider names
// in the order they are tried.
type Routes map[string][]string

// ParseRoutes reads a route list such as
//
//	de-en=deepl,apertium; en-es=apertium,libretranslate; *=openai
//
// The most specific entry for a pair wins: "de-en", then "de-*", then "*-en",
// then "*".
func ParseRoutes(s string) (Routes, error) {
	r := Routes{}
	for _, part := range strings.FieldsFunc(s, func(c rune) bool { return c == ';' || c == '\n' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		pair, list, ok := strings.Cut(part, "=")
		pair = strings.ToLower(strings.TrimSpace(pair))
		if !ok || pair == "" {
			return nil, fmt.Errorf("translation route %q: want PAIR=provider,provider (e.g. de-en=deepl,apertium)", part)
		}
		if pair != "*" {
			f, t, ok := strings.Cut(pair, "-")
			if !ok || f == "" || t == "" {
				return nil, fmt.Errorf("translation route %q: pair %q must look like de-en, *-en, de-* or *", part, pair)
			}
		}
		var names []string
		for _, n := range strings.Split(list, ",") {
			if n = strings.ToLower(strings.TrimSpace(n)); n != "" {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("translation route %q names no provider", part)
		}
		r[pair] = names
	}
	return r, nil
}

// For returns the providers routed for from → to, nil when no entry applies.
func (r Routes) For(from, to string) []string {
	for _, k := range []string{from + "-" + to, from + "-*", "*-" + to, "*"} {
		if v, ok := r[k]; ok {
			return v
		}
	}
	return nil
}

// ParseBudgets reads "deepl=500000,google=1000000" (characters per month).
func ParseBudgets(s string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, v, ok := strings.Cut(part, "=")
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if !ok || err != nil || n < 0 {
			return nil, fmt.Errorf("translation budget %q: want provider=characters per month, e.g. deepl=500000", part)
		}
		out[strings.ToLower(strings.TrimSpace(name))] = n
	}
	return out, nil
}
