package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"spektrum/internal/slug"
	"spektrum/internal/store"
)

// ArticleStore is what the article operations read and write.
type ArticleStore interface {
	Article(ctx context.Context, id int64) (*store.Article, error)
	FilterArticles(ctx context.Context, f store.ArticleFilter) ([]store.Article, error)
	SetArticleHidden(ctx context.Context, id int64, hidden bool) error
	CorrectArticle(ctx context.Context, id int64, c store.ArticleCorrection) error
	PinArticle(ctx context.Context, id int64, at time.Time) error
	Translations(ctx context.Context, articleID int64) ([]store.Translation, error)
	StaleTranslations(ctx context.Context, articleID int64) error
	EnsureSection(ctx context.Context, s store.Section) error
	Sections(ctx context.Context) ([]store.Section, error)
}

// Translations queues an article's translation into every edition;
// *pipeline.Pipeline is one.
type Translations interface {
	EnqueueTranslations(ctx context.Context, a *store.Article) error
}

// NoArticle: no article has the id (Error.Value holds it).
const NoArticle Code = "no_article"

// Articles runs what an editor does to articles.
type Articles struct {
	st  ArticleStore
	tq  Translations
	now func() time.Time
}

// NewArticles returns the article operations on st; tq queues the
// translations corrections and requests need.
func NewArticles(st ArticleStore, tq Translations) *Articles {
	return &Articles{st: st, tq: tq, now: time.Now}
}

// Longest corrections: a headline and a lead, not a body.
const (
	MaxTitle   = 300
	MaxSummary = 2000
)

// Fields an Invalid article error can name.
const (
	FieldTitle   = "title"
	FieldSummary = "summary"
)

// List returns the articles f selects, hidden ones too, newest first.
func (a *Articles) List(ctx context.Context, f store.ArticleFilter) ([]store.Article, error) {
	as, err := a.st.FilterArticles(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	return as, nil
}

// SetHidden hides an article from the site, its feeds and the API (or
// shows it again) and returns it.
func (a *Articles) SetHidden(ctx context.Context, id int64, hidden bool) (*store.Article, error) {
	op := "hide article"
	if !hidden {
		op = "unhide article"
	}
	if err := a.st.SetArticleHidden(ctx, id, hidden); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, &Error{Code: NoArticle, Op: op, Value: fmt.Sprint(id), Err: err}
		}
		return nil, fmt.Errorf("%s %d: %w", op, id, err)
	}
	art, err := a.st.Article(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("read article %d: %w", id, err)
	}
	return art, nil
}

// Open returns an article as readers see it (with SourceTitle and
// SourceSummary as published) and its translations, one per edition.
func (a *Articles) Open(ctx context.Context, id int64) (*store.Article, []store.Translation, error) {
	art, err := a.article(ctx, "open article", id)
	if err != nil {
		return nil, nil, err
	}
	ts, err := a.st.Translations(ctx, id)
	if err != nil {
		return nil, nil, fmt.Errorf("read translations of article %d: %w", id, err)
	}
	return art, ts, nil
}

func (a *Articles) article(ctx context.Context, op string, id int64) (*store.Article, error) {
	art, err := a.st.Article(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Error{Code: NoArticle, Op: op, Value: fmt.Sprint(id), Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("read article %d: %w", id, err)
	}
	return art, nil
}

// Correct replaces an article's headline and/or summary as readers see
// them (nil leaves one as it is; "" or the source's own text takes the
// correction back). The correction is kept beside what the source
// published, so re-fetches do not undo it, and every edition's
// translation is made again from it.
func (a *Articles) Correct(ctx context.Context, id int64, title, summary *string) (*store.Article, error) {
	const op = "correct article"
	art, err := a.article(ctx, op, id)
	if err != nil {
		return nil, err
	}
	var c store.ArticleCorrection
	if title != nil {
		t := strings.Join(strings.Fields(*title), " ")
		if t == "" {
			return nil, invalid(op, FieldTitle, *title, "an article needs a headline")
		}
		if n := utf8.RuneCountInString(t); n > MaxTitle {
			return nil, invalid(op, FieldTitle, *title, "headline: %d characters; keep it to at most %d", n, MaxTitle)
		}
		if t == art.SourceTitle {
			t = ""
		}
		if t != "" || art.TitleCorrected {
			c.Title = &t
		}
	}
	if summary != nil {
		s := strings.TrimSpace(*summary)
		if n := utf8.RuneCountInString(s); n > MaxSummary {
			return nil, invalid(op, FieldSummary, *summary, "summary: %d characters; keep it to at most %d", n, MaxSummary)
		}
		if s == art.SourceSummary {
			s = ""
		}
		if s != "" || art.SummaryCorrected {
			c.Summary = &s
		}
	}
	if c.Title == nil && c.Summary == nil {
		return art, nil // nothing changes
	}
	if err := a.st.CorrectArticle(ctx, id, c); err != nil {
		return nil, fmt.Errorf("%s %d: %w", op, id, err)
	}
	if art, err = a.article(ctx, op, id); err != nil {
		return nil, err
	}
	// The hash as read now differs from the translations' own: each
	// edition's job translates the corrected text.
	if err := a.translate(ctx, art); err != nil {
		return nil, err
	}
	return art, nil
}

// Move files an article under another section (a slug; created when new),
// which re-fetches keep.
func (a *Articles) Move(ctx context.Context, id int64, section string) (*store.Article, error) {
	const op = "move article"
	section = strings.TrimSpace(section)
	if !slugRE.MatchString(section) {
		return nil, invalid(op, FieldSection, section, "section %q: use a slug of lowercase letters, digits and hyphens, like \"russia\" or \"eu-politics\"", section)
	}
	if _, err := a.article(ctx, op, id); err != nil {
		return nil, err
	}
	if err := a.st.EnsureSection(ctx, store.Section{Slug: section, Name: slug.Name(section)}); err != nil {
		return nil, fmt.Errorf("create section %q: %w", section, err)
	}
	if err := a.st.CorrectArticle(ctx, id, store.ArticleCorrection{Section: &section}); err != nil {
		return nil, fmt.Errorf("%s %d: %w", op, id, err)
	}
	return a.article(ctx, op, id)
}

// Retranslate has every edition's translation made again (a better
// provider, a bad translation); the old ones stay shown meanwhile.
func (a *Articles) Retranslate(ctx context.Context, id int64) (*store.Article, error) {
	const op = "translate article"
	art, err := a.article(ctx, op, id)
	if err != nil {
		return nil, err
	}
	if err := a.st.StaleTranslations(ctx, id); err != nil {
		return nil, fmt.Errorf("%s %d: %w", op, id, err)
	}
	if err := a.translate(ctx, art); err != nil {
		return nil, err
	}
	return art, nil
}

func (a *Articles) translate(ctx context.Context, art *store.Article) error {
	if a.tq == nil {
		return nil
	}
	if err := a.tq.EnqueueTranslations(ctx, art); err != nil {
		return fmt.Errorf("queue translations of article %d: %w", art.ID, err)
	}
	return nil
}

// Pin puts an article at the head of the front page (or takes it off).
func (a *Articles) Pin(ctx context.Context, id int64, on bool) (*store.Article, error) {
	op := "pin article"
	var at time.Time
	if on {
		at = a.now().UTC()
	} else {
		op = "unpin article"
	}
	if err := a.st.PinArticle(ctx, id, at); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, &Error{Code: NoArticle, Op: op, Value: fmt.Sprint(id), Err: err}
		}
		return nil, fmt.Errorf("%s %d: %w", op, id, err)
	}
	return a.article(ctx, op, id)
}
