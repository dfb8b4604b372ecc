package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"

	"spektrum/internal/extract"
	"spektrum/internal/feed"
	"spektrum/internal/fetch"
	"spektrum/internal/jobs"
	"spektrum/internal/lang"
	"spektrum/internal/store"
	"spektrum/internal/weburl"
)

// handleArticle fetches one item's page, extracts and stores the article.
// When the page can't be had (robots.txt, an error, not HTML) it falls back
// to the content the feed carried; only when there is none does it fail.
func (p *Pipeline) handleArticle(ctx context.Context, j *store.Job) (err error) {
	// The article and its stages are written again if this job is run
	// again, and it is until its completion commits: their commits need
	// not wait for the disk (store.LaterDurable says why nothing is lost).
	ctx = store.LaterDurable(ctx)
	var pl articlePayload
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return jobs.Permanent(fmt.Errorf("article job payload: %w", err))
	}
	src, err := p.st.Source(ctx, pl.SourceID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if src.SiteURL == "" {
		src.SiteURL = pl.Site // the poll that queued the item may not have stored it yet
	}
	it := pl.Item
	defer func() {
		if _, deferred := jobs.DeferredUntil(err); err != nil && ctx.Err() == nil && !deferred {
			final := jobs.IsPermanent(err) || j.Attempts >= max(j.MaxAttempts, 1)
			p.opts.Events(Event{Kind: ArticleFailed, SourceID: src.ID, Source: src.Name, URL: it.URL, Err: err, Final: final})
		}
	}()
	last := j.Attempts >= max(j.MaxAttempts, 1)
	a, note, err := p.article(ctx, src, it, last)
	if err != nil {
		return err
	}
	res, err := p.st.UpsertArticle(ctx, a)
	if err != nil {
		return fmt.Errorf("store article %s: %w", a.URL, err)
	}
	// The next stages run here, on the article as stored (its first
	// sighting, story and duplicate marks are the database's), as their
	// jobs would; one that fails is queued to retry alone. Should queueing
	// fail, the job's retry stores the same article again (unchanged) and
	// runs the stages then.
	stored, err := p.st.Article(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("read back article %s: %w", a.URL, err)
	}
	if err := p.runStages(ctx, stored); err != nil {
		return err
	}
	p.opts.Events(Event{Kind: ArticleDone, SourceID: src.ID, Source: src.Name, URL: a.URL, Result: res, Note: note})
	return nil
}

// article builds the article for it: from its page when possible, else from
// the feed's content. A page that failed for a reason that may pass (a
// timeout, a 503) is retried rather than replaced by a teaser, unless the
// feed carries the full text or this is the last try. The note says when
// the feed's content was used, and why. Its language is settled last
// (identify).
func (p *Pipeline) article(ctx context.Context, src *store.Source, it feed.Item, last bool) (*store.Article, string, error) {
	feedLang := firstNonEmpty(lang.Code(src.Language), lang.Code(it.Language))
	a := &store.Article{
		SourceID: src.ID, URL: it.URL, GUID: it.GUID, Title: clean(it.Title), Author: clean(it.Author),
		PublishedAt: it.Published, UpdatedAt: it.Updated, Image: it.Image, Section: src.Section,
		Language: feedLang,
	}
	// declared: a.Language is what the page or the feed declared (not the
	// extraction's guess); guess: the extraction's reading of the text.
	declared, guess := feedLang != "", ""
	if a.URL == "" && weburl.Valid(it.GUID) {
		a.URL = it.GUID
	}
	fromFeed := p.feedContent(it, a.URL)
	var pageErr error
	if a.URL != "" {
		var ex *extract.Article
		ex, a.URL, pageErr = p.page(ctx, a.URL)
		if d := p.deferBusy(pageErr); d != nil {
			return nil, "", d
		}
		if pageErr == nil {
			// A page that yields far less than the feed carried is a
			// paywall or a teaser page: the feed's text is the article.
			if utf8.RuneCountInString(fromFeed.text) > 2*utf8.RuneCountInString(ex.Text)+200 {
				pageErr = errors.New("page text much shorter than the feed's")
			} else {
				merge(a, ex)
				declared = ex.LanguageDeclared || (feedLang != "" && a.Language == feedLang)
				guess = ex.TextLanguage
			}
		}
		if ctx.Err() != nil {
			return nil, "", ctx.Err()
		}
	}
	note := ""
	if a.HTML == "" {
		name := firstNonEmpty(a.URL, it.GUID, it.Title)
		if pageErr == nil {
			pageErr = errors.New("item has no link")
		}
		permanent := !transient(pageErr)
		if fromFeed.text == "" {
			err := fmt.Errorf("article %s: %w; the feed carries no content to fall back on", name, pageErr)
			if permanent {
				return nil, "", jobs.Permanent(err)
			}
			return nil, "", err
		}
		if !permanent && !fromFeed.full && !last {
			return nil, "", fmt.Errorf("article %s: %w; will try the page again before settling for the feed's summary", name, pageErr)
		}
		a.HTML, a.Text = fromFeed.html, fromFeed.text
		note = "from the feed's content: " + pageErr.Error()
		p.opts.Logger.Info("article from feed content", "url", a.URL, "reason", pageErr)
	}
	if a.Title == "" {
		a.Title = firstLine(a.Text, 120)
	}
	if a.URL == "" {
		// An item without a link (a note, a live-blog entry) lives only in
		// the feed: give it an address on its site that is unique to it, so
		// it dedupes by its GUID and never merges with its siblings.
		a.URL = firstNonEmpty(src.SiteURL, src.URL) + "#item-" + articleKey(src.ID, it)[len("article:"):]
	}
	if a.CanonicalURL == "" {
		a.CanonicalURL = a.URL
	}
	if a.Summary == "" {
		a.Summary = summary(firstNonEmpty(extract.Text(it.Summary), a.Text), 300)
	}
	p.identify(ctx, a, declared, guess)
	return a, note, nil
}

// transient reports whether a page failure may pass by itself.
func transient(err error) bool {
	var fe *fetch.Error
	if !errors.As(err, &fe) {
		return false // extraction, content type: the page itself is the problem
	}
	switch fe.Kind {
	case fetch.Timeout, fetch.Network, fetch.RobotsUnavailable, fetch.Canceled, fetch.HostBusy:
		return true
	case fetch.Status:
		return fe.Status == 429 || fe.Status >= 500
	}
	return false
}

// content is an item's own HTML, sanitized; full when it is the feed's
// full-text field rather than a summary.
type content struct {
	html, text string
	full       bool
}

func (p *Pipeline) feedContent(it feed.Item, base string) content {
	raw, full := it.Content, true
	if strings.TrimSpace(extract.Text(raw)) == "" {
		raw, full = it.Summary, false
	}
	if strings.TrimSpace(raw) == "" {
		return content{}
	}
	if !strings.Contains(raw, "<") {
		// Plain text: give it paragraphs.
		var b strings.Builder
		for _, para := range strings.Split(raw, "\n\n") {
			if para = strings.TrimSpace(para); para != "" {
				b.WriteString("<p>")
				b.WriteString(htmlEscape(para))
				b.WriteString("</p>")
			}
		}
		raw = b.String()
	}
	h := p.san.Sanitize(raw, base)
	return content{html: h, text: strings.TrimSpace(extract.Text(h)), full: full}
}

// page fetches and extracts the article page; it returns the final URL.
func (p *Pipeline) page(ctx context.Context, u string) (*extract.Article, string, error) {
	resp, err := p.fc.Get(ctx, fetch.Request{URL: u, Robots: true, NoWait: true})
	if err != nil {
		return nil, u, err
	}
	final := resp.URL
	if ct := strings.ToLower(resp.ContentType); ct != "" && !strings.Contains(ct, "html") && !strings.Contains(ct, "xml") {
		return nil, final, fmt.Errorf("page %s is %s, not HTML", final, resp.ContentType)
	}
	ex, err := p.extract(ctx, resp.HTML(), final)
	if err != nil {
		return nil, final, fmt.Errorf("extract %s: %w", final, err)
	}
	return ex, final, nil
}

// merge takes the page's extraction into a. The feed's title, date and
// author win where present: feeds state them in machine form, pages often
// decorate them ("Title | Site").
func merge(a *store.Article, ex *extract.Article) {
	a.HTML, a.Text = ex.HTML, ex.Text
	a.Title = firstNonEmpty(a.Title, clean(ex.Title))
	a.Author = firstNonEmpty(a.Author, clean(ex.Author))
	if a.PublishedAt.IsZero() {
		a.PublishedAt = ex.Published
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = ex.Modified
	}
	a.Image = firstNonEmpty(ex.Image, a.Image)
	a.Language = firstNonEmpty(lang.Code(ex.Language), a.Language)
	a.Summary = summary(ex.Description, 300)
	if c := canonical(ex.CanonicalURL, a.URL); c != "" {
		a.CanonicalURL = c
	}
}

// canonical accepts a page's canonical URL only when it plausibly names
// this article: absolute http(s), on the page's own site, not a site's home
// page. Sites that point every page's canonical at their home would
// otherwise merge all articles; and a canonical URL on another site is a
// claim anyone can make (a hostile page naming another outlet's article),
// so it is never believed: cross-site copies are the near-duplicate stage's
// business, which groups articles and never merges them.
func canonical(c, page string) string {
	cu, err := url.Parse(c)
	if err != nil || (cu.Scheme != "http" && cu.Scheme != "https") || cu.Host == "" {
		return ""
	}
	if strings.Trim(cu.Path, "/") == "" && cu.RawQuery == "" {
		return ""
	}
	pu, err := url.Parse(page)
	if err != nil || !sameSite(cu, pu) {
		return ""
	}
	if strings.Trim(pu.Path, "/") == strings.Trim(cu.Path, "/") && pu.Host == cu.Host && cu.RawQuery == "" {
		// Same page: keep the page URL's form.
		return cu.String()
	}
	cu.Fragment = ""
	return cu.String()
}

// sameSite reports whether a and b are on one site: the same host and port,
// or host names under one registrable domain (www. and amp. hosts of one
// outlet) on the same port. IP addresses only match themselves.
func sameSite(a, b *url.URL) bool {
	if strings.EqualFold(a.Host, b.Host) {
		return true
	}
	ah, bh := strings.ToLower(a.Hostname()), strings.ToLower(b.Hostname())
	if a.Port() != b.Port() || net.ParseIP(ah) != nil || net.ParseIP(bh) != nil {
		return false
	}
	ad, err1 := publicsuffix.EffectiveTLDPlusOne(ah)
	bd, err2 := publicsuffix.EffectiveTLDPlusOne(bh)
	return err1 == nil && err2 == nil && ad == bd
}

func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// summary is the first n runes of text's first paragraph, cut at a word.
func summary(text string, n int) string {
	text = strings.TrimSpace(text)
	if i := strings.Index(text, "\n\n"); i > 0 {
		text = text[:i]
	}
	text = clean(text)
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)[:n]
	s := string(r)
	if i := strings.LastIndexByte(s, ' '); i > n/2 {
		s = s[:i]
	}
	return s + "…"
}

func firstLine(text string, n int) string {
	if i := strings.IndexByte(text, '\n'); i > 0 {
		text = text[:i]
	}
	return summary(text, n)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}
