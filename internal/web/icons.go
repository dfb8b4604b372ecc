package web

import (
	"encoding/json"
	"net/http"
	"time"
)

// iconMaxAge is for the icon and manifest at fixed addresses (browsers ask
// for /favicon.ico and the manifest's address is in every page): a day, so
// a new icon or site name reaches readers soon enough.
const iconMaxAge = 24 * time.Hour

// handleFavicon answers browsers that ask for /favicon.ico whatever the
// page links: a 32×32 ICO (a PNG inside), the SVG's fallback.
func (s *server) handleFavicon(w http.ResponseWriter, r *http.Request) {
	name, err := s.static.url("favicon.ico")
	if err != nil {
		s.serverError(w, r, "favicon", err)
		return
	}
	f := s.static.byName[name[len("/static/"):]]
	send(w, r, http.StatusOK, "image/x-icon", f.body, publicFor(iconMaxAge))
}

// webManifest is the web-app manifest (W3C Web Application Manifest): the
// name and icons a browser shows when a reader adds the site to a home
// screen.
type webManifest struct {
	Name            string         `json:"name"`
	ShortName       string         `json:"short_name"`
	Description     string         `json:"description"`
	Lang            string         `json:"lang"`
	StartURL        string         `json:"start_url"`
	Scope           string         `json:"scope"`
	Display         string         `json:"display"`
	BackgroundColor string         `json:"background_color"`
	ThemeColor      string         `json:"theme_color"`
	Icons           []manifestIcon `json:"icons"`
}

type manifestIcon struct {
	Src     string `json:"src"`
	Sizes   string `json:"sizes"`
	Type    string `json:"type"`
	Purpose string `json:"purpose,omitempty"`
}

// handleManifest serves the manifest of the default edition; the start URL
// is the site's root, which sends each reader to their edition.
func (s *server) handleManifest(w http.ResponseWriter, r *http.Request) {
	lang := s.editions[0]
	txt, err := s.textFor(r.Context(), lang)
	if err != nil {
		s.serverError(w, r, "manifest: settings", err)
		return
	}
	m := webManifest{
		Name: txt.Name, ShortName: txt.Name, Description: txt.Tagline, Lang: lang,
		StartURL: "/", Scope: "/", Display: "minimal-ui",
		// The stylesheet's paper and accent colours (style.css :root).
		BackgroundColor: "#fdfcf9", ThemeColor: "#b3261e",
	}
	for _, ic := range []struct{ name, sizes, typ string }{
		{"favicon.svg", "any", "image/svg+xml"}, {"icon-192.png", "192x192", "image/png"}, {"icon-512.png", "512x512", "image/png"},
	} {
		u, err := s.static.url(ic.name)
		if err != nil {
			s.serverError(w, r, "web manifest", err)
			return
		}
		m.Icons = append(m.Icons, manifestIcon{Src: u, Sizes: ic.sizes, Type: ic.typ})
	}
	body, err := json.Marshal(m)
	if err != nil {
		s.serverError(w, r, "web manifest", err)
		return
	}
	send(w, r, http.StatusOK, "application/manifest+json", body, publicFor(iconMaxAge))
}
