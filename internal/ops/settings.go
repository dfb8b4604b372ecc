package ops

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"spektrum/internal/extract"
	"spektrum/internal/settings"
	"spektrum/internal/store"
)

// SettingsStore is what the settings operations read and write.
type SettingsStore interface {
	Settings(ctx context.Context) (map[string]string, error)
	SaveSettings(ctx context.Context, values map[string]string) error
	AdSlots(ctx context.Context) ([]store.AdSlot, error)
	AdSlot(ctx context.Context, id int64) (*store.AdSlot, error)
	SaveAdSlot(ctx context.Context, a *store.AdSlot) error
	DeleteAdSlot(ctx context.Context, id int64) error
}

// NoAd: no ad slot has the id (Error.Value holds it).
const NoAd Code = "no_ad"

// Settings runs what an admin does to the site's settings and ad slots.
// Every value is checked (package settings) and ad HTML sanitized before
// it is stored.
type Settings struct {
	st       SettingsStore
	editions []string
	san      *extract.AdSanitizer
	now      func() time.Time
}

// NewSettings builds the settings operations for a site with editions
// (languages, the default first).
func NewSettings(st SettingsStore, editions []string) *Settings {
	return &Settings{st: st, editions: editions, san: extract.NewAdSanitizer(), now: time.Now}
}

// Editions are the site's edition languages.
func (s *Settings) Editions() []string { return s.editions }

// Sanitizer is the ads' sanitizer, for previews.
func (s *Settings) Sanitizer() *extract.AdSanitizer { return s.san }

// Load reads every setting.
func (s *Settings) Load(ctx context.Context) (settings.Site, error) {
	kv, err := s.st.Settings(ctx)
	if err != nil {
		return settings.Site{}, fmt.Errorf("load settings: %w", err)
	}
	return settings.Decode(kv), nil
}

// fieldError turns a settings.FieldError into an Invalid *Error.
func fieldError(op string, err error) error {
	var fe *settings.FieldError
	if errors.As(err, &fe) {
		return &Error{Code: Invalid, Op: op, Field: fe.Field, Value: fe.Value, Err: err}
	}
	return err
}

// SaveText stores edition lang's name, tagline and disclaimer ("" for
// every edition's); an empty field goes back to the default. It returns
// what was stored.
func (s *Settings) SaveText(ctx context.Context, lang string, t settings.Text) (settings.Text, error) {
	const op = "save settings"
	if lang != "" && !s.isEdition(lang) {
		return t, invalid(op, FieldLanguage, lang, "%q is not an edition of this site", lang)
	}
	t, err := settings.CleanTexts(t)
	if err != nil {
		return t, fieldError(op, err)
	}
	if err := s.st.SaveSettings(ctx, t.Values(lang)); err != nil {
		return t, fmt.Errorf("%s: %w", op, err)
	}
	return t, nil
}

// SaveSocial replaces the social links.
func (s *Settings) SaveSocial(ctx context.Context, links []settings.Social) ([]settings.Social, error) {
	const op = "save social links"
	links, err := settings.CleanSocial(links)
	if err != nil {
		return nil, fieldError(op, err)
	}
	if err := s.st.SaveSettings(ctx, map[string]string{settings.KeySocial: settings.SocialValue(links)}); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return links, nil
}

// SaveOrigins replaces the origins ad scripts and frames may come from
// (text: one https origin a line).
func (s *Settings) SaveOrigins(ctx context.Context, text string) ([]string, error) {
	const op = "save script origins"
	origins, err := settings.ParseOrigins(text)
	if err != nil {
		return nil, fieldError(op, err)
	}
	if err := s.st.SaveSettings(ctx, map[string]string{settings.KeyScriptOrigins: settings.OriginsValue(origins)}); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return origins, nil
}

// Ads lists every ad slot.
func (s *Settings) Ads(ctx context.Context) ([]store.AdSlot, error) {
	return s.st.AdSlots(ctx)
}

// Ad returns one ad slot; NoAd when there is none.
func (s *Settings) Ad(ctx context.Context, id int64) (*store.AdSlot, error) {
	a, err := s.st.AdSlot(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Error{Code: NoAd, Op: "open ad", Value: strconv.FormatInt(id, 10), Err: err}
	}
	return a, err
}

// CheckAd cleans a as SaveAd would, without saving it: the admin's
// preview of a form.
func (s *Settings) CheckAd(ctx context.Context, a *store.AdSlot) error {
	site, err := s.Load(ctx)
	if err != nil {
		return err
	}
	return fieldError("check ad", settings.CleanAd(a, site.ScriptOrigins, s.editions, s.san))
}

// SaveAd checks a (settings.CleanAd: its HTML is sanitized with the
// allowed origins of now) and stores it, new when a.ID is 0.
func (s *Settings) SaveAd(ctx context.Context, a *store.AdSlot) error {
	const op = "save ad"
	if err := s.CheckAd(ctx, a); err != nil {
		return err
	}
	a.UpdatedAt = s.now().UTC()
	if err := s.st.SaveAdSlot(ctx, a); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return &Error{Code: NoAd, Op: op, Value: strconv.FormatInt(a.ID, 10), Err: err}
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// DeleteAd deletes an ad slot.
func (s *Settings) DeleteAd(ctx context.Context, id int64) error {
	err := s.st.DeleteAdSlot(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Code: NoAd, Op: "delete ad", Value: strconv.FormatInt(id, 10), Err: err}
	}
	return err
}

func (s *Settings) isEdition(lang string) bool { return slices.Contains(s.editions, lang) }
