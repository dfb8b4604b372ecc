package store

import (
	"context"
	"time"
)

// SettingsStore holds the outlet's settings that an admin edits in the
// admin (name, tagline, disclaimer per edition, social links, allowed ad
// script origins) and its ad slots. They live in the database, not in
// flags, so every web node shows the same; writes to either table advance
// the page generation (schema triggers), so cached pages follow.
//
// Settings are plain key/value pairs; package settings owns their keys,
// their meaning and their validation. The store keeps what it is given.
type SettingsStore interface {
	// Settings returns every stored setting, key → value.
	Settings(ctx context.Context) (map[string]string, error)
	// SaveSettings writes the given keys in one transaction: a value ""
	// deletes the key (the default applies again); keys not given stay.
	SaveSettings(ctx context.Context, values map[string]string) error

	// AdSlots lists the ad slots, enabled or not, ordered by placement,
	// then ID.
	AdSlots(ctx context.Context) ([]AdSlot, error)
	// AdSlot returns one slot; ErrNotFound when there is none.
	AdSlot(ctx context.Context, id int64) (*AdSlot, error)
	// SaveAdSlot inserts a (ID 0: it sets ID) or rewrites it (ErrNotFound
	// when there is none); it sets UpdatedAt when zero.
	SaveAdSlot(ctx context.Context, a *AdSlot) error
	// DeleteAdSlot deletes a slot; ErrNotFound when there is none.
	DeleteAdSlot(ctx context.Context, id int64) error
}

// AdSlot is one advertisement at a named place on the site's pages. The
// store keeps HTML as given: package settings sanitizes it before it is
// saved and again whenever it is shown.
type AdSlot struct {
	ID        int64
	Name      string // the newsroom's label, never shown to readers
	Placement string // settings.Placements: "front-top", "article-below", …
	Edition   string // an edition's language, "" for every edition
	Kind      string // "html" or "image"
	HTML      string // Kind "html": sanitized HTML
	ImageURL  string // Kind "image": the picture (absolute http(s))
	LinkURL   string // Kind "image": where it leads (absolute http(s))
	Alt       string // Kind "image": the picture's text alternative
	Enabled   bool
	UpdatedAt time.Time
}
