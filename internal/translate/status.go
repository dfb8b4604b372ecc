package translate

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"spektrum/internal/store"
)

// listPrice is an estimate of what a provider bills per million characters
// (US dollars, list prices of the paid plans in 2025); local providers cost
// nothing. It only feeds the "estimated cost" figures.
func listPrice(provider string) float64 {
	switch provider {
	case "deepl":
		return 25
	case "google":
		return 20
	}
	return 0
}

// ProviderStatus is one provider's month.
type ProviderStatus struct {
	Name   string
	Budget int64 // characters a month, 0 = no limit
	store.TranslationUsage
	EstimatedCost float64 // US dollars, from list prices
}

// HitRatio is the share of segments served from the cache.
func (p ProviderStatus) HitRatio() float64 {
	n := p.CacheHits + p.CacheMisses
	if n == 0 {
		return 0
	}
	return float64(p.CacheHits) / float64(n)
}

// Status is what `spektrum translate status` and /metrics report.
type Status struct {
	Month     string
	Editions  []string
	Providers []ProviderStatus
	// Counts are the translation rows per edition language and state.
	Counts map[string]map[string]int
}

// Status gathers this month's figures.
func (s *Service) Status(ctx context.Context, editions []string) (*Status, error) {
	month := Month(s.opts.Now())
	usage, err := s.st.TranslationUsage(ctx, month)
	if err != nil {
		return nil, err
	}
	counts, err := s.st.TranslationCounts(ctx)
	if err != nil {
		return nil, err
	}
	st := &Status{Month: month, Editions: editions, Counts: counts}
	seen := map[string]bool{}
	add := func(name string, u store.TranslationUsage) {
		seen[name] = true
		u.Provider, u.Month = name, month
		st.Providers = append(st.Providers, ProviderStatus{Name: name, Budget: s.opts.Budgets[name], TranslationUsage: u,
			EstimatedCost: float64(u.Chars) / 1e6 * listPrice(name)})
	}
	byName := map[string]store.TranslationUsage{}
	for _, u := range usage {
		byName[u.Provider] = u
	}
	for _, p := range s.providers {
		add(p.Name(), byName[p.Name()])
	}
	// Providers used earlier this month but no longer configured still count.
	for _, u := range usage {
		if !seen[u.Provider] {
			add(u.Provider, u)
		}
	}
	return st, nil
}

// WriteText writes the status for people.
func (st *Status) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Editions: %s\n\n", strings.Join(st.Editions, ", "))
	if len(st.Providers) == 0 {
		b.WriteString("No translation provider is configured: articles stay in their language in the other editions.\n" +
			"Set SPEKTRUM_TRANSLATE_APERTIUM_URL (or LibreTranslate, DeepL, Google, an OpenAI-compatible endpoint; see README).\n")
	} else {
		fmt.Fprintf(&b, "%-15s %12s %12s %9s %9s %9s %7s %7s %10s\n", "provider ("+st.Month+")", "characters", "budget", "requests", "hits", "misses", "hit %", "errors", "est. cost")
		for _, p := range st.Providers {
			budget := "unlimited"
			if p.Budget > 0 {
				budget = fmt.Sprintf("%d", p.Budget)
			}
			fmt.Fprintf(&b, "%-15s %12d %12s %9d %9d %9d %6.1f%% %7d %9.2f$\n", p.Name, p.Chars, budget, p.Requests, p.CacheHits, p.CacheMisses,
				100*p.HitRatio(), p.Errors, p.EstimatedCost)
		}
	}
	b.WriteString("\nArticles per edition (translation rows):\n")
	langs := make([]string, 0, len(st.Counts))
	for l := range st.Counts {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	if len(langs) == 0 {
		b.WriteString("  none yet\n")
	}
	for _, l := range langs {
		c := st.Counts[l]
		fmt.Fprintf(&b, "  %-3s translated %d, unsupported pair %d, failed %d, waiting for budget %d\n", l,
			c[store.TranslationDone], c[store.TranslationUnsupported], c[store.TranslationFailed], c[store.TranslationQueued])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WritePrometheus writes the figures in the Prometheus text exposition format.
func (st *Status) WritePrometheus(w io.Writer) error {
	var b strings.Builder
	metric := func(name, typ, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	type val func(p ProviderStatus) float64
	for _, m := range []struct {
		name, typ, help string
		v               val
	}{
		{"spektrum_translation_characters", "gauge", "Characters sent to the provider this month (what it bills).", func(p ProviderStatus) float64 { return float64(p.Chars) }},
		{"spektrum_translation_budget_characters", "gauge", "Monthly character budget of the provider (0 = no limit).", func(p ProviderStatus) float64 { return float64(p.Budget) }},
		{"spektrum_translation_requests", "gauge", "Translation requests this month.", func(p ProviderStatus) float64 { return float64(p.Requests) }},
		{"spektrum_translation_errors", "gauge", "Failed translation requests this month.", func(p ProviderStatus) float64 { return float64(p.Errors) }},
		{"spektrum_translation_cache_hits", "gauge", "Segments served from the translation cache this month.", func(p ProviderStatus) float64 { return float64(p.CacheHits) }},
		{"spektrum_translation_cache_misses", "gauge", "Segments sent to the provider this month.", func(p ProviderStatus) float64 { return float64(p.CacheMisses) }},
		{"spektrum_translation_cache_hit_ratio", "gauge", "Share of segments served from the cache this month.", ProviderStatus.HitRatio},
		{"spektrum_translation_estimated_cost_dollars", "gauge", "Estimated cost this month at list prices.", func(p ProviderStatus) float64 { return p.EstimatedCost }},
	} {
		metric(m.name, m.typ, m.help)
		for _, p := range st.Providers {
			fmt.Fprintf(&b, "%s{provider=%q,month=%q} %g\n", m.name, p.Name, st.Month, m.v(p))
		}
	}
	metric("spektrum_translations", "gauge", "Articles per edition language and translation state.")
	langs := make([]string, 0, len(st.Counts))
	for l := range st.Counts {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	for _, l := range langs {
		states := make([]string, 0, len(st.Counts[l]))
		for s := range st.Counts[l] {
			states = append(states, s)
		}
		slices.Sort(states)
		for _, s := range states {
			fmt.Fprintf(&b, "spektrum_translations{language=%q,state=%q} %d\n", l, s, st.Counts[l][s])
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Serving lists, per edition language, the configured providers that
// translate into it from at least one of the other editions' languages,
// in the order of preference of the first pair that names them. It asks
// the providers which pairs they handle (Apertium lists its pairs once),
// so it is for pages and commands, not for every /metrics scrape.
func (s *Service) Serving(ctx context.Context, editions []string) map[string][]string {
	out := make(map[string][]string, len(editions))
	for _, to := range editions {
		names := []string{}
		for _, from := range editions {
			if from == to {
				continue
			}
			for _, p := range s.candidates(ctx, from, to) {
				if !slices.Contains(names, p.Name()) {
					names = append(names, p.Name())
				}
			}
		}
		out[to] = names
	}
	return out
}
