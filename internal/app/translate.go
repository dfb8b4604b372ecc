package app

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"spektrum/internal/config"
	"spektrum/internal/pipeline"
	"spektrum/internal/store"
	"spektrum/internal/translate"
)

// newTranslator builds the translation service from the settings; the
// providers' keys and tokens come from the environment here and nowhere else.
func newTranslator(st store.Store, cfg *config.Config, logger *slog.Logger) (*translate.Service, error) {
	providers, err := translate.Build(func(env string) string {
		if v, ok := cfg.Translators[env]; ok {
			return v // a flag, or its environment variable
		}
		return os.Getenv(env) // a secret
	}, translate.HTTPOptions{})
	if err != nil {
		return nil, err
	}
	routes, err := translate.ParseRoutes(cfg.TranslateRoutes)
	if err != nil {
		return nil, fmt.Errorf("--translate-routes: %w", err)
	}
	budgets, err := translate.ParseBudgets(cfg.TranslateBudgets)
	if err != nil {
		return nil, fmt.Errorf("--translate-budgets: %w", err)
	}
	return translate.New(st, providers, translate.Options{Routes: routes, Budgets: budgets, Logger: logger}), nil
}

// TranslationStatus gathers what `spektrum translate status` and /metrics show.
func (a *App) TranslationStatus(ctx context.Context) (*translate.Status, error) {
	return a.Translator.Status(ctx, a.Cfg.Editions)
}

// metricsHandler serves /metrics: translation cost, budgets and cache
// figures, and the job queue, in the Prometheus text format. Who may ask
// is decided in metrics.go.
func (a *App) metricsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		st, err := a.TranslationStatus(ctx)
		if err != nil {
			a.Logger.ErrorContext(ctx, "metrics: translation status", "err", err)
			http.Error(w, "500 internal error: metrics unavailable; the database did not answer", http.StatusInternalServerError)
			return
		}
		jc, err := a.Store.JobCounts(ctx, nil, time.Now())
		if err != nil {
			a.Logger.ErrorContext(ctx, "metrics: job counts", "err", err)
			http.Error(w, "500 internal error: metrics unavailable; the database did not answer", http.StatusInternalServerError)
			return
		}
		var b bytes.Buffer
		if err := st.WritePrometheus(&b); err != nil {
			http.Error(w, "500 internal error", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(&b, "# HELP spektrum_jobs Jobs in the queue by state.\n# TYPE spektrum_jobs gauge\n")
		for _, s := range []struct {
			state string
			n     int
		}{{"queued", jc.Queued - jc.Waiting}, {"waiting", jc.Waiting}, {"running", jc.Running}, {"done", jc.Done}, {"dead", jc.Dead}} {
			fmt.Fprintf(&b, "spektrum_jobs{state=%q} %d\n", s.state, s.n)
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(b.Bytes())
	})
}

// adminTranslation is what the admin's editions page reads: the figures
// of `spektrum translate status` and /metrics, and what the CLI adds.
type adminTranslation struct{ a *App }

func (t adminTranslation) Status(ctx context.Context) (*translate.Status, error) {
	return t.a.TranslationStatus(ctx)
}

func (t adminTranslation) Serving(ctx context.Context) map[string][]string {
	return t.a.Translator.Serving(ctx, t.a.Cfg.Editions)
}

func (t adminTranslation) Jobs(ctx context.Context) (store.JobCounts, error) {
	return t.a.Store.JobCounts(ctx, []string{pipeline.KindTranslate}, time.Now())
}

func (t adminTranslation) Failures(ctx context.Context, limit int) ([]store.Translation, error) {
	return t.a.Store.TranslationFailures(ctx, limit)
}
