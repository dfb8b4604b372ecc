package extract

import (
	"context"
	"html"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestExtractMetadata(t *testing.T) {
	cet := time.FixedZone("", 3600)
	cest := time.FixedZone("", 7200)
	for _, tc := range []struct {
		file, url string
		want      Article
		firstPara string // a prefix of the body's first paragraph
		notInBody []string
	}{
		{
			// JSON-LD as a top-level array; author and image arrays; JSON-LD
			// beats a different og:title and an earlier article:published_time.
			file: "meta-en-jsonld.html", url: "https://brusselsdaily.example/europe/eu-proposes-algorithm-transparency-rules?utm_source=rss",
			want: Article{
				Title: "EU proposes algorithm transparency rules for news feeds", Author: "Jane Whitfield, Tomás Ortega",
				Published: time.Date(2024, 3, 5, 14, 30, 0, 0, cet), Modified: time.Date(2024, 3, 5, 16, 2, 10, 0, cet),
				Image:    "https://cdn.brusselsdaily.example/img/2024/03/commission-1x1.jpg",
				Language: "en", CanonicalURL: "https://brusselsdaily.example/europe/eu-proposes-algorithm-transparency-rules",
				SiteName: "Brussels Daily", Section: "Europe",
			},
			firstPara: "The European Commission on Tuesday proposed",
			notInBody: []string{"Related", "DSA enforcement begins", "By Jane Whitfield"},
		},
		{
			// Yoast-style @graph with @id references for image and publisher;
			// " | Site" suffix stripped from the JSON-LD headline.
			file: "meta-fr-jsonld.html", url: "https://www.lequotidien-exemple.fr/politique/renovation/",
			want: Article{
				Title: "Rénovation énergétique : le gouvernement présente son projet de loi", Author: "Claire Dubois",
				Published: time.Date(2023, 10, 11, 11, 45, 0, 0, cest), Modified: time.Date(2023, 10, 11, 18, 20, 0, 0, cest),
				Image:    "https://www.lequotidien-exemple.fr/wp-content/uploads/2023/10/chantier-renovation.jpg",
				Language: "fr", CanonicalURL: "https://www.lequotidien-exemple.fr/politique/renovation/",
				SiteName: "Le Quotidien Exemple", Section: "Politique",
			},
			firstPara: "Le gouvernement a présenté mercredi",
			notInBody: []string{"Partager", "Publicité", "Facebook"},
		},
		{
			// OpenGraph only: relative og:image resolved, article:author URL
			// ignored, " - Site" suffix stripped.
			file: "meta-es-og.html", url: "https://www.diarioejemplo.es/economia/banco-espana-prevision-crecimiento.html",
			want: Article{
				Title:     "El Banco de España eleva al 2,3 % su previsión de crecimiento",
				Published: time.Date(2023, 9, 18, 10, 5, 0, 0, cest), Modified: time.Date(2023, 9, 18, 12, 40, 0, 0, cest),
				Image:    "https://www.diarioejemplo.es/fotos/2023/09/banco-espana.jpg",
				Language: "es", CanonicalURL: "https://www.diarioejemplo.es/economia/banco-espana-prevision-crecimiento.html",
				SiteName: "Diario Ejemplo", Section: "Economía",
			},
			firstPara: "El Banco de España elevó este lunes",
			notInBody: []string{"Compartir este artículo", "Noticias relacionadas", "El paro baja"},
		},
		{
			file: "meta-it-og.html", url: "https://www.giornaleesempio.it/cronaca/alluvione-decreto-tre-miliardi/?ref=home",
			want: Article{
				Title: "Alluvione, approvato il decreto da tre miliardi", Author: "Marco Bianchi",
				Published: time.Date(2023, 5, 25, 21, 10, 0, 0, cest),
				Image:     "https://img.giornaleesempio.it/2023/05/alluvione.jpg",
				Language:  "it", CanonicalURL: "https://www.giornaleesempio.it/cronaca/alluvione-decreto-tre-miliardi/",
				SiteName: "Giornale Esempio", Section: "Cronaca",
			},
			firstPara: "Il Consiglio dei ministri ha approvato",
			notInBody: []string{"Condividi", "Leggi anche"},
		},
		{
			// Plain meta tags only (parsely-*, application-name, twitter:image),
			// <html lang="pl-PL">.
			file: "meta-pl-meta.html", url: "https://gazeta-przykladowa.pl/kraj/sejm-ustawa-wiatrakowa?amp=1",
			want: Article{
				Title: "Sejm uchwalił ustawę wiatrakową", Author: "Anna Kowalska",
				Published: time.Date(2023, 6, 16, 13, 22, 0, 0, cest),
				Image:     "https://gazeta-przykladowa.pl/media/2023/06/sejm.jpg",
				Language:  "pl", CanonicalURL: "https://gazeta-przykladowa.pl/kraj/sejm-ustawa-wiatrakowa",
				SiteName: "Gazeta Przykładowa", Section: "Kraj",
			},
			firstPara: "Sejm uchwalił w piątek nowelizację",
			notInBody: []string{"Udostępnij", "Reklama", "Czytaj także"},
		},
		{
			// Dublin Core and Sailthru tags only; no canonical link, so the
			// canonical URL is trafilatura's guess (the page URL).
			file: "meta-de-meta.html", url: "https://www.tageszeitung-beispiel.de/wirtschaft/bahn-sanierung-netz-100.html",
			want: Article{
				Title: "Bahn investiert Milliarden in Sanierung des Netzes", Author: "Lena Hoffmann",
				Published: time.Date(2023, 9, 20, 0, 0, 0, 0, time.UTC),
				Image:     "https://www.tageszeitung-beispiel.de/bilder/2023/09/bahn-baustelle.jpg",
				Language:  "de", CanonicalURL: "https://www.tageszeitung-beispiel.de/wirtschaft/bahn-sanierung-netz-100.html",
				SiteName: "Tageszeitung Beispiel", Section: "Wirtschaft",
			},
			firstPara: "Die Deutsche Bahn will bis Ende des Jahrzehnts",
			notInBody: []string{"Artikel teilen", "Anzeige", "Lesen Sie auch", "Startseite"},
		},
		{
			// The only date on the page is the visible "Veröffentlicht am …".
			file: "meta-de-visible-date.html", url: "https://stadtanzeiger.example/lokales/strassenbahn",
			want: Article{
				Title: "Stadtrat beschließt neue Straßenbahnlinie", Published: time.Date(2021, 12, 12, 0, 0, 0, 0, time.UTC),
				Language: "de", CanonicalURL: "https://stadtanzeiger.example/lokales/strassenbahn",
			},
			firstPara: "Der Stadtrat hat am Donnerstagabend",
			notInBody: []string{"Veröffentlicht am"},
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			a, err := New().Extract(context.Background(), readFixture(t, tc.file), tc.url)
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if tc.want.SiteName == "" {
				tc.want.SiteName = a.SiteName // not asserted: whatever trafilatura guesses
			}
			checkMeta(t, a, tc.want)
			if !strings.HasPrefix(a.Text, tc.firstPara) {
				t.Errorf("Text should start with %q, got %q", tc.firstPara, a.Text[:min(len(a.Text), 120)])
			}
			for _, s := range tc.notInBody {
				if strings.Contains(a.Text, s) {
					t.Errorf("Text keeps chrome %q:\n%s", s, a.Text)
				}
			}
		})
	}
}

func TestStripSiteName(t *testing.T) {
	for _, tc := range []struct{ title, site, want string }{
		{"Headline | Site", "Site", "Headline"},
		{"Headline - Site", "site", "Headline"},
		{"Headline – Site", "Site", "Headline"},
		{"Site | Headline", "Site", "Headline"},
		{"Covid - the second wave", "Site", "Covid - the second wave"},
		{"Headline - Other", "Site", "Headline - Other"},
		{"Site", "Site", "Site"},
		{"Headline | Site", "", "Headline | Site"},
	} {
		if got := stripSiteName(tc.title, tc.site); got != tc.want {
			t.Errorf("stripSiteName(%q, %q) = %q, want %q", tc.title, tc.site, got, tc.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2021-12-13T09:12:40+00:00":       time.Date(2021, 12, 13, 9, 12, 40, 0, time.UTC),
		"2021-12-13T09:12:40.123Z":        time.Date(2021, 12, 13, 9, 12, 40, 123e6, time.UTC),
		"2021-12-13T09:12:40+0100":        time.Date(2021, 12, 13, 8, 12, 40, 0, time.UTC),
		"2021-12-13 09:12:40":             time.Date(2021, 12, 13, 9, 12, 40, 0, time.UTC),
		"2021-12-13":                      time.Date(2021, 12, 13, 0, 0, 0, 0, time.UTC),
		"Mon, 13 Dec 2021 09:12:40 +0000": time.Date(2021, 12, 13, 9, 12, 40, 0, time.UTC),
		"13.12.2021":                      time.Date(2021, 12, 13, 0, 0, 0, 0, time.UTC),
	} {
		got, ok := parseDate(in)
		if !ok || !got.Equal(want) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "0001-01-01T00:00:00Z", "1970-01-01", "2021-13-45"} {
		if got, ok := parseDate(bad); ok {
			t.Errorf("parseDate(%q) = %v, want failure", bad, got)
		}
	}
}

func TestVisibleDate(t *testing.T) {
	d := time.Date(2021, 12, 12, 0, 0, 0, 0, time.UTC)
	for _, in := range []string{
		"Veröffentlicht am 12. Dezember 2021, 18:40 Uhr",
		"Publié le 12 décembre 2021 à 10h",
		"Publicado el 12 de diciembre de 2021",
		"Opublikowano: 12 grudnia 2021",
		"Pubblicato il 12 dicembre 2021",
		"Published on December 12, 2021",
		"Posted 12 Dec 2021",
		"Erschienen: 12.12.2021",
	} {
		got, ok := visibleDate("Menü Start " + in + " Text des Artikels")
		if !ok || !got.Equal(d) {
			t.Errorf("visibleDate(%q) = %v, %v; want %v", in, got, ok, d)
		}
	}
	for _, in := range []string{
		"Am 12. Dezember 2021 trafen sich die Minister.", // unlabelled: not guessed
		"Veröffentlicht am 31. Februar 2021",
	} {
		if got, ok := visibleDate(in); ok {
			t.Errorf("visibleDate(%q) = %v, want none", in, got)
		}
	}
}

func TestDateFromURL(t *testing.T) {
	for u, want := range map[string]string{
		"https://www.eureporter.co/de/world/russia/2021/12/13/putin-and-biden/": "2021-12-13",
		"https://example.com/politik/2023-04-05/wahl-ergebnis.html":             "2023-04-05",
		"https://example.com/news/20190817_storm-warning":                       "2019-08-17",
		"https://example.com/2021/12/roundup/":                                  "",
		"https://example.com/story/12345678/":                                   "",
		"https://example.com/2021/02/31/impossible/":                            "",
	} {
		got, ok := dateFromURL(u)
		if want == "" {
			if ok {
				t.Errorf("dateFromURL(%q) = %v, want none", u, got)
			}
			continue
		}
		if !ok || got.Format("2006-01-02") != want {
			t.Errorf("dateFromURL(%q) = %v, %v; want %s", u, got, ok, want)
		}
	}
}

func TestBylineName(t *testing.T) {
	for in, want := range map[string]string{
		"Von Julia Hoffmann":        "Julia Hoffmann",
		"Par  Camille Laurent":      "Camille Laurent",
		"Autor: Anna Kowalska":      "Anna Kowalska",
		"By Sarah Mitchell":         "Sarah Mitchell",
		"Di Marco Ricci":            "Marco Ricci",
		"Dorothea Fischer":          "Dorothea Fischer",
		"Di Maio":                   "Di Maio",
		"Von Max Muster | 12.12.21": "Max Muster",
		"Julia Hoffmann ist Redakteurin im Ressort Politik und schreibt über Landespolitik.": "",
	} {
		if got := bylineName(in); got != want {
			t.Errorf("bylineName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBylineTail(t *testing.T) {
	for in, want := range map[string]string{
		"Jeff Foust Monday, November 18, 2019":  "Jeff Foust",
		"Detroit News wire services Published":  "Detroit News wire services",
		"Von Katrin Möller | 14.03.2025, 06:30": "Katrin Möller",
		"Par Camille Laurent, publié le 3 mars": "Camille Laurent",
		"Charlie Wood, Business Insider":        "Charlie Wood, Business Insider",
		"Sun Li":                                "Sun Li",
	} {
		if got := byline(in); got != want {
			t.Errorf("byline(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMetadataScriptURLs: a page's image and canonical URL pass the same
// http(s)-only rule (weburl) as every URL from a feed or sitemap, so a
// script or data URL, or an "http://" with no host, is never kept.
func TestMetadataScriptURLs(t *testing.T) {
	body := strings.Repeat("<p>Der Gemeinderat hat am Dienstag den Haushalt für das kommende Jahr beschlossen, nach langer Debatte über Schulen und Straßen.</p>", 6)
	for _, bad := range []string{
		"javascript:alert(1)",
		" JaVaScRiPt:alert(1)",
		"data:text/html,<script>alert(1)</script>",
		"http://",
		"https:///path-without-host",
	} {
		page := `<html lang="de"><head><title>Haushalt beschlossen</title>` +
			`<meta property="og:image" content="` + html.EscapeString(bad) + `">` +
			`<link rel="canonical" href="` + html.EscapeString(bad) + `">` +
			`<script type="application/ld+json">{"@type":"NewsArticle","headline":"Haushalt beschlossen","image":"` + strings.ReplaceAll(bad, `"`, ``) + `"}</script>` +
			`</head><body><article><h1>Haushalt beschlossen</h1>` + body + `</article></body></html>`
		a, err := New().Extract(context.Background(), []byte(page), "https://zeitung.example/lokal/haushalt")
		if err != nil {
			t.Fatalf("%q: %v", bad, err)
		}
		if a.Image != "" || (a.CanonicalURL != "" && !strings.HasPrefix(a.CanonicalURL, "https://zeitung.example/")) {
			t.Errorf("%q: kept image %q, canonical %q", bad, a.Image, a.CanonicalURL)
		}
	}
}

// A page whose JSON-LD holds millions of tiny values is not decoded into
// generic maps (a few hundred bytes a value): the block is ignored having
// cost next to nothing, and a normal block still reads.
func TestHostileJSONLDIsNotDecoded(t *testing.T) {
	hostile := `{"@type":"NewsArticle","headline":"x","k":[` + strings.Repeat(`0,`, 2_000_000) + `0]}`
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got := parseJSONLD(hostile)
	runtime.ReadMemStats(&after)
	if got != nil {
		t.Errorf("a 4 MB block of 2M values was decoded")
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("refusing the block allocated %d MB", alloc>>20)
	}
	if ok := parseJSONLD(`{"@type":"NewsArticle","headline":"Real","author":{"@type":"Person","name":"A"}}`); len(ok) != 1 {
		t.Errorf("a normal block gave %v", ok)
	}
}

func TestProfileLinksAreNotAuthors(t *testing.T) {
	for _, s := range []string{"https://www.facebook.com/someone", "https://twitter.com/x y", "http://", " HTTPS://example.org/a", "www.example.org/me"} {
		if got := notURL(s); got != "" {
			t.Errorf("notURL(%q) = %q, want it dropped as a link", s, got)
		}
	}
	if got := notURL("Elena Ruiz"); got != "Elena Ruiz" {
		t.Errorf("notURL kept %q", got)
	}
}
