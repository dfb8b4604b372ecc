// Package stories scores story clustering on the Google News story labels
// in shared/bench/stories (BCubed precision, recall and F1), for `spektrum
// bench stories` and docs/benchmarks.md.
package stories

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"spektrum/internal/story"
)

// Labelled is one benchmark item with its true story.
type Labelled struct {
	Item  story.Item
	Story string
}

// Load reads dev.tsv (or the file named) from dir: id, title, publisher,
// hostname, url, published_ms, category, story. Items come back in time order.
func Load(path string) ([]Labelled, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f)
}

// Read parses the TSV format Load reads.
func Read(r io.Reader) ([]Labelled, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var out []Labelled
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			continue // header
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 8 {
			return nil, fmt.Errorf("line %d: %d columns, want 8", line, len(cols))
		}
		ms, err := strconv.ParseInt(cols[5], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: published_ms %q: %w", line, cols[5], err)
		}
		out = append(out, Labelled{Item: story.Item{ID: cols[0], Title: cols[1], URL: cols[4], Language: "en",
			Published: time.UnixMilli(ms).UTC()}, Story: cols[7]})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no items")
	}
	sortByTime(out)
	return out, nil
}

func sortByTime(items []Labelled) {
	// Stable: input order stays for equal times.
	sort.SliceStable(items, func(i, j int) bool { return items[i].Item.Published.Before(items[j].Item.Published) })
}

// Score is BCubed precision, recall and F1.
type Score struct{ P, R, F1 float64 }

func (s Score) String() string { return fmt.Sprintf("F1 %.3f (P %.3f, R %.3f)", s.F1, s.P, s.R) }

// BCubed scores predicted clusters against true labels, item by item:
// precision_i = |C(i) ∩ S(i)| / |C(i)|, recall_i = |C(i) ∩ S(i)| / |S(i)|.
func BCubed(pred, truth []string) Score {
	type pair struct{ p, t string }
	nP, nT, nPT := map[string]int{}, map[string]int{}, map[pair]int{}
	for i := range pred {
		nP[pred[i]]++
		nT[truth[i]]++
		nPT[pair{pred[i], truth[i]}]++
	}
	var p, r float64
	for i := range pred {
		both := float64(nPT[pair{pred[i], truth[i]}])
		p += both / float64(nP[pred[i]])
		r += both / float64(nT[truth[i]])
	}
	n := float64(len(pred))
	s := Score{P: p / n, R: r / n}
	if s.P+s.R > 0 {
		s.F1 = 2 * s.P * s.R / (s.P + s.R)
	}
	return s
}

// Run clusters items with opts in time order and scores the result.
func Run(items []Labelled, opts story.Options) Score {
	c := story.NewClusterer(opts)
	ids := make([]int, len(items))
	for i, it := range items {
		ids[i] = c.Add(it.Item)
	}
	pred, truth := make([]string, len(items)), make([]string, len(items))
	for i := range items {
		pred[i] = strconv.Itoa(c.Story(ids[i]))
		truth[i] = items[i].Story
	}
	return BCubed(pred, truth)
}

// DefaultDir is where the benchmark data sits relative to the repository.
func DefaultDir() string {
	if d := os.Getenv("SPEKTRUM_BENCH_DIR"); d != "" {
		return filepath.Join(d, "stories")
	}
	return filepath.Join("..", "shared", "bench", "stories")
}
