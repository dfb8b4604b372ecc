package store

import "context"

// SectionUse counts what still names a section: all its articles (hidden
// ones too), the sources that file new articles under it, and the
// newsletter subscribers who chose it.
type SectionUse struct {
	Articles, Sources, Subscribers int
}

// InUse reports whether anything names the section.
func (u SectionUse) InUse() bool { return u.Articles+u.Sources+u.Subscribers > 0 }

// SectionStore holds what an editor changes about sections (ops.Sections);
// EnsureSection, Sections and Section are in Store.
type SectionStore interface {
	// CreateSection inserts sec (Slug, Name, Names, OffMenu; unplaced
	// unless Position > 0); ErrDuplicate when the slug exists.
	CreateSection(ctx context.Context, sec *Section) error
	// UpdateSection writes Name and OffMenu; ErrNotFound when there is no
	// such section. Names are SetSectionName's.
	UpdateSection(ctx context.Context, sec *Section) error
	// SetSectionName sets the section's name in one edition language; ""
	// removes it (the edition shows the default name again). ErrNotFound
	// when there is no such section.
	SetSectionName(ctx context.Context, slug, lang, name string) error
	// OrderSections places the sections slugs names at positions 1, 2, …
	// in that order, in one transaction; the others are left as they are.
	// ErrNotFound (and no change) when one of them does not exist.
	OrderSections(ctx context.Context, slugs []string) error
	// SectionUse counts what names the section.
	SectionUse(ctx context.Context, slug string) (SectionUse, error)
	// DeleteSection removes a section and its names. With moveTo "" it is
	// refused with ErrInUse while anything names it (SectionUse); with
	// moveTo another section's slug, its articles (moved ones too), its
	// sources and its subscribers' choices move there first, in the same
	// transaction. ErrNotFound when either section does not exist.
	DeleteSection(ctx context.Context, slug, moveTo string) error
}
