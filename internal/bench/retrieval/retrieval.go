// Package retrieval measures search: known-item retrieval (MRR@10 of a
// query made of a page's own distinctive words) and query latency over a
// large synthetic corpus, on any store.Store, through the same analysis
// (package search) and index (store.SearchStore) the site uses.
package retrieval

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"spektrum/internal/search"
	"spektrum/internal/store"
)

// Doc is one article to index.
type Doc struct {
	Title, Text string
	Published   time.Time
}

// Index stores docs as articles of one new source and indexes each in
// edition lang as the pipeline's search stage does (every field analysed
// in the edition's language). workers > 1 indexes in parallel. It returns
// the article ids in docs' order and the time it took.
func Index(ctx context.Context, st store.Store, lang string, docs []Doc, workers int, progress func(int)) ([]int64, time.Duration, error) {
	src := &store.Source{URL: fmt.Sprintf("https://bench.example/%d/feed", time.Now().UnixNano()), Name: "bench",
		Kind: store.KindFeed, Enabled: true, PollInterval: time.Hour, Language: lang}
	if err := st.CreateSource(ctx, src); err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(docs))
	start := time.Now()
	var mu sync.Mutex
	var firstErr error
	done := 0
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				d := docs[i]
				a := &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://bench.example/a/%d", i), Title: d.Title,
					Text: d.Text, HTML: "<p>" + d.Text + "</p>", Language: lang, PublishedAt: d.Published}
				_, err := st.UpsertArticle(ctx, a)
				if err == nil {
					title, body := search.Fields(lang, a.Title, a.Summary+"\n"+a.Text)
					err = st.PutSearchDocs(ctx, a.ID, []store.SearchDoc{{Lang: lang, Title: title, Body: body}})
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				ids[i] = a.ID
				done++
				if progress != nil && done%1000 == 0 {
					progress(done)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range docs {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return ids, time.Since(start), firstErr
}

// KnownItemQueries makes, for each doc, the known-item query: the
// 3 words the doc uses most among those that occur in 2 to 8 of the docs
// (words folded and lower-cased, not stemmed; ties by the word). A doc
// with fewer such words gets what it has; one with none gets "".
func KnownItemQueries(docs []Doc) []string {
	plain := search.NewAnalyzer("") // folds and lower-cases only
	counts := make([]map[string]int, len(docs))
	df := map[string]int{}
	for i, d := range docs {
		m := map[string]int{}
		for _, w := range plain.Terms(d.Title + "\n" + d.Text) {
			m[w]++
		}
		counts[i] = m
		for w := range m {
			df[w]++
		}
	}
	out := make([]string, len(docs))
	for i, m := range counts {
		var cand []string
		for w := range m {
			if df[w] >= 2 && df[w] <= 8 {
				cand = append(cand, w)
			}
		}
		sort.Slice(cand, func(a, b int) bool {
			if m[cand[a]] != m[cand[b]] {
				return m[cand[a]] > m[cand[b]]
			}
			return cand[a] < cand[b]
		})
		out[i] = strings.Join(cand[:min(3, len(cand))], " ")
	}
	return out
}

// MRR runs each query (relevance order, top 10) and returns the mean
// reciprocal rank of the doc it was made from (0 for a miss or an empty
// query), and how many queries found their doc first.
func MRR(ctx context.Context, st store.Store, lang string, ids []int64, queries []string) (mrr float64, first int, err error) {
	var sum float64
	for i, q := range queries {
		if q == "" {
			continue
		}
		pq, err := search.Parse(lang, q)
		if err != nil {
			continue // only stop words: a miss
		}
		page, err := st.Search(ctx, store.SearchQuery{Lang: lang, Groups: pq.Groups, Sort: store.SortRelevance, Limit: 10})
		if err != nil {
			return 0, 0, fmt.Errorf("query %q: %w", q, err)
		}
		for r, a := range page.Articles {
			if a.ID == ids[i] {
				sum += 1 / float64(r+1)
				if r == 0 {
					first++
				}
				break
			}
		}
	}
	return sum / float64(len(queries)), first, nil
}

// Latencies are query times, sorted.
type Latencies []time.Duration

// Quantile returns the q-quantile (0..1).
func (l Latencies) Quantile(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	return l[min(len(l)-1, int(math.Ceil(q*float64(len(l))))-1)]
}

// Time runs every query once, in the given orders alternately, and returns
// the sorted latencies of whole Search calls (count and page), and the CPU
// time each took on this goroutine's thread, sorted: on a machine other
// work keeps busy, a query's latency is mostly waiting for a core, its CPU
// time is what it costs. The CPU time is this process's only: all of
// SQLite's work (it runs in the calling goroutine), PostgreSQL's client
// side alone.
func Time(ctx context.Context, st store.Store, lang string, queries []string) (wall, cpu Latencies, err error) {
	wall, cpu, _, err = TimeKinds(ctx, st, lang, queries)
	return wall, cpu, err
}

// TimeKinds is Time that also returns the latencies of each kind of query
// and order, sorted, keyed "word", "words" (several words) or "phrase"
// (a group of more than one term), then "/" and the order: where the tail
// of the whole mix comes from.
func TimeKinds(ctx context.Context, st store.Store, lang string, queries []string) (wall, cpu Latencies, kinds map[string]Latencies, err error) {
	kinds = map[string]Latencies{}
	runtime.LockOSThread() // the thread's CPU clock is the query's
	defer runtime.UnlockOSThread()
	for i, q := range queries {
		pq, err := search.Parse(lang, q)
		if err != nil {
			continue
		}
		order := store.SortRelevance
		if i%2 == 1 {
			order = store.SortNewest
		}
		start, cpu0 := time.Now(), threadCPU()
		if _, err := st.Search(ctx, store.SearchQuery{Lang: lang, Groups: pq.Groups, Sort: order, Limit: 20}); err != nil {
			return nil, nil, nil, fmt.Errorf("query %q: %w", q, err)
		}
		took := time.Since(start)
		wall = append(wall, took)
		cpu = append(cpu, threadCPU()-cpu0)
		k := queryKind(pq.Groups) + "/" + order
		kinds[k] = append(kinds[k], took)
	}
	slices.Sort(wall)
	slices.Sort(cpu)
	for _, l := range kinds {
		slices.Sort(l)
	}
	return wall, cpu, kinds, nil
}

// queryKind names a parsed query's kind for TimeKinds.
func queryKind(groups [][]string) string {
	for _, g := range groups {
		if len(g) > 1 {
			return "phrase"
		}
	}
	if len(groups) > 1 {
		return "words"
	}
	return "word"
}

// Synthetic makes n news-like English articles, deterministically: a
// vocabulary of made-up words drawn with a Zipf distribution (as words of
// real text are), English function words between them, titles of 6 to 12
// words and texts of 150 to 600, published over the last year.
func Synthetic(n int, seed uint64) []Doc {
	r := rand.New(rand.NewPCG(seed, 1))
	syll := []string{"ka", "lo", "mer", "tan", "vi", "sor", "pe", "dri", "un", "gal", "bre", "to", "shi", "nam", "or", "el", "qua", "rix", "po", "den"}
	vocab := make([]string, 40000)
	seen := map[string]bool{}
	for i := range vocab {
		for {
			var b strings.Builder
			for range 2 + r.IntN(3) {
				b.WriteString(syll[r.IntN(len(syll))])
			}
			if w := b.String(); !seen[w] {
				seen[w], vocab[i] = true, w
				break
			}
		}
	}
	fn := strings.Fields("the of and to in a is that for on with as was by at from it said has have be are will")
	zipf := rand.NewZipf(r, 1.07, 2, uint64(len(vocab)-1))
	words := func(k int) string {
		var b strings.Builder
		for j := range k {
			if j > 0 {
				b.WriteByte(' ')
			}
			if r.IntN(3) == 0 {
				b.WriteString(fn[r.IntN(len(fn))])
			} else {
				b.WriteString(vocab[zipf.Uint64()])
			}
			if j%14 == 13 {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	docs := make([]Doc, n)
	for i := range docs {
		docs[i] = Doc{Title: words(6 + r.IntN(7)), Text: words(150 + r.IntN(451)),
			Published: now.Add(-time.Duration(r.IntN(365*24*60)) * time.Minute)}
	}
	return docs
}

// LatencyQueries makes n queries a reader might type against docs: one
// word (40%), two words (40%) or a two-word phrase (20%) taken from a
// random doc's text, so common and rare words come as often as in text.
func LatencyQueries(docs []Doc, n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 2))
	out := make([]string, 0, n)
	for len(out) < n {
		ws := strings.Fields(strings.ReplaceAll(docs[r.IntN(len(docs))].Text, ".", ""))
		if len(ws) < 3 {
			continue
		}
		i := r.IntN(len(ws) - 2)
		switch k := r.IntN(10); {
		case k < 4:
			out = append(out, ws[i])
		case k < 8:
			out = append(out, ws[i]+" "+ws[r.IntN(len(ws))])
		default:
			out = append(out, `"`+ws[i]+" "+ws[i+1]+`"`)
		}
	}
	return out
}

// CommonestTerm returns the index term (edition en) that most of docs'
// texts hold, the query a kept benchmark database is recognised by.
func CommonestTerm(docs []Doc) string {
	a := search.NewAnalyzer("en")
	df := map[string]int{}
	for _, d := range docs[:min(len(docs), 200)] {
		seen := map[string]bool{}
		for _, t := range a.Terms(d.Title + "\n" + d.Text) {
			if !seen[t] {
				seen[t] = true
				df[t]++
			}
		}
	}
	best := ""
	for t, n := range df {
		if n > df[best] || (n == df[best] && t < best) {
			best = t
		}
	}
	return best
}
