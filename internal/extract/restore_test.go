package extract

import (
	"context"
	"strings"
	"testing"
)

func TestRestoreImages(t *testing.T) {
	page := `<html lang="de"><head><title>Neue Brücke</title></head><body>
<header><img src="/logo.png" alt="Logo"><nav><a href="/">Start</a></nav></header>
<article><h1>Neue Brücke</h1>
<p>Der Gemeinderat hat am Dienstag den Bau einer neuen Brücke über den Fluss beschlossen, die Arbeiten beginnen im Frühjahr.</p>
<figure><img src="data:image/gif;base64,R0lGOD" data-src="/bilder/bruecke-1.jpg" alt="Entwurf"><figcaption>Der Entwurf. Foto: Stadt</figcaption></figure>
<p>Die Kosten liegen nach Angaben der Verwaltung bei rund zwölf Millionen Euro, zwei Drittel trägt das Land.</p>
<p><img src="/pixel.gif" width="1" height="1">Kritik kam von der Opposition, die eine Sanierung der alten Brücke für günstiger hält.</p>
<img data-srcset="/bilder/bruecke-2-400.jpg 400w, /bilder/bruecke-2-800.jpg 800w" alt="Baustelle">
<p>Die Bauzeit soll zwei Jahre betragen; in dieser Zeit wird eine Umleitung über die Bundesstraße eingerichtet.</p>
</article>
<aside><img src="/teaser.jpg"><a href="/x">Anderer Artikel</a></aside>
</body></html>`
	a, err := New().Extract(context.Background(), []byte(page), "https://stadt.example/2024/brücke")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`src="https://stadt.example/bilder/bruecke-1.jpg"`, `https://stadt.example/bilder/bruecke-2-800.jpg 800w`} {
		if !strings.Contains(a.HTML, want) {
			t.Errorf("body lacks the story's picture %s:\n%s", want, a.HTML)
		}
	}
	for _, unwanted := range []string{"logo.png", "teaser.jpg", "pixel.gif", "data:image", "Foto: Stadt"} {
		if strings.Contains(a.HTML, unwanted) {
			t.Errorf("body holds %q:\n%s", unwanted, a.HTML)
		}
	}
	if i, j := strings.Index(a.HTML, "bruecke-1.jpg"), strings.Index(a.HTML, "zwölf Millionen"); i < 0 || j < 0 || i > j {
		t.Errorf("the first picture should sit between the first and second paragraphs:\n%s", a.HTML)
	}
	if strings.Contains(a.Text, "Entwurf") || strings.Contains(a.Text, "Foto") {
		t.Errorf("captions or alt text leaked into the text:\n%s", a.Text)
	}
}

func TestRestoreMarkup(t *testing.T) {
	page := `<html lang="en"><head><title>Bridge</title></head><body><article><h1>Bridge</h1>
<p><span class="dropcap">T</span>he council approved the <a href="/docs/plan.pdf">new bridge plan</a> on Tuesday, after a <em>long</em> debate that ran past midnight.</p>
<p>Costs are put at <strong>twelve million</strong> euros, according to the <a href="https://city.example/budget" onclick="evil()">budget office</a>, which published the figures.</p>
<p>Work starts in spring and is expected to last two years, with a detour through the industrial estate.</p>
</article></body></html>`
	a, err := New().Extract(context.Background(), []byte(page), "https://news.example/2024/bridge")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<a href="https://news.example/docs/plan.pdf"`, `<em>long</em>`, `<strong>twelve million</strong>`, `href="https://city.example/budget"`} {
		if !strings.Contains(a.HTML, want) {
			t.Errorf("body lacks %s:\n%s", want, a.HTML)
		}
	}
	if strings.Contains(a.HTML, "onclick") || strings.Contains(a.HTML, "span") {
		t.Errorf("restored markup not sanitized or wrappers kept:\n%s", a.HTML)
	}
	if !strings.Contains(a.Text, "The council approved the new bridge plan") {
		t.Errorf("text changed by the restored markup (drop cap split?):\n%s", a.Text)
	}
}
