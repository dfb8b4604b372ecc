package pipeline

import (
	"context"
	"fmt"

	"spektrum/internal/store"
	"spektrum/internal/story"
)

// KindDedupe is the stage that recognises an article as a near-duplicate
// copy of an earlier one (the same wire story under another headline, from
// any source) and marks it so listings show the text once. It only groups:
// neither article changes.
const KindDedupe = "dedupe"

// candidateLimit bounds the articles one signature is compared with.
const candidateLimit = 50

// dedupe stores a's signature and marks a as a copy of the oldest earlier
// article whose text it nearly repeats, or as an original. Idempotent: a
// re-stored article is judged again on its present text.
func (p *Pipeline) dedupe(ctx context.Context, a *store.Article) error {
	sig, ok := story.TextSignature(a.Text)
	if !ok {
		// Too short to tell a copy from a text on the same topic.
		if err := p.st.PutSignature(ctx, a.ID, nil, nil); err != nil {
			return err
		}
		return p.st.SetDuplicateOf(ctx, a.ID, 0)
	}
	bands := sig.Bands()
	if err := p.st.PutSignature(ctx, a.ID, sig, bands); err != nil {
		return err
	}
	cands, err := p.st.SignatureCandidates(ctx, bands, a.ID, candidateLimit)
	if err != nil {
		return err
	}
	var original int64
	var later []int64         // near-duplicates seen after a that count as originals
	for _, c := range cands { // oldest first
		if !sig.NearDuplicate(story.Signature(c.Signature)) {
			continue
		}
		earlier := c.FirstSeenAt.Before(a.FirstSeenAt) || (c.FirstSeenAt.Equal(a.FirstSeenAt) && c.ArticleID < a.ID)
		switch {
		case earlier && original == 0:
			original = c.ArticleID
		case !earlier && c.DuplicateOf == 0:
			later = append(later, c.ArticleID)
		}
	}
	if err := p.st.SetDuplicateOf(ctx, a.ID, original); err != nil {
		return fmt.Errorf("dedupe article %d: %w", a.ID, err)
	}
	if original != 0 {
		return nil
	}
	// Stages run in any order: a later copy whose own stage ran before a's
	// signature was stored took itself for an original. a, the older one,
	// claims it now.
	for _, id := range later {
		if err := p.st.SetDuplicateOf(ctx, id, a.ID); err != nil {
			return fmt.Errorf("dedupe article %d: %w", a.ID, err)
		}
	}
	return nil
}
