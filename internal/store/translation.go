package store

import (
	"context"
	"time"
)

// Translation states: every (article, edition language) pair the translate
// stage has finished with has one row, so the site knows whether to show a
// translation, or the original with the reason there is none.
const (
	TranslationDone        = "done"        // Title/Summary/HTML/Text hold the translation
	TranslationUnsupported = "unsupported" // no configured provider handles the pair; the original is shown
	TranslationFailed      = "failed"      // providers failed (retries may follow); the original is shown
	TranslationQueued      = "queued"      // the budget is spent; translated next month, the original is shown meanwhile
)

// Translation is one article in one edition language.
type Translation struct {
	ArticleID      int64
	Language       string // edition language (ISO 639-1)
	SourceLanguage string // the article's language when translated
	Status         string // TranslationDone, TranslationUnsupported, TranslationFailed, TranslationQueued
	Title          string
	Summary        string
	HTML           string // sanitized like the article's HTML: only text was replaced
	Text           string
	Provider       string // the provider that did the work (first one used)
	ContentHash    string // the article's ContentHash translated; a changed article is translated again
	Error          string // why there is no translation (not for TranslationDone)
	Chars          int64  // characters sent to providers for it (cache hits are free)
	CreatedAt      time.Time
}

// TranslationUsage is one provider's use in one month (YYYY-MM, UTC).
type TranslationUsage struct {
	Provider    string
	Month       string
	Chars       int64 // characters sent (what providers bill)
	Requests    int64
	CacheHits   int64 // segments served from the cache
	CacheMisses int64 // segments sent to the provider
	Errors      int64
}

// TranslationStore keeps translations, the segment cache and the budgets.
type TranslationStore interface {
	// PutTranslation inserts or replaces the row for (ArticleID, Language);
	// it sets CreatedAt when zero.
	PutTranslation(ctx context.Context, t *Translation) error
	// Translation returns one row, ErrNotFound when there is none yet.
	Translation(ctx context.Context, articleID int64, lang string) (*Translation, error)
	// Translations returns every edition row of one article, by language.
	Translations(ctx context.Context, articleID int64) ([]Translation, error)
	// TranslationsIn returns the rows of lang for the given articles, by article id.
	TranslationsIn(ctx context.Context, lang string, articleIDs []int64) (map[int64]Translation, error)
	// TranslationCardsIn is TranslationsIn for cards (ArticleQuery.Cards):
	// HTML left empty, and Text too unless Summary is blank.
	TranslationCardsIn(ctx context.Context, lang string, articleIDs []int64) (map[int64]Translation, error)
	// EditionArticles lists visible articles of edition lang, like Articles:
	// those written in lang, those of unknown language, and those the
	// translate stage has finished with for lang (translated or not). An
	// article still waiting for its translation is left out until then.
	EditionArticles(ctx context.Context, lang string, q ArticleQuery) (ArticlePage, error)
	// TranslationCounts counts rows per edition language and status.
	TranslationCounts(ctx context.Context) (map[string]map[string]int, error)
	// TranslationFailures lists the latest rows with TranslationFailed,
	// newest first, without their texts (Title, Summary, HTML, Text are
	// empty): the errors the editions page shows.
	TranslationFailures(ctx context.Context, limit int) ([]Translation, error)

	// CachedSegments returns the cached translations of the segments with
	// these hashes, by hash.
	CachedSegments(ctx context.Context, from, to, provider string, hashes []string) (map[string]string, error)
	// PutSegments caches translations, by source hash; existing entries stay.
	PutSegments(ctx context.Context, from, to, provider string, segs map[string]string) error

	// ReserveChars adds chars to provider's use in month if that keeps it
	// within limit (limit <= 0: no limit), atomically across processes; false
	// when the budget would be exceeded (nothing is added then).
	ReserveChars(ctx context.Context, provider, month string, chars, limit int64) (bool, error)
	// AddTranslationUsage adds u's counters (not Chars) to provider's month.
	AddTranslationUsage(ctx context.Context, u TranslationUsage) error
	// TranslationUsage lists every provider's use in month, by provider.
	TranslationUsage(ctx context.Context, month string) ([]TranslationUsage, error)
}
