package aeb

import (
	"math/big"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ShingleSize is the benchmark's n-gram length.
const ShingleSize = 4

// Result is the benchmark's summary for one extractor.
type Result struct {
	F1        float64 // 2PR/(P+R) of the two means below
	Precision float64 // mean per-page precision over pages with TP+FP > 0
	Recall    float64 // mean per-page recall over pages with TP+FN > 0
	Accuracy  float64 // share of pages whose token lists equal the truth's
	Pages     int     // pages scored (the truth's pages)
	Errors    int     // extraction failures, scored as empty (set by Run only)
	// PerPage holds every page's score, sorted by ID, for page-level
	// comparisons between extractors.
	PerPage []PageScore
}

// PageScore is one page's shingle match. TP, FP and FN are normalised to sum
// to 1 (all zero when both texts have no tokens) so every page weighs the same.
type PageScore struct {
	ID                string
	TP, FP, FN        float64
	Precision, Recall float64
	Exact             bool // token lists are identical
}

// isWord reports whether r belongs to Python 3's str-pattern \w: the
// alphanumerics by str.isalnum (categories L* and N*) plus '_'. Combining
// marks are deliberately not included, so "nai\u0308ve" splits into two
// tokens exactly as upstream does.
func isWord(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

// Tokens returns every match of \w+ in s with Python 3 re semantics, without
// case folding. Tokens are substrings of s. Invalid UTF-8 bytes separate
// tokens, as the replacement character is not a word character.
func Tokens(s string) []string {
	var toks []string
	start := -1
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if isWord(r) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			toks = append(toks, s[start:i])
			start = -1
		}
		i += w
	}
	if start >= 0 {
		toks = append(toks, s[start:])
	}
	return toks
}

// shingles counts the runs of ShingleSize consecutive tokens. Fewer tokens
// make one shorter shingle, none make none, as upstream's _ngrams does. The
// key joins tokens with a space, which no token can contain.
func shingles(toks []string) map[string]int {
	m := make(map[string]int)
	if len(toks) == 0 {
		return m
	}
	if len(toks) < ShingleSize {
		m[strings.Join(toks, " ")]++
		return m
	}
	for i := 0; i+ShingleSize <= len(toks); i++ {
		m[strings.Join(toks[i:i+ShingleSize], " ")]++
	}
	return m
}

// Match scores one predicted body against its true body.
func Match(truth, pred string) PageScore {
	tt, pt := Tokens(truth), Tokens(pred)
	ts, ps := shingles(tt), shingles(pt)
	var tp, fp, fn int
	for k, t := range ts {
		p := ps[k]
		tp += min(t, p)
		fn += max(0, t-p)
		fp += max(0, p-t)
	}
	for k, p := range ps {
		if _, ok := ts[k]; !ok {
			fp += p
		}
	}
	s := PageScore{TP: float64(tp), FP: float64(fp), FN: float64(fn), Exact: equalTokens(tt, pt)}
	// Upstream normalises first and then takes ratios of the normalised
	// values; doing the same keeps the last bits identical.
	if sum := s.TP + s.FP + s.FN; sum > 0 {
		s.TP, s.FP, s.FN = s.TP/sum, s.FP/sum, s.FN/sum
	}
	s.Precision = precisionScore(s.TP, s.FP, s.FN)
	s.Recall = precisionScore(s.TP, s.FN, s.FP) // recall is precision with FP and FN swapped
	return s
}

// precisionScore follows upstream: a perfect page scores 1 even though it may
// have no shingles at all, and a page with nothing predicted scores 0.
func precisionScore(tp, fp, fn float64) float64 {
	switch {
	case fp == 0 && fn == 0:
		return 1
	case tp == 0 && fp == 0:
		return 0
	}
	return tp / (tp + fp)
}

func equalTokens(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Score rates pred against truth over truth's pages. A page missing from
// pred counts as an empty prediction (upstream refuses such files instead);
// pages in pred but not in truth are ignored. With no page to average, a
// mean (and F1) is 0 rather than upstream's exception.
func Score(truth, pred map[string]string) Result {
	ids := make([]string, 0, len(truth))
	for id := range truth {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	res := Result{Pages: len(ids), PerPage: make([]PageScore, 0, len(ids))}
	var prec, rec, acc exactMean
	for _, id := range ids {
		s := Match(truth[id], pred[id])
		s.ID = id
		res.PerPage = append(res.PerPage, s)
		if s.TP+s.FP > 0 {
			prec.add(s.Precision)
		}
		if s.TP+s.FN > 0 {
			rec.add(s.Recall)
		}
		if s.Exact {
			acc.add(1)
		} else {
			acc.add(0)
		}
	}
	res.Precision, res.Recall, res.Accuracy = prec.mean(), rec.mean(), acc.mean()
	if d := res.Precision + res.Recall; d > 0 {
		res.F1 = 2 * res.Precision * res.Recall / d
	}
	return res
}

// exactMean sums floats without rounding and rounds the mean once, which is
// what Python's statistics.mean does (it sums as fractions); this makes the
// result independent of page order and identical to upstream's.
type exactMean struct {
	sum big.Rat
	n   int64
}

func (m *exactMean) add(x float64) {
	var r big.Rat
	r.SetFloat64(x)
	m.sum.Add(&m.sum, &r)
	m.n++
}

func (m *exactMean) mean() float64 {
	if m.n == 0 {
		return 0
	}
	var q big.Rat
	q.Quo(&m.sum, new(big.Rat).SetInt64(m.n))
	f, _ := q.Float64()
	return f
}
