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
	for _, c := range cands { // oldest first
		earlier := c.FirstSeenAt.Before(a.FirstSeenAt) || (c.FirstSeenAt.Equal(a.FirstSeenAt) && c.ArticleID < a.ID)
		if earlier && sig.NearDuplicate(story.Signature(c.Signature)) {
			original = c.ArticleID
			break
		}
	}
	if err := p.st.SetDuplicateOf(ctx, a.ID, original); err != nil {
		return fmt.Errorf("dedupe article %d: %w", a.ID, err)
	}
	return nil
}
