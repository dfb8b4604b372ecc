package admin

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"spektrum/internal/ops"
	"spektrum/internal/settings"
	"spektrum/internal/store"
)

// socialRows is how many link rows the social form offers beyond the
// links there are (no JavaScript adds rows: save, and more appear).
const socialRows = 3

type settingsData struct {
	Site     settings.Site
	Editions []string
	// Defaults are what shows while a field is empty: the flags' values
	// (or, where there are none, the catalogue's, named as such).
	Default settings.Text
	Social  []settings.Social // the stored links and empty rows
	// Networks are the choices of a link's network.
	Networks []settings.Network
	Origins  string
	// Form, when a save was refused: what was sent, to show again, and
	// which form it was ("general", "edition-de", "social", "origins").
	Form    url.Values
	FormFor string
}

// Value is the form's value of field for form part, else stored.
func (d settingsData) Value(part, field, stored string) string {
	if d.FormFor == part && d.Form != nil {
		return d.Form.Get(field)
	}
	return stored
}

func (a *Admin) showSettings(w http.ResponseWriter, r *http.Request, status int, part string, form url.Values, errText string) {
	ctx := r.Context()
	site, err := a.cfg.Settings.Load(ctx)
	if err != nil {
		a.serverError(w, r, "load settings", err)
		return
	}
	d := settingsData{Site: site, Editions: a.cfg.Settings.Editions(), Networks: settings.Networks,
		Origins: settings.OriginsValue(site.ScriptOrigins), Form: form, FormFor: part,
		Default: settings.Text{Name: a.cfg.SiteName, Tagline: a.cfg.Tagline, Disclaimer: a.cfg.Disclaimer}}
	d.Social = append(append([]settings.Social(nil), site.Social...), make([]settings.Social, socialRows)...)
	if part == "social" && form != nil {
		d.Social = socialForm(form)
		d.Social = append(d.Social, make([]settings.Social, socialRows)...)
	}
	p := a.newPage(r, "admin.settings", "settings", d)
	p.Error = errText
	a.render(w, r, status, "settings", p)
}

func (a *Admin) handleSettings(w http.ResponseWriter, r *http.Request) {
	a.showSettings(w, r, http.StatusOK, "", nil, "")
}

// socialForm reads the social form's rows (network-N, url-N).
func socialForm(f url.Values) []settings.Social {
	var out []settings.Social
	for i := 0; i < settings.MaxSocial+socialRows; i++ {
		n := strconv.Itoa(i)
		if !f.Has("network-"+n) && !f.Has("url-"+n) {
			continue
		}
		l := settings.Social{Network: f.Get("network-" + n), URL: f.Get("url-" + n)}
		if strings.TrimSpace(l.URL) == "" {
			continue // an empty row, or a network without an address
		}
		out = append(out, l)
	}
	return out
}

// handleSettingsSave saves one of the settings page's forms; the operation
// checks it and writes the audit log.
func (a *Admin) handleSettingsSave(w http.ResponseWriter, r *http.Request) {
	me, ctx := current(r), r.Context()
	part := r.PathValue("part")
	var err error
	switch part {
	case "general":
		_, err = a.cfg.Settings.SaveText(ctx, me.user.Email, "", textForm(r))
	case "edition":
		lang := r.PostFormValue("edition")
		part = "edition-" + lang
		_, err = a.cfg.Settings.SaveText(ctx, me.user.Email, lang, textForm(r))
	case "social":
		_, err = a.cfg.Settings.SaveSocial(ctx, me.user.Email, socialForm(r.PostForm))
	case "origins":
		_, err = a.cfg.Settings.SaveOrigins(ctx, me.user.Email, r.PostFormValue("origins"))
	default:
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.failOr(w, r, "save settings", err, a.settingsError, func(status int, text string) {
			a.showSettings(w, r, status, part, r.PostForm, text)
		})
		return
	}
	http.Redirect(w, r, "/admin/settings?done=saved#"+part, http.StatusSeeOther)
}

func textForm(r *http.Request) settings.Text {
	return settings.Text{Name: r.PostFormValue("name"), Tagline: r.PostFormValue("tagline"), Disclaimer: r.PostFormValue("disclaimer")}
}

// settingsError is a refused setting or ad in the UI's language.
func (a *Admin) settingsError(l string, err error) (string, bool) {
	var e *ops.Error
	if !errors.As(err, &e) {
		return "", false
	}
	switch {
	case e.Code == ops.Invalid && a.msg.Has(l, "admin.settings.err."+e.Field):
		msg := a.msg.T(l, "admin.settings.err."+e.Field)
		if strings.Contains(msg, "%") {
			msg = fmt.Sprintf(msg, e.Value)
		}
		return msg, true
	}
	return a.opsError(l, err)
}

// ---- ad slots ----

type adsData struct {
	Ads []adRow
}

type adRow struct {
	store.AdSlot
	Preview template.HTML
}

type adData struct {
	Ad         store.AdSlot
	New        bool
	Placements []string
	Editions   []string
	Preview    template.HTML
	Label      string // "Advertisement" in the ad's edition (the first for all editions)
	Origins    []string
	// Previewing: the preview is of the form as sent, not saved.
	Previewing bool
	// Removed is what cleaning the previewed HTML took out ("<script>",
	// "onclick on <p>"), said above the preview.
	Removed []string
}

func (a *Admin) handleAds(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ads, err := a.cfg.Settings.Ads(ctx)
	if err != nil {
		a.serverError(w, r, "list ads", err)
		return
	}
	site, err := a.cfg.Settings.Load(ctx)
	if err != nil {
		a.serverError(w, r, "load settings", err)
		return
	}
	var d adsData
	for _, ad := range ads {
		d.Ads = append(d.Ads, adRow{AdSlot: ad, Preview: settings.Render(ad, site.ScriptOrigins, a.cfg.Settings.Sanitizer(), a.cfg.Images)})
	}
	a.render(w, r, http.StatusOK, "ads", a.newPage(r, "admin.ads", "ads", d))
}

// showAd is the ad's form with a preview of it as readers will see it;
// removed is what cleaning the previewed HTML took out (settings.Removed).
func (a *Admin) showAd(w http.ResponseWriter, r *http.Request, status int, ad store.AdSlot, previewing bool, removed []string, errText string) {
	site, err := a.cfg.Settings.Load(r.Context())
	if err != nil {
		a.serverError(w, r, "load settings", err)
		return
	}
	eds := a.cfg.Settings.Editions()
	label := ad.Edition
	if label == "" && len(eds) > 0 {
		label = eds[0]
	}
	d := adData{Ad: ad, New: ad.ID == 0, Placements: settings.Placements, Editions: eds, Origins: site.ScriptOrigins,
		Label: a.msg.T(a.msg.Lang(label), "advertisement"), Previewing: previewing, Removed: removed}
	if ad.Kind != "" && (ad.HTML != "" || ad.ImageURL != "") {
		d.Preview = settings.Render(ad, site.ScriptOrigins, a.cfg.Settings.Sanitizer(), a.cfg.Images)
	}
	title := "admin.ad.edit"
	if d.New {
		title = "admin.ad.new"
	}
	p := a.newPage(r, title, "ads", d)
	p.Error = errText
	a.render(w, r, status, "ad", p)
}

func (a *Admin) handleAdNew(w http.ResponseWriter, r *http.Request) {
	a.showAd(w, r, http.StatusOK, store.AdSlot{Kind: settings.KindHTML, Placement: settings.PlaceFrontTop, Enabled: true}, false, nil, "")
}

func (a *Admin) handleAd(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		a.notFound(w, r)
		return
	}
	ad, err := a.cfg.Settings.Ad(r.Context(), id)
	if err != nil {
		a.fail(w, r, "open ad", err)
		return
	}
	a.showAd(w, r, http.StatusOK, *ad, false, nil, "")
}

// adForm reads the ad form into an ad slot with id.
func adForm(r *http.Request, id int64) store.AdSlot {
	return store.AdSlot{ID: id, Name: r.PostFormValue("name"), Placement: r.PostFormValue("placement"),
		Edition: r.PostFormValue("edition"), Kind: r.PostFormValue("kind"), HTML: r.PostFormValue("html"),
		ImageURL: r.PostFormValue("image_url"), LinkURL: r.PostFormValue("link_url"), Alt: r.PostFormValue("alt"),
		Enabled: r.PostFormValue("enabled") != ""}
}

// handleAdSave adds (POST /admin/ads) or saves (POST /admin/ads/{id}) an
// ad, or with the preview button shows it cleaned without saving.
func (a *Admin) handleAdSave(w http.ResponseWriter, r *http.Request) {
	me, ctx := current(r), r.Context()
	var id int64
	if r.PathValue("id") != "" {
		var ok bool
		if id, ok = pathID(r); !ok {
			a.notFound(w, r)
			return
		}
	}
	ad := adForm(r, id)
	backToForm := func(status int, text string) { a.showAd(w, r, status, adForm(r, id), false, nil, text) }
	if r.PostFormValue("preview") != "" {
		removed, err := a.cfg.Settings.CheckAd(ctx, &ad)
		if err != nil {
			a.failOr(w, r, "check ad", err, a.settingsError, backToForm)
			return
		}
		a.showAd(w, r, http.StatusOK, ad, true, removed, "")
		return
	}
	if _, err := a.cfg.Settings.SaveAd(ctx, me.user.Email, &ad); err != nil {
		a.failOr(w, r, "save ad", err, a.settingsError, backToForm)
		return
	}
	done := "saved"
	if id == 0 {
		done = "added"
	}
	http.Redirect(w, r, "/admin/ads/"+strconv.FormatInt(ad.ID, 10)+"?done="+done, http.StatusSeeOther)
}

func (a *Admin) handleAdDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		a.notFound(w, r)
		return
	}
	if _, err := a.cfg.Settings.DeleteAd(r.Context(), current(r).user.Email, id); err != nil {
		a.fail(w, r, "delete ad", err)
		return
	}
	http.Redirect(w, r, "/admin/ads?done=removed", http.StatusSeeOther)
}
