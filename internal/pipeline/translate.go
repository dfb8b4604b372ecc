package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"spektrum/internal/jobs"
	"spektrum/internal/store"
	"spektrum/internal/translate"
)

// KindTranslate is the job that puts one article into one edition language.
const KindTranslate = "translate"

type translatePayload struct {
	ArticleID int64  `json:"article_id"`
	Language  string `json:"language"`
}

// identify settles the article's language: the page's or feed's
// declaration, checked against the text, or the text's language when
// nothing was declared. declared says a.Language is a declaration; guess
// is the extraction's cheap reading of the text ("" when there is none),
// which spares lingua's pass where the two agree (lang.ResolveGuessed).
func (p *Pipeline) identify(ctx context.Context, a *store.Article, declared bool, guess string) {
	if p.opts.Detector == nil {
		return
	}
	text := a.Title + "\n" + a.Summary + "\n" + a.Text
	var code string
	var mismatch bool
	if declared {
		code, mismatch = p.opts.Detector.ResolveGuessed(a.Language, guess, text)
	} else {
		code, mismatch = p.opts.Detector.Resolve(a.Language, text)
	}
	if mismatch {
		p.opts.Logger.InfoContext(ctx, "declared language overruled by the text", "url", a.URL, "declared", a.Language, "detected", code)
	}
	a.Language = code
}

// EnqueueTranslations queues a translation of a into every edition language
// but its own. Articles of unknown language stay as they are in every edition.
func (p *Pipeline) EnqueueTranslations(ctx context.Context, a *store.Article) error {
	if a.Language == "" || a.ID == 0 {
		return nil
	}
	for _, ed := range p.opts.Editions {
		if ed == a.Language {
			continue
		}
		key := fmt.Sprintf("translate:%d:%s", a.ID, ed)
		if _, err := jobs.Enqueue(ctx, p.st, KindTranslate, key, a.SourceID, translatePayload{a.ID, ed}); err != nil {
			return fmt.Errorf("queue translation of article %d into %s: %w", a.ID, ed, err)
		}
	}
	return nil
}

// EnqueueAllTranslations queues every stored article into every edition
// it is not yet translated into — after an edition or a provider was added.
// Jobs for translations that exist finish at once.
func (p *Pipeline) EnqueueAllTranslations(ctx context.Context) (int, error) {
	n := 0
	q := store.ArticleQuery{Limit: 200}
	for {
		page, err := p.st.Articles(ctx, q)
		if err != nil {
			return n, err
		}
		for i := range page.Articles {
			if err := p.EnqueueTranslations(ctx, &page.Articles[i]); err != nil {
				return n, err
			}
			n++
		}
		if page.NextCursor == "" {
			return n, nil
		}
		q.Cursor = page.NextCursor
	}
}

// handleTranslate translates one article into one edition language and
// stores the result. Whatever goes wrong, the original stays published: an
// unsupported pair, a failing provider or a spent budget each leave a row
// saying why, and the edition shows the original with that note.
func (p *Pipeline) handleTranslate(ctx context.Context, j *store.Job) error {
	var pl translatePayload
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return jobs.Permanent(fmt.Errorf("translate job payload: %w", err))
	}
	a, err := p.st.Article(ctx, pl.ArticleID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted since
	}
	if err != nil {
		return err
	}
	if a.Language == "" || a.Language == pl.Language {
		return nil
	}
	prev, err := p.st.Translation(ctx, a.ID, pl.Language)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if prev != nil && prev.ContentHash == a.ContentHash && prev.Status == store.TranslationDone {
		return nil // done before; running twice changes nothing
	}
	row := &store.Translation{ArticleID: a.ID, Language: pl.Language, SourceLanguage: a.Language, ContentHash: a.ContentHash, CreatedAt: p.opts.Now().UTC()}
	if p.opts.Translator == nil {
		row.Status, row.Error = store.TranslationUnsupported, "no translation provider is configured (set SPEKTRUM_TRANSLATE_APERTIUM_URL or another provider)"
		return p.putTranslation(ctx, a, row, nil)
	}
	res, err := p.opts.Translator.Translate(ctx, a.Language, pl.Language, translate.Document{Title: a.Title, Summary: a.Summary, HTML: a.HTML})
	switch {
	case errors.Is(err, translate.ErrUnsupported):
		row.Status, row.Error = store.TranslationUnsupported, err.Error()
		return p.putTranslation(ctx, a, row, nil)
	case errors.Is(err, translate.ErrBudget):
		// Stop spending: the article waits for next month's budget in a
		// job of its own, and is shown in its language until then.
		row.Status, row.Error = store.TranslationQueued, err.Error()
		if err := p.putTranslation(ctx, a, row, nil); err != nil {
			return err
		}
		next := nextMonth(p.opts.Now())
		_, err := p.st.Enqueue(ctx, &store.Job{Kind: KindTranslate, UniqueKey: fmt.Sprintf("translate:%d:%s:%s", a.ID, pl.Language, translate.Month(next)),
			SourceID: a.SourceID, Payload: j.Payload, RunAt: next})
		if err != nil {
			return fmt.Errorf("queue translation of article %d for %s: %w", a.ID, translate.Month(next), err)
		}
		return nil
	case err != nil:
		// Show the original with a note meanwhile (unless an older
		// translation exists), and let the queue retry.
		if prev == nil || prev.Status != store.TranslationDone {
			row.Status, row.Error = store.TranslationFailed, err.Error()
			if perr := p.putTranslation(ctx, a, row, nil); perr != nil {
				return perr
			}
		}
		p.opts.Events(Event{Kind: TranslationFailed, SourceID: a.SourceID, URL: a.URL, Language: pl.Language, Err: err,
			Final: j.Attempts >= max(j.MaxAttempts, 1)})
		return err
	}
	row.Status, row.Provider, row.Chars = store.TranslationDone, res.Provider, res.Chars
	row.Title, row.Summary = res.Title, res.Summary
	// Provider output is untrusted: it is sanitized like a fetched page.
	row.HTML = p.san.Sanitize(res.HTML, a.URL)
	row.Text = translate.TextOf(row.HTML)
	return p.putTranslation(ctx, a, row, res)
}

func (p *Pipeline) putTranslation(ctx context.Context, a *store.Article, row *store.Translation, _ *translate.Result) error {
	if err := p.st.PutTranslation(ctx, row); err != nil {
		return err
	}
	// The edition now lists the article (translated or not): index it there.
	if err := p.reindex(ctx, a, row.Language); err != nil {
		return err
	}
	if row.Status == store.TranslationDone {
		p.opts.Events(Event{Kind: TranslationDone, SourceID: a.SourceID, URL: a.URL, Language: row.Language, Note: row.Provider})
	} else if row.Status != store.TranslationFailed {
		p.opts.Events(Event{Kind: TranslationSkipped, SourceID: a.SourceID, URL: a.URL, Language: row.Language, Note: row.Error})
	}
	return nil
}

func nextMonth(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
}
