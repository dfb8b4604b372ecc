package extract

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

const seedURL = "https://www.eureporter.co/de/world/russia/2021/12/13/putin-and-biden-agreed-to-hold-more-talks-despite-differences-says-kremlin/"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return b
}

// seedParagraphs are the article paragraphs of the captured seed text.
var seedParagraphs = []string{
	"Der russische Präsident Wladimir Putin und sein US-Amtskollege Joe Biden haben vereinbart, angesichts der Spannungen um einen russischen Truppenaufbau in der Nähe der Ukraine weitere Gespräche zu führen, teilte der Kreml am Sonntag (12 .",
	"Der Kreml sagte, Putin und Biden hätten vereinbart, während eines Videoanrufs am 7. Dezember weitere Gespräche zu führen, die sich auf die Ost-West-Beziehungen konzentrierten, die seit dem Ende des Kalten Krieges auf den niedrigsten Stand gesunken sind und derzeit von der russischen Truppe angespannt werden Aufbau in der Nähe der Ukraine.",
	`Biden nutzte diesen Videoanruf, um Putin zu warnen, dass der Westen Russland "starke wirtschaftliche und andere Maßnahmen" auferlegen würde, falls es in die Ukraine einmarschiert, während Putin Garantien verlangt hat, dass die NATO nicht weiter nach Osten expandiert.`,
	"In einem im staatlichen Fernsehen veröffentlichten Video sagte Kreml-Sprecher Dmitri Peskow, Putin habe keinen besonderen Grund zum Optimismus, nachdem er mit Biden gesprochen hatte, wegen der anhaltenden und sehr ernsten Differenzen zwischen Russland und den Vereinigten Staaten über Moskaus sogenannte „rote Linien“, die es will nicht, dass der Westen überquert.",
	"Abgesehen von einer weiteren NATO-Erweiterung nach Osten hat Russland erklärt, dass es bestimmte Offensivwaffen nicht in angrenzenden Ländern wie der Ukraine einsetzen möchte.",
	"Putin sagte Biden am 7. Dezember, dass sich russische Truppen auf russischem Territorium befänden und für niemanden eine Bedrohung darstelle, sagte Peskov.",
	`"Die gegenwärtigen ... Spannungen und so weiter werden geschaffen, um Russland weiter zu dämonisieren und es als potentiellen Aggressor darzustellen", fügte Peskov hinzu.`,
	"Er sagte jedoch, die beiden Führer hätten vereinbart, eine weitere Gesprächsrunde abzuhalten, möglicherweise per Videoverbindung, ein Format, das den beiden Präsidenten gefiel.",
	`"(Wir werden) uns definitiv sehen, ich würde wirklich wollen, dass das passiert", sagte Putin gegenüber Biden laut einem kurzen Video, das auf dem staatlichen Fernsehsender Rossiya 1 veröffentlicht wurde.`,
	"Der Kreml sagte, es sei zu früh, um zu sagen, wann sich die beiden Führer persönlich treffen könnten.",
	"Der Videoanruf zwischen Biden und Putin beruhigte die Nerven der Anleger und half dem Rubel, nach einem Ausverkauf, der von einer weiteren Welle von Ängsten über neue westliche Sanktionen gegen Moskau getrieben wurde, wieder etwas an Boden zu gewinnen.",
}

// seedChrome are lines of the captured page that are not the article.
var seedChrome = []string{
	"Vernetzen Sie sich mit uns",
	"SHARE:",
	"Werbung",
	"Teile diesen Artikel:",
	"Wir verwenden Ihre Anmeldung",
	"Sie können sich jederzeit abmelden",
	"Trending",
	"EU Reporter veröffentlicht Artikel aus einer Vielzahl externer Quellen",
	"nicht unbedingt die von EU Reporter",
	"G7 warnt Russland",
	"Copyright",
	"Cookies",
	"gtag",
}

func TestExtractSeed(t *testing.T) {
	a, err := New().Extract(context.Background(), readFixture(t, "seed-eureporter-de.html"), seedURL)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	paras := strings.Split(a.Text, "\n\n")
	if len(paras) != len(seedParagraphs) {
		t.Errorf("got %d paragraphs, want %d:\n%s", len(paras), len(seedParagraphs), a.Text)
	}
	for _, p := range seedParagraphs {
		if !strings.Contains(a.Text, p) {
			t.Errorf("Text lacks paragraph %q", p)
		}
	}
	for _, c := range seedChrome {
		if strings.Contains(a.Text, c) || strings.Contains(a.HTML, c) {
			t.Errorf("body keeps chrome %q", c)
		}
	}
	if !strings.HasPrefix(a.Text, "Der russische Präsident") {
		t.Errorf("Text should start with the first paragraph (no section label, no headline), starts %q", a.Text[:min(80, len(a.Text))])
	}
	want := Article{
		Title:        "Putin und Biden vereinbarten, trotz Meinungsverschiedenheiten weitere Gespräche zu führen, sagt Kreml",
		Author:       "Reuters",
		Published:    time.Date(2021, 12, 13, 9, 12, 40, 0, time.UTC),
		Modified:     time.Date(2021, 12, 13, 9, 12, 43, 0, time.UTC),
		Image:        "https://www.eureporter.co/wp-content/uploads/2021/12/putin-biden-video-call.jpg",
		Language:     "de",
		CanonicalURL: seedURL,
		SiteName:     "EU Reporter",
		Section:      "Russland",
	}
	checkMeta(t, a, want)
	if !strings.Contains(a.Description, "Wladimir Putin") {
		t.Errorf("Description = %q, want the JSON-LD description", a.Description)
	}
}

func checkMeta(t *testing.T, got *Article, want Article) {
	t.Helper()
	eq := func(field, g, w string) {
		if g != w {
			t.Errorf("%s = %q, want %q", field, g, w)
		}
	}
	eq("Title", got.Title, want.Title)
	eq("Author", got.Author, want.Author)
	eq("Image", got.Image, want.Image)
	eq("Language", got.Language, want.Language)
	eq("CanonicalURL", got.CanonicalURL, want.CanonicalURL)
	eq("SiteName", got.SiteName, want.SiteName)
	eq("Section", got.Section, want.Section)
	if !got.Published.Equal(want.Published) {
		t.Errorf("Published = %v, want %v", got.Published, want.Published)
	}
	if !want.Modified.IsZero() && !got.Modified.Equal(want.Modified) {
		t.Errorf("Modified = %v, want %v", got.Modified, want.Modified)
	}
}

func TestExtractNoArticle(t *testing.T) {
	for _, name := range []string{"no-article-404.html", "no-article-index.html"} {
		t.Run(name, func(t *testing.T) {
			_, err := New().Extract(context.Background(), readFixture(t, name), "https://news.example.org/x")
			if !errors.Is(err, ErrNoArticle) {
				t.Fatalf("Extract error = %v, want ErrNoArticle", err)
			}
		})
	}
}

func TestExtractConcurrent(t *testing.T) {
	e := New()
	page := readFixture(t, "seed-eureporter-de.html")
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			a, err := e.Extract(context.Background(), page, seedURL)
			if err == nil && a.Section != "Russland" {
				err = errors.New("wrong section " + a.Section)
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Extract: %v", err)
		}
	}
}

func TestChromeBlockDatelines(t *testing.T) {
	for text, want := range map[string]bool{
		"Updated at 1:23 p.m.":                true,
		"Aktualisiert: 12.03.2024, 10:15 Uhr": true,
		"Publié le 3 mars 2022 à 10h15":       true,
		"Mis à jour le 4 mars 2022":           true,
		"Actualizado: 12/03/2024 10:15":       true,
		"Published":                           true, // a bare label, by the phrase rule
		"Stand der Dinge ist, dass die Stadt 2024 mehr Geld ausgibt als je zuvor in ihrer Geschichte, sagte der Kämmerer am Montag.": false,
		"Veröffentlicht wurde die Studie im Fachblatt Nature.":                                                                       false, // no number
	} {
		n := &html.Node{Type: html.ElementNode, Data: "p"}
		n.AppendChild(&html.Node{Type: html.TextNode, Data: text})
		if got := isChromeBlock(n); got != want {
			t.Errorf("isChromeBlock(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestChromeBlockNotices(t *testing.T) {
	chrome := []string{
		"Empfohlener redaktioneller Inhalt: An dieser Stelle finden Sie externe Inhalte von YouTube.",
		"Dieser Artikel ist exklusiv für Abonnenten. Jetzt weiterlesen mit Plus.",
		"Artikel vorlesen lassen", "Link kopieren", "Drucken",
		"Cet article est réservé aux abonnés.", "Lire la suite",
		"Suscríbete para seguir leyendo", "Contenido externo: acepte las cookies para verlo.",
		"Externer Inhalt: Ich bin damit einverstanden, dass mir externe Inhalte angezeigt werden.",
		"Continua a leggere", "Questo contenuto è riservato agli abbonati.",
		"Dalsza część artykułu pod materiałem wideo", "Czytaj dalej",
		"Story continues below advertisement", "Continue reading",
		"Follow us on Facebook and Instagram", "Folgen Sie uns auf WhatsApp und Telegram!",
		"Sign up for our newsletter to get the top stories in your inbox.", "Jetzt den Newsletter abonnieren",
		"READ MORE: China plague outbreak confirmed", "Lesen Sie auch: Neue Brücke für die Altstadt",
		"(Leggi anche su: ecco gli attori del film – FOTO)", "À lire aussi : la réforme des retraites",
		"Czytaj także: Nowy most w Krakowie", "DON'T MISS", "Nicht verpassen",
		"Like this story? Share it with a friend!", "Gefällt Ihnen das? Teilen Sie diesen Artikel!",
		"Subscribe to WIRED and stay smart with more of your favorite writers.", "Abonnieren Sie unseren Podcast auf allen Plattformen.",
		"05/10/2018 - Publicado por: Clarissa Borba - Categoria: Saúde", "Posted by Jane Roe on March 3, 2021",
		"Tags", "Schlagwörter: Verkehr, Brücke, Stadtrat", "Tags: stock car, calendário",
	}
	prose := []string{
		"Die Stadt will externe Gutachter beauftragen, um die Kosten der Sanierung zu prüfen, sagte die Bürgermeisterin.",
		"Le maire a promis de continuer à lire attentivement les propositions des habitants avant le vote.",
		"Der Verlag druckt die Zeitung seit 1950 in der eigenen Druckerei am Stadtrand.",
		"Die Plattform bindet externe Inhalte ein, ohne die Urheber zu fragen, kritisieren Verlage.",
		"Following the ban, Twitter and Facebook removed hundreds of accounts linked to the campaign.",
		"Der Newsletter des Vereins hat inzwischen mehr als 10.000 Abonnenten.",
		"See more photos:", "More information: G. Petit et al., Handbook of Life Support Systems, 2019.",
		"Lesen Sie auch, was die Opposition zu dem Plan sagt.",
		"The company refused to share it with regulators until the audit was over.",
		"Readers who subscribe to the paper get the app for free, the publisher said.",
		"Tag 3: Die Reise geht weiter nach Süden", "This article was originally published by Futurism. Read the original article.",
	}
	for _, text := range append(chrome, prose...) {
		n := &html.Node{Type: html.ElementNode, Data: "p"}
		n.AppendChild(&html.Node{Type: html.TextNode, Data: text})
		want := true
		for _, p := range prose {
			if p == text {
				want = false
			}
		}
		if got := isChromeBlock(n); got != want {
			t.Errorf("isChromeBlock(%q) = %v, want %v", text, got, want)
		}
	}
}

// An embedded post is a quotation of the story, whatever platform class
// its blockquote and wrapper carry; the share bar beside it is still chrome.
func TestEmbeddedQuoteKept(t *testing.T) {
	para := `<p>Der Landkreis hat am Montag eine neue Kampagne gegen Drogen vorgestellt, die im Netz sofort für Spott sorgte.</p>`
	page := `<html lang="de"><head><title>Kampagne sorgt für Spott</title></head><body>
<article><h1>Kampagne sorgt für Spott</h1>` + para + para +
		`<div class="social-media-embed"><blockquote class="twitter-tweet"><p lang="de">Ja, das ist echt, und der Kreis hat eine halbe Million dafür ausgegeben.</p>— Anna B. (@annab) <a href="https://twitter.com/annab/status/1">18. November 2019</a></blockquote></div>` +
		para + `<div class="social-share"><a href="https://facebook.com/share">Auf Facebook teilen</a> <a href="https://twitter.com/share">Twittern</a></div></article></body></html>`
	a, err := New().Extract(context.Background(), []byte(page), "https://kreis.example/kampagne")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text, "eine halbe Million dafür ausgegeben") {
		t.Errorf("the embedded post was dropped:\n%s", a.Text)
	}
	if strings.Contains(a.Text, "Facebook teilen") {
		t.Errorf("the share bar was kept:\n%s", a.Text)
	}
}

// A hover card nested in a name's link wrapper leaves the name in the
// sentence and takes the card's headlines out; a tooltip on its own stays.
func TestHoverOverlayPruned(t *testing.T) {
	para := `<p>Die Stadt will die Brücke bis zum Sommer sanieren, sagte der Baudezernent am Montag vor dem Ausschuss.</p>`
	page := `<html lang="de"><head><title>Brücke wird saniert</title></head><body>
<article><h1>Brücke wird saniert</h1>` + para +
		`<p>Bürgermeisterin <span class="rollover-people"><a class="rollover-people-link" href="/p/1">Anna Berg</a><span class="rollover-people-block"><span class="rollover-block"><img src="/p/1.jpg"><a href="/a/1">Berg eröffnet das neue Hallenbad</a> <a href="/a/2">Haushalt beschlossen</a></span></span></span> lobte den Plan als <span class="tooltip">überfällig</span>.</p>` +
		para + para + `</article></body></html>`
	a, err := New().Extract(context.Background(), []byte(page), "https://stadt.example/bruecke")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text, "Bürgermeisterin Anna Berg lobte den Plan als überfällig.") {
		t.Errorf("the sentence lost words or kept the card:\n%s", a.Text)
	}
	if strings.Contains(a.Text, "Hallenbad") {
		t.Errorf("the hover card was kept:\n%s", a.Text)
	}
}

// A calendar or a results table has no sentences but is an article; a list
// of linked headlines is an index page and stays refused.
func TestListingWithoutSentences(t *testing.T) {
	var cal, idx strings.Builder
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&cal, "<li>%d. Lauf: %d. März – Hockenheimring</li>", i, i+2)
		fmt.Fprintf(&idx, "<li><a href=\"/artikel/%d\">Neue Pläne für die Umgehungsstraße im Norden Nummer %d</a></li>", i, i)
	}
	page := func(list string) []byte {
		return []byte(`<html lang="de"><head><title>Rennkalender 2018</title></head><body><nav><a href="/">Start</a></nav><article><h1>Rennkalender 2018</h1><p>Die Serie hat am Montag ihren Kalender für die kommende Saison veröffentlicht, mit zwölf Läufen.</p><ul>` + list + `</ul><p>* Änderungen vorbehalten</p></article></body></html>`)
	}
	a, err := New().Extract(context.Background(), page(cal.String()), "https://motor.example/kalender")
	if err != nil {
		t.Fatalf("calendar refused: %v", err)
	}
	if !strings.Contains(a.Text, "12. Lauf: 14. März – Hockenheimring") {
		t.Errorf("calendar body incomplete:\n%s", a.Text)
	}
	if _, err := New().Extract(context.Background(), page(idx.String()), "https://motor.example/index"); !errors.Is(err, ErrNoArticle) {
		t.Errorf("list of linked headlines: error %v, want ErrNoArticle", err)
	}
}
