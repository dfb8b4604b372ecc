package ops

import (
	"context"
	"errors"
	"fmt"

	"spektrum/internal/store"
)

// ArticleStore is what the article operations read and write.
type ArticleStore interface {
	Article(ctx context.Context, id int64) (*store.Article, error)
	FilterArticles(ctx context.Context, f store.ArticleFilter) ([]store.Article, error)
	SetArticleHidden(ctx context.Context, id int64, hidden bool) error
}

// NoArticle: no article has the id (Error.Value holds it).
const NoArticle Code = "no_article"

// Articles runs what an editor does to articles.
type Articles struct{ st ArticleStore }

// NewArticles returns the article operations on st.
func NewArticles(st ArticleStore) *Articles { return &Articles{st: st} }

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
