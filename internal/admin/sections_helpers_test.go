package admin_test

import (
	"context"
	"testing"
	"time"

	"spektrum/internal/edition"
	"spektrum/internal/i18n"
	"spektrum/internal/pipeline"
	"spektrum/internal/store"
	"spektrum/internal/translate"
)

// sectionNamer is the site's rule for section names (edition.SectionName).
func sectionNamer(t testing.TB) func(string, store.Section) string {
	msg, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return edition.New(nil, msg, "en").SectionName
}

// translation is what internal/app gives the editions page, over the
// test's store and translator.
type translation struct {
	st  store.Store
	tr  *translate.Service
	eds []string
}

func newTranslation(st store.Store, po pipeline.Options) translation {
	tr := po.Translator
	if tr == nil {
		tr = translate.New(st, nil, translate.Options{})
	}
	return translation{st: st, tr: tr, eds: editionsOr(po.Editions)}
}

func (t translation) Status(ctx context.Context) (*translate.Status, error) {
	return t.tr.Status(ctx, t.eds)
}
func (t translation) Serving(ctx context.Context) map[string][]string {
	return t.tr.Serving(ctx, t.eds)
}
func (t translation) Jobs(ctx context.Context) (store.JobCounts, error) {
	return t.st.JobCounts(ctx, []string{pipeline.KindTranslate}, time.Now())
}
func (t translation) Failures(ctx context.Context, limit int) ([]store.Translation, error) {
	return t.st.TranslationFailures(ctx, limit)
}
