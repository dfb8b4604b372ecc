package newsletter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"spektrum/internal/jobs"
	"spektrum/internal/store"
)

// What the newsroom does from the admin beyond what the CLI does: look at a
// digest before it goes out, mail one to an address of its choosing, and
// start a run now. The run goes through the same planning as the schedule
// (planRun), so a digest started here and the day's scheduled one never
// reach a subscriber twice.

// Sample names the digest a preview or a test mail shows: the one a new
// subscriber of edition Language and Frequency, reading every section,
// would get now (the articles of the last day or week), addressed to Email.
type Sample struct {
	Language, Frequency, Email string
}

// ErrNothingNew means the sample's period has no articles: no digest would
// be sent.
var ErrNothingNew = errors.New("no new articles in the period: no digest would be sent")

// Languages are the editions a subscriber can choose, the default first.
func (n *Newsletter) Languages() []string { return slices.Clone(n.cfg.Languages) }

// CanSend says whether a mail server is configured; without one the
// newsletter still previews, exports and erases.
func (n *Newsletter) CanSend() bool {
	_, off := n.mailer.(NoMailer)
	return !off
}

func (n *Newsletter) checkRun(lang, freq string) error {
	if freq != store.Daily && freq != store.Weekly {
		return fmt.Errorf("%w: frequency %q must be daily or weekly", ErrInvalid, freq)
	}
	if lang != "" && !slices.Contains(n.cfg.Languages, lang) {
		return fmt.Errorf("%w: language %q is not one of this outlet's editions (%s)", ErrInvalid, lang, strings.Join(n.cfg.Languages, ", "))
	}
	return nil
}

// SampleDigest renders s's digest exactly as the mailer would send it,
// without sending or recording anything. Its links name no subscriber (a
// stand-in with id 0 and no link nonce), so they lead nowhere: a preview
// or a test mail can never unsubscribe or reveal anyone. ErrNothingNew when
// the period is empty.
func (n *Newsletter) SampleDigest(ctx context.Context, s Sample) (*Message, error) {
	if s.Language == "" {
		s.Language = n.cfg.Languages[0]
	}
	if err := n.checkRun(s.Language, s.Frequency); err != nil {
		return nil, err
	}
	now := n.now().UTC()
	sub := store.Subscriber{Email: s.Email, Language: s.Language, Frequency: s.Frequency, Status: store.SubActive}
	d := &store.DigestSend{RunKey: RunKey(s.Frequency, now), PeriodFrom: now.Add(-period(s.Frequency)), PeriodUntil: now, Subscriber: sub}
	b := &digestBuilder{n: n, until: now, articles: map[int64][]store.Article{}}
	m, err := b.message(ctx, d)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, ErrNothingNew
	}
	// Its own Message-ID: a test mail is not the run's digest.
	m.MessageID = n.messageID("test", 0, "")
	return m, nil
}

// SendSample mails s's digest to s.Email through the real mailer (a test
// mail), recording nothing in the send log, and returns what it sent.
func (n *Newsletter) SendSample(ctx context.Context, s Sample) (*Message, error) {
	addr, err := ParseAddress(s.Email)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	s.Email = addr
	m, err := n.SampleDigest(ctx, s)
	if err != nil {
		return nil, err
	}
	if err := n.send.lim.wait(ctx); err != nil {
		return nil, err
	}
	if err := n.mailer.Send(ctx, m); err != nil {
		return nil, err
	}
	n.log.InfoContext(ctx, "test digest sent", "language", s.Language, "frequency", s.Frequency)
	return m, nil
}

const jobSendNow = "digest-now"

type sendNowPayload struct {
	Frequency string `json:"frequency"`
	Language  string `json:"language,omitempty"`
}

// tokenRE is what a SendNow token may be: a form's random token.
var tokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// SendNow queues the current run of freq (for edition lang only, or every
// edition when ""), as the schedule does: whichever worker claims the job
// plans the run's due subscribers — active ones without a digest of this
// run yet — and queues their digests. token names the request (the
// admin's form carries a fresh one): the same token queues one job however
// often it is sent, so SendNow reports false for a repeat. A second
// request with a new token plans only who became due since.
func (n *Newsletter) SendNow(ctx context.Context, freq, lang, token string) (bool, error) {
	if err := n.checkRun(lang, freq); err != nil {
		return false, err
	}
	if !tokenRE.MatchString(token) {
		return false, fmt.Errorf("%w: the request token %q is not one a form carries", ErrInvalid, token)
	}
	if !n.CanSend() {
		return false, ErrNoMailServer
	}
	return jobs.Enqueue(ctx, n.st, jobSendNow, store.OnceKeyPrefix+jobSendNow+":"+token, 0,
		sendNowPayload{Frequency: freq, Language: lang})
}

// sendNowJob plans the run a SendNow queued and queues its digests.
func (n *Newsletter) sendNowJob(ctx context.Context, j *store.Job) error {
	var p sendNowPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(fmt.Errorf("digest-now payload: %w", err))
	}
	if err := n.checkRun(p.Language, p.Frequency); err != nil {
		return jobs.Permanent(err)
	}
	at := n.now()
	planned, err := n.planRun(ctx, p.Frequency, p.Language, at, false)
	if err != nil {
		return fmt.Errorf("%s digests now: %w", p.Frequency, err)
	}
	n.log.InfoContext(ctx, "digests queued now", "run", RunKey(p.Frequency, at), "language", p.Language, "subscribers", planned)
	return nil
}
