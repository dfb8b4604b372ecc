package search

import (
	"html"
	"strings"
)

// Highlighter marks a query's words in texts: each word of the text is
// analysed in the query's language and wrapped in <mark> when its term is
// one of the query's. The output is HTML: the text is escaped, and <mark>
// is the only markup added, so a hostile title stays text.
type Highlighter struct {
	a     *Analyzer
	terms map[string]bool
}

// Highlighter returns the highlighter of q.
func (q Query) Highlighter() *Highlighter {
	return &Highlighter{a: NewAnalyzer(q.Lang), terms: q.Terms()}
}

// Mark returns all of text, escaped, with the query's words marked.
func (h *Highlighter) Mark(text string) string {
	toks := h.a.Tokens(text)
	return h.render(text, toks, 0, len(text))
}

// Snippet returns about words words of text around its densest run of
// query words, escaped and marked, with "…" where text was cut. A text
// without a hit gives its beginning.
func (h *Highlighter) Snippet(text string, words int) string {
	toks := h.a.Tokens(text)
	if len(toks) == 0 {
		return ""
	}
	if words <= 0 {
		words = 30
	}
	if len(toks) <= words {
		return h.render(text, toks, 0, len(text))
	}
	// Slide a window of words tokens; keep the first with the most hits.
	hit := make([]int, len(toks)+1)
	for i, t := range toks {
		hit[i+1] = hit[i]
		if t.Term != "" && h.terms[t.Term] {
			hit[i+1]++
		}
	}
	best, bestN := 0, -1
	for i := 0; i+words <= len(toks); i++ {
		if n := hit[i+words] - hit[i]; n > bestN {
			best, bestN = i, n
		}
	}
	// Start a few words before the first hit, so it reads in context.
	if bestN > 0 {
		for j := best; j < best+words; j++ {
			if h.terms[toks[j].Term] {
				best = max(0, min(j-words/5, len(toks)-words))
				break
			}
		}
	}
	last := best + words - 1
	start, end := toks[best].Start, toks[last].End
	var b strings.Builder
	if best > 0 {
		b.WriteString("… ")
	}
	b.WriteString(h.render(text, toks[best:last+1], start, end))
	if last < len(toks)-1 {
		b.WriteString(" …")
	}
	return b.String()
}

// render escapes text[from:to] and marks the tokens (which lie inside it)
// whose terms are the query's.
func (h *Highlighter) render(text string, toks []Token, from, to int) string {
	var b strings.Builder
	pos := from
	for _, t := range toks {
		if t.Term == "" || !h.terms[t.Term] {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:t.Start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[t.Start:t.End]))
		b.WriteString("</mark>")
		pos = t.End
	}
	b.WriteString(html.EscapeString(text[pos:to]))
	return b.String()
}
