package story

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// synthetic makes n articles on topics stories, each with a title, a slug
// and about 150 words of text drawn mostly from its topic's vocabulary.
func synthetic(n, topics int) []Item {
	r := rand.New(rand.NewPCG(1, 2))
	vocab := func(k int) []string {
		out := make([]string, k)
		for i := range out {
			out[i] = fmt.Sprintf("w%x%c", r.Uint32()%0xfffff, 'a'+rune(r.IntN(26)))
		}
		return out
	}
	common := vocab(3000)
	topicWords := make([][]string, topics)
	for i := range topicWords {
		topicWords[i] = vocab(40)
	}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	items := make([]Item, n)
	for i := range items {
		tw := topicWords[r.IntN(topics)]
		pick := func(k int) string {
			ws := make([]string, k)
			for j := range ws {
				if r.IntN(3) == 0 {
					ws[j] = tw[r.IntN(len(tw))]
				} else {
					ws[j] = common[r.IntN(len(common))]
				}
			}
			return strings.Join(ws, " ")
		}
		title := pick(9)
		items[i] = Item{ID: fmt.Sprint(i), Title: title, URL: "https://x.example/news/" + strings.ReplaceAll(title, " ", "-"),
			Text: pick(150), Published: at.Add(time.Duration(i) * time.Minute)}
	}
	return items
}

// BenchmarkClusterWithText is the speed target of the story issue:
// articles per second on one core, text included (go test -bench
// ClusterWithText -cpu 1 ./internal/story).
func BenchmarkClusterWithText(b *testing.B) {
	items := synthetic(5000, 400)
	b.ResetTimer()
	n := 0
	for b.Loop() {
		c := NewClusterer(DefaultOptions())
		for _, it := range items {
			c.Add(it)
		}
		n += len(items)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
}
