package newsletter

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	texttemplate "text/template"
	"time"
	"unicode/utf8"

	"spektrum/internal/jobs"
	"spektrum/internal/store"
)

//go:embed templates
var templateFS embed.FS

type mailTemplates struct {
	confirmHTML, digestHTML *htmltemplate.Template
	confirmText, digestText *texttemplate.Template
}

func parseMails() (*mailTemplates, error) {
	var t mailTemplates
	var err error
	if t.confirmHTML, err = htmltemplate.ParseFS(templateFS, "templates/mail_confirm.html"); err != nil {
		return nil, fmt.Errorf("newsletter: mail template: %w", err)
	}
	if t.digestHTML, err = htmltemplate.ParseFS(templateFS, "templates/mail_digest.html"); err != nil {
		return nil, fmt.Errorf("newsletter: mail template: %w", err)
	}
	if t.confirmText, err = texttemplate.ParseFS(templateFS, "templates/mail_confirm.txt"); err != nil {
		return nil, fmt.Errorf("newsletter: mail template: %w", err)
	}
	if t.digestText, err = texttemplate.ParseFS(templateFS, "templates/mail_digest.txt"); err != nil {
		return nil, fmt.Errorf("newsletter: mail template: %w", err)
	}
	return &t, nil
}

func render(html *htmltemplate.Template, text *texttemplate.Template, data any) (string, string, error) {
	var h, t bytes.Buffer
	if err := html.Execute(&h, data); err != nil {
		return "", "", fmt.Errorf("render HTML part: %w", err)
	}
	if err := text.Execute(&t, data); err != nil {
		return "", "", fmt.Errorf("render text part: %w", err)
	}
	return h.String(), t.String(), nil
}

func (n *Newsletter) from(ctx context.Context, lang string) (string, string) {
	return n.siteName(ctx, lang), n.cfg.FromAddr
}

// siteName is the outlet's name in edition lang: the settings' (Config.Names)
// when they give one that can stand in a From header, else Config.SiteName.
func (n *Newsletter) siteName(ctx context.Context, lang string) string {
	if n.cfg.Names != nil {
		if v := n.cfg.Names(ctx, lang); v != "" && checkHeader("From", v) == nil {
			return v
		}
	}
	return n.cfg.SiteName
}

// messageID is unique per purpose and subscriber; for digests it is the
// same for every attempt at one run's mail, so a resend after a crash in the
// instant between the server's acceptance and the send log's update is
// recognisable as the same message.
func (n *Newsletter) messageID(kind string, subID int64, run string) string {
	if run == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		run = hex.EncodeToString(b[:])
	}
	return fmt.Sprintf("%s.%s.%d.%s@%s", kind, run, subID, n.sign.mac("msgid", kind, run, fmt.Sprint(subID))[:10], n.host)
}

type confirmData struct {
	Lang, Subject, Site, Intro, Action, Ignore, Consent, ConfirmURL string
}

// confirmMail renders the double opt-in mail: the only mail an unconfirmed
// address ever gets.
func (n *Newsletter) confirmMail(ctx context.Context, sub *store.Subscriber, sections map[string]store.Section) (*Message, error) {
	lang := n.msg.lang(sub.Language)
	site := n.siteName(ctx, lang)
	secs := n.msg.T(lang, "form.allsections")
	if len(sub.Sections) > 0 {
		names := make([]string, len(sub.Sections))
		for i, s := range sub.Sections {
			sec, ok := sections[s]
			if !ok {
				sec.Slug = s
			}
			names[i] = n.ed.SectionName(lang, sec)
		}
		secs = strings.Join(names, ", ")
	}
	consent, _, _ := n.msg.consent(lang)
	d := confirmData{Lang: lang, Site: site,
		Subject:    n.msg.T(lang, "mail.confirm.subject", site),
		Intro:      n.msg.T(lang, "mail.confirm.intro", site, n.msg.frequencyName(lang, sub.Frequency), secs),
		Action:     n.msg.T(lang, "mail.confirm.action"),
		Ignore:     n.msg.T(lang, "mail.confirm.ignore"),
		Consent:    consent,
		ConfirmURL: n.confirmLink(sub)}
	html, text, err := render(n.mails.confirmHTML, n.mails.confirmText, d)
	if err != nil {
		return nil, err
	}
	name, addr := n.from(ctx, lang)
	return &Message{FromName: name, FromAddr: addr, ReturnPath: n.cfg.ReturnPath, To: sub.Email, Subject: d.Subject,
		MessageID: n.messageID("confirm", sub.ID, ""), Date: n.now(), Text: text, HTML: html}, nil
}

// manageMail answers a sign-up of an address that is already subscribed:
// it goes only to confirmed addresses and carries the preferences link, so
// a reader who forgot can change their choices, and the sign-up form tells
// a stranger nothing.
func (n *Newsletter) manageMail(ctx context.Context, sub *store.Subscriber) (*Message, error) {
	lang := n.msg.lang(sub.Language)
	site := n.siteName(ctx, lang)
	d := confirmData{Lang: lang, Site: site,
		Subject:    n.msg.T(lang, "mail.manage.subject", site),
		Intro:      n.msg.T(lang, "mail.manage.intro", site),
		Action:     n.msg.T(lang, "mail.manage.action"),
		Ignore:     n.msg.T(lang, "mail.manage.ignore"),
		ConfirmURL: n.manageLink(sub)}
	html, text, err := render(n.mails.confirmHTML, n.mails.confirmText, d)
	if err != nil {
		return nil, err
	}
	name, addr := n.from(ctx, lang)
	return &Message{FromName: name, FromAddr: addr, ReturnPath: n.cfg.ReturnPath, To: sub.Email, Subject: d.Subject,
		MessageID: n.messageID("manage", sub.ID, ""), Date: n.now(), Text: text, HTML: html,
		ListUnsubscribe: n.unsubLink(sub)}, nil
}

// RunKey names the digest run of frequency at now: one per UTC day, or per
// ISO week.
func RunKey(frequency string, now time.Time) string {
	now = now.UTC()
	if frequency == store.Weekly {
		y, w := now.ISOWeek()
		return fmt.Sprintf("weekly-%d-W%02d", y, w)
	}
	return "daily-" + now.Format("2006-01-02")
}

func period(frequency string) time.Duration {
	if frequency == store.Weekly {
		return 7 * 24 * time.Hour
	}
	return 24 * time.Hour
}

// SendOptions tune one SendDigests call.
type SendOptions struct {
	Frequency string // store.Daily or store.Weekly
	// Language, when set, sends only to the subscribers of that edition;
	// the others of the run are planned by a later send or the schedule.
	Language string
	DryRun   bool // render and count, write and send nothing
	// ResumeOnly sends what the run has pending without adding anyone.
	ResumeOnly bool
	// Lease is how long a digest job is held without renewal; default 5m.
	Lease time.Duration
	// Concurrency is how many digests are rendered and sent at once;
	// default 4 (the SMTP mailer's pool bounds the connections).
	Concurrency int
}

// SendReport says what a run did. Counts are the run's totals in the send
// log, including what earlier attempts at the run did.
type SendReport struct {
	RunKey        string
	Planned       int // rows added by this call
	SentNow       int // mails handed to the SMTP server by this call
	Counts        store.SendCounts
	Retrying      int // pending rows waiting out a backoff or held by another sender
	DryRun        bool
	SampleSubject string // dry run: the first digest's subject
}

func (r SendReport) String() string {
	if r.DryRun {
		return fmt.Sprintf("dry run %s: %d digests would be sent, %d subscribers have nothing new; nothing was sent or recorded",
			r.RunKey, r.Counts.Sent, r.Counts.Empty)
	}
	return fmt.Sprintf("run %s: %d sent now (%d in all), %d with nothing new, %d failed, %d skipped, %d waiting to retry",
		r.RunKey, r.SentNow, r.Counts.Sent, r.Counts.Empty, r.Counts.Failed, r.Counts.Skipped, r.Retrying)
}

// maxSendAttempts is how often one digest is tried before it is given up.
const maxSendAttempts = 5

// sendBackoff is the wait before retry number attempt: 1m, 5m, 25m, 2h5m.
func sendBackoff(attempt int) time.Duration {
	d := time.Minute
	for i := 1; i < attempt; i++ {
		d *= 5
	}
	return d
}

// SendDigests plans the current run of o.Frequency, queues its digests and
// works them off now with a runner of its own (`spektrum newsletter send`;
// `serve` does the same on its schedule). Safe to run in several processes
// at once and to rerun after a crash: the send log's unique (subscriber,
// run) rows and the queue's unique, leased digest jobs make each
// subscriber's digest go out once. Digests held by another sender, or
// waiting to retry, are left to the queue.
func (n *Newsletter) SendDigests(ctx context.Context, o SendOptions) (SendReport, error) {
	if o.Frequency == "" {
		o.Frequency = store.Daily
	}
	if err := n.checkRun(o.Language, o.Frequency); err != nil {
		return SendReport{}, err
	}
	if o.Lease <= 0 {
		o.Lease = 5 * time.Minute
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	now := n.now().UTC()
	if o.DryRun {
		run := store.DigestRun{RunKey: RunKey(o.Frequency, now), Frequency: o.Frequency, Until: now,
			FirstFrom: now.Add(-period(o.Frequency)), Language: o.Language}
		b := &digestBuilder{n: n, until: run.Until, articles: map[int64][]store.Article{}}
		return n.dryRun(ctx, run, b, SendReport{RunKey: run.RunKey, DryRun: true})
	}
	rep := SendReport{RunKey: RunKey(o.Frequency, now)}
	var err error
	if rep.Planned, err = n.planRun(ctx, o.Frequency, o.Language, now, o.ResumeOnly); err != nil {
		return rep, err
	}
	r := jobs.New(n.st, jobs.Options{Concurrency: o.Concurrency, Lease: o.Lease, Logger: n.log, Now: n.now})
	var sentNow atomic.Int64
	r.Handle(jobDigest, func(ctx context.Context, j *store.Job) error {
		sent, err := n.digestJob(ctx, j)
		if sent {
			sentNow.Add(1)
		}
		return err
	})
	r.Handle(jobDigestBatch, func(ctx context.Context, j *store.Job) error {
		sent, err := n.digestBatchJob(ctx, j)
		sentNow.Add(int64(sent))
		return err
	})
	err = r.Drain(ctx)
	rep.SentNow = int(sentNow.Load())
	if err != nil {
		return rep, err
	}
	if rep.Counts, err = n.st.DigestSendCounts(ctx, rep.RunKey); err != nil {
		return rep, err
	}
	rep.Retrying = rep.Counts.Pending
	return rep, nil
}

// planRun adds the run of freq at `at` to the send log (unless resumeOnly;
// only the subscribers of edition lang when it is set) and queues a digest
// job for each of its pending rows. Rerunning it
// queues nothing twice: a row's job is unique while queued or running, and
// a job for a row recorded since does nothing.
func (n *Newsletter) planRun(ctx context.Context, freq, lang string, at time.Time, resumeOnly bool) (int, error) {
	now := n.now().UTC()
	run := store.DigestRun{RunKey: RunKey(freq, at), Frequency: freq, Until: now, FirstFrom: now.Add(-period(freq)), Language: lang}
	planned := 0
	if !resumeOnly {
		var err error
		if planned, err = n.st.PlanDigests(ctx, run); err != nil {
			return 0, err
		}
	}
	var after int64
	queued := map[int64]bool{} // chunks queued by this call
	for {
		rows, err := n.st.PendingDigestSends(ctx, run.RunKey, after, 500)
		if err != nil || len(rows) == 0 {
			return planned, err
		}
		for _, d := range rows {
			after = d.ID
			if d.Attempts == 0 {
				// Untried rows go in batches of a fixed id range, so a
				// rerun after a crash names the same batch (and finds it
				// still queued or held) instead of a new one.
				k := d.ID / digestBatch
				if queued[k] {
					continue
				}
				queued[k] = true
				b, err := json.Marshal(batchPayload{RunKey: run.RunKey, First: k * digestBatch, Last: k*digestBatch + digestBatch - 1})
				if err != nil {
					return planned, err
				}
				if _, err := n.st.Enqueue(ctx, &store.Job{Kind: jobDigestBatch, UniqueKey: fmt.Sprintf("%s:%s:%d", jobDigestBatch, run.RunKey, k),
					Payload: b, RunAt: now}); err != nil {
					return planned, fmt.Errorf("queue digests %d–%d of run %s: %w", k*digestBatch, k*digestBatch+digestBatch-1, run.RunKey, err)
				}
				continue
			}
			if err := n.queueRetry(ctx, &d, now); err != nil {
				return planned, err
			}
		}
	}
}

// queueRetry queues the job of one row that failed for a reason that may
// pass, at the time its retry is due.
func (n *Newsletter) queueRetry(ctx context.Context, d *store.DigestSend, now time.Time) error {
	b, err := json.Marshal(digestPayload{d.ID})
	if err != nil {
		return err
	}
	runAt := now
	if d.NextAt.After(runAt) {
		runAt = d.NextAt
	}
	if _, err := n.st.Enqueue(ctx, &store.Job{Kind: jobDigest, UniqueKey: fmt.Sprintf("%s:%d", jobDigest, d.ID),
		Payload: b, RunAt: runAt, MaxAttempts: maxSendAttempts + 1}); err != nil {
		return fmt.Errorf("queue digest %d of run %s: %w", d.ID, d.RunKey, err)
	}
	return nil
}

// digestBatch is how many send-log rows (by id) one batch job covers. A
// job per digest cost four database writes per mail (enqueue, claim,
// record, complete) and made delivery 30–45% slower than the send log's
// own batched claims; a batch costs one write per mail plus three per
// batch, and a crashed sender's batch waits for its lease as one.
const digestBatch = 50

type batchPayload struct {
	RunKey      string `json:"run_key"`
	First, Last int64
}

// digestBatchJob sends the untried digests of one batch, one after the
// other. A digest that fails for a reason that may pass gets a job of its
// own (queueRetry); rows already recorded, or tried before, are left alone,
// so running a batch twice mails nobody twice. It reports how many mails
// went out.
func (n *Newsletter) digestBatchJob(ctx context.Context, j *store.Job) (int, error) {
	var pl batchPayload
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return 0, jobs.Permanent(fmt.Errorf("digest batch payload: %w", err))
	}
	rows, err := n.st.PendingDigestSends(ctx, pl.RunKey, pl.First-1, digestBatch)
	if err != nil {
		return 0, err
	}
	sent := 0
	now := n.now().UTC()
	for _, row := range rows {
		if row.ID > pl.Last {
			break
		}
		if row.Attempts > 0 {
			// Tried before: its own job has it. Queue it again in case
			// that failed (a no-op while it is queued or running).
			if err := n.queueRetry(ctx, &row, now); err != nil {
				return sent, err
			}
			continue
		}
		d, err := n.st.DigestSend(ctx, row.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return sent, err
		}
		ok, wait, err := n.sendDigest(ctx, d)
		if ok {
			sent++
		}
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		if err != nil && wait == 0 {
			// Something about this one digest (its rendering, the
			// database for a moment) failed: it gets a job of its own
			// with the queue's retries, and the rest of the batch goes on.
			n.log.WarnContext(ctx, "digest handed to its own job", "send", d.ID, "run", d.RunKey, "err", err)
		}
		if err != nil {
			if err := n.queueRetry(ctx, d, now); err != nil {
				return sent, err
			}
		}
	}
	return sent, nil
}

type digestPayload struct {
	SendID int64 `json:"send_id"`
}

// digestJob sends one subscriber's digest of one run and records the
// outcome in the send log. It reports whether a mail went out. A temporary
// SMTP failure is retried by the queue after 1m, 5m, 25m and 2h; a
// permanent one, or the fifth, is recorded as failed. (The job may have one
// try more than maxSendAttempts so a worker dying on the last send does
// not leave the row pending.)
func (n *Newsletter) digestJob(ctx context.Context, j *store.Job) (bool, error) {
	var pl digestPayload
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return false, jobs.Permanent(fmt.Errorf("digest job payload: %w", err))
	}
	d, err := n.st.DigestSend(ctx, pl.SendID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil // erased with its subscriber, or purged
	}
	if err != nil {
		return false, err
	}
	sent, wait, err := n.sendDigest(ctx, d)
	if wait > 0 {
		return false, jobs.RetryAfter(err, wait)
	}
	return sent, err
}

// sendDigest tries one pending digest and records the outcome. It reports
// whether a mail went out; a temporary SMTP failure is recorded as pending
// and answered with the wait before the next try (1m, 5m, 25m, 2h); a
// permanent one, or the fifth, is recorded as failed.
func (n *Newsletter) sendDigest(ctx context.Context, d *store.DigestSend) (sent bool, retryIn time.Duration, err error) {
	if d.State != store.SendPending {
		return false, 0, nil // recorded by an earlier try: running twice mails nobody twice
	}
	d.Attempts++ // this try
	sub := &d.Subscriber
	if sub.Status != store.SubActive {
		d.State = store.SendSkipped
		return false, 0, n.finish(ctx, d)
	}
	m, err := n.send.builder(n, d.PeriodUntil).message(ctx, d)
	if err != nil {
		return false, 0, err
	}
	if m == nil {
		d.State = store.SendEmpty
		return false, 0, n.finish(ctx, d)
	}
	if err := n.send.lim.wait(ctx); err != nil {
		return false, 0, err
	}
	err = n.mailer.Send(ctx, m)
	now := n.now().UTC()
	switch {
	case err == nil:
		d.State, d.SentAt, d.MessageID, d.LastError = store.SendSent, now, "<"+m.MessageID+">", ""
	case ctx.Err() != nil:
		return false, 0, ctx.Err()
	case errors.Is(err, ErrPermanent) || d.Attempts >= maxSendAttempts:
		d.State, d.LastError = store.SendFailed, err.Error()
		n.log.WarnContext(ctx, "digest given up", "subscriber", sub.ID, "run", d.RunKey, "err", err)
		if errors.Is(err, ErrNoMailbox) {
			// The server said at once that the address does not exist:
			// the same as a hard bounce reported later by a webhook,
			// counted against this digest's own row.
			d.BouncedAt = now
			if berr := n.bounce(ctx, sub.Email, BounceHard, err.Error(), false); berr != nil {
				return false, 0, berr
			}
		}
	default:
		wait := sendBackoff(d.Attempts)
		d.State, d.LastError, d.NextAt = store.SendPending, err.Error(), now.Add(wait)
		n.log.WarnContext(ctx, "digest will be retried", "subscriber", sub.ID, "run", d.RunKey, "at", d.NextAt, "err", err)
		if ferr := n.finish(ctx, d); ferr != nil {
			return false, 0, ferr
		}
		return false, wait, err
	}
	return err == nil, 0, n.finish(ctx, d)
}

// finish records d's outcome. A row another sender recorded first (after
// this one's lease ran out) keeps that record.
func (n *Newsletter) finish(ctx context.Context, d *store.DigestSend) error {
	err := n.st.FinishDigestSend(ctx, d)
	if errors.Is(err, store.ErrNotFound) {
		n.log.WarnContext(ctx, "digest recorded by another sender", "subscriber", d.SubscriberID, "run", d.RunKey)
		return nil
	}
	return err
}

// sendState is what the digest jobs of one process share: the rate limit
// and the rendered runs' article lists.
type sendState struct {
	lim *limiter

	mu       sync.Mutex
	builders map[int64]*cachedBuilder // by period end (ms)
}

type cachedBuilder struct {
	b    *digestBuilder
	made time.Time
}

// builderTTL bounds how long a run's article lists are reused: long enough
// for a run's digests, short enough that a retry hours later sees articles
// hidden since.
const builderTTL = 10 * time.Minute

func newSendState(rate float64) *sendState {
	return &sendState{lim: newLimiter(rate), builders: map[int64]*cachedBuilder{}}
}

// builder returns the digest builder of the run ending at until, shared by
// the run's digest jobs so each period's articles are read once.
func (s *sendState) builder(n *Newsletter, until time.Time) *digestBuilder {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	key := until.UnixMilli()
	if c, ok := s.builders[key]; ok && now.Sub(c.made) < builderTTL {
		return c.b
	}
	for k, c := range s.builders {
		if now.Sub(c.made) >= builderTTL {
			delete(s.builders, k)
		}
	}
	b := &digestBuilder{n: n, until: until, articles: map[int64][]store.Article{}}
	s.builders[key] = &cachedBuilder{b: b, made: now}
	return b
}

// dryRun renders the run's digests without planning, sending or recording.
func (n *Newsletter) dryRun(ctx context.Context, run store.DigestRun, b *digestBuilder, rep SendReport) (SendReport, error) {
	var after int64
	for {
		subs, err := n.st.Subscribers(ctx, store.SubActive, run.Frequency, after, 500)
		if err != nil {
			return rep, err
		}
		if len(subs) == 0 {
			return rep, nil
		}
		for _, sub := range subs {
			after = sub.ID
			if run.Language != "" && sub.Language != run.Language {
				continue
			}
			from := sub.LastDigestAt
			if from.IsZero() {
				from = run.FirstFrom
			}
			d := &store.DigestSend{SubscriberID: sub.ID, RunKey: run.RunKey, PeriodFrom: from, PeriodUntil: run.Until, Subscriber: sub}
			m, err := b.message(ctx, d)
			if err != nil {
				return rep, err
			}
			if m == nil {
				rep.Counts.Empty++
				continue
			}
			rep.Counts.Sent++
			if rep.SampleSubject == "" {
				rep.SampleSubject = m.Subject
			}
		}
	}
}

// digestBuilder renders the digests of one run. Subscribers share periods
// (most start where the last run ended), so the articles of each period
// start are read once.
type digestBuilder struct {
	n     *Newsletter
	until time.Time

	mu       sync.Mutex
	articles map[int64][]store.Article // by period start (ms)
	sections map[string]store.Section  // by slug
	order    []string                  // section slugs by name
	names    map[string]string         // the outlet's name by edition, read once a batch
}

// siteName is the outlet's name in edition lang, read once per builder.
func (b *digestBuilder) siteName(ctx context.Context, lang string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if v, ok := b.names[lang]; ok {
		return v
	}
	if b.names == nil {
		b.names = map[string]string{}
	}
	v := b.n.siteName(ctx, lang)
	b.names[lang] = v
	return v
}

// digestArticlesMax bounds what one period read brings in; a digest shows
// at most Config.MaxArticles of it.
const digestArticlesMax = 5000

func (b *digestBuilder) load(ctx context.Context, from time.Time) ([]store.Article, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sections == nil {
		secs, err := b.n.st.Sections(ctx)
		if err != nil {
			return nil, err
		}
		b.sections = map[string]store.Section{}
		for _, s := range secs {
			b.sections[s.Slug] = s
			b.order = append(b.order, s.Slug)
		}
	}
	key := from.UnixMilli()
	if as, ok := b.articles[key]; ok {
		return as, nil
	}
	as, err := b.n.st.DigestArticles(ctx, from, b.until, digestArticlesMax)
	if err != nil {
		return nil, err
	}
	b.articles[key] = as
	return as, nil
}

type digestItem struct{ Title, URL, Meta, Summary string }

type digestGroup struct {
	Name  string
	Items []digestItem
}

type digestData struct {
	Lang, Subject, Preheader, Site, HomeURL, Heading, Since string
	Groups                                                  []digestGroup
	Why, PrefsURL, PrefsLabel, UnsubURL, UnsubLabel         string
}

// message renders d's digest, or returns nil when the subscriber's sections
// have nothing new in the period.
func (b *digestBuilder) message(ctx context.Context, d *store.DigestSend) (*Message, error) {
	n, sub := b.n, &d.Subscriber
	all, err := b.load(ctx, d.PeriodFrom)
	if err != nil {
		return nil, err
	}
	var picked []store.Article
	for _, a := range all {
		if len(sub.Sections) > 0 && !slices.Contains(sub.Sections, a.Section) {
			continue
		}
		picked = append(picked, a)
		if len(picked) == n.cfg.MaxArticles {
			break
		}
	}
	if len(picked) == 0 {
		return nil, nil
	}
	lang := n.msg.lang(sub.Language)
	site := b.siteName(ctx, lang)
	// Titles and leads as the subscriber's edition shows them: translated
	// where a translation of the article's present version exists.
	shown, err := n.ed.List(ctx, n.pageLang(sub.Language), picked)
	if err != nil {
		return nil, fmt.Errorf("translated titles for the digest: %w", err)
	}
	// Links go to the subscriber's edition of the site (/de/…), where the
	// article is shown translated.
	edition := n.cfg.BaseURL + "/" + n.pageLang(sub.Language)
	groups := map[string]*digestGroup{}
	for i := range shown {
		a := &shown[i].Article
		g := groups[a.Section]
		if g == nil {
			name := n.msg.T(lang, "mail.other")
			if a.Section != "" {
				sec, ok := b.sections[a.Section]
				if !ok {
					sec.Slug = a.Section
				}
				name = n.ed.SectionName(lang, sec)
			}
			g = &digestGroup{Name: name}
			groups[a.Section] = g
		}
		title, summary := a.Title, a.Summary
		meta := a.SourceName
		if t := a.Date(); !t.IsZero() {
			meta = strings.TrimPrefix(meta+" · "+n.msg.Date(lang, t), " · ")
		}
		g.Items = append(g.Items, digestItem{Title: title, URL: edition + a.Path(), Meta: meta,
			Summary: clip(summary, 280)})
	}
	data := digestData{Lang: lang, Site: site, HomeURL: edition + "/",
		Heading:    n.msg.T(lang, "mail.digest."+sub.Frequency),
		Since:      n.msg.T(lang, "mail.digest.since", n.msg.Date(lang, d.PeriodFrom)),
		Why:        n.msg.T(lang, "mail.why", site, sub.Email),
		PrefsURL:   n.manageLink(sub),
		PrefsLabel: n.msg.T(lang, "mail.prefs"),
		UnsubURL:   n.unsubLink(sub),
		UnsubLabel: n.msg.T(lang, "mail.unsub")}
	for _, slug := range append(slices.Clone(b.order), "") {
		if g := groups[slug]; g != nil {
			data.Groups = append(data.Groups, *g)
			delete(groups, slug)
		}
	}
	for _, g := range groups { // sections created after the run began
		data.Groups = append(data.Groups, *g)
	}
	if len(picked) == 1 {
		data.Subject = n.msg.T(lang, "mail.digest.subject1", site)
	} else {
		data.Subject = n.msg.T(lang, "mail.digest.subject", site, len(picked))
	}
	data.Preheader = data.Groups[0].Items[0].Title
	html, text, err := render(n.mails.digestHTML, n.mails.digestText, data)
	if err != nil {
		return nil, err
	}
	name, addr := site, n.cfg.FromAddr
	return &Message{FromName: name, FromAddr: addr, ReturnPath: n.cfg.ReturnPath, To: sub.Email, Subject: data.Subject,
		MessageID: n.messageID("digest", sub.ID, d.RunKey), Date: n.now(), Text: text, HTML: html,
		ListUnsubscribe: n.unsubLink(sub),
		ListID:          fmt.Sprintf("%s %s <%s.newsletter.%s>", site, sub.Frequency, sub.Frequency, strings.Trim(n.host, "[]"))}, nil
}

// clip shortens s to about max characters at a word boundary.
func clip(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

// limiter spaces out sends to at most rate per second across the
// goroutines sharing it.
type limiter struct {
	mu    sync.Mutex
	every time.Duration
	next  time.Time
}

func newLimiter(rate float64) *limiter {
	if rate <= 0 {
		return &limiter{}
	}
	return &limiter{every: time.Duration(float64(time.Second) / rate)}
}

func (l *limiter) wait(ctx context.Context) error {
	if l.every == 0 {
		return ctx.Err()
	}
	l.mu.Lock()
	now := time.Now()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.every)
	l.mu.Unlock()
	t := time.NewTimer(time.Until(at))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
