package extract

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Trafilatura keeps most chrome out, but not all of it: disclaimers and
// "share this" blocks sit inside the article container, and a lone "Werbung"
// label looks like a paragraph. Two passes close the gap, neither tied to a
// site or to one language:
//
//   - before extraction, containers whose class or id names them as chrome
//     (share, newsletter, ad, related, disclaimer, ...) are removed, as long
//     as they do not hold most of the page's text (a <body class="ads-on">
//     must not take the article with it);
//   - after extraction, short blocks that consist only of a chrome phrase in
//     one of the major European languages, and short link lists, are dropped.

// chromeTokens are class/id words that name page furniture. Matching is on
// whole words (split at "-", "_" and spaces) so "head" never matches "ad".
// Words page builders put on every wrapper ("widget" in Elementor, "banner",
// "print") are deliberately absent.
var chromeTokens = map[string]bool{
	"share": true, "sharing": true, "sharer": true, "shares": true, "social": true,
	"soc": true, "sociallinks": true, "newsletter": true, "subscribe": true,
	"subscription": true, "signup": true, "consent": true, "cookie": true,
	"cookies": true, "gdpr": true, "ad": true, "ads": true, "advert": true,
	"advertisement": true, "adsbygoogle": true, "adslot": true, "sponsor": true,
	"sponsored": true, "promo": true, "related": true, "trending": true,
	"popular": true, "recommended": true, "disclaimer": true, "outbrain": true,
	"taboola": true, "breadcrumb": true, "breadcrumbs": true, "sidebar": true,
	"paywall": true, "donate": true, "donation": true, "toolbar": true,
	"comment": true, "comments": true,
	"disqus": true,
}

// overlayTokens are class/id words of overlays shown on hover over a name
// or a term: a card of that person's other stories, a definition.
var overlayTokens = map[string]bool{
	"tooltip": true, "tooltips": true, "popover": true, "rollover": true, "hovercard": true,
}

func hasClassWord(n *html.Node, words map[string]bool) bool {
	for _, a := range n.Attr {
		if a.Namespace != "" || a.Key != "class" && a.Key != "id" || a.Val == "" {
			continue
		}
		if hasClassWordIn(a.Val, words) {
			return true
		}
	}
	return false
}

// pruneOverlays removes hover overlays from the text they sit in. An
// overlay is marked up as a trigger holding the overlay ("<span
// class=rollover><a>Name</a><span class=rollover-block>…</span></span>"):
// the innermost overlay-named element below another is the overlay, and its
// text (the person's other headlines) would run into the sentence. The
// trigger link ("rollover-link"), and an overlay-named element on its own,
// stay: they carry the sentence's own words.
func pruneOverlays(doc *html.Node) {
	var drop []*html.Node
	var rec func(n *html.Node, under bool) bool
	rec = func(n *html.Node, under bool) (found bool) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode || invisibleElements[c.Data] {
				continue
			}
			is := hasClassWord(c, overlayTokens)
			below := rec(c, under || is)
			if is && under && !below && c.Data != "a" {
				drop = append(drop, c)
			}
			found = found || is || below
		}
		return found
	}
	rec(doc, false)
	for _, n := range drop {
		remove(n)
	}
}

// neverPruned are the structural elements a stray class must not remove.
var neverPruned = map[string]bool{"html": true, "head": true, "body": true, "main": true, "article": true}

// hasClassWordIn reports whether one of val's class words is in words.
func hasClassWordIn(val string, words map[string]bool) bool {
	return anyClassWord(val, func(w string) bool { return words[w] })
}

// anyClassWord calls fn with val's class words, its lower-cased runs of a-z
// and 0-9, until fn returns true, and reports whether it did. The words are
// strings.FieldsFunc's over strings.ToLower(val), found without the slice
// FieldsFunc makes (class words are looked up on every element of a page in
// several passes): in the lowered text every byte of a non-ASCII rune is
// 0x80 or above, a separator as the rune is.
func anyClassWord(val string, fn func(string) bool) bool {
	lower := strings.ToLower(val) // val itself when it has no upper case
	start := -1
	for i := 0; i <= len(lower); i++ {
		if i < len(lower) {
			if c := lower[i]; c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
				if start < 0 {
					start = i
				}
				continue
			}
		}
		if start >= 0 {
			if fn(lower[start:i]) {
				return true
			}
			start = -1
		}
	}
	return false
}

func isChrome(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Namespace != "" || a.Key != "class" && a.Key != "id" || a.Val == "" {
			continue
		}
		if hasClassWordIn(a.Val, chromeTokens) {
			return true
		}
	}
	return false
}

// pruneChrome removes chrome containers from the page before extraction.
func pruneChrome(doc *html.Node, st textStats) {
	body := findFirst(doc, "body")
	if body == nil {
		return
	}
	total, prose := st[body].text, st[body].prose
	walk(body, func(n *html.Node) bool {
		if neverPruned[n.Data] || !isChrome(n) {
			return true
		}
		// A layout class ("page-content with-sidebar") names what sits
		// beside the story, not the wrapper itself: a container holding
		// most of the page's paragraphs is where the story is, however
		// large the menus around it make the page's other text.
		if st[n].text*3 > total || st[n].prose*2 > prose {
			return true
		}
		// A wrapper left empty ("sideItems" around "related") would be
		// an empty block in the story; trafilatura then judges the
		// container by it and may prefer a fallback's larger guess.
		p := n.Parent
		remove(n)
		for p != nil && p.Type == html.ElementNode && !neverPruned[p.Data] && isEmptyBlock(p) {
			next := p.Parent
			remove(p)
			p = next
		}
		return false
	})
}

// freeQuotes takes the class and id off blockquotes and off the wrappers
// that hold nothing but one. A blockquote is what the story quotes: a
// statement, a pull quote, an embedded post ("twitter-tweet" in a
// "social-media-embed" wrapper). Its class names the platform it came from,
// which to trafilatura and to the chrome rules reads like a share bar, and
// the quotation was lost with it.
func freeQuotes(doc *html.Node, st textStats) {
	walk(doc, func(n *html.Node) bool {
		if n.Data != "blockquote" {
			return true
		}
		own := st[n].text
		for a := n; a != nil && a.Type == html.ElementNode && !neverPruned[a.Data]; a = a.Parent {
			if a != n && st[a].text != own {
				break
			}
			removeAttr(a, "class")
			removeAttr(a, "id")
		}
		return false
	})
}

// isEmptyBlock reports whether n shows nothing: no text, no image, no
// media. It stops at the first thing it finds, as wrappers can be large.
func isEmptyBlock(n *html.Node) bool {
	var rec func(*html.Node) bool
	rec = func(n *html.Node) bool {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				if strings.TrimSpace(c.Data) != "" {
					return false
				}
			case html.ElementNode:
				switch c.Data {
				case "img", "picture", "video", "audio", "iframe", "embed", "object", "svg":
					return false
				}
				if !invisibleElements[c.Data] && !rec(c) {
					return false
				}
			}
		}
		return true
	}
	return rec(n)
}

// chromePhrase matches a whole block that is only a chrome label. Keep each
// alternative a phrase a real sentence would not consist of on its own.
var chromePhrase = regexp.MustCompile(`^(` +
	// share
	`share|share this( article| story| post| page)?|teilen|teile diesen artikel|diesen artikel teilen|artikel teilen|` +
	`partager|partager cet article|partagez cet article|compartir|compartir este artículo|comparte este artículo|compartir esta noticia|` +
	`udostępnij|udostępnij artykuł|udostępnij ten artykuł|podziel się|condividi|condividi questo articolo|condividi l'articolo|` +
	// ads
	`ad|advertisement|advertising|sponsored|anzeige|werbung|publicité|publicite|publicidad|reklama|pubblicità|pubblicita|` +
	`annonce|sponsorisé|patrocinado|sponsorowane|artykuł sponsorowany|` +
	// related, trending
	`trending|trending now|most read|most popular|read more|read also|related|related articles|related stories|more on this|` +
	`don't miss|don’t miss|nicht verpassen|à ne pas manquer|a ne pas manquer|no te pierdas|no te lo pierdas|da non perdere|nie przegap|` +
	`im trend|meistgelesen|lesen sie auch|lesen sie mehr|mehr zum thema|das könnte sie auch interessieren|weitere artikel|` +
	`tendances|à lire aussi|a lire aussi|lire aussi|voir aussi|sur le même sujet|les plus lus|` +
	`tendencias|leer más|lea también|lee también|te puede interesar|noticias relacionadas|lo más leído|` +
	`popularne|czytaj też|czytaj także|czytaj więcej|zobacz też|zobacz także|najczęściej czytane|` +
	`tendenze|leggi anche|potrebbe interessarti|articoli correlati|più letti|i più letti|` +
	// reader tools
	`print|drucken|imprimer|imprimir|stampa|drukuj|copy link|link kopieren|copier le lien|copiar enlace|copia link|kopiuj link|` +
	`merken|zur merkliste|artikel merken|artikel vorlesen lassen|vorlesen|audio abspielen|listen to this article|écouter cet article|` +
	`escuchar|ascolta|posłuchaj|kommentieren|zu den kommentaren|kommentare anzeigen|view comments|show comments|ver comentarios|` +
	`commenti|komentarze|weiterlesen|mehr anzeigen|show more|lire la suite|seguir leyendo|continua a leggere|czytaj dalej|` +
	`zur startseite|back to top|nach oben|skip ad|continue reading|` +
	// follow / connect
	`follow us|connect with us|folgen sie uns|vernetzen sie sich mit uns|suivez-nous|suivez nous|síguenos|siguenos|obserwuj nas|seguici|` +
	// bare dateline labels left behind by a removed date
	`published|published on|posted on|veröffentlicht|veröffentlicht am|on|publié le|publicado|opublikowano|pubblicato|` +
	// newsletter calls
	`newsletter|sign up|subscribe|abonnieren|s'abonner|abonnez-vous|suscríbete|zapisz się|iscriviti` +
	`)\s*[:.!…»›>|-]*$`)

// consentNotice matches the legal line under newsletter forms: it speaks of
// consent and of unsubscribing, which an article paragraph almost never does
// in the same short breath.
var (
	unsubscribeWord = substrings{"unsubscribe", "opt out", "abmelden", "abbestellen", "désabonner", "desabonner", "désinscrire", "darse de baja", "darte de baja", "cancelar la suscripción", "wypisać", "zrezygnować", "disiscriver", "cancellarti"}
	consentWord     = substrings{"consent", "zugestimmt", "einwilligung", "consenti", "consentimiento", "consentido", "zgod", "consenso", "acconsentito"}
	// disclaimers distance the publisher from what it publishes.
	disclaimerWord = substrings{"not necessarily those", "not necessarily the views", "not necessarily reflect", "nicht unbedingt die", "nicht zwangsläufig die", "ne reflètent pas nécessairement", "ne sont pas nécessairement", "no reflejan necesariamente", "no son necesariamente", "niekoniecznie", "non riflettono necessariamente", "non sono necessariamente"}
)

var (
	// datelineStart begins a line that dates the page ("Updated at 1:23
	// p.m.", "Aktualisiert: 12.03.2024, 10:15 Uhr"), never a sentence of
	// the story; the line is dropped only when it holds a date or a time
	// ("Stand heute gibt es 12 Fälle" is prose).
	datelineStart = regexp.MustCompile(`^(published|updated|last updated|posted|veröffentlicht|aktualisiert|zuletzt aktualisiert|stand|erstellt|publié|mis à jour|modifié|publicado|actualizado|pubblicato|aggiornato|opublikowano|zaktualizowano|gepubliceerd|bijgewerkt)([\s:,.]|$)`)
	// chromeSentence holds phrases of the notices pages put inside the
	// article container: consent gates for embedded content (everywhere on
	// German sites since the GDPR), paywall calls, "story continues below"
	// ad markers. No story sentence uses them, and blocks are short.
	chromeSentence = substrings{
		"empfohlener redaktioneller inhalt",
		"exklusiv für abonnenten", "weiterlesen mit plus", "jetzt weiterlesen", "réservé aux abonnés",
		"exclusivo para suscriptores", "suscríbete para seguir leyendo", "riservato agli abbonati",
		"dla prenumeratorów", "dostępny dla subskrybentów", "subscribers only", "subscribe to continue reading",
		"story continues below", "article continues below", "continue reading below", "der artikel wird unterhalb",
		"artikel geht unter der anzeige weiter", "weiter nach der anzeige", "la suite après cette publicité",
		"l'article continue après", "continúa después de la publicidad", "continua dopo la pubblicità",
		"dalsza część artykułu pod", "treść dalszej części artykułu",
	}
	// externalContent and gateWord together make the consent gate of an
	// embed ("An dieser Stelle finden Sie externe Inhalte … Ich bin damit
	// einverstanden …"); either alone is ordinary prose.
	externalContent = substrings{
		"externe inhalte", "externer inhalt", "externen inhalt", "inhalte von drittanbietern",
		"contenu externe", "contenus externes", "contenido externo", "contenuto esterno",
		"treści zewnętrzne", "third-party content", "external content",
	}
	gateWord = substrings{
		"einverstanden", "zustimm", "aktivier", "anzeigen", "laden", "datenschutz", "cookie",
		"accept", "consent", "autoris", "acepta", "activa", "accett", "consenso", "zgod", "akceptuj",
	}
	// dateShape is a date or a time of day in a dateline: 12.03.2024,
	// 2024-03-12, 10:15, 10h15, or a year.
	dateShape = regexp.MustCompile(`\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}[:h]\d{2}|(^|\D)(19|20)\d{2}(\D|$)`)
	// relatedPrefix opens a promo for another story set between a story's
	// paragraphs: a "read more" label, a colon, and the other headline
	// ("READ MORE: …", "Lesen Sie auch: …", "(Leggi anche su: …)"). A label
	// without a headline after it ("See more photos:") introduces what
	// follows and stays.
	relatedPrefix = regexp.MustCompile(`^[(\[]?\s*(read more|see more|read also|also read|related|more on this|lesen sie auch|lesen sie mehr|mehr zum thema|auch interessant|lire aussi|à lire aussi|a lire aussi|lire également|voir aussi|leer más|lea también|lee también|ver también|te puede interesar|leggi anche|leggi anche su|potrebbe interessarti|czytaj też|czytaj także|czytaj więcej|zobacz też|zobacz także|przeczytaj też|przeczytaj także)\s*[:|»›]\s*\S`)
	// bareURL is a block that is only an address (a "permalink" line).
	bareURL = regexp.MustCompile(`^(https?://|www\.)\S+$`)
	// followWord and socialNetwork together make a "follow us" line.
	followWord    = substrings{"follow us", "follow me", "follow him", "follow her", "follow them", "follow @", "folgen sie uns", "folgen sie mir", "folge uns", "folgt uns", "suivez-nous", "suivez nous", "suivez-moi", "síguenos", "siguenos", "sígueme", "seguici", "seguimi", "obserwuj nas", "obserwuj", "volg ons", "like us on", "join us on"}
	socialNetwork = substrings{"facebook", "twitter", "instagram", "youtube", "linkedin", "tiktok", "telegram", "whatsapp", "mastodon", "threads", "bluesky"}
	// shareCall asks the reader to pass the story on ("Like this story?
	// Share it with a friend!"); a story does not talk about itself so.
	shareCall = substrings{
		"share it with a friend", "share it with your friends", "share this story", "share this article",
		"share with your friends", "share with a friend", "teilen sie diesen artikel", "partagez cet article",
		"comparte esta noticia", "comparte este artículo", "condividi questo articolo", "udostępnij ten artykuł",
	}
	// postedBy labels a byline that also dates the post ("05/10/2018 -
	// Posted by: Jane Roe - Category: Health"); with a date in the same
	// short block it is the post's header or footer, never a sentence.
	postedBy = substrings{
		"posted by", "published by", "veröffentlicht von", "geschrieben von", "publié par", "publicado por",
		"pubblicato da", "opublikowane przez", "dodane przez",
	}
	// tagsLabel opens a block listing the post's tags ("Tags: …",
	// "Schlagwörter: …").
	tagsLabel = regexp.MustCompile(`^(tags|schlagwörter|schlagworte|stichwörter|themen|étiquettes|mots-clés|etiquetas|palabras clave|tagi|słowa kluczowe)(\s*[:|]|$)`)
	// subscribeCall opens a call to subscribe to the publication.
	subscribeCall = regexp.MustCompile(`^(subscribe to|abonnieren sie|abonnez-vous à|abonnez-vous au|suscríbete a|suscríbase a|abbonati a|abbonati al|zasubskrybuj|zaprenumeruj)\s`)
	// signUpWord with "newsletter" makes a newsletter call.
	signUpWord = substrings{"subscribe", "sign up", "signup", "inbox", "abonnieren", "abonnez", "abonnez-vous", "anmelden", "jetzt bestellen", "inscrivez", "inscríbete", "suscríbete", "suscribirte", "iscriviti", "zapisz się", "zamów"}
)

// leafBlocks are the elements trafilatura emits as text blocks.
var leafBlocks = map[string]bool{
	"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"li": true, "div": true, "blockquote": true, "figcaption": true, "pre": true,
	"span": true, "summary": true,
}

// isChromeBlock decides whether one extracted block is boilerplate.
func isChromeBlock(n *html.Node) bool {
	// The phrase patterns are lower case: (?i) would cost Go's regexp its
	// literal-prefix search, and this runs on every extracted block.
	t := strings.ToLower(textOf(n))
	l := utf8.RuneCountInString(t)
	if l == 0 {
		return false
	}
	if l <= 300 && chromeSentence.in(t) {
		return true
	}
	if l <= 400 && externalContent.in(t) && gateWord.in(t) {
		return true
	}
	if l <= 200 && relatedPrefix.MatchString(t) {
		return true
	}
	if l <= 300 && bareURL.MatchString(t) {
		return true
	}
	if l <= 100 && datelineStart.MatchString(t) && dateShape.MatchString(t) {
		return true
	}
	// "Follow Newsbeat on Instagram": an imperative opening the block.
	if l <= 300 && (strings.HasPrefix(t, "follow ") || followWord.in(t)) && socialNetwork.in(t) {
		return true
	}
	if l <= 200 && postedBy.in(t) && dateShape.MatchString(t) {
		return true
	}
	if l <= 300 && tagsLabel.MatchString(t) {
		return true
	}
	if l <= 120 && shareCall.in(t) {
		return true
	}
	if l <= 150 && subscribeCall.MatchString(t) {
		return true
	}
	if l <= 300 && strings.Contains(t, "newsletter") && signUpWord.in(t) {
		return true
	}
	if l <= 80 && chromePhrase.MatchString(t) {
		return true
	}
	if l <= 400 && unsubscribeWord.in(t) && consentWord.in(t) {
		return true
	}
	if l <= 400 && disclaimerWord.in(t) {
		return true
	}
	return false
}

// cleanExtracted removes chrome blocks and link-list blocks from
// trafilatura's output, then drops the headline and any short kicker lines
// (section label, breadcrumb) above it.
func cleanExtracted(root *html.Node, title string) {
	walk(root, func(n *html.Node) bool {
		switch {
		case n.Data == "ul" || n.Data == "ol":
			// Lists that are nothing but links are "related"/"share" lists.
			if t := len(textOf(n)); t > 0 && linkTextLen(n)*10 >= t*9 {
				remove(n)
				return false
			}
		case leafBlocks[n.Data] && !hasBlockChild(n):
			if isChromeBlock(n) {
				remove(n)
			}
			return false
		}
		return true
	})
	dropKickerAndTitle(root, title)
	trimTail(root)
}

// dropKickerAndTitle removes the headline when it is one of the first blocks,
// and the short lines above it: what comes before a page's own headline is
// furniture (section label, "Home > World"), never the story.
func dropKickerAndTitle(root *html.Node, title string) {
	want := normTitle(title)
	if want == "" {
		return
	}
	var blocks []*html.Node
	walk(root, func(n *html.Node) bool {
		if len(blocks) >= 5 {
			return false
		}
		if (leafBlocks[n.Data] && !hasBlockChild(n)) || n.Data == "img" {
			blocks = append(blocks, n)
			return false
		}
		return true
	})
	for i, b := range blocks {
		got := normTitle(textOf(b))
		// A heading may restate the title loosely; a plain block only
		// counts when it is the title word for word (pages without an
		// <h1> set the headline in a styled <p> or <div>).
		if !(strings.HasPrefix(b.Data, "h") && sameTitle(got, want) || got == want) {
			continue
		}
		for _, k := range blocks[:i] {
			if k.Data != "img" && utf8.RuneCountInString(textOf(k)) > 80 {
				return
			}
		}
		for _, k := range blocks[:i+1] {
			if k.Data != "img" {
				remove(k)
			}
		}
		return
	}
}

// maxTailWords bounds the stray labels trimTail removes: "Report Error",
// "More from Sci-Tech", "Join the conversation…" are a few words; the last
// line of a story, even a terse one, is a sentence.
const maxTailWords = 6

var endsSentence = regexp.MustCompile(`[.!?;。！？"'»”)]\s*$`)

// trimTail removes what trails the last paragraph of prose: headings with
// nothing under them and short unpunctuated labels. Extraction containers
// usually end where the story's widgets (report, related, discuss) begin,
// and those widgets leave exactly such lines behind, in every language.
func trimTail(root *html.Node) {
	for {
		last := lastTextBlock(root)
		if last == nil {
			return
		}
		t := textOf(last)
		if !isHeading(last) && (len(strings.Fields(t)) > maxTailWords || endsSentence.MatchString(t) || isListItem(last)) {
			return
		}
		remove(last)
	}
}

// isListItem reports whether n is an item of a list the story ends with
// (results, dates, a checklist): short and unpunctuated like a label, but
// set as one of several items of the same list.
func isListItem(n *html.Node) bool {
	if n.Data != "li" || n.Parent == nil {
		return false
	}
	items := 0
	for c := n.Parent.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "li" {
			items++
		}
	}
	return items >= 3
}

// lastTextBlock returns the last leaf block below n that holds text,
// searching from the end so that trimming a long body stays linear.
func lastTextBlock(n *html.Node) *html.Node {
	for c := n.LastChild; c != nil; c = c.PrevSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if leafBlocks[c.Data] && !hasBlockChild(c) {
			if textOf(c) != "" {
				return c
			}
			continue
		}
		if b := lastTextBlock(c); b != nil {
			return b
		}
	}
	return nil
}

// sameTitle reports whether a heading restates the title: equal, or the
// same words give or take a few — the <title>, og:title and the visible
// headline are edited separately and drift apart ("Milan Design Week 2018 |
// Anastassiades' light installation" against "… | Michael Anastassiades'
// light installation"). Both sides must share 80% of their words.
func sameTitle(heading, title string) bool {
	if heading == title {
		return true
	}
	hw, tw := strings.Fields(heading), strings.Fields(title)
	if len(hw) < 3 || len(tw) < 3 {
		return false
	}
	in := func(words []string, set []string) int {
		m := make(map[string]bool, len(set))
		for _, w := range set {
			m[w] = true
		}
		n := 0
		for _, w := range words {
			if m[w] {
				n++
			}
		}
		return n
	}
	return in(hw, tw)*5 >= len(hw)*4 && in(tw, hw)*5 >= len(tw)*4
}

// minHeadlineRun is how many linked headlines in a row make a list of
// teasers. One linked line in a story may be a source or a "see also"; three
// siblings that are nothing but a link each are a related/most-read block,
// whatever the page calls its classes and in whatever language.
const minHeadlineRun = 3

// isLinkedHeadline reports whether n is a teaser: all its text is link text,
// a headline's length, without the full stop of prose.
func isLinkedHeadline(n *html.Node, st textStats) bool {
	// Only blocks are teasers: links and other inline runs are how prose
	// cites its sources.
	if !blockElements[n.Data] {
		return false
	}
	// The counts rule out almost every element before any text is built.
	c := st[n]
	if c.text < 8 || c.text > 300 || c.link*20 < c.text*19 {
		return false
	}
	t := textOf(n)
	words := len(strings.Fields(t))
	if words < 2 || words > 30 {
		return false
	}
	return !strings.HasSuffix(t, ".") || words <= 12
}

// pruneHeadlineRuns removes runs of linked headlines (teaser lists) from the
// page before extraction: trafilatura is run without links, so afterwards
// such a list looks like a column of short paragraphs.
func pruneHeadlineRuns(doc *html.Node, st textStats) {
	var drop []*html.Node
	walk(doc, func(n *html.Node) bool {
		// Linked paragraphs count wherever they sit among their siblings:
		// "READ MORE: <a>…</a>" promos are scattered between a story's
		// paragraphs. Linked headings only count in a row: between
		// paragraphs they are the story's own subheads (a gift guide's
		// product names).
		var lines, run []*html.Node
		flush := func() {
			if len(run) >= minHeadlineRun {
				drop = append(drop, run...)
			}
			run = run[:0]
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode && strings.TrimSpace(c.Data) == "", c.Type == html.CommentNode:
				// between siblings of a list
			case c.Type == html.ElementNode && isLinkedHeadline(c, st):
				run = append(run, c)
				if !isHeading(c) {
					lines = append(lines, c)
				}
			default:
				flush()
			}
		}
		flush()
		if len(lines) >= minHeadlineRun {
			drop = append(drop, lines...)
		}
		return true
	})
	for _, n := range drop {
		remove(n) // a node listed twice is detached once; remove ignores the second
	}
}

func isHeading(n *html.Node) bool {
	return len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6'
}

// captionWords are class and id words of image captions and credits.
var captionWords = map[string]bool{
	"caption": true, "captions": true, "figcaption": true, "credit": true, "credits": true,
	"bildunterschrift": true, "bildtext": true, "bildnachweis": true, "legende": true, "legend": true,
	"didascalia": true, "pie": true, "podpis": true,
}

// pruneCaptions removes figures and image captions before extraction. The
// body is extracted without images, so a caption left behind is a sentence
// about a picture the reader cannot see; worse, the fallback extractors keep
// captions, and the extra length can make trafilatura prefer their larger,
// noisier container over its own.
func pruneCaptions(doc *html.Node, st textStats) {
	body := findFirst(doc, "body")
	if body == nil {
		return
	}
	total := st[body].text
	walk(body, func(n *html.Node) bool {
		switch n.Data {
		case "figcaption":
			remove(n)
			return false
		case "figure":
			// The picture stays for restoreImages; any text in the
			// figure is its caption or credit.
			dropText(n)
			return false
		case "html", "head", "body", "main", "article":
			return true
		}
		for _, a := range n.Attr {
			if a.Namespace != "" || a.Key != "class" && a.Key != "id" {
				continue
			}
			// A wrapper named "has-caption" must not take the story
			// with it.
			if hasClassWordIn(a.Val, captionWords) && st[n].text*3 <= total {
				remove(n)
				return false
			}
		}
		return true
	})
}

// textCount is an element's visible text length (bytes, whitespace runs
// counted as one), the part of it inside links, and the part inside
// paragraphs (<p>) outside links: the prose.
type textCount struct{ text, link, prose int }

// textStats holds the counts of every element, computed bottom-up in one
// pass so that the pre-extraction passes need not re-read subtrees (which
// made them quadratic in the depth of the page).
type textStats map[*html.Node]textCount

func countText(doc *html.Node) textStats {
	st := textStats{}
	st.recount(doc)
	return st
}

// recount is countText into st, emptied first: a page is counted again
// after each pruning pass, and the map made for the whole page holds the
// pruned page's counts without growing anew.
func (st textStats) recount(doc *html.Node) {
	clear(st)
	var rec func(n *html.Node, inLink, inP bool) textCount
	rec = func(n *html.Node, inLink, inP bool) textCount {
		var c textCount
		for k := n.FirstChild; k != nil; k = k.NextSibling {
			switch k.Type {
			case html.TextNode:
				l := collapsedLen(k.Data)
				c.text += l
				if inLink {
					c.link += l
				} else if inP {
					c.prose += l
				}
			case html.ElementNode:
				if invisibleElements[k.Data] {
					continue
				}
				kc := rec(k, inLink || k.Data == "a", inP || k.Data == "p")
				c.text += kc.text
				c.link += kc.link
				c.prose += kc.prose
			}
		}
		if n.Type == html.ElementNode {
			st[n] = c
		}
		return c
	}
	rec(doc, false, false)
}

// substrings is a set of lower-case phrases searched for as substrings.
// strings.Contains is several times faster than a regexp alternation here,
// and these checks run on every extracted block.
type substrings []string

func (ss substrings) in(t string) bool {
	for _, s := range ss {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// collapsedLen is len(strings.Join(strings.Fields(s), " ")) plus one for
// the space to the next text, without building either string.
func collapsedLen(s string) int {
	n, inWord := 0, false
	for i := 0; i < len(s); i++ {
		if isSpaceByte(s[i]) || s[i] == '\v' {
			if inWord {
				n++ // the space after the word
			}
			inWord = false
			continue
		}
		n++
		inWord = true
	}
	if inWord {
		n++
	}
	return n
}

// dropText removes every text node below n.
func dropText(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		switch c.Type {
		case html.TextNode:
			n.RemoveChild(c)
		case html.ElementNode:
			dropText(c)
		}
		c = next
	}
}
