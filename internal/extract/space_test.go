package extract

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// A custom element inside a paragraph (a citation wrapper) must not cut the
// paragraph at that point.
func TestCustomElementInParagraph(t *testing.T) {
	page := `<html lang="de"><head><title>Studie zum Schlaf</title></head><body>
<nav><a href="/">Start</a> <a href="/wissen">Wissen</a></nav>
<article><h1>Studie zum Schlaf</h1>
<p>Wer weniger als sieben Stunden schläft, isst am nächsten Tag mehr (<x-quelle source="PubMed"><a href="https://example.org/1">1</a></x-quelle>). Das zeigt eine Auswertung mehrerer Studien.</p>
<p>Die Forscher empfehlen deshalb feste Schlafzeiten, auch am Wochenende, und wenig Licht am Abend vor dem Zubettgehen.</p>
<p>Weitere Untersuchungen sollen klären, ob sich der Effekt auch bei Kindern und älteren Menschen zeigt.</p>
</article></body></html>`
	a, err := New().Extract(context.Background(), []byte(page), "https://wissen.example/schlaf")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text, "(1). Das zeigt eine Auswertung mehrerer Studien.") {
		t.Errorf("the paragraph was cut at the custom element:\n%s", a.Text)
	}
}

// Prose set as bare text separated by blank lines (<br><br>) keeps the
// words before its first inline element. (This small page extracted whole
// before wrapLooseText too; the loss showed on a full page, where
// trafilatura's choice of container differed. The test guards the body.)
func TestLooseTextParagraphs(t *testing.T) {
	page := `<html lang="de"><head><title>Neues Modell im Frühjahr</title></head><body>
<nav><a href="/">Start</a> <a href="/technik">Technik</a></nav>
<div class="article"><h1>Neues Modell im Frühjahr</h1>
<div class="content">Der Hersteller will im Frühjahr ein kleineres Modell mit neuer Tastatur vorstellen, berichtet die Fachzeitschrift <em><a href="https://x.example/">Technikwelt</a></em>. Die Angaben stammen aus Zulieferkreisen.
<br> <br><img src="/bild.jpg" alt="" width="800" height="533"><center><em>Die neue Tastatur, Foto: <a href="https://y.example/">Werkstatt</a></em></center> <br>Das Display soll so groß bleiben wie bisher, heißt es in dem Bericht der <em>Technikwelt</em>, der nur Abonnenten vorliegt.
<br><br>Ein Preis wurde noch nicht genannt; das aktuelle Modell kostet in der Grundausstattung rund 1500 Euro.
</div></div></body></html>`
	a, err := New().Extract(context.Background(), []byte(page), "https://technik.example/modell")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Der Hersteller will im Frühjahr", "Das Display soll", "Ein Preis wurde"} {
		if !strings.Contains(a.Text, want) {
			t.Errorf("body lacks %q:\n%s", want, a.Text)
		}
	}
}

func TestWrapLooseText(t *testing.T) {
	doc, err := html.Parse(strings.NewReader(`<div id="c">Erster Absatz mit <em>Betonung</em> und Text.<br> <br>Zweiter Absatz,<br>mit Zeilenumbruch.<br><br><div>Block</div>Dritter Absatz nach dem Block.</div><div id="n">Menü <br><br> x</div>`))
	if err != nil {
		t.Fatal(err)
	}
	wrapLooseText(doc)
	var buf strings.Builder
	if err := html.Render(&buf, findFirst(doc, "body")); err != nil {
		t.Fatal(err)
	}
	want := `<body><div id="c"><p>Erster Absatz mit <em>Betonung</em> und Text.</p><br/> <br/><p>Zweiter Absatz,<br/>mit Zeilenumbruch.</p><br/><br/><div>Block</div><p>Dritter Absatz nach dem Block.</p></div><div id="n">Menü <br/><br/> x</div></body>`
	if got := buf.String(); got != want {
		t.Errorf("wrapLooseText:\n got %s\nwant %s", got, want)
	}
}
