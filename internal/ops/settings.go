package ops

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
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
	AddAudit(ctx context.Context, e *store.AuditEntry) error
}

// NoAd: no ad slot has the id (Error.Value holds it).
const NoAd Code = "no_ad"

// Settings runs what an admin does to the site's settings and ad slots:
// the admin's settings and ad pages and `spektrum settings` / `spektrum
// ads` call the same methods. Every value is checked (package settings),
// ad HTML sanitized before it is stored, and each change written to the
// audit log under the actor given.
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
//
// Audit log: "settings.general" (target "general") or "settings.edition"
// (target "edition de").
func (s *Settings) SaveText(ctx context.Context, actor, lang string, t settings.Text) (settings.Text, error) {
	const op = "save settings"
	if err := s.checkEdition(op, lang); err != nil {
		return t, err
	}
	t, err := settings.CleanTexts(t)
	if err != nil {
		return t, fieldError(op, err)
	}
	if err := s.st.SaveSettings(ctx, t.Values(lang)); err != nil {
		return t, fmt.Errorf("%s: %w", op, err)
	}
	action, target := "settings.general", "general"
	if lang != "" {
		action, target = "settings.edition", "edition "+lang
	}
	return t, s.audit(ctx, actor, action, target, "name="+t.Name+" tagline="+t.Tagline+" disclaimer="+t.Disclaimer)
}

// TextEdit changes some of an edition's texts; a nil field stays as
// stored, "" goes back to the default.
type TextEdit struct{ Name, Tagline, Disclaimer *string }

// EditText changes the fields e gives of edition lang's texts ("" for
// every edition's) and saves them as SaveText does; the CLI sets one text
// at a time, the admin's form sends all three.
func (s *Settings) EditText(ctx context.Context, actor, lang string, e TextEdit) (settings.Text, error) {
	if err := s.checkEdition("save settings", lang); err != nil {
		return settings.Text{}, err
	}
	site, err := s.Load(ctx)
	if err != nil {
		return settings.Text{}, err
	}
	t := site.All
	if lang != "" {
		t = site.Editions[lang]
	}
	for _, f := range []struct {
		v   *string
		dst *string
	}{{e.Name, &t.Name}, {e.Tagline, &t.Tagline}, {e.Disclaimer, &t.Disclaimer}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	return s.SaveText(ctx, actor, lang, t)
}

// SaveSocial replaces the social links.
func (s *Settings) SaveSocial(ctx context.Context, actor string, links []settings.Social) ([]settings.Social, error) {
	const op = "save social links"
	links, err := settings.CleanSocial(links)
	if err != nil {
		return nil, fieldError(op, err)
	}
	if err := s.st.SaveSettings(ctx, map[string]string{settings.KeySocial: settings.SocialValue(links)}); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	detail := make([]string, 0, len(links))
	for _, l := range links {
		detail = append(detail, l.Network+"="+l.URL)
	}
	return links, s.audit(ctx, actor, "settings.social", "social", strings.Join(detail, " "))
}

// SaveOrigins replaces the origins ad scripts and frames may come from
// (text: one https origin a line).
func (s *Settings) SaveOrigins(ctx context.Context, actor, text string) ([]string, error) {
	const op = "save script origins"
	origins, err := settings.ParseOrigins(text)
	if err != nil {
		return nil, fieldError(op, err)
	}
	if err := s.st.SaveSettings(ctx, map[string]string{settings.KeyScriptOrigins: settings.OriginsValue(origins)}); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return origins, s.audit(ctx, actor, "settings.origins", "origins", strings.Join(origins, " "))
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
// preview of a form. It returns what cleaning took out of the HTML
// (settings.Removed), so a front door can say so.
func (s *Settings) CheckAd(ctx context.Context, a *store.AdSlot) (removed []string, err error) {
	site, err := s.Load(ctx)
	if err != nil {
		return nil, err
	}
	given := a.HTML
	if err := settings.CleanAd(a, site.ScriptOrigins, s.editions, s.san); err != nil {
		return nil, fieldError("check ad", err)
	}
	if a.Kind == settings.KindHTML {
		removed = settings.Removed(given, a.HTML)
	}
	return removed, nil
}

// SaveAd checks a (settings.CleanAd: its HTML is sanitized with the
// allowed origins of now) and stores it, new when a.ID is 0; it returns
// what cleaning took out (CheckAd). Audit log: "ad.add" or "ad.edit".
func (s *Settings) SaveAd(ctx context.Context, actor string, a *store.AdSlot) (removed []string, err error) {
	const op = "save ad"
	if removed, err = s.CheckAd(ctx, a); err != nil {
		return nil, err
	}
	action := "ad.edit"
	if a.ID == 0 {
		action = "ad.add"
	}
	a.UpdatedAt = s.now().UTC()
	if err := s.st.SaveAdSlot(ctx, a); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, &Error{Code: NoAd, Op: op, Value: strconv.FormatInt(a.ID, 10), Err: err}
		}
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return removed, s.auditAd(ctx, actor, action, a)
}

// SetAdEnabled switches an ad slot on or off, saved as SaveAd saves it
// (the admin does it by saving the ad's form with its box ticked or not).
func (s *Settings) SetAdEnabled(ctx context.Context, actor string, id int64, on bool) (*store.AdSlot, error) {
	a, err := s.Ad(ctx, id)
	if err != nil {
		return nil, err
	}
	a.Enabled = on
	if _, err := s.SaveAd(ctx, actor, a); err != nil {
		return nil, err
	}
	return a, nil
}

// DeleteAd deletes an ad slot and returns it as it was. Audit log:
// "ad.remove".
func (s *Settings) DeleteAd(ctx context.Context, actor string, id int64) (*store.AdSlot, error) {
	a, err := s.Ad(ctx, id)
	if err != nil {
		return nil, err
	}
	err = s.st.DeleteAdSlot(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Error{Code: NoAd, Op: "delete ad", Value: strconv.FormatInt(id, 10), Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("delete ad %d: %w", id, err)
	}
	return a, s.auditAd(ctx, actor, "ad.remove", a)
}

func (s *Settings) auditAd(ctx context.Context, actor, action string, a *store.AdSlot) error {
	detail := "placement=" + a.Placement + " edition=" + a.Edition + " kind=" + a.Kind + " enabled=" + strconv.FormatBool(a.Enabled)
	if a.Kind == settings.KindImage {
		detail += " image=" + a.ImageURL + " link=" + a.LinkURL
	} else {
		detail += " html=" + a.HTML
	}
	return s.audit(ctx, actor, action, "#"+strconv.FormatInt(a.ID, 10)+" "+a.Name, detail)
}

// audit records a change; an entry that cannot be written is an error
// (the change is made: the database is not answering), as for sections.
func (s *Settings) audit(ctx context.Context, actor, action, target, detail string) error {
	if err := s.st.AddAudit(ctx, &store.AuditEntry{At: s.now().UTC(), Actor: actor, Action: action, Target: target, Detail: strings.TrimSpace(detail)}); err != nil {
		return fmt.Errorf("%s done, but not logged: %w", action, err)
	}
	return nil
}

// checkEdition refuses a language that is none of the site's editions
// ("" is every edition).
func (s *Settings) checkEdition(op, lang string) error {
	if lang != "" && !slices.Contains(s.editions, lang) {
		return invalid(op, FieldLanguage, lang, "%q is not an edition of this site; its editions are %s", lang, strings.Join(s.editions, ", "))
	}
	return nil
}
