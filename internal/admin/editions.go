package admin

import (
	"context"
	"net/http"

	"spektrum/internal/lang"
	"spektrum/internal/store"
	"spektrum/internal/translate"
)

// Translation is what the editions page reads: the figures of `spektrum
// translate status` and /metrics (*translate.Service), and the queue's and
// the store's counts the CLI adds to them. internal/app provides it.
type Translation interface {
	Status(ctx context.Context) (*translate.Status, error)
	// Serving lists, per edition, the providers that translate into it.
	Serving(ctx context.Context) map[string][]string
	// Jobs counts the translation jobs in the queue.
	Jobs(ctx context.Context) (store.JobCounts, error)
	// Failures lists the latest failed translations, newest first.
	Failures(ctx context.Context, limit int) ([]store.Translation, error)
}

// editionRow is one edition on the editions page.
type editionRow struct {
	Code, Name                        string
	Default                           bool
	Done, Queued, Failed, Unsupported int
	Providers                         []string
}

// providerRow is one provider's month.
type providerRow struct {
	translate.ProviderStatus
	Used int // per cent of the budget, 0 without one
}

type editionsData struct {
	Month     string
	Editions  []editionRow
	Providers []providerRow
	Jobs      store.JobCounts
	Failures  []store.Translation
}

const editionsFailures = 20

func (a *Admin) handleEditions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st, err := a.cfg.Translation.Status(ctx)
	if err != nil {
		a.serverError(w, r, "translation status", err)
		return
	}
	jobs, err := a.cfg.Translation.Jobs(ctx)
	if err != nil {
		a.serverError(w, r, "count translation jobs", err)
		return
	}
	fails, err := a.cfg.Translation.Failures(ctx, editionsFailures)
	if err != nil {
		a.serverError(w, r, "failed translations", err)
		return
	}
	serving := a.cfg.Translation.Serving(ctx)
	l := a.lang(r)
	d := editionsData{Month: st.Month, Jobs: jobs, Failures: fails}
	for i, e := range st.Editions {
		c := st.Counts[e]
		d.Editions = append(d.Editions, editionRow{Code: e, Name: lang.Name(e, l), Default: i == 0,
			Done: c[store.TranslationDone], Queued: c[store.TranslationQueued], Failed: c[store.TranslationFailed],
			Unsupported: c[store.TranslationUnsupported], Providers: serving[e]})
	}
	for _, p := range st.Providers {
		row := providerRow{ProviderStatus: p}
		if p.Budget > 0 {
			row.Used = int(min(100*p.Chars/p.Budget, 999))
		}
		d.Providers = append(d.Providers, row)
	}
	// Waiting jobs are scheduled later: retries, or next month's budget.
	d.Jobs.Queued -= d.Jobs.Waiting
	a.render(w, r, http.StatusOK, "editions", a.newPage(r, "admin.editions", "editions", d))
}
