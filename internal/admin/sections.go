package admin

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"spektrum/internal/lang"
	"spektrum/internal/ops"
	"spektrum/internal/store"
)

// edition is an edition language as the sections pages name it.
type edition struct {
	Code, Name string
}

func (a *Admin) sectionEditions(l string) []edition {
	eds := a.cfg.Sections.Editions()
	out := make([]edition, len(eds))
	for i, e := range eds {
		out[i] = edition{Code: e, Name: lang.Name(e, l)}
	}
	return out
}

type sectionsData struct {
	Sections []store.Section
	Editions []edition
	Form     url.Values // the add form's values after a refusal
}

// sectionError is a section operation's refusal in the UI's language, or
// false for an error that is not a refusal.
func (a *Admin) sectionError(l string, err error) (string, bool) {
	var e *ops.Error
	if !errors.As(err, &e) {
		return "", false
	}
	switch e.Code {
	case ops.SectionExists:
		return a.msg.T(l, "admin.err.section-exists", e.Value), true
	case ops.NoSection:
		return a.msg.T(l, "admin.err.no-section", e.Value), true
	case ops.SectionInUse:
		return a.msg.T(l, "admin.err.section-in-use", e.Value, e.Use.Articles, e.Use.Sources, e.Use.Subscribers), true
	case ops.Invalid:
		switch e.Field {
		case ops.FieldName:
			if e.Value == "" && strings.Contains(e.Error(), "needs a name") {
				return a.msg.T(l, "admin.err.section-name-empty"), true
			}
			return a.msg.T(l, "admin.err.section-name-long", ops.MaxSectionName), true
		case ops.FieldSection:
			return a.msg.T(l, "admin.err.section", e.Value), true
		}
	}
	return a.opsError(l, err)
}

func (a *Admin) showSections(w http.ResponseWriter, r *http.Request, status int, form url.Values, errText string) {
	secs, err := a.cfg.Sections.List(r.Context())
	if err != nil {
		a.serverError(w, r, "list sections", err)
		return
	}
	p := a.newPage(r, "admin.sections", "sections", nil)
	if form == nil {
		form = url.Values{}
	}
	p.Data, p.Error = sectionsData{Sections: secs, Editions: a.sectionEditions(p.Lang), Form: form}, errText
	a.render(w, r, status, "sections", p)
}

func (a *Admin) handleSections(w http.ResponseWriter, r *http.Request) {
	a.showSections(w, r, http.StatusOK, nil, "")
}

// namesForm reads the per-edition name fields (name-de, name-fr, …).
func (a *Admin) namesForm(r *http.Request) map[string]string {
	out := map[string]string{}
	for _, e := range a.cfg.Sections.Editions() {
		if v, ok := r.PostForm["name-"+e]; ok {
			out[e] = v[0]
		}
	}
	return out
}

func (a *Admin) handleSectionAdd(w http.ResponseWriter, r *http.Request) {
	me := current(r)
	req := ops.NewSection{Slug: strings.TrimSpace(r.PostFormValue("slug")), Name: r.PostFormValue("name"),
		Names: a.namesForm(r), OffMenu: r.PostFormValue("menu") == ""}
	sec, err := a.cfg.Sections.Add(r.Context(), me.user.Email, req)
	if err != nil {
		a.failOr(w, r, "add section", err, a.sectionError, func(status int, text string) {
			a.showSections(w, r, status, r.PostForm, text)
		})
		return
	}
	http.Redirect(w, r, "/admin/sections?done=section-added#s-"+sec.Slug, http.StatusSeeOther)
}

type sectionData struct {
	S        *store.Section
	Use      store.SectionUse
	Others   []store.Section // where its articles can move
	Editions []edition
	// Shown is what each edition shows without a name of its own (the
	// default name, or the catalogue's for a well-known slug).
	Shown map[string]string
	Form  url.Values
}

func (a *Admin) showSection(w http.ResponseWriter, r *http.Request, status int, form url.Values, errText string) {
	ctx := r.Context()
	sl := r.PathValue("slug")
	sec, err := a.cfg.Sections.Get(ctx, sl)
	if err != nil {
		a.fail(w, r, "read section", err)
		return
	}
	use, err := a.cfg.Sections.Use(ctx, sl)
	if err != nil {
		a.serverError(w, r, "count section use", err)
		return
	}
	all, err := a.cfg.Sections.List(ctx)
	if err != nil {
		a.serverError(w, r, "list sections", err)
		return
	}
	p := a.newPage(r, "admin.section", "sections", nil)
	d := sectionData{S: sec, Use: use, Editions: a.sectionEditions(p.Lang), Shown: map[string]string{}, Form: form}
	for _, x := range all {
		if x.Slug != sl {
			d.Others = append(d.Others, x)
		}
	}
	bare := *sec
	bare.Names = nil
	for _, e := range d.Editions {
		d.Shown[e.Code] = a.cfg.SectionName(e.Code, bare)
	}
	if d.Form == nil {
		d.Form = url.Values{"name": {sec.Name}}
		for _, e := range d.Editions {
			d.Form.Set("name-"+e.Code, sec.Names[e.Code])
		}
		if !sec.OffMenu {
			d.Form.Set("menu", "on")
		}
	}
	p.Data, p.Error = d, errText
	a.render(w, r, status, "section", p)
}

func (a *Admin) handleSection(w http.ResponseWriter, r *http.Request) {
	a.showSection(w, r, http.StatusOK, nil, "")
}

func (a *Admin) handleSectionEdit(w http.ResponseWriter, r *http.Request) {
	me := current(r)
	sl := r.PathValue("slug")
	name := r.PostFormValue("name")
	off := r.PostFormValue("menu") == ""
	_, err := a.cfg.Sections.Edit(r.Context(), me.user.Email, sl, ops.SectionEdit{Name: &name, Names: a.namesForm(r), OffMenu: &off})
	if !a.sectionDone(w, r, err, "edit section") {
		return
	}
	http.Redirect(w, r, "/admin/sections/"+url.PathEscape(sl)+"?done=saved", http.StatusSeeOther)
}

// sectionDone handles an operation's error: a refusal is shown on the
// section's page (404 when the section itself is gone); anything else is
// the server's fault (a change whose audit entry could not be written
// included: the database is not answering). False when the handler must
// stop.
func (a *Admin) sectionDone(w http.ResponseWriter, r *http.Request, err error, what string) bool {
	if err == nil {
		return true
	}
	a.failOr(w, r, what, err, a.sectionError, func(status int, text string) {
		a.showSection(w, r, status, r.PostForm, text)
	})
	return false
}

func (a *Admin) handleSectionAction(w http.ResponseWriter, r *http.Request) {
	me := current(r)
	ctx := r.Context()
	sl := r.PathValue("slug")
	switch action := r.PathValue("action"); action {
	case "up", "down":
		delta := map[string]int{"up": -1, "down": 1}[action]
		if _, err := a.cfg.Sections.Move(ctx, me.user.Email, sl, delta); !a.sectionDone(w, r, err, "order sections") {
			return
		}
		// Back to the row moved, so the next click is under the pointer.
		http.Redirect(w, r, "/admin/sections?done=ordered#s-"+sl, http.StatusSeeOther)
	case "remove":
		moveTo := strings.TrimSpace(r.PostFormValue("move_to"))
		if _, err := a.cfg.Sections.Remove(ctx, me.user.Email, sl, moveTo); !a.sectionDone(w, r, err, "remove section") {
			return
		}
		done := "section-removed"
		if moveTo != "" {
			done = "section-moved"
		}
		http.Redirect(w, r, "/admin/sections?done="+done, http.StatusSeeOther)
	default:
		a.notFound(w, r)
	}
}
