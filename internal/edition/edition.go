// Package edition is the one rule for what an edition of the outlet shows:
// which translation of an article is current, which title, lead, text and
// HTML an edition language gets, the language they are in, the note shown
// with an article left in its own language, and the names of sections. The
// site's pages, the API, the output feeds, the sitemaps and the
// newsletter's digests all ask it; none decides for itself.
//
// It reads what the translate stage stored and renders nothing: routing,
// markup and mail belong to the web and newsletter packages.
package edition

import (
	"context"
	"errors"
	"fmt"

	"spektrum/internal/i18n"
	"spektrum/internal/lang"
	slugs "spektrum/internal/slug"
	"spektrum/internal/store"
)

// Store is the little an edition reads: the translate stage's rows.
type Store interface {
	// Translation returns one row, store.ErrNotFound when there is none.
	Translation(ctx context.Context, articleID int64, lang string) (*store.Translation, error)
	// Translations returns every edition row of one article.
	Translations(ctx context.Context, articleID int64) ([]store.Translation, error)
	// TranslationsIn returns the rows of lang for the given articles, by article id.
	TranslationsIn(ctx context.Context, lang string, articleIDs []int64) (map[int64]store.Translation, error)
	// TranslationCardsIn is TranslationsIn without what cards do not show.
	TranslationCardsIn(ctx context.Context, lang string, articleIDs []int64) (map[int64]store.Translation, error)
}

// Editions answers for every edition language of one outlet.
type Editions struct {
	st   Store
	msg  *i18n.Catalog
	site string // the language the editor names sections in
}

// New builds the rule over st; msg supplies the untranslated note and the
// well-known section names; siteLang is the language the editor named the
// sections in (their stored names are shown as given in that edition).
func New(st Store, msg *i18n.Catalog, siteLang string) *Editions {
	return &Editions{st: st, msg: msg, site: lang.Base(siteLang)}
}

// Article is an article as an edition shows it: the embedded Article's
// Title, Summary, HTML and Text are the translation's where there is a
// current one.
type Article struct {
	store.Article
	// Shown is the language the title and body are in: the edition's when
	// translated (or written in it), the article's own otherwise.
	Shown string
	// From is the original's language when machine-translated, "" otherwise.
	From     string
	Provider string
	// Note says, in the edition's language, why the article is shown in
	// its own language; "" when it is not.
	Note string
}

// Current reports whether t is the translation to show for a: finished,
// and of the article's present content. A translation of an older version
// is not shown; the translate stage makes a new one.
func Current(a *store.Article, t *store.Translation) bool {
	return t != nil && t.Status == store.TranslationDone && t.ContentHash == a.ContentHash
}

// Show puts a into edition ed with its row t (nil when there is none).
func (e *Editions) Show(ed string, a store.Article, t *store.Translation) Article {
	out := Article{Article: a, Shown: a.Language}
	if a.Language == "" || a.Language == ed {
		out.Shown = ed
		return out
	}
	if Current(&a, t) {
		out.Title, out.Summary, out.HTML, out.Text = t.Title, t.Summary, t.HTML, t.Text
		out.Shown, out.From, out.Provider = ed, a.Language, t.Provider
		return out
	}
	out.Note = e.msg.T(ed, "untranslated", lang.Name(a.Language, e.msg.Lang(ed)))
	return out
}

// List puts as into edition ed, loading their translations in one query.
func (e *Editions) List(ctx context.Context, ed string, as []store.Article) ([]Article, error) {
	return e.list(ctx, ed, as, e.st.TranslationsIn)
}

// Cards is List for cards, from a listing made with ArticleQuery.Cards:
// the translations are read without their HTML and, where they have a
// lead, their text, as the articles were.
func (e *Editions) Cards(ctx context.Context, ed string, as []store.Article) ([]Article, error) {
	return e.list(ctx, ed, as, e.st.TranslationCardsIn)
}

func (e *Editions) list(ctx context.Context, ed string, as []store.Article,
	load func(context.Context, string, []int64) (map[int64]store.Translation, error)) ([]Article, error) {
	var ids []int64
	for i := range as {
		if as[i].Language != "" && as[i].Language != ed {
			ids = append(ids, as[i].ID)
		}
	}
	trs := map[int64]store.Translation{}
	if len(ids) > 0 {
		var err error
		if trs, err = load(ctx, ed, ids); err != nil {
			return nil, fmt.Errorf("load %s translations: %w", ed, err)
		}
	}
	out := make([]Article, len(as))
	for i := range as {
		var t *store.Translation
		if tr, ok := trs[as[i].ID]; ok {
			t = &tr
		}
		out[i] = e.Show(ed, as[i], t)
	}
	return out, nil
}

// One puts a into edition ed.
func (e *Editions) One(ctx context.Context, ed string, a *store.Article) (Article, error) {
	if a.Language == "" || a.Language == ed {
		return e.Show(ed, *a, nil), nil
	}
	t, err := e.st.Translation(ctx, a.ID, ed)
	if errors.Is(err, store.ErrNotFound) {
		return e.Show(ed, *a, nil), nil
	}
	if err != nil {
		return Article{}, fmt.Errorf("load %s translation of article %d: %w", ed, a.ID, err)
	}
	return e.Show(ed, *a, t), nil
}

// Translated lists the languages a has a current translation in.
func (e *Editions) Translated(ctx context.Context, a *store.Article) (map[string]bool, error) {
	trs, err := e.st.Translations(ctx, a.ID)
	if err != nil {
		return nil, fmt.Errorf("load translations of article %d: %w", a.ID, err)
	}
	done := map[string]bool{}
	for i := range trs {
		if Current(a, &trs[i]) {
			done[trs[i].Language] = true
		}
	}
	return done, nil
}

// TranslatedIn is Translated for many articles and the editions eds, by
// article id, in one query per edition.
func (e *Editions) TranslatedIn(ctx context.Context, eds []string, as []store.Article) (map[int64]map[string]bool, error) {
	out := make(map[int64]map[string]bool, len(as))
	if len(as) == 0 {
		return out, nil
	}
	ids := make([]int64, len(as))
	byID := make(map[int64]*store.Article, len(as))
	for i := range as {
		ids[i] = as[i].ID
		byID[as[i].ID] = &as[i]
	}
	for _, ed := range eds {
		trs, err := e.st.TranslationsIn(ctx, ed, ids)
		if err != nil {
			return nil, fmt.Errorf("load %s translations: %w", ed, err)
		}
		for id, t := range trs {
			if a := byID[id]; a != nil && Current(a, &t) {
				if out[id] == nil {
					out[id] = map[string]bool{}
				}
				out[id][ed] = true
			}
		}
	}
	return out, nil
}

// SectionName is a section's name in edition ed: the name the editor gave
// it in ed's language (Section.Names); else its default name in the site's
// language; in other editions the catalogue's for well-known slugs
// ("world" → "Welt") before the default name; a section nobody named gets
// a name from its slug ("us" → "US").
func (e *Editions) SectionName(ed string, sec store.Section) string {
	l := lang.Base(ed)
	if n := sec.Names[l]; n != "" {
		return n
	}
	if key := "section." + sec.Slug; l != e.site && e.msg.Has(ed, key) {
		return e.msg.T(ed, key)
	}
	if sec.Name == "" {
		return slugs.Name(sec.Slug)
	}
	return sec.Name
}

// Placement says where an edition puts the articles it cannot show in its
// language (untranslated ones, marked with their language).
type Placement string

const (
	// After ranks them after the edition's own articles in every list.
	After Placement = "after"
	// Apart keeps them out of the main lists, for a block of their own
	// ("In other languages").
	Apart Placement = "apart"
)

// ParsePlacement reads a Placement setting; "" is After.
func ParsePlacement(s string) (Placement, error) {
	switch p := Placement(s); p {
	case "":
		return After, nil
	case After, Apart:
		return p, nil
	}
	return "", fmt.Errorf("%q is not a placement of untranslated articles: want after or apart", s)
}

// Arrange is the order an edition shows a list in: the articles in ed's
// language (written in it, translated into it, or of unknown language)
// first, then the others, each part in its given order (newest first,
// most read first...). With Apart the others come back separately, for a
// block of their own; with After they follow in shown and other is nil.
func Arrange(ed string, ls []Article, p Placement) (shown, other []Article) {
	shown = make([]Article, 0, len(ls))
	for i := range ls {
		if ls[i].Shown == ed {
			shown = append(shown, ls[i])
		} else {
			other = append(other, ls[i])
		}
	}
	if p == Apart {
		return shown, other
	}
	return append(shown, other...), nil
}
