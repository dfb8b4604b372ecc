package extract

import (
	"context"
	"strings"
	"testing"
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
