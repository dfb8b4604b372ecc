package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"spektrum/internal/jobs"
	"spektrum/internal/store"
)

// Stage is a step that follows the storing of an article: translation,
// near-duplicates, stories (after near-duplicates); search indexing next. Each stage is
// a job kind of its own: once an article is stored, the article job queues
// one job per registered stage and is done, so a stage that fails or is
// slow retries on its own and holds up nothing else, and adding a stage is
// registering it, not editing the article step.
type Stage struct {
	// Kind is the stage's job kind, e.g. "dedupe".
	Kind string
	// After names the stage this one follows: it is queued when that
	// stage has run for the article, not when the article is stored.
	// Empty: it follows the storing.
	After string
	// Run does the stage for the article as stored now. It must be
	// idempotent: an article stored again (updated, or its job retried)
	// gets the stage again.
	Run func(ctx context.Context, a *store.Article) error
}

// KindTranslations is the built-in stage that queues an article's
// translation into each edition language (one KindTranslate job each).
const KindTranslations = "translations"

// AddStage registers s to follow every stored article. Call before
// Register.
func (p *Pipeline) AddStage(s Stage) { p.stages = append(p.stages, s) }

// Stages lists the registered stages' job kinds in order.
func (p *Pipeline) Stages() []string {
	kinds := make([]string, len(p.stages))
	for i, s := range p.stages {
		kinds[i] = s.Kind
	}
	return kinds
}

type stagePayload struct {
	ArticleID int64 `json:"article_id"`
}

// enqueueStages hands a stored article on to every stage. A queued or
// running job of the same stage for the article makes its enqueue a no-op;
// the job reads the article when it runs, so it sees this version too.
func (p *Pipeline) enqueueStages(ctx context.Context, a *store.Article) error {
	return p.enqueueAfter(ctx, "", a.ID, a.SourceID)
}

// enqueueAfter queues the stages that follow stage after (""; the storing).
func (p *Pipeline) enqueueAfter(ctx context.Context, after string, articleID, sourceID int64) error {
	for _, s := range p.stages {
		if s.After != after {
			continue
		}
		key := fmt.Sprintf("%s:%d", s.Kind, articleID)
		if _, err := jobs.Enqueue(ctx, p.st, s.Kind, key, sourceID, stagePayload{articleID}); err != nil {
			return fmt.Errorf("hand article %d on to %s: %w", articleID, s.Kind, err)
		}
	}
	return nil
}

// stageHandler runs s on the article its job names; an article deleted
// since needs nothing.
func (p *Pipeline) stageHandler(s Stage) jobs.Handler {
	return func(ctx context.Context, j *store.Job) error {
		var pl stagePayload
		if err := json.Unmarshal(j.Payload, &pl); err != nil {
			return jobs.Permanent(fmt.Errorf("%s job payload: %w", s.Kind, err))
		}
		a, err := p.st.Article(ctx, pl.ArticleID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.Run(ctx, a); err != nil {
			return err
		}
		return p.enqueueAfter(ctx, s.Kind, a.ID, a.SourceID)
	}
}
