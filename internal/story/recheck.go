package story

import (
	"context"
	"sort"
	"time"
)

// recheckFrom is the first article count at which the re-check runs: it
// then runs at every power of two (recheckFrom, 2×, 4×, …).
const recheckFrom = 16

// recheck is the step's second look at stories filed while the document
// frequencies knew too little. An article's words are weighed by how rare
// they are among the articles counted so far, and a story's centroid keeps
// the weights of the moment its items came: the first reports of an event,
// filed while only a handful of articles were known, were weighed by that
// handful and may have been filed apart, and no later item compares them
// again (the later report was filed with one of them, or with neither). So
// whenever the article count doubles, stories of at most o.RecheckSize
// items weighed at half the count or less are weighed again, item by item,
// with the frequencies known now, and each is then compared with the open
// stories its strongest words find: a story of one item that would now
// join another (o.Threshold, the step's own rule for an item) or two
// stories whose centroids have become alike (o.MergeThreshold, the merge
// rule) merge. It runs inside the step at a count only one step sees, so
// the pipeline and the offline clusterer re-check at the same items and
// stay one code path; it costs nothing once the count has grown past a few
// days of news (no open story was weighed at half of it), and until then
// one step in a doubling reads the items of the small open stories.
//
// It returns the merges it made, gone story to kept story.
func recheck(ctx context.Context, st State, o Options, docs int, since time.Time) (map[int64]int64, error) {
	if o.RecheckSize <= 0 || docs < recheckFrom || docs&(docs-1) != 0 {
		return nil, nil
	}
	stale, err := st.Stale(ctx, docs/2, o.RecheckSize, since)
	if err != nil || len(stale) == 0 {
		return nil, err
	}
	// Every stale story's items, with their features counted.
	tfs := make([][]map[uint64]float64, len(stale))
	seen := map[uint64]bool{}
	var fs []uint64
	for i, c := range stale {
		items, err := st.Members(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		// One order for both States, so the centroid's sums are the same
		// to the last bit (the pipeline reads its items back from the
		// database, the offline clusterer keeps them).
		sort.Slice(items, func(a, b int) bool {
			x, y := items[a], items[b]
			if !x.Published.Equal(y.Published) {
				return x.Published.Before(y.Published)
			}
			if x.URL != y.URL {
				return x.URL < y.URL
			}
			return x.Title < y.Title
		})
		for _, it := range items {
			tf := features(o, it)
			tfs[i] = append(tfs[i], tf)
			for f := range tf {
				if !seen[f] {
					seen[f] = true
					fs = append(fs, f)
				}
			}
		}
	}
	n, counts, err := st.Frequencies(ctx, fs)
	if err != nil {
		return nil, err
	}
	df := make(map[uint64]int, len(fs))
	for i, f := range fs {
		df[f] = counts[i]
	}
	// Weigh each story again, then note the words that find its
	// candidates before any merge changes a centroid, so both States
	// look up the same stories whatever they share in memory.
	limit := n/10 + 10
	lookups := make([][]uint64, len(stale))
	for i, c := range stale {
		old := c.Vector
		c.Vector = map[uint64]float64{}
		for _, tf := range tfs[i] {
			for f, w := range weigh(tf, float64(n)+o.PriorDocs, df) {
				c.Vector[f] += w
			}
		}
		c.prune()
		c.Weighed = n
		var added []uint64
		for f := range c.Vector {
			if _, ok := old[f]; !ok {
				added = append(added, f)
			}
		}
		if err := st.Save(ctx, c, added); err != nil {
			return nil, err
		}
		for f := range top(c.Vector, candidateFeatures) {
			if df[f] <= limit {
				lookups[i] = append(lookups[i], f)
			}
		}
	}
	moved := map[int64]int64{}
	for i, c := range stale {
		if len(lookups[i]) == 0 {
			continue
		}
		cands, err := st.Candidates(ctx, lookups[i], since)
		if err != nil {
			return nil, err
		}
		// The story as stored now (an earlier merge here may have grown
		// it); absent when it merged away.
		var self *Centroid
		for _, x := range cands {
			if x.ID == c.ID {
				self = x
			}
		}
		if self == nil {
			continue
		}
		var best *Centroid
		bestSim := 0.0
		for _, x := range cands {
			if x.ID == self.ID {
				continue
			}
			if s := cosine(self.Vector, self.length(), x.Vector, x.length()); s > bestSim {
				best, bestSim = x, s
			}
		}
		if best == nil {
			continue
		}
		// A small story is judged as an item would be: would it join
		// the other now? Two big ones by the merge rule.
		threshold := o.MergeThreshold
		if min(self.Size, best.Size) <= o.RecheckSize {
			threshold = o.Threshold
		}
		if bestSim < threshold {
			continue
		}
		keep, err := mergeInto(ctx, st, best, self)
		if err != nil {
			return nil, err
		}
		gone := self
		if keep == self {
			gone = best
		}
		moved[gone.ID] = keep.ID
	}
	return moved, nil
}

// resolve follows id through the merges in moved.
func resolve(moved map[int64]int64, id int64) int64 {
	for {
		to, ok := moved[id]
		if !ok {
			return id
		}
		id = to
	}
}
