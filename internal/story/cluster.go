package story

import (
	"math"
	"sort"
	"time"
)

// Item is one article as the clusterer sees it.
type Item struct {
	ID        string
	Title     string
	URL       string
	Language  string // informational: the features are language-blind
	Text      string // optional body text; helps most when present
	Published time.Time
}

// Options are the clustering settings. The pipeline and `spektrum cluster`
// both take DefaultOptions, so a figure measured offline is the pipeline's.
type Options struct {
	// Threshold is the cosine similarity between an item and a story's
	// centroid above which the item joins the story.
	Threshold float64
	// MergeThreshold is the centroid similarity above which two stories
	// turn out to be one and merge.
	MergeThreshold float64
	// Window is how long a story stays open after its newest item.
	Window time.Duration
	// TextWords caps how many words of an item's text are read: the lead
	// says what the story is, the rest adds noise and cost.
	TextWords int
	// Weights of each field's words in an item's vector.
	TitleWeight, URLWeight, TextWeight, NameBoost float64
}

// DefaultOptions are the settings measured in docs/benchmarks.md.
func DefaultOptions() Options {
	return Options{
		Threshold:      0.10,
		MergeThreshold: 0.30,
		Window:         72 * time.Hour,
		TextWords:      150,
		TitleWeight:    1,
		URLWeight:      0.7,
		TextWeight:     0.25,
		NameBoost:      1.5,
	}
}

type vector map[uint64]float64

// cluster is one open story: the sum of its members' unit vectors.
type cluster struct {
	id       int
	centroid vector
	norm     float64
	size     int
	last     time.Time
	merged   int // -1, or the cluster it was merged into
}

// Clusterer assigns items to stories online, in arrival order: each item
// joins the most similar open story or starts its own. It is not safe for
// concurrent use; the pipeline serialises additions per story space.
type Clusterer struct {
	opts     Options
	docs     int
	df       map[uint64]int
	clusters []*cluster
	// postings maps a feature to the clusters whose centroid holds it:
	// candidates for an item are only stories sharing a word with it.
	postings map[uint64][]int
}

// NewClusterer returns an empty clusterer.
func NewClusterer(opts Options) *Clusterer {
	return &Clusterer{opts: opts, df: map[uint64]int{}, postings: map[uint64][]int{}}
}

// Add files it under a story and returns the story's number. Numbers are
// dense from 0 in order of creation; a story that later merges into another
// keeps its number, and Story resolves it to the surviving one.
func (c *Clusterer) Add(it Item) int {
	tf := c.features(it)
	c.docs++
	for f := range tf {
		c.df[f]++
	}
	v := c.weigh(tf)

	best, bestSim := -1, 0.0
	cands := c.candidates(top(v, candidateFeatures), it.Published)
	for _, id := range cands {
		cl := c.clusters[id]
		if s := cosine(v, 1, cl.centroid, cl.norm); s > bestSim {
			best, bestSim = id, s
		}
	}
	if best < 0 || bestSim < c.opts.Threshold {
		best = c.open(it.Published)
	}
	c.join(best, v, it.Published)
	c.mergeInto(best, cands)
	return best
}

// Story resolves a story number to the story it ended up in after merges.
func (c *Clusterer) Story(id int) int {
	for c.clusters[id].merged >= 0 {
		id = c.clusters[id].merged
	}
	return id
}

func (c *Clusterer) open(at time.Time) int {
	id := len(c.clusters)
	c.clusters = append(c.clusters, &cluster{id: id, centroid: vector{}, last: at, merged: -1})
	return id
}

func (c *Clusterer) join(id int, v vector, at time.Time) {
	cl := c.clusters[id]
	for f, w := range v {
		if _, ok := cl.centroid[f]; !ok {
			c.postings[f] = append(c.postings[f], id)
		}
		cl.centroid[f] += w
	}
	c.prune(cl)
	cl.size++
	if at.After(cl.last) {
		cl.last = at
	}
}

// mergeInto folds other open stories into id when their centroids have
// become alike: two stories started apart (a first report with few words in
// common) that later reports showed to be one. Only the stories the new item
// was compared with can have moved closer to id, so only they are checked.
func (c *Clusterer) mergeInto(id int, cands []int) {
	cl := c.clusters[id]
	for _, other := range cands {
		if other == id || c.clusters[other].merged >= 0 {
			continue
		}
		o := c.clusters[other]
		if cosine(cl.centroid, cl.norm, o.centroid, o.norm) < c.opts.MergeThreshold {
			continue
		}
		// The bigger story survives, so ids stay stable where most readers saw them.
		keep, gone := cl, o
		if o.size > cl.size {
			keep, gone = o, cl
		}
		for f, w := range gone.centroid {
			if _, ok := keep.centroid[f]; !ok {
				c.postings[f] = append(c.postings[f], keep.id)
			}
			keep.centroid[f] += w
		}
		c.prune(keep)
		keep.size += gone.size
		if gone.last.After(keep.last) {
			keep.last = gone.last
		}
		gone.merged, gone.centroid = keep.id, nil
		if keep != cl {
			return
		}
	}
}

// candidateFeatures is how many of an item's strongest features look up
// candidate stories; centroidFeatures is how many a story's centroid keeps.
// Both bound the work per item, so clustering costs the same on the
// millionth article as on the first: a story is known by its strongest
// words, and weaker ones only add noise to the comparison.
const (
	candidateFeatures = 12
	centroidFeatures  = 160
)

// top returns the n heaviest features of v (all of them if it has fewer).
func top(v vector, n int) vector {
	if len(v) <= n {
		return v
	}
	type fw struct {
		f uint64
		w float64
	}
	all := make([]fw, 0, len(v))
	for f, w := range v {
		all = append(all, fw{f, w})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].w != all[j].w {
			return all[i].w > all[j].w
		}
		return all[i].f < all[j].f
	})
	out := make(vector, n)
	for _, x := range all[:n] {
		out[x.f] = x.w
	}
	return out
}

// prune keeps a centroid's centroidFeatures heaviest features and
// recomputes its length. Postings of dropped features stay (they only
// make a story a candidate, and the cosine decides).
func (c *Clusterer) prune(cl *cluster) {
	if len(cl.centroid) > centroidFeatures*3/2 {
		cl.centroid = top(cl.centroid, centroidFeatures)
	}
	cl.norm = vlen(cl.centroid)
}

// candidates are the open stories sharing at least one telling feature
// with v, in a stable order.
func (c *Clusterer) candidates(v vector, at time.Time) []int {
	seen := map[int]bool{}
	var out []int
	limit := c.docs/10 + 10 // a feature in a tenth of all items finds nothing
	for f := range v {
		if c.df[f] > limit {
			continue
		}
		for _, id := range c.postings[f] {
			cl := c.clusters[id]
			if seen[id] || cl.merged >= 0 {
				continue
			}
			seen[id] = true
			if c.opts.Window > 0 && !at.IsZero() && at.Sub(cl.last) > c.opts.Window {
				continue
			}
			out = append(out, id)
		}
	}
	sort.Ints(out)
	return out
}

// features counts an item's weighted stems.
func (c *Clusterer) features(it Item) map[uint64]float64 {
	tf := map[uint64]float64{}
	add := func(ws []word, weight float64, limit int) {
		for i, w := range ws {
			if limit > 0 && i >= limit {
				break
			}
			if stopwords[w.text] || len([]rune(w.text)) < 2 {
				continue
			}
			wt := weight
			if w.capital {
				wt *= c.opts.NameBoost
			}
			tf[hash(stem(w.text))] += wt
		}
	}
	add(words(it.Title), c.opts.TitleWeight, 0)
	var uw []word
	for _, w := range urlWords(it.URL) {
		uw = append(uw, word{text: w})
	}
	add(uw, c.opts.URLWeight, 0)
	if it.Text != "" {
		// Only the lead is read: cut the text before tokenizing it, so a
		// 20 MB text costs what its first words cost.
		add(words(lead(it.Text, c.opts.TextWords*16)), c.opts.TextWeight, c.opts.TextWords)
	}
	return tf
}

// weigh turns counts into a unit TF-IDF vector, with document frequencies
// of everything seen so far (online: the pipeline never sees the future).
func (c *Clusterer) weigh(tf map[uint64]float64) vector {
	v := make(vector, len(tf))
	for f, n := range tf {
		idf := math.Log(float64(c.docs+1) / float64(c.df[f]+1))
		if idf <= 0 {
			continue
		}
		v[f] = (1 + math.Log(1+n)) * idf
	}
	if n := vlen(v); n > 0 {
		for f := range v {
			v[f] /= n
		}
	}
	return v
}

// hash is 64-bit FNV-1a, inlined: it runs once per word.
func hash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func vlen(v vector) float64 {
	var s float64
	for _, w := range v {
		s += w * w
	}
	return math.Sqrt(s)
}

func cosine(a vector, an float64, b vector, bn float64) float64 {
	if an == 0 || bn == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	var dot float64
	for f, w := range a {
		dot += w * b[f]
	}
	return dot / (an * bn)
}
