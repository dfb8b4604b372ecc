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
// a job kind of its own, so a stage that fails retries on its own and
// holds up nothing else, and adding a stage is registering it, not editing
// the article step. Once an article is stored, the article job runs the
// stages itself, in order, and queues a stage's job only when the stage
// fails there (runStages): a job per stage and article cost more than the
// stages themselves (an enqueue, a claim, a completion and a read of the
// article each: half of ingest's CPU on SQLite, measured with the farm in
// internal/bench/ingest).
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

// runStages runs every stage on the stored article a, in this job: first
// those that follow the storing, each followed at once by the stages that
// follow it. A stage that fails is queued as a job of its own, which
// retries it alone and then queues the stages that follow it; the others
// go on here. Only when queueing fails does runStages fail (the article
// job's retry stores the article again and runs the stages again: they
// are idempotent).
func (p *Pipeline) runStages(ctx context.Context, a *store.Article) error {
	return p.runAfter(ctx, "", a)
}

func (p *Pipeline) runAfter(ctx context.Context, after string, a *store.Article) error {
	for _, s := range p.stages {
		if s.After != after {
			continue
		}
		err := runStage(ctx, s, a)
		if err == nil && p.followed(s.Kind) {
			// The stage may have changed the article (dedupe marks a
			// copy, which the story stage reads): its followers see it
			// as stored now, as their jobs would.
			var b *store.Article
			b, err = p.st.Article(ctx, a.ID)
			if errors.Is(err, store.ErrNotFound) {
				return nil // deleted meanwhile: nothing left to do
			}
			if err == nil {
				err = p.runAfter(ctx, s.Kind, b)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			p.opts.Logger.Info("stage failed; queued to retry on its own", "stage", s.Kind, "article", a.ID, "err", err)
			// This was the stage's first attempt: its job is the retry,
			// after the runner's first backoff.
			key := fmt.Sprintf("%s:%d", s.Kind, a.ID)
			at := p.opts.Now().Add(jobs.DefaultBackoff(1))
			if _, err := jobs.EnqueueAt(ctx, p.st, s.Kind, key, a.SourceID, stagePayload{a.ID}, at); err != nil {
				return fmt.Errorf("queue %s of article %d to retry: %w", s.Kind, a.ID, err)
			}
		}
	}
	return nil
}

// runStage runs s on a, turning a panic into an error as the job runner
// would, so a stage that panics fails alone instead of the article job.
func runStage(ctx context.Context, s Stage, a *store.Article) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in %s stage: %v", s.Kind, r)
		}
	}()
	return s.Run(ctx, a)
}

// followed reports whether some stage follows stage kind.
func (p *Pipeline) followed(kind string) bool {
	for _, s := range p.stages {
		if s.After == kind {
			return true
		}
	}
	return false
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
		ctx = store.LaterDurable(ctx) // as in handleArticle: rerun until completed
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
