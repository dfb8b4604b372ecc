// Package translate turns an article into another language: one Translator
// interface with real providers (Apertium, LibreTranslate, DeepL, Google
// Cloud Translation, any OpenAI-compatible chat endpoint), each described
// with its settings in one registry (Providers), chosen per language pair
// with fallbacks; HTML-aware segmenting that keeps markup,
// links and images; a segment cache in the store, so a repeated paragraph or
// a re-fetch never pays twice; a monthly character budget per provider; and
// retries with backoff on 429 and 5xx.
//
// It reads and writes only through store.TranslationStore and never decides
// what is published: the pipeline stores its results, the web shows them.
// API keys come from the environment and never appear in errors or logs.
package translate

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"spektrum/internal/store"
)

// Translator is one provider. Implementations are safe for concurrent use.
type Translator interface {
	// Name identifies the provider in routes, the cache, budgets and metrics.
	Name() string
	// Supports reports whether the provider translates from → to (ISO 639-1).
	Supports(ctx context.Context, from, to string) bool
	// Translate translates HTML fragments (inline markup only) and returns
	// them in the same order.
	Translate(ctx context.Context, from, to string, segs []string) ([]string, error)
}

// Errors callers tell apart with errors.Is.
var (
	// ErrUnsupported: no configured provider translates the pair.
	ErrUnsupported = errors.New("no translation provider for this language pair")
	// ErrBudget: every provider for the pair has spent its monthly budget.
	ErrBudget = errors.New("monthly translation budget spent")
	// ErrGarbage: a provider's answer was not a translation of the input.
	ErrGarbage = errors.New("provider answered with something that is not a translation")
)

// Document is what is translated of an article.
type Document struct {
	Title, Summary, HTML string
}

// Result is a translated Document.
type Result struct {
	Title, Summary, HTML string
	Provider             string // the provider that translated it
	Chars                int64  // characters sent (cache misses)
	CacheHits, Segments  int
}

// Options configure a Service.
type Options struct {
	// Routes lists the providers to try per pair, in order; see ParseRoutes.
	// Pairs without a route try every provider in the order given to New.
	Routes Routes
	// Budgets are monthly character limits per provider name; absent or
	// <= 0 means no limit.
	Budgets map[string]int64
	Logger  *slog.Logger
	Now     func() time.Time
}

// Service translates documents through providers, the cache and budgets.
type Service struct {
	st        store.TranslationStore
	providers []Translator
	byName    map[string]Translator
	opts      Options
}

// New returns a Service over providers (in default order of preference).
func New(st store.TranslationStore, providers []Translator, opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	byName := map[string]Translator{}
	for _, p := range providers {
		byName[p.Name()] = p
	}
	return &Service{st: st, providers: providers, byName: byName, opts: opts}
}

// Providers returns the configured providers' names in default order.
func (s *Service) Providers() []string {
	out := make([]string, 0, len(s.providers))
	for _, p := range s.providers {
		out = append(out, p.Name())
	}
	return out
}

// Budget returns provider's monthly character limit, 0 for none.
func (s *Service) Budget(provider string) int64 { return s.opts.Budgets[provider] }

// Month is the budget period t falls in (UTC).
func Month(t time.Time) string { return t.UTC().Format("2006-01") }

// candidates are the providers to try for a pair, in order.
func (s *Service) candidates(ctx context.Context, from, to string) []Translator {
	names := s.opts.Routes.For(from, to)
	var list []Translator
	if names == nil {
		list = s.providers
	} else {
		for _, n := range names {
			if p, ok := s.byName[n]; ok {
				list = append(list, p)
			}
		}
	}
	var out []Translator
	for _, p := range list {
		if p.Supports(ctx, from, to) {
			out = append(out, p)
		}
	}
	return out
}

// Supported reports whether some provider translates from → to.
func (s *Service) Supported(ctx context.Context, from, to string) bool {
	return len(s.candidates(ctx, from, to)) > 0
}

// Translate translates d from → to with the first provider of the pair's
// route that succeeds. It returns ErrUnsupported when no provider handles
// the pair, ErrBudget when all of them are out of budget, and otherwise the
// last provider's error.
func (s *Service) Translate(ctx context.Context, from, to string, d Document) (*Result, error) {
	cands := s.candidates(ctx, from, to)
	if len(cands) == 0 {
		return nil, fmt.Errorf("translate %s→%s: %w (configured: %s)", from, to, ErrUnsupported, strings.Join(s.Providers(), ", "))
	}
	body, err := parseFragment(d.HTML)
	if err != nil {
		return nil, fmt.Errorf("translate %s→%s: %w", from, to, err)
	}
	// Title and lead go with the body, so they share its request and cache.
	segs := append(body.segments(), escape(d.Title), escape(d.Summary))
	var errs []error
	for _, p := range cands {
		out, st, err := s.translateSegments(ctx, p, from, to, segs)
		if err != nil {
			s.opts.Logger.WarnContext(ctx, "translation provider failed; trying the next", "provider", p.Name(), "pair", from+"→"+to, "err", err)
			errs = append(errs, fmt.Errorf("%s: %w", p.Name(), err))
			continue
		}
		n := len(out)
		h, err := body.replace(out[:n-2])
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w: %w", p.Name(), ErrGarbage, err))
			continue
		}
		return &Result{Title: unescape(out[n-2]), Summary: unescape(out[n-1]), HTML: h, Provider: p.Name(),
			Chars: st.chars, CacheHits: st.hits, Segments: len(segs)}, nil
	}
	return nil, fmt.Errorf("translate %s→%s: %w", from, to, verdict(errs))
}

// verdict sums up the providers' failures as the one the caller acts on:
// a provider that failed for a passing reason (down, garbage) means retry;
// only when none did is it a spent budget (wait for next month), and only
// when all said so an unsupported pair.
func verdict(errs []error) error {
	msgs := make([]string, 0, len(errs))
	var real, budget error
	for _, e := range errs {
		msgs = append(msgs, e.Error())
		switch {
		case errors.Is(e, ErrBudget):
			budget = cmp.Or(budget, e)
		case errors.Is(e, ErrUnsupported):
		default:
			real = cmp.Or(real, e)
		}
	}
	all := strings.Join(msgs, "; ")
	switch {
	case real != nil:
		return fmt.Errorf("%s: %w", all, real)
	case budget != nil:
		return fmt.Errorf("%s: %w", all, ErrBudget)
	}
	return fmt.Errorf("%s: %w", all, ErrUnsupported)
}

type segStats struct {
	chars int64
	hits  int
}

// translateSegments runs segs through p with the cache and budget: cached
// segments are free, the rest are reserved against the budget, sent once
// (duplicates collapsed), checked and cached.
func (s *Service) translateSegments(ctx context.Context, p Translator, from, to string, segs []string) ([]string, segStats, error) {
	var st segStats
	hashes := make([]string, len(segs))
	for i, seg := range segs {
		hashes[i] = hash(seg)
	}
	cached, err := s.st.CachedSegments(ctx, from, to, p.Name(), hashes)
	if err != nil {
		return nil, st, err
	}
	var todo []string
	var todoHash []string
	seen := map[string]bool{}
	for i, seg := range segs {
		if strings.TrimSpace(seg) == "" {
			continue
		}
		if _, ok := cached[hashes[i]]; ok {
			st.hits++
			continue
		}
		if !seen[hashes[i]] {
			seen[hashes[i]] = true
			todo = append(todo, seg)
			todoHash = append(todoHash, hashes[i])
			st.chars += int64(utf8.RuneCountInString(seg))
		}
	}
	month := Month(s.opts.Now())
	usage := store.TranslationUsage{Provider: p.Name(), Month: month, CacheHits: int64(st.hits), CacheMisses: int64(len(todo))}
	if len(todo) > 0 {
		ok, err := s.st.ReserveChars(ctx, p.Name(), month, st.chars, s.opts.Budgets[p.Name()])
		if err != nil {
			return nil, st, err
		}
		if !ok {
			return nil, st, fmt.Errorf("%w: %s's limit of %d characters for %s would be passed by %d more; the rest waits for next month (raise SPEKTRUM_TRANSLATE_BUDGETS to continue now)",
				ErrBudget, p.Name(), s.opts.Budgets[p.Name()], month, st.chars)
		}
		usage.Requests = 1
		got, err := p.Translate(ctx, from, to, todo)
		if err == nil {
			err = check(todo, got)
		}
		if err == nil {
			first := st.chars
			if rerr := s.repairMarkup(ctx, p, from, to, month, todo, got, &st, &usage); rerr != nil {
				// The first request was answered and paid for: keep what it
				// got right, so a retry pays only for the rest, and give
				// back only what the repair reserved and did not spend.
				s.keepGood(ctx, from, to, p.Name(), todo, todoHash, got)
				usage.Errors = 1
				if uerr := s.st.AddTranslationUsage(ctx, usage); uerr != nil {
					s.opts.Logger.WarnContext(ctx, "record translation usage", "err", uerr)
				}
				if unused := st.chars - first; unused > 0 {
					if _, berr := s.st.ReserveChars(ctx, p.Name(), month, -unused, 0); berr != nil {
						s.opts.Logger.WarnContext(ctx, "return unused translation budget", "provider", p.Name(), "err", berr)
					}
				}
				return nil, st, rerr
			}
		}
		if err != nil {
			usage.Errors = 1
			if uerr := s.st.AddTranslationUsage(ctx, usage); uerr != nil {
				s.opts.Logger.WarnContext(ctx, "record translation usage", "err", uerr)
			}
			// Nothing was translated, so nothing is spent: give the
			// reservation back (a negative amount never hits the limit).
			if _, rerr := s.st.ReserveChars(ctx, p.Name(), month, -st.chars, 0); rerr != nil {
				s.opts.Logger.WarnContext(ctx, "return unused translation budget", "provider", p.Name(), "err", rerr)
			}
			return nil, st, err
		}
		fresh := make(map[string]string, len(todo))
		for i, h := range todoHash {
			fresh[h] = got[i]
			cached[h] = got[i]
		}
		if err := s.st.PutSegments(ctx, from, to, p.Name(), fresh); err != nil {
			return nil, st, err
		}
	}
	if err := s.st.AddTranslationUsage(ctx, usage); err != nil {
		s.opts.Logger.WarnContext(ctx, "record translation usage", "err", err)
	}
	out := make([]string, len(segs))
	for i, seg := range segs {
		if strings.TrimSpace(seg) == "" {
			out[i] = seg
			continue
		}
		out[i] = cached[hashes[i]]
	}
	return out, st, nil
}

// keepGood caches the segments of a partly failed request whose markup
// came back whole.
func (s *Service) keepGood(ctx context.Context, from, to, provider string, in, hashes, out []string) {
	good := map[string]string{}
	for i := range in {
		if markupKept(in[i], out[i]) {
			good[hashes[i]] = out[i]
		}
	}
	if len(good) == 0 {
		return
	}
	if err := s.st.PutSegments(ctx, from, to, provider, good); err != nil {
		s.opts.Logger.WarnContext(ctx, "cache the good segments of a failed request", "err", err)
	}
}

// repairMarkup translates as text, in one more request, the segments of in
// whose markup the provider mangled in out (see astext.go), and puts the
// results in out. Its characters are reserved and counted in st like the
// first request's.
func (s *Service) repairMarkup(ctx context.Context, p Translator, from, to, month string, in, out []string, st *segStats, usage *store.TranslationUsage) error {
	var bad []int
	for i := range in {
		if !markupKept(in[i], out[i]) {
			bad = append(bad, i)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	parts := make([]textSegment, len(bad))
	var req []string
	var chars int64
	for k, i := range bad {
		parts[k] = splitText(in[i])
		for _, r := range parts[k].requests() {
			req = append(req, r)
			chars += int64(utf8.RuneCountInString(r))
		}
	}
	ok, err := s.st.ReserveChars(ctx, p.Name(), month, chars, s.opts.Budgets[p.Name()])
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %s's limit of %d characters for %s would be passed by %d more to translate %d segments as text; the rest waits for next month (raise SPEKTRUM_TRANSLATE_BUDGETS to continue now)",
			ErrBudget, p.Name(), s.opts.Budgets[p.Name()], month, chars, len(bad))
	}
	st.chars += chars
	usage.Requests++
	got, err := p.Translate(ctx, from, to, req)
	if err != nil {
		return fmt.Errorf("translate %d segments with mangled markup as text: %w", len(bad), err)
	}
	if err := check(req, got); err != nil {
		return fmt.Errorf("translate %d segments with mangled markup as text: %w", len(bad), err)
	}
	dropped := 0
	for k, i := range bad {
		n := len(parts[k].requests())
		var d int
		out[i], d = parts[k].join(got[:n])
		got = got[n:]
		dropped += d
	}
	s.opts.Logger.InfoContext(ctx, "provider mangled the markup of some segments; translated them as text",
		"provider", p.Name(), "pair", from+"→"+to, "segments", len(bad), "links_dropped", dropped)
	return nil
}

// check rejects answers that cannot be translations of in: a wrong count,
// empty text for non-empty input, or a wildly longer text. Markup is
// checked per segment by repairMarkup.
func check(in, out []string) error {
	if len(out) != len(in) {
		return fmt.Errorf("%w: %d segments back for %d sent", ErrGarbage, len(out), len(in))
	}
	for i := range in {
		if strings.TrimSpace(out[i]) == "" {
			return fmt.Errorf("%w: segment %d came back empty", ErrGarbage, i)
		}
		if utf8.RuneCountInString(out[i]) > 4*utf8.RuneCountInString(in[i])+40 {
			return fmt.Errorf("%w: segment %d came back %d characters long for %d", ErrGarbage, i, len(out[i]), len(in[i]))
		}
	}
	return nil
}

func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func unescape(s string) string {
	// Titles are plain text: a provider that added markup gets it removed.
	return strings.TrimSpace(TextOf(s))
}
