package ops

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"spektrum/internal/lang"
	"spektrum/internal/slug"
	"spektrum/internal/store"
)

// SectionStore is what the section operations read and write.
type SectionStore interface {
	Sections(ctx context.Context) ([]store.Section, error)
	Section(ctx context.Context, slug string) (*store.Section, error)
	CreateSection(ctx context.Context, sec *store.Section) error
	UpdateSection(ctx context.Context, sec *store.Section) error
	SetSectionName(ctx context.Context, slug, lang, name string) error
	OrderSections(ctx context.Context, slugs []string) error
	SectionUse(ctx context.Context, slug string) (store.SectionUse, error)
	DeleteSection(ctx context.Context, slug, moveTo string) error
	AddAudit(ctx context.Context, e *store.AuditEntry) error
}

// Section codes (see Code).
const (
	// NoSection: no section has the slug in Value.
	NoSection Code = "no_section"
	// SectionExists: a section already has the slug in Value.
	SectionExists Code = "section_exists"
	// SectionInUse: the section in Value still has articles, sources or
	// subscribers (Error.Use); remove it by moving them to another first.
	SectionInUse Code = "section_in_use"
)

// FieldName is the Invalid field of a section's name (Error.Value holds
// the language, "" for the default name, in Error.Lang).
const FieldName = "name"

// MaxSectionName is the longest section name: a menu entry, not a line.
const MaxSectionName = 60

// Sections runs what an editor does to sections: the admin and
// `spektrum sections` call the same methods, and each change is written
// to the audit log under the actor given.
type Sections struct {
	st       SectionStore
	editions []string
	now      func() time.Time
}

// NewSections returns the section operations on st; editions are the
// edition languages a section can be named in, beside its default name.
func NewSections(st SectionStore, editions []string) *Sections {
	eds := make([]string, 0, len(editions))
	for _, e := range editions {
		if b := lang.Base(e); b != "" && !slices.Contains(eds, b) {
			eds = append(eds, b)
		}
	}
	return &Sections{st: st, editions: eds, now: time.Now}
}

// Editions are the languages a section can be named in.
func (s *Sections) Editions() []string { return slices.Clone(s.editions) }

// List returns every section in menu order.
func (s *Sections) List(ctx context.Context) ([]store.Section, error) {
	secs, err := s.st.Sections(ctx)
	if err != nil {
		return nil, fmt.Errorf("list sections: %w", err)
	}
	return secs, nil
}

// Get returns one section; NoSection when there is none.
func (s *Sections) Get(ctx context.Context, sl string) (*store.Section, error) {
	sec, err := s.st.Section(ctx, sl)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Error{Code: NoSection, Op: "section", Value: sl, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("read section %q: %w", sl, err)
	}
	return sec, nil
}

// Use counts what names a section.
func (s *Sections) Use(ctx context.Context, sl string) (store.SectionUse, error) {
	if _, err := s.Get(ctx, sl); err != nil {
		return store.SectionUse{}, err
	}
	u, err := s.st.SectionUse(ctx, sl)
	if err != nil {
		return u, fmt.Errorf("count use of section %q: %w", sl, err)
	}
	return u, nil
}

// NewSection is a section to create. Slug may be empty when Name is
// given: it is made from the name.
type NewSection struct {
	Slug    string
	Name    string            // the default name; "" = from the slug
	Names   map[string]string // per edition language
	OffMenu bool
}

// cleanName is a name as stored: one line, single spaces, not too long.
func cleanName(op, l, name string) (string, error) {
	n := strings.Join(strings.Fields(name), " ")
	if c := utf8.RuneCountInString(n); c > MaxSectionName {
		return "", &Error{Code: Invalid, Op: op, Field: FieldName, Value: l,
			Err: fmt.Errorf("section name %q: %d characters; keep it to at most %d", n, c, MaxSectionName)}
	}
	return n, nil
}

// edition checks that l is an edition language and returns its base code.
func (s *Sections) edition(op, l string) (string, error) {
	b := lang.Base(strings.TrimSpace(l))
	if b == "" || !slices.Contains(s.editions, b) {
		return "", invalid(op, FieldLanguage, l, "language %q: a section is named in the editions' languages, %s", l, strings.Join(s.editions, ", "))
	}
	return b, nil
}

// CheckSlug is the rule for a section's slug: lowercase letters, digits
// and single hyphens (it is the section's address, /section/{slug}).
func CheckSlug(op, sl string) error {
	if !slugRE.MatchString(sl) || len(sl) > 80 {
		return invalid(op, FieldSection, sl, "section %q: use a slug of lowercase letters, digits and hyphens, like \"russia\" or \"eu-politics\"", sl)
	}
	return nil
}

// Add creates a section. A slug taken is SectionExists.
func (s *Sections) Add(ctx context.Context, actor string, req NewSection) (*store.Section, error) {
	const op = "add section"
	sl := strings.TrimSpace(req.Slug)
	name, err := cleanName(op, "", req.Name)
	if err != nil {
		return nil, err
	}
	if sl == "" {
		sl = slug.Make(name)
	}
	if err := CheckSlug(op, sl); err != nil {
		return nil, err
	}
	if name == "" {
		name = slug.Name(sl)
	}
	sec := &store.Section{Slug: sl, Name: name, OffMenu: req.OffMenu}
	for l, n := range req.Names {
		b, err := s.edition(op, l)
		if err != nil {
			return nil, err
		}
		if n, err = cleanName(op, b, n); err != nil {
			return nil, err
		}
		if n != "" {
			if sec.Names == nil {
				sec.Names = map[string]string{}
			}
			sec.Names[b] = n
		}
	}
	if err := s.st.CreateSection(ctx, sec); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return nil, &Error{Code: SectionExists, Op: op, Value: sl, Err: err}
		}
		return nil, fmt.Errorf("%s %q: %w", op, sl, err)
	}
	return sec, s.audit(ctx, actor, "section.add", sec, describe(sec))
}

// SectionEdit is a change to a section; nil fields stay as they are. In
// Names, "" takes an edition's name away (it shows the default again).
type SectionEdit struct {
	Name    *string
	Names   map[string]string
	OffMenu *bool
}

// Edit changes a section's default name, its names per edition and
// whether it is on the menu, and logs what changed (nothing changed: no
// entry).
func (s *Sections) Edit(ctx context.Context, actor, sl string, e SectionEdit) (*store.Section, error) {
	const op = "edit section"
	sec, err := s.Get(ctx, sl)
	if err != nil {
		return nil, err
	}
	var changes []string
	upd := *sec
	if e.Name != nil {
		n, err := cleanName(op, "", *e.Name)
		if err != nil {
			return nil, err
		}
		if n == "" {
			return nil, &Error{Code: Invalid, Op: op, Field: FieldName, Value: "", Err: errors.New("a section needs a name; the names per edition are optional")}
		}
		if n != sec.Name {
			upd.Name = n
			changes = append(changes, fmt.Sprintf("name=%q", n))
		}
	}
	if e.OffMenu != nil && *e.OffMenu != sec.OffMenu {
		upd.OffMenu = *e.OffMenu
		changes = append(changes, "menu="+map[bool]string{true: "off", false: "on"}[upd.OffMenu])
	}
	type rename struct{ l, n string }
	var renames []rename
	for _, l := range sortedKeys(e.Names) {
		b, err := s.edition(op, l)
		if err != nil {
			return nil, err
		}
		n, err := cleanName(op, b, e.Names[l])
		if err != nil {
			return nil, err
		}
		if n != sec.Names[b] {
			renames = append(renames, rename{b, n})
			changes = append(changes, fmt.Sprintf("%s=%q", b, n))
		}
	}
	if len(changes) == 0 {
		return sec, nil
	}
	if upd.Name != sec.Name || upd.OffMenu != sec.OffMenu {
		if err := s.st.UpdateSection(ctx, &upd); err != nil {
			return nil, s.storeErr(op, sl, err)
		}
	}
	for _, r := range renames {
		if err := s.st.SetSectionName(ctx, sl, r.l, r.n); err != nil {
			return nil, s.storeErr(op, sl, err)
		}
	}
	if sec, err = s.Get(ctx, sl); err != nil {
		return nil, err
	}
	return sec, s.audit(ctx, actor, "section.edit", sec, strings.Join(changes, " "))
}

// Rename names a section in one edition language, or gives it its default
// name (l ""). An empty name in an edition takes that name away, so the
// edition shows the default name again; the default name cannot be empty.
func (s *Sections) Rename(ctx context.Context, actor, sl, l, name string) (*store.Section, error) {
	if l == "" {
		return s.Edit(ctx, actor, sl, SectionEdit{Name: &name})
	}
	return s.Edit(ctx, actor, sl, SectionEdit{Names: map[string]string{l: name}})
}

// Order puts the sections slugs names first in the menu, in that order;
// the others follow in the order they had.
func (s *Sections) Order(ctx context.Context, actor string, slugs []string) ([]store.Section, error) {
	const op = "order sections"
	secs, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(secs))
	for _, x := range secs {
		have[x.Slug] = true
	}
	order := make([]string, 0, len(secs))
	for _, sl := range slugs {
		if !have[sl] {
			return nil, &Error{Code: NoSection, Op: op, Value: sl}
		}
		if slices.Contains(order, sl) {
			return nil, invalid(op, FieldSection, sl, "section %q is named twice", sl)
		}
		order = append(order, sl)
	}
	for _, x := range secs {
		if !slices.Contains(order, x.Slug) {
			order = append(order, x.Slug)
		}
	}
	return s.place(ctx, actor, op, order)
}

// Move moves a section by delta places in the menu (-1: up, 1: down),
// stopping at either end.
func (s *Sections) Move(ctx context.Context, actor, sl string, delta int) ([]store.Section, error) {
	const op = "order sections"
	secs, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	order := make([]string, len(secs))
	i := -1
	for k, x := range secs {
		order[k] = x.Slug
		if x.Slug == sl {
			i = k
		}
	}
	if i < 0 {
		return nil, &Error{Code: NoSection, Op: op, Value: sl}
	}
	j := min(max(i+delta, 0), len(order)-1)
	if j == i {
		return secs, nil
	}
	order = slices.Delete(order, i, i+1)
	order = slices.Insert(order, j, sl)
	return s.place(ctx, actor, op, order)
}

func (s *Sections) place(ctx context.Context, actor, op string, order []string) ([]store.Section, error) {
	if err := s.st.OrderSections(ctx, order); err != nil {
		return nil, s.storeErr(op, "", err)
	}
	secs, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.st.AddAudit(ctx, &store.AuditEntry{At: s.now().UTC(), Actor: actor, Action: "section.order",
		Target: "sections", Detail: strings.Join(order, " ")}); err != nil {
		return secs, fmt.Errorf("section.order done, but not logged: %w", err)
	}
	return secs, nil
}

// Remove removes a section. With moveTo "" it is refused (SectionInUse,
// with the counts) while articles, sources or subscribers use it; with
// moveTo, they move to that section first, in the same transaction. It
// returns what moved.
func (s *Sections) Remove(ctx context.Context, actor, sl, moveTo string) (store.SectionUse, error) {
	const op = "remove section"
	moveTo = strings.TrimSpace(moveTo)
	sec, err := s.Get(ctx, sl)
	if err != nil {
		return store.SectionUse{}, err
	}
	if moveTo == sl {
		return store.SectionUse{}, invalid(op, FieldSection, moveTo, "section %q cannot take its own articles: move them to another section", sl)
	}
	if moveTo != "" {
		if _, err := s.Get(ctx, moveTo); err != nil {
			return store.SectionUse{}, err
		}
	}
	u, err := s.st.SectionUse(ctx, sl)
	if err != nil {
		return u, fmt.Errorf("count use of section %q: %w", sl, err)
	}
	if err := s.st.DeleteSection(ctx, sl, moveTo); err != nil {
		if errors.Is(err, store.ErrInUse) {
			// Counted again: something may have arrived since.
			u, _ = s.st.SectionUse(ctx, sl)
			return u, &Error{Code: SectionInUse, Op: op, Value: sl, Use: u, Err: err}
		}
		return u, s.storeErr(op, sl, err)
	}
	detail := ""
	if moveTo != "" {
		detail = fmt.Sprintf("moved to %s: %d articles, %d sources, %d subscribers", moveTo, u.Articles, u.Sources, u.Subscribers)
	}
	return u, s.audit(ctx, actor, "section.remove", sec, detail)
}

// storeErr turns a store's ErrNotFound (a section removed meanwhile) into
// NoSection.
func (s *Sections) storeErr(op, sl string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Code: NoSection, Op: op, Value: sl, Err: err}
	}
	return fmt.Errorf("%s: %w", op, err)
}

func (s *Sections) audit(ctx context.Context, actor, action string, sec *store.Section, detail string) error {
	if err := s.st.AddAudit(ctx, &store.AuditEntry{At: s.now().UTC(), Actor: actor, Action: action,
		Target: sec.Slug + " " + sec.Name, Detail: detail}); err != nil {
		return fmt.Errorf("%s done, but not logged: %w", action, err)
	}
	return nil
}

// describe is a section's names and menu flag for the audit log.
func describe(sec *store.Section) string {
	parts := []string{fmt.Sprintf("name=%q", sec.Name)}
	for _, l := range sortedKeys(sec.Names) {
		parts = append(parts, fmt.Sprintf("%s=%q", l, sec.Names[l]))
	}
	if sec.OffMenu {
		parts = append(parts, "menu=off")
	}
	return strings.Join(parts, " ")
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
