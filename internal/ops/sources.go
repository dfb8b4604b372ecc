package ops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"spektrum/internal/feed"
	"spektrum/internal/feed/opml"
	"spektrum/internal/fetch"
	"spektrum/internal/lang"
	"spektrum/internal/ops/view"
	"spektrum/internal/pipeline"
	"spektrum/internal/slug"
	"spektrum/internal/store"
	"spektrum/internal/viewpoint"
)

// Store is what the source operations read and write; the SQL store is one.
type Store interface {
	CreateSource(ctx context.Context, s *store.Source) error
	UpdateSource(ctx context.Context, s *store.Source) error
	Source(ctx context.Context, id int64) (*store.Source, error)
	SourceByURL(ctx context.Context, url string) (*store.Source, error)
	Sources(ctx context.Context) ([]store.Source, error)
	DeleteSource(ctx context.Context, id int64) error
	EnsureSection(ctx context.Context, s store.Section) error
	Sections(ctx context.Context) ([]store.Section, error)
}

// Poller queues a poll of a source; *pipeline.Pipeline is one.
type Poller interface {
	EnqueuePoll(ctx context.Context, sourceID int64) (bool, error)
}

// Options tune a Service. Zero values mean the defaults.
type Options struct {
	PollInterval time.Duration // a new source's poll interval; default 30m
	Now          func() time.Time
	// Scale is the outlet's scale a source's position is checked
	// against; default viewpoint.DefaultSteps.
	Scale viewpoint.Scale
}

// Service runs the operations on one store.
type Service struct {
	st   Store
	fc   pipeline.Getter
	poll Poller
	opts Options
}

// New returns a Service. fc reads the URLs of sources being added; poll
// queues "fetch now".
func New(st Store, fc pipeline.Getter, poll Poller, opts Options) *Service {
	if opts.PollInterval <= 0 {
		opts.PollInterval = 30 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if len(opts.Scale.Steps) == 0 {
		opts.Scale, _ = viewpoint.ParseScale(viewpoint.DefaultSteps, opts.Scale.Name)
	}
	return &Service{st: st, fc: fc, poll: poll, opts: opts}
}

// Probe says what a URL holds, for adding it as a source.
type Probe struct {
	URL      string // the feed or sitemap to poll
	SiteURL  string
	Kind     string
	Title    string
	Language string
	Items    int
}

// Probe reads raw and finds the feed behind it: raw itself, or the feed its
// page announces, or one at the usual paths (under the page's path first).
func (s *Service) Probe(ctx context.Context, raw string) (*Probe, error) {
	u, err := NormalizeURL(raw)
	if err != nil {
		return nil, err
	}
	resp, err := s.fc.Get(ctx, fetch.Request{URL: u})
	if err != nil {
		return nil, unreadable(u, err)
	}
	if resp.PermanentURL != "" {
		u = resp.PermanentURL
	}
	f, err := feed.Parse(resp.Body, resp.URL)
	site := ""
	if errors.Is(err, feed.ErrNotFeed) {
		d, derr := pipeline.Discover(ctx, s.fc, resp, true)
		if derr != nil {
			return nil, unreadable(u, derr)
		}
		site, u, f = u, d.URL, d.Feed
	} else if err != nil {
		return nil, unreadable(u, fmt.Errorf("read %s: %w", u, err))
	}
	if site == "" {
		site = f.SiteURL
	}
	return &Probe{URL: u, SiteURL: site, Kind: pipeline.KindOf(f.Format), Title: strings.TrimSpace(f.Title),
		Language: lang.Code(f.Language), Items: len(f.Items) + len(f.Sitemaps)}, nil
}

// unreadable makes a probe's failure an Unreadable (or Private) *Error.
func unreadable(u string, err error) *Error {
	var fe *fetch.Error
	if errors.As(err, &fe) && fe.Kind == fetch.Blocked {
		return &Error{Code: Private, Op: "read source", URL: u, Problem: view.AddressNotAllowed, Err: err}
	}
	return &Error{Code: Unreadable, Op: "read source", URL: u, Problem: Classify(err), Err: err}
}

// AddRequest is what an editor asks for when adding a source.
type AddRequest struct {
	URL      string
	Name     string
	Section  string // slug
	Language string
	// Force adds a source that cannot be read now (a site that is down
	// today); the probe's error is kept as the source's last error.
	Force bool
	// Viewpoint, all optional: see Edit.
	Country, Type, Ownership, Position string
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// AddSource probes the URL and stores the source, due for its first poll
// now. A URL that cannot be read is refused (Unreadable, Private) unless
// req.Force; the source then keeps the error as its last one.
func (s *Service) AddSource(ctx context.Context, req AddRequest) (*store.Source, error) {
	const op = "add source"
	u, err := NormalizeURL(req.URL)
	if err != nil {
		return nil, err
	}
	if req.Section != "" && !slugRE.MatchString(req.Section) {
		return nil, invalid(op, FieldSection, req.Section, "section %q: use a slug of lowercase letters, digits and hyphens, like \"russia\" or \"eu-politics\"", req.Section)
	}
	language := ""
	if req.Language != "" {
		if language = lang.Code(req.Language); language == "" {
			return nil, invalid(op, FieldLanguage, req.Language, "language %q: use a language code such as de, en or pt-BR", req.Language)
		}
	}
	vp := &store.Source{}
	if err := s.describe(op, vp, Edit{Country: &req.Country, Type: &req.Type, Ownership: &req.Ownership, Position: &req.Position}); err != nil {
		return nil, err
	}
	if err := s.checkNew(ctx, u); err != nil {
		return nil, err
	}
	src := &store.Source{URL: u, Kind: store.KindFeed, Name: strings.TrimSpace(req.Name), Section: req.Section, Language: language,
		PollInterval: s.opts.PollInterval, Enabled: true, NextPollAt: s.opts.Now(),
		Country: vp.Country, Type: vp.Type, Ownership: vp.Ownership, Position: vp.Position}
	pr, perr := s.Probe(ctx, u)
	switch {
	case perr != nil && !req.Force:
		return nil, perr
	case perr != nil:
		var oe *Error
		if errors.As(perr, &oe) && oe.Err != nil {
			src.LastError = oe.Err.Error()
		} else {
			src.LastError = perr.Error()
		}
	default:
		if pr.URL != u {
			if err := s.checkNew(ctx, pr.URL); err != nil {
				return nil, err
			}
		}
		src.URL, src.SiteURL, src.Kind = pr.URL, pr.SiteURL, pr.Kind
		if src.Name == "" {
			src.Name = pr.Title
		}
		if src.Language == "" {
			src.Language = pr.Language
		}
	}
	if src.Name == "" {
		if src.Name, err = s.freeName(ctx, defaultName(src.URL)); err != nil {
			return nil, err
		}
	}
	if src.Section != "" {
		if err := s.st.EnsureSection(ctx, store.Section{Slug: src.Section, Name: slug.Name(src.Section)}); err != nil {
			return nil, fmt.Errorf("create section %q: %w", src.Section, err)
		}
	}
	if err := s.create(ctx, src); err != nil {
		return nil, err
	}
	return src, nil
}

func (s *Service) create(ctx context.Context, src *store.Source) error {
	if err := s.st.CreateSource(ctx, src); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			// Added by someone else since checkNew.
			if err := s.checkNew(ctx, src.URL); err != nil {
				return err
			}
			return &Error{Code: Duplicate, Op: "add source", URL: src.URL, Err: err}
		}
		return fmt.Errorf("save source %s: %w", src.URL, err)
	}
	return nil
}

func (s *Service) checkNew(ctx context.Context, u string) error {
	other, err := s.st.SourceByURL(ctx, u)
	if err == nil {
		return &Error{Code: Duplicate, Op: "add source", URL: u, OtherID: other.ID, OtherName: other.Name, Err: store.ErrDuplicate}
	}
	if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("look up source %s: %w", u, err)
	}
	return nil
}

// freeName returns name, numbered when a source already has it.
func (s *Service) freeName(ctx context.Context, name string) (string, error) {
	ss, err := s.st.Sources(ctx)
	if err != nil {
		return "", fmt.Errorf("list sources: %w", err)
	}
	taken := make(map[string]bool, len(ss))
	for _, o := range ss {
		taken[o.Name] = true
	}
	return uniqueName(name, taken), nil
}

// ImportRequest is one source from a list (an OPML outline).
type ImportRequest struct {
	URL      string
	Name     string
	SiteURL  string
	Category string // becomes the section
	Language string
}

// ImportSource adds a source from a list without reading it first: an
// import of hundreds of feeds should not stall on each one, and a feed that
// fails shows its error after the first poll.
func (s *Service) ImportSource(ctx context.Context, req ImportRequest) (*store.Source, error) {
	u, err := NormalizeURL(req.URL)
	if err != nil {
		return nil, err
	}
	if err := s.checkNew(ctx, u); err != nil {
		return nil, err
	}
	src := &store.Source{URL: u, SiteURL: req.SiteURL, Kind: store.KindFeed, Name: strings.TrimSpace(req.Name), Language: lang.Code(req.Language),
		PollInterval: s.opts.PollInterval, Enabled: true, NextPollAt: s.opts.Now()}
	if sl := slug.Make(req.Category); sl != "" {
		src.Section = sl
		if err := s.st.EnsureSection(ctx, store.Section{Slug: sl, Name: strings.TrimSpace(req.Category)}); err != nil {
			return nil, fmt.Errorf("create section %q: %w", sl, err)
		}
	}
	if src.Name == "" || src.Name == strings.TrimSpace(req.URL) {
		// OPML writers put the feed's address where it has no title.
		if src.Name, err = s.freeName(ctx, defaultName(u)); err != nil {
			return nil, err
		}
	}
	if err := s.create(ctx, src); err != nil {
		return nil, err
	}
	return src, nil
}

// ImportResult is what became of one outline of an import.
type ImportResult struct {
	URL    string
	Source *store.Source // nil when Err is set
	Err    error         // *Error with Duplicate for one already present
}

// ImportOPML adds every feed an OPML file lists; one that fails does not
// stop the others.
func (s *Service) ImportOPML(ctx context.Context, r io.Reader) ([]ImportResult, error) {
	outlines, err := opml.Parse(r)
	if err != nil {
		return nil, &Error{Code: Invalid, Op: "import", Field: "opml", Err: fmt.Errorf("not a readable OPML file: %w", err)}
	}
	out := make([]ImportResult, 0, len(outlines))
	for _, o := range outlines {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		src, err := s.ImportSource(ctx, ImportRequest{URL: o.XMLURL, Name: o.Title, SiteURL: o.HTMLURL, Category: o.Category, Language: o.Language})
		out = append(out, ImportResult{URL: o.XMLURL, Source: src, Err: err})
	}
	return out, nil
}

// ExportOPML writes every source as OPML.
func (s *Service) ExportOPML(ctx context.Context, w io.Writer, title string) error {
	ss, err := s.st.Sources(ctx)
	if err != nil {
		return fmt.Errorf("list sources: %w", err)
	}
	secs, err := s.st.Sections(ctx)
	if err != nil {
		return fmt.Errorf("list sections: %w", err)
	}
	names := map[string]string{}
	for _, sec := range secs {
		names[sec.Slug] = sec.Name
	}
	out := make([]opml.Outline, 0, len(ss))
	for _, src := range ss {
		out = append(out, opml.Outline{Title: src.Name, XMLURL: src.URL, HTMLURL: src.SiteURL, Category: names[src.Section], Language: src.Language})
	}
	return opml.Write(w, title, out)
}

// Sources lists every source, by ID.
func (s *Service) Sources(ctx context.Context) ([]store.Source, error) {
	ss, err := s.st.Sources(ctx)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return ss, nil
}

// Source returns one source; NotFound when there is none.
func (s *Service) Source(ctx context.Context, id int64) (*store.Source, error) {
	if id <= 0 {
		return nil, &Error{Code: NotFound, Op: "source", SourceID: id, Err: store.ErrNotFound}
	}
	src, err := s.st.Source(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Error{Code: NotFound, Op: "source", SourceID: id, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("read source %d: %w", id, err)
	}
	return src, nil
}

// Edit changes a source's editable fields; nil fields stay as they are.
type Edit struct {
	Name         *string
	Section      *string // slug; "" files its articles under no section
	Language     *string // "" detects it from each article
	PollInterval *time.Duration
	// Viewpoint ("" clears each): Country an ISO 3166-1 alpha-2 code,
	// Type one of viewpoint.Types, Ownership a short free text, Position
	// a step of the outlet's scale (Options.Scale).
	Country, Type, Ownership, Position *string
}

// EditSource applies e to source id.
func (s *Service) EditSource(ctx context.Context, id int64, e Edit) (*store.Source, error) {
	const op = "edit source"
	src, err := s.Source(ctx, id)
	if err != nil {
		return nil, err
	}
	if e.Name != nil {
		n := strings.TrimSpace(*e.Name)
		if n == "" {
			return nil, invalid(op, "name", *e.Name, "a source needs a name")
		}
		src.Name = n
	}
	if e.Section != nil {
		if *e.Section != "" && !slugRE.MatchString(*e.Section) {
			return nil, invalid(op, FieldSection, *e.Section, "section %q: use a slug of lowercase letters, digits and hyphens, like \"russia\" or \"eu-politics\"", *e.Section)
		}
		if *e.Section != "" {
			if err := s.st.EnsureSection(ctx, store.Section{Slug: *e.Section, Name: slug.Name(*e.Section)}); err != nil {
				return nil, fmt.Errorf("create section %q: %w", *e.Section, err)
			}
		}
		src.Section = *e.Section
	}
	if e.Language != nil {
		l := ""
		if *e.Language != "" {
			if l = lang.Code(*e.Language); l == "" {
				return nil, invalid(op, FieldLanguage, *e.Language, "language %q: use a language code such as de, en or pt-BR", *e.Language)
			}
		}
		src.Language = l
	}
	if e.PollInterval != nil {
		if *e.PollInterval < time.Minute {
			return nil, invalid(op, "poll_interval", e.PollInterval.String(), "poll interval %s: poll at most once a minute, to stay polite to the source", *e.PollInterval)
		}
		src.PollInterval = *e.PollInterval
	}
	if err := s.describe(op, src, e); err != nil {
		return nil, err
	}
	if err := s.st.UpdateSource(ctx, src); err != nil {
		return nil, fmt.Errorf("save source %d: %w", id, err)
	}
	return src, nil
}

// PauseSource stops polling a source; its articles stay.
func (s *Service) PauseSource(ctx context.Context, id int64) (*store.Source, error) {
	return s.setEnabled(ctx, id, false)
}

// ResumeSource polls a paused source again, starting now.
func (s *Service) ResumeSource(ctx context.Context, id int64) (*store.Source, error) {
	return s.setEnabled(ctx, id, true)
}

func (s *Service) setEnabled(ctx context.Context, id int64, on bool) (*store.Source, error) {
	src, err := s.Source(ctx, id)
	if err != nil {
		return nil, err
	}
	if src.Enabled == on {
		return src, nil
	}
	src.Enabled = on
	if on {
		src.NextPollAt = s.opts.Now()
	}
	if err := s.st.UpdateSource(ctx, src); err != nil {
		return nil, fmt.Errorf("save source %d: %w", id, err)
	}
	return src, nil
}

// RemoveSource deletes a source and its articles and returns what it was.
func (s *Service) RemoveSource(ctx context.Context, id int64) (*store.Source, error) {
	src, err := s.Source(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.st.DeleteSource(ctx, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, &Error{Code: NotFound, Op: "remove source", SourceID: id, Err: err}
		}
		return nil, fmt.Errorf("remove source %d: %w", id, err)
	}
	return src, nil
}

// FetchNow queues a poll of source id, due or not (paused ones too: the
// editor asked for it). It reports false when one was already queued.
func (s *Service) FetchNow(ctx context.Context, id int64) (bool, error) {
	if _, err := s.Source(ctx, id); err != nil {
		return false, err
	}
	ok, err := s.poll.EnqueuePoll(ctx, id)
	if err != nil {
		return false, fmt.Errorf("queue a poll of source %d: %w", id, err)
	}
	return ok, nil
}
