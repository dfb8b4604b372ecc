package search

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Query limits: a longer query is refused with ErrTooLong, and words past
// MaxTerms are ignored (no reader types more; each costs the database an
// index lookup).
const (
	MaxQueryRunes = 500
	MaxTerms      = 16
)

// Errors of Parse.
var (
	// ErrEmpty: the query holds no word at all.
	ErrEmpty = errors.New("empty query: type one or more words")
	// ErrTooLong: the query is longer than MaxQueryRunes.
	ErrTooLong = fmt.Errorf("query too long: at most %d characters", MaxQueryRunes)
	// ErrOnlyStopWords: every word is too common to search for ("the", "und").
	ErrOnlyStopWords = errors.New("the query has only very common words, which are not searched for; add a more distinctive word")
)

// Query is a reader's query analysed in one language: every group must
// match; a group of one term is a word, of several a phrase whose terms
// must follow one another (stop words left out on both sides).
type Query struct {
	Lang   string
	Groups [][]string
}

// Parse reads a reader's query in language l: words, and phrases between
// double quotes ("…", “…”, „…“, «…»; an unclosed quote runs to the end).
// Nothing else has a meaning: characters that are syntax to FTS5 or
// tsquery (*, :, NEAR, parentheses) are word separators or plain words.
func Parse(l, raw string) (Query, error) {
	if utf8.RuneCountInString(raw) > MaxQueryRunes {
		return Query{}, ErrTooLong
	}
	a := NewAnalyzer(l)
	q := Query{Lang: a.lang}
	seen := map[string]bool{}
	n, words := 0, 0
	add := func(part string, phrase bool) {
		toks := a.Tokens(part)
		words += len(toks)
		var terms []string
		for _, t := range toks {
			if t.Term != "" && n < MaxTerms {
				terms = append(terms, t.Term)
				n++
			}
		}
		if len(terms) == 0 {
			return
		}
		if !phrase || len(terms) == 1 {
			for _, t := range terms {
				if !seen[t] {
					seen[t] = true
					q.Groups = append(q.Groups, []string{t})
				}
			}
			return
		}
		q.Groups = append(q.Groups, terms)
	}
	inPhrase := false
	start := 0
	for i, r := range raw {
		if !isQuote(r) {
			continue
		}
		add(raw[start:i], inPhrase)
		inPhrase = !inPhrase
		start = i + utf8.RuneLen(r)
	}
	add(raw[start:], inPhrase)
	switch {
	case words == 0:
		return Query{}, ErrEmpty
	case len(q.Groups) == 0:
		return Query{}, ErrOnlyStopWords
	}
	return q, nil
}

func isQuote(r rune) bool {
	switch r {
	case '"', '“', '”', '„', '«', '»':
		return true
	}
	return false
}

// Terms returns every term of the query once.
func (q Query) Terms() map[string]bool {
	m := map[string]bool{}
	for _, g := range q.Groups {
		for _, t := range g {
			m[t] = true
		}
	}
	return m
}

// String shows the analysed query, for logs and tests: phrases quoted.
func (q Query) String() string {
	parts := make([]string, len(q.Groups))
	for i, g := range q.Groups {
		if len(g) > 1 {
			parts[i] = `"` + strings.Join(g, " ") + `"`
		} else {
			parts[i] = g[0]
		}
	}
	return strings.Join(parts, " ")
}
