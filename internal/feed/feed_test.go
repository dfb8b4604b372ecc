package feed

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return b
}

func mustParse(t *testing.T, name, baseURL string) *Feed {
	t.Helper()
	f, err := Parse(readFixture(t, name), baseURL)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return f
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// wantItem lists the fields a test checks; empty strings and zero times are
// checked too, so a table row states the whole expected item.
type wantItem struct {
	GUID, URL, Title, Author, Image, Language string
	Published, Updated                        time.Time
	Categories                                []string
}

func checkItem(t *testing.T, i int, got Item, want wantItem) {
	t.Helper()
	check := func(field, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("item %d %s = %q, want %q", i, field, got, want)
		}
	}
	check("GUID", got.GUID, want.GUID)
	check("URL", got.URL, want.URL)
	check("Title", got.Title, want.Title)
	check("Author", got.Author, want.Author)
	check("Image", got.Image, want.Image)
	check("Language", got.Language, want.Language)
	if !got.Published.Equal(want.Published) {
		t.Errorf("item %d Published = %v, want %v", i, got.Published, want.Published)
	}
	if !got.Updated.Equal(want.Updated) {
		t.Errorf("item %d Updated = %v, want %v", i, got.Updated, want.Updated)
	}
	if !slices.Equal(got.Categories, want.Categories) {
		t.Errorf("item %d Categories = %q, want %q", i, got.Categories, want.Categories)
	}
}

func TestParseFeeds(t *testing.T) {
	tests := []struct {
		file, base                         string
		format                             Format
		title, siteURL, language, descPart string
		items                              []wantItem
	}{
		{
			file: "rss2_tagesschau.xml", base: "https://www.tagesschau.de/index~rss2.xml",
			format: FormatRSS, title: "tagesschau.de - die erste Adresse für Nachrichten und Information",
			siteURL: "https://www.tagesschau.de/", language: "de", descPart: "Deutschland und der Welt",
			items: []wantItem{
				{
					GUID: "schuldenbremse-reform-100", URL: "https://www.tagesschau.de/inland/innenpolitik/schuldenbremse-reform-100.html",
					Title: "Bundestag beschließt Reform der Schuldenbremse", Author: "Anna Müller, Jörg Weiß",
					// The larger of the two media:content renditions.
					Image: "https://images.tagesschau.de/image/a1b2/16x9/1280.jpg", Language: "de",
					Published: date("2024-05-14T08:45:00+02:00"), Categories: []string{"Inland", "Innenpolitik"},
				},
				{
					// Relative link resolved against the channel link.
					GUID: "https://www.tagesschau.de/inland/regional/bayern/unwetter-bayern-102.html", URL: "https://www.tagesschau.de/inland/regional/bayern/unwetter-bayern-102.html",
					Title: "Unwetter im Süden: Straßen überflutet", Author: "Lukas Schäfer",
					Image: "https://images.tagesschau.de/image/c3d4/16x9/640.jpg", Language: "de",
					Published: date("2024-05-14T07:30:00+02:00"),
				},
				{
					// No guid: the link is the GUID; the audio enclosure is no image.
					GUID: "https://www.tagesschau.de/multimedia/podcast/11km/folge-812.html", URL: "https://www.tagesschau.de/multimedia/podcast/11km/folge-812.html",
					Title: "Podcast: 11KM – der tagesschau-Podcast", Image: "https://images.tagesschau.de/image/podcast/11km.png", Language: "de",
					Published: date("2024-05-13T18:00:00+02:00"),
				},
			},
		},
		{
			file: "rss091_bbc.xml", base: "https://feeds.bbci.co.uk/news/world/rss.xml",
			format: FormatRSS, title: "BBC News - World", siteURL: "https://www.bbc.co.uk/news/world", language: "en-gb", descPart: "World",
			items: []wantItem{
				{GUID: "https://www.bbc.co.uk/news/world-europe-68912345", URL: "https://www.bbc.co.uk/news/world-europe-68912345", Title: "EU leaders agree migration pact after all-night talks", Language: "en-gb"},
				{GUID: "https://www.bbc.co.uk/news/business-68912346", URL: "https://www.bbc.co.uk/news/business-68912346", Title: "Norway's oil fund posts record return", Language: "en-gb"},
			},
		},
		{
			file: "rdf_heise.xml", base: "https://www.heise.de/newsticker/heise.rdf",
			format: FormatRDF, title: "heise online News", siteURL: "https://www.heise.de/newsticker/", language: "de-DE", descPart: "Computer",
			items: []wantItem{
				{
					GUID: "https://www.heise.de/news/Linux-6-9-erschienen-9712345.html", URL: "https://www.heise.de/news/Linux-6-9-erschienen-9712345.html",
					Title: "Linux 6.9 erschienen: Schnellere Dateisysteme", Author: "Thorsten Leemhuis", Language: "de-DE",
					Published: date("2024-05-13T06:30:00+02:00"), Updated: date("2024-05-13T06:30:00+02:00"), Categories: []string{"Linux"},
				},
				{
					// dc:language on the item overrides the channel's.
					GUID: "https://www.heise.de/news/Datenschutz-Bussgeld-gegen-Meta-9712346.html", URL: "https://www.heise.de/news/Datenschutz-Bussgeld-gegen-Meta-9712346.html",
					Title: "Datenschutz: Bußgeld gegen Meta bestätigt", Language: "en",
					Published: date("2024-05-12T17:05:00Z"), Updated: date("2024-05-12T17:05:00Z"),
				},
			},
		},
		{
			file: "atom_lemonde.xml", base: "https://www.lemonde.fr/international/rss_full.xml",
			format: FormatAtom, title: "Le Monde.fr - International", siteURL: "https://www.lemonde.fr/international/", language: "fr", descPart: "actualité internationale",
			items: []wantItem{
				{
					GUID: "tag:lemonde.fr,2024:article-6233001", URL: "https://www.lemonde.fr/international/article/2024/05/14/elections-europeennes_6233001_3210.html",
					Title: "Élections européennes : la campagne s’accélère", Author: "Philippe Ricard, Virginie Malingre",
					Image: "https://img.lemde.fr/2024/05/14/0/0/5000/3333/664/0/75/0/a1b2c3_1.jpg", Language: "fr",
					Published: date("2024-05-14T09:15:00+02:00"), Updated: date("2024-05-14T09:45:00+02:00"), Categories: []string{"Europe", "politique"},
				},
				{
					// Entry-level xml:base; no <published>, so updated is used.
					GUID: "tag:lemonde.fr,2024:article-6232900", URL: "https://www.lemonde.fr/economie/article/2024/05/13/bce-taux_6232900_3234.html",
					Title: "La BCE prête à baisser ses taux en juin", Author: "Béatrice Madeline",
					Image: "https://img.lemde.fr/2024/05/13/bce.jpg", Language: "fr",
					Published: date("2024-05-13T18:20:00+02:00"), Updated: date("2024-05-13T18:20:00+02:00"),
				},
			},
		},
		{
			file: "jsonfeed_elpais.json", base: "https://elpais.com/feed.json",
			format: FormatJSON, title: "EL PAÍS: el periódico global", siteURL: "https://elpais.com/", language: "es-ES", descPart: "última hora",
			items: []wantItem{
				{
					GUID: "https://elpais.com/espana/2024-05-14/el-gobierno-aprueba-la-ley-de-vivienda.html", URL: "https://elpais.com/espana/2024-05-14/el-gobierno-aprueba-la-ley-de-vivienda.html",
					Title: "El Gobierno aprueba la ley de vivienda", Author: "Lucía Abellán, Carlos E. Cué",
					Image: "https://imagenes.elpais.com/resizer/vivienda.jpg", Language: "es-ES",
					Published: date("2024-05-14T08:00:00+02:00"), Updated: date("2024-05-14T10:30:00+02:00"), Categories: []string{"Vivienda", "Política"},
				},
				{
					// A numeric id is coerced to a string, as the spec asks.
					GUID: "4711", URL: "https://elpais.com/cultura/2024-05-13/almodovar-rodara-en-nueva-york.html",
					Title: "Almodóvar rodará en Nueva York", Language: "es-ES", Published: date("2024-05-13T19:00:00+02:00"),
				},
			},
		},
		{
			file: "rss_windows1252_sz.xml", base: "https://rss.sueddeutsche.de/rss/Politik",
			format: FormatRSS, title: "Süddeutsche Zeitung – Politik", siteURL: "https://www.sueddeutsche.de/politik", language: "de-DE", descPart: "„aktuell“ und übersichtlich",
			items: []wantItem{{
				GUID: "https://www.sueddeutsche.de/politik/klimaschutz-gruene-1.6712345", URL: "https://www.sueddeutsche.de/politik/klimaschutz-gruene-1.6712345",
				Title: "Grüne fordern schärfere Maßnahmen für Klimaschutz", Author: "Jürgen Größ", Language: "de-DE",
				Published: date("2024-05-13T14:20:00Z"),
			}},
		},
		{
			file: "rss_iso8859-2_wyborcza.xml", base: "https://rss.wyborcza.pl/pub/rss/wiadomosci.xml",
			format: FormatRSS, title: "Gazeta Wyborcza - Wiadomości", siteURL: "https://wyborcza.pl/", language: "pl", descPart: "ze świata",
			items: []wantItem{{
				GUID: "https://wyborcza.pl/7,75398,30912345,lodz-zlobki.html", URL: "https://wyborcza.pl/7,75398,30912345,lodz-zlobki.html",
				Title: "Łódź: źródła finansowania żłobków zagrożone", Language: "pl",
				Published: date("2024-05-14T06:05:00+02:00"), Categories: []string{"Kraj"},
			}},
		},
		{
			// Declares UTF-8; the item's bytes are windows-1252.
			file: "rss_utf8_declared_cp1252_bytes.xml", base: "https://www.derstandard.at/rss",
			format: FormatRSS, title: "Der Standard – Österreich", siteURL: "https://www.derstandard.at/", descPart: "Österreich",
			items: []wantItem{{
				GUID: "https://www.derstandard.at/story/3000000219876/wiener-linien-stoerung", URL: "https://www.derstandard.at/story/3000000219876/wiener-linien-stoerung",
				Title: "Wiener Linien: Störung auf der U6 – Ersatzverkehr für Fahrgäste", Published: date("2024-05-14T07:12:00+02:00"),
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := mustParse(t, tt.file, tt.base)
			if f.Format != tt.format {
				t.Errorf("Format = %q, want %q", f.Format, tt.format)
			}
			if f.Title != tt.title {
				t.Errorf("Title = %q, want %q", f.Title, tt.title)
			}
			if f.SiteURL != tt.siteURL {
				t.Errorf("SiteURL = %q, want %q", f.SiteURL, tt.siteURL)
			}
			if f.Language != tt.language {
				t.Errorf("Language = %q, want %q", f.Language, tt.language)
			}
			if !strings.Contains(f.Description, tt.descPart) {
				t.Errorf("Description = %q, want it to contain %q", f.Description, tt.descPart)
			}
			if len(f.Items) != len(tt.items) {
				t.Fatalf("got %d items, want %d: %+v", len(f.Items), len(tt.items), f.Items)
			}
			for i, want := range tt.items {
				checkItem(t, i, f.Items[i], want)
			}
		})
	}
}

// Summary and Content are passed on as given: HTML kept, nothing sanitized
// or rewritten (the relative href stays relative for the sanitizer).
func TestParseKeepsSummaryAndContentAsGiven(t *testing.T) {
	f := mustParse(t, "rss2_tagesschau.xml", "https://www.tagesschau.de/index~rss2.xml")
	it := f.Items[0]
	if want := "<p>Der Bundestag hat mit Zweidrittelmehrheit für die Änderung gestimmt.</p>"; it.Summary != want {
		t.Errorf("Summary = %q, want %q", it.Summary, want)
	}
	if want := `<p>Der Bundestag hat mit Zweidrittelmehrheit für die Änderung gestimmt. <a href="/inland/">Mehr</a></p><p>Die Länder müssen noch zustimmen.</p>`; it.Content != want {
		t.Errorf("Content = %q, want %q", it.Content, want)
	}
	a := mustParse(t, "atom_lemonde.xml", "https://www.lemonde.fr/international/rss_full.xml")
	if want := "<p>Les candidats multiplient les meetings à quatre semaines du scrutin.</p>"; a.Items[0].Content != want {
		t.Errorf("Atom Content = %q, want %q", a.Items[0].Content, want)
	}
	j := mustParse(t, "jsonfeed_elpais.json", "https://elpais.com/feed.json")
	if want := "El cineasta manchego prepara su segunda película en inglés."; j.Items[1].Content != want {
		t.Errorf("JSON content_text = %q, want %q", j.Items[1].Content, want)
	}
}

func TestParseDuplicatesAndMissingLinks(t *testing.T) {
	f := mustParse(t, "rss_duplicates_nolinks.xml", "https://www.dn.se/rss/")
	titles := make([]string, len(f.Items))
	for i, it := range f.Items {
		titles[i] = it.Title
	}
	// Item 2 repeats item 1's link and item 3 its guid: both dropped.
	want := []string{"Regeringen presenterar vårbudgeten", "Direktrapport: Trafikolycka på E4", "Kort notis utan länk", "", ""}
	if !slices.Equal(titles, want) {
		t.Fatalf("titles = %q, want %q", titles, want)
	}
	// A permalink guid stands in for the missing link; its bad date is zero.
	if it := f.Items[1]; it.URL != "https://www.dn.se/sverige/direktrapport-e4/" || !it.Published.IsZero() {
		t.Errorf("guid-as-link item: URL %q Published %v", it.URL, it.Published)
	}
	// Without link or URL-like guid the item is kept with URL "" and a
	// stable hashed GUID; two untitled, undated notes stay distinct.
	notes := f.Items[2:]
	for i, it := range notes {
		if it.URL != "" || len(it.GUID) != len("sha256:")+32 || it.GUID[:7] != "sha256:" {
			t.Errorf("linkless item %d: URL %q GUID %q", i, it.URL, it.GUID)
		}
	}
	if notes[1].GUID == notes[2].GUID {
		t.Errorf("distinct linkless items share GUID %q", notes[1].GUID)
	}
	if want := date("2024-05-14T08:00:00+02:00"); !notes[0].Published.Equal(want) {
		t.Errorf("Published = %v, want %v", notes[0].Published, want)
	}
	again := mustParse(t, "rss_duplicates_nolinks.xml", "https://www.dn.se/rss/")
	if again.Items[2].GUID != notes[0].GUID {
		t.Errorf("hashed GUID not stable across parses: %q vs %q", again.Items[2].GUID, notes[0].GUID)
	}
}

func TestParseEmptyFeedIsValid(t *testing.T) {
	f := mustParse(t, "rss_empty_channel.xml", "https://www.hs.fi/rss/")
	if f.Title != "Helsingin Sanomat" || len(f.Items) != 0 || f.Language != "fi" {
		t.Errorf("got %+v, want titled empty feed in fi", f)
	}
}

// Every encoding variant of the same NZZ feed must yield the same text.
func TestParseEncodings(t *testing.T) {
	for _, file := range []string{"rss_utf8_bom_nzz.xml", "rss_utf16_bom_nzz.xml", "rss_latin1_declared_utf8_bytes.xml"} {
		t.Run(file, func(t *testing.T) {
			f := mustParse(t, file, "https://www.nzz.ch/recent.rss")
			if f.Title != "NZZ – Neue Zürcher Zeitung" {
				t.Errorf("Title = %q", f.Title)
			}
			if len(f.Items) != 1 || f.Items[0].Title != "Zürich erhält neue Tramlinie" {
				t.Fatalf("items = %+v", f.Items)
			}
		})
	}
}

func TestRepairUTF8(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain ascii", "plain ascii"},
		{"gr\xfc\xdfe", "grüße"},              // windows-1252 bytes
		{"Gr\xc3\xbc\xdfe", "Grüße"},          // valid UTF-8 ü, stray 1252 ß
		{"\x93quoted\x94 \x80", "“quoted” €"}, // 1252 punctuation
		{"undefined \x81 byte", "undefined \uFFFD byte"},
	}
	for _, tt := range tests {
		if got := string(repairUTF8([]byte(tt.in))); got != tt.want {
			t.Errorf("repairUTF8(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseSitemap(t *testing.T) {
	f := mustParse(t, "sitemap_orf.xml", "https://orf.at/sitemap.xml")
	if f.Format != FormatSitemap {
		t.Errorf("Format = %q, want sitemap", f.Format)
	}
	// The entry without <loc> and the repeated first URL are skipped.
	if len(f.Items) != 3 {
		t.Fatalf("got %d items, want 3: %+v", len(f.Items), f.Items)
	}
	checkItem(t, 0, f.Items[0], wantItem{
		GUID: "https://orf.at/stories/3357123/", URL: "https://orf.at/stories/3357123/",
		Image:     "https://ibs.orf.at/news?image=https%3A%2F%2Fassets.orf.at%2Fmims%2F2024%2F20%2F12%2Fcrops%2Fw%3D1200.jpg",
		Published: date("2024-05-14T09:41:27+02:00"), Updated: date("2024-05-14T09:41:27+02:00"),
	})
	checkItem(t, 1, f.Items[1], wantItem{
		GUID: "https://orf.at/stories/3357098/", URL: "https://orf.at/stories/3357098/",
		Published: date("2024-05-13T00:00:00Z"), Updated: date("2024-05-13T00:00:00Z"),
	})
	// An unparseable lastmod gives zero times; the escaped & is decoded.
	checkItem(t, 2, f.Items[2], wantItem{GUID: "https://orf.at/stories/3357001/?utm=a&ref=b", URL: "https://orf.at/stories/3357001/?utm=a&ref=b"})
}

func TestParseNewsSitemap(t *testing.T) {
	f := mustParse(t, "newssitemap_corriere.xml", "https://www.corriere.it/sitemap_news.xml")
	if f.Format != FormatNewsSitemap || f.Title != "Corriere della Sera" || f.Language != "it" {
		t.Errorf("feed = %q %q %q, want newssitemap, Corriere della Sera, it", f.Format, f.Title, f.Language)
	}
	if len(f.Items) != 2 {
		t.Fatalf("got %d items, want 2", len(f.Items))
	}
	checkItem(t, 0, f.Items[0], wantItem{
		GUID: "https://www.corriere.it/politica/24_maggio_14/governo-riforma-premierato-a1b2c3.shtml", URL: "https://www.corriere.it/politica/24_maggio_14/governo-riforma-premierato-a1b2c3.shtml",
		Title: "Premierato, il governo accelera: «Riforma entro l’estate»", Image: "https://images2.corriereobjects.it/premierato.jpg", Language: "it",
		Published: date("2024-05-14T08:05:00+02:00"), Updated: date("2024-05-14T09:30:00+02:00"),
		Categories: []string{"politica", "governo", "riforme", "premierato"},
	})
	checkItem(t, 1, f.Items[1], wantItem{
		GUID: "https://www.corriere.it/economia/24_maggio_13/bce-tassi-giugno.shtml", URL: "https://www.corriere.it/economia/24_maggio_13/bce-tassi-giugno.shtml",
		Title: "Bce, tagli dei tassi a giugno", Language: "it", Published: date("2024-05-13T00:00:00Z"),
	})
}

func TestParseSitemapIndex(t *testing.T) {
	f := mustParse(t, "sitemapindex_spiegel.xml", "https://www.spiegel.de/sitemap.xml")
	want := []string{
		"https://www.spiegel.de/sitemaps/2024-05.xml",
		"https://www.spiegel.de/sitemaps/2024-04.xml", // relative loc resolved
		"https://www.spiegel.de/sitemaps/2024-03.xml",
		"https://www.spiegel.de/sitemaps/news-de.xml", // no lastmod: last
	}
	if f.Format != FormatSitemapIndex || !slices.Equal(f.Sitemaps, want) {
		t.Errorf("got %q %q, want sitemapindex %q", f.Format, f.Sitemaps, want)
	}
	if len(f.Items) != 0 {
		t.Errorf("sitemap index has %d items, want none", len(f.Items))
	}
}

func TestParseSitemapCap(t *testing.T) {
	body := generatedSitemap(maxSitemapEntries + 10)
	f, err := Parse(body, "https://example.com/sitemap.xml")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != maxSitemapEntries {
		t.Errorf("got %d items, want the cap %d", len(f.Items), maxSitemapEntries)
	}
}

func generatedSitemap(n int) []byte {
	b := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for i := range n {
		b = append(b, "<url><loc>https://example.com/artikel/"...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, "</loc><lastmod>2024-05-14T09:41:27+02:00</lastmod></url>\n"...)
	}
	return append(b, "</urlset>\n"...)
}

func TestParseW3CDate(t *testing.T) {
	tests := map[string]time.Time{
		"2024-05-14T09:41:27+02:00":     date("2024-05-14T07:41:27Z"),
		"2024-05-14T09:41:27.123+02:00": time.Date(2024, 5, 14, 7, 41, 27, 123e6, time.UTC),
		"2024-05-14T09:41+02:00":        date("2024-05-14T07:41:00Z"),
		"2024-05-14T09:41:27+0200":      date("2024-05-14T07:41:27Z"),
		"2024-05-14":                    date("2024-05-14T00:00:00Z"),
		" 2024-05 ":                     date("2024-05-01T00:00:00Z"),
		"yesterday":                     {},
		"":                              {},
	}
	for in, want := range tests {
		if got := parseW3CDate(in); !got.Equal(want) {
			t.Errorf("parseW3CDate(%q) = %v, want %v", in, got, want)
		}
	}
}
