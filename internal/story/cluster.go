package story

import (
	"context"
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
	// PriorDocs is how many articles the document frequencies start
	// from, as if the step had read that many before its first and met
	// none of its words in them. Without it the first articles are weighed
	// by a handful of others: a word two of three reports share counts for
	// almost nothing and one that all share for nothing at all, so the
	// first reports of an event are filed apart. Its pull fades as
	// articles are counted (PriorDocs/docs).
	PriorDocs float64
	// RecheckSize is the largest story the re-check re-weighs: whenever
	// the article count doubles, stories of at most this many items
	// whose words were weighed at half the count or less are weighed
	// again with the document frequencies known now and merged with the
	// story they turn out to be part of (recheck). Bigger stories have
	// had later items weighed sensibly already.
	RecheckSize int
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
		PriorDocs:      20,
		RecheckSize:    3,
	}
}

type vector map[uint64]float64

// Centroid is one story as the online step keeps it between items: the
// sum of its members' unit vectors (its strongest features only), how many
// items it holds and the newest item's time.
type Centroid struct {
	ID     int64
	Vector map[uint64]float64
	Size   int
	Last   time.Time
	// Weighed is the article count when the story's earliest weighed
	// item was weighed: its words' weights are as good as what was known
	// then (recheck).
	Weighed int
	norm    float64 // length of Vector; 0 until computed
}

func (c *Centroid) length() float64 {
	if c.norm == 0 {
		c.norm = vlen(c.Vector)
	}
	return c.norm
}

// State is the clusterer's memory between items: document frequencies,
// the open stories and which features find them. Clusterer keeps it in
// memory (`spektrum cluster`); the pipeline keeps it in the database, so
// the same step runs on both and a figure measured offline holds online.
// One Assign at a time per State: the caller serialises.
type State interface {
	// Observe counts one more item with these (distinct) features and
	// returns the item count and each feature's document frequency, the
	// item itself included.
	Observe(ctx context.Context, features []uint64) (docs int, df []int, err error)
	// Candidates returns the stories not merged away whose centroid has
	// held one of features and whose newest item is not before since (the
	// zero time: any), ordered by ID.
	Candidates(ctx context.Context, features []uint64, since time.Time) ([]*Centroid, error)
	// Open records a new, empty story and sets c.ID.
	Open(ctx context.Context, c *Centroid) error
	// Save records c after it changed; added are the features new to its
	// vector, which must find it from now on.
	Save(ctx context.Context, c *Centroid, added []uint64) error
	// Merge records that story gone is now part of keep, its items
	// with it.
	Merge(ctx context.Context, gone, keep int64) error
	// File records that the item being assigned is in story id.
	File(ctx context.Context, id int64, it Item) error
	// Frequencies returns the item count and each feature's document
	// frequency, counting nothing.
	Frequencies(ctx context.Context, features []uint64) (docs int, df []int, err error)
	// Stale returns the stories not merged away, ordered by ID, of at most
	// size items, weighed when the item count was at most weighed, whose
	// newest item is not before since (the zero time: any).
	Stale(ctx context.Context, weighed, size int, since time.Time) ([]*Centroid, error)
	// Members returns the items filed under story id, in any order.
	Members(ctx context.Context, id int64) ([]Item, error)
}

// Assign is the online step: it files it under the most similar open story
// or a new one, merges stories that it shows to be one, and returns the
// story it ended up in.
func Assign(ctx context.Context, st State, o Options, it Item) (int64, error) {
	v, df, docs, err := observe(ctx, st, o, it)
	if err != nil {
		return 0, err
	}
	// Candidates are only stories sharing one of the item's strongest
	// features, and of those only telling ones: a feature in a tenth of
	// all items finds nothing.
	limit := docs/10 + 10
	var telling []uint64
	for f := range top(v, candidateFeatures) {
		if df[f] <= limit {
			telling = append(telling, f)
		}
	}
	var since time.Time
	if o.Window > 0 && !it.Published.IsZero() {
		since = it.Published.Add(-o.Window)
	}
	var cands []*Centroid
	if len(telling) > 0 {
		if cands, err = st.Candidates(ctx, telling, since); err != nil {
			return 0, err
		}
	}
	var best *Centroid
	bestSim := 0.0
	for _, c := range cands {
		if s := cosine(v, 1, c.Vector, c.length()); s > bestSim {
			best, bestSim = c, s
		}
	}
	if best == nil || bestSim < o.Threshold {
		best = &Centroid{Vector: map[uint64]float64{}, Last: it.Published, Weighed: docs}
		if err := st.Open(ctx, best); err != nil {
			return 0, err
		}
	}
	if err := st.Save(ctx, best, best.add(v, it.Published)); err != nil {
		return 0, err
	}
	if err := st.File(ctx, best.ID, it); err != nil {
		return 0, err
	}
	id, err := merge(ctx, st, o, best, cands)
	if err != nil {
		return 0, err
	}
	moved, err := recheck(ctx, st, o, docs, since)
	if err != nil {
		return 0, err
	}
	return resolve(moved, id), nil
}

// Join files it under story c without looking for another: a
// near-duplicate copy goes where its original went. It counts for the
// document frequencies and the story's centroid like any other item.
func Join(ctx context.Context, st State, o Options, it Item, c *Centroid) error {
	v, _, _, err := observe(ctx, st, o, it)
	if err != nil {
		return err
	}
	if err := st.Save(ctx, c, c.add(v, it.Published)); err != nil {
		return err
	}
	return st.File(ctx, c.ID, it)
}

// observe counts the item's features and returns its unit TF-IDF vector
// with the document frequencies it was weighed by.
func observe(ctx context.Context, st State, o Options, it Item) (vector, map[uint64]int, int, error) {
	tf := features(o, it)
	fs := make([]uint64, 0, len(tf))
	for f := range tf {
		fs = append(fs, f)
	}
	docs, counts, err := st.Observe(ctx, fs)
	if err != nil {
		return nil, nil, 0, err
	}
	df := make(map[uint64]int, len(fs))
	for i, f := range fs {
		df[f] = counts[i]
	}
	return weigh(tf, float64(docs)+o.PriorDocs, df), df, docs, nil
}

// add sums v into the centroid and returns the features new to it.
func (c *Centroid) add(v vector, at time.Time) []uint64 {
	var added []uint64
	for f, w := range v {
		if _, ok := c.Vector[f]; !ok {
			added = append(added, f)
		}
		c.Vector[f] += w
	}
	c.prune()
	c.Size++
	if at.After(c.Last) {
		c.Last = at
	}
	return added
}

// merge folds other open stories into id when their centroids have become
// alike: two stories started apart (a first report with few words in
// common) that later reports showed to be one. Only the stories the new
// item was compared with can have moved closer to it, so only they are
// checked. It returns the story the item ends up in.
func merge(ctx context.Context, st State, o Options, cl *Centroid, cands []*Centroid) (int64, error) {
	for _, other := range cands {
		if other == cl || other.ID == cl.ID {
			continue
		}
		if cosine(cl.Vector, cl.length(), other.Vector, other.length()) < o.MergeThreshold {
			continue
		}
		keep, err := mergeInto(ctx, st, cl, other)
		if err != nil {
			return 0, err
		}
		if keep != cl {
			return keep.ID, nil
		}
	}
	return cl.ID, nil
}

// mergeInto merges stories a and b and returns the one that stays: the bigger,
// a on a tie, so ids stay stable where most readers saw them.
func mergeInto(ctx context.Context, st State, a, b *Centroid) (*Centroid, error) {
	keep, gone := a, b
	if b.Size > a.Size {
		keep, gone = b, a
	}
	var added []uint64
	for f, w := range gone.Vector {
		if _, ok := keep.Vector[f]; !ok {
			added = append(added, f)
		}
		keep.Vector[f] += w
	}
	keep.prune()
	keep.Size += gone.Size
	if gone.Last.After(keep.Last) {
		keep.Last = gone.Last
	}
	keep.Weighed = min(keep.Weighed, gone.Weighed)
	if err := st.Save(ctx, keep, added); err != nil {
		return nil, err
	}
	if err := st.Merge(ctx, gone.ID, keep.ID); err != nil {
		return nil, err
	}
	gone.Vector = nil
	return keep, nil
}

// Clusterer assigns items to stories online, in arrival order, keeping its
// State in memory: each item joins the most similar open story or starts
// its own. It is not safe for concurrent use.
type Clusterer struct {
	opts Options
	mem  *memory
}

// NewClusterer returns an empty clusterer.
func NewClusterer(opts Options) *Clusterer {
	return &Clusterer{opts: opts, mem: &memory{df: map[uint64]int{}, postings: map[uint64][]int{}}}
}

// Add files it under a story and returns the story's number. Numbers are
// dense from 0 in order of creation; a story that later merges into another
// keeps its number, and Story resolves it to the surviving one.
func (c *Clusterer) Add(it Item) int {
	id, _ := Assign(context.Background(), c.mem, c.opts, it) // memory never fails
	return int(id)
}

// Story resolves a story number to the story it ended up in after merges.
func (c *Clusterer) Story(id int) int {
	for c.mem.merged[id] >= 0 {
		id = c.mem.merged[id]
	}
	return id
}

// memory is the in-memory State.
type memory struct {
	docs     int
	df       map[uint64]int
	stories  []*Centroid
	merged   []int    // per story: -1, or the story it was merged into
	members  [][]Item // per story: its items (none once merged away)
	postings map[uint64][]int
}

func (m *memory) Observe(_ context.Context, features []uint64) (int, []int, error) {
	m.docs++
	df := make([]int, len(features))
	for i, f := range features {
		m.df[f]++
		df[i] = m.df[f]
	}
	return m.docs, df, nil
}

func (m *memory) Candidates(_ context.Context, features []uint64, since time.Time) ([]*Centroid, error) {
	seen := map[int]bool{}
	var ids []int
	for _, f := range features {
		for _, id := range m.postings[f] {
			if seen[id] || m.merged[id] >= 0 {
				continue
			}
			seen[id] = true
			if !since.IsZero() && m.stories[id].Last.Before(since) {
				continue
			}
			ids = append(ids, id)
		}
	}
	sort.Ints(ids)
	out := make([]*Centroid, len(ids))
	for i, id := range ids {
		out[i] = m.stories[id]
	}
	return out, nil
}

func (m *memory) Open(_ context.Context, c *Centroid) error {
	c.ID = int64(len(m.stories))
	m.stories = append(m.stories, c)
	m.merged = append(m.merged, -1)
	m.members = append(m.members, nil)
	return nil
}

func (m *memory) Save(_ context.Context, c *Centroid, added []uint64) error {
	for _, f := range added {
		m.postings[f] = append(m.postings[f], int(c.ID))
	}
	return nil
}

func (m *memory) Merge(_ context.Context, gone, keep int64) error {
	m.merged[gone] = int(keep)
	m.members[keep] = append(m.members[keep], m.members[gone]...)
	m.members[gone] = nil
	return nil
}

func (m *memory) File(_ context.Context, id int64, it Item) error {
	m.members[id] = append(m.members[id], it)
	return nil
}

func (m *memory) Frequencies(_ context.Context, features []uint64) (int, []int, error) {
	df := make([]int, len(features))
	for i, f := range features {
		df[i] = m.df[f]
	}
	return m.docs, df, nil
}

func (m *memory) Stale(_ context.Context, weighed, size int, since time.Time) ([]*Centroid, error) {
	var out []*Centroid
	for id, c := range m.stories {
		if m.merged[id] >= 0 || c.Size > size || c.Weighed > weighed || (!since.IsZero() && c.Last.Before(since)) {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

func (m *memory) Members(_ context.Context, id int64) ([]Item, error) {
	return m.members[id], nil
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

// CentroidFeatures is the most features a stored centroid holds, so a
// store can size its encoding.
const CentroidFeatures = centroidFeatures * 3 / 2

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
func (c *Centroid) prune() {
	if len(c.Vector) > CentroidFeatures {
		c.Vector = top(c.Vector, centroidFeatures)
	}
	c.norm = vlen(c.Vector)
}

// features counts an item's weighted stems.
func features(o Options, it Item) map[uint64]float64 {
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
				wt *= o.NameBoost
			}
			tf[hash(stem(w.text))] += wt
		}
	}
	add(words(it.Title), o.TitleWeight, 0)
	var uw []word
	for _, w := range urlWords(it.URL) {
		uw = append(uw, word{text: w})
	}
	add(uw, o.URLWeight, 0)
	if it.Text != "" {
		// Only the lead is read: cut the text before tokenizing it, so a
		// 20 MB text costs what its first words cost.
		add(words(lead(it.Text, o.TextWords*16)), o.TextWeight, o.TextWords)
	}
	return tf
}

// weigh turns counts into a unit TF-IDF vector, with document frequencies
// of everything seen so far (online: the pipeline never sees the future).
func weigh(tf map[uint64]float64, docs float64, df map[uint64]int) vector {
	v := make(vector, len(tf))
	for f, n := range tf {
		idf := math.Log((docs + 1) / float64(df[f]+1))
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
