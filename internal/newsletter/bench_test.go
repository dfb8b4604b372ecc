package newsletter_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"spektrum/internal/newsletter"
	"spektrum/internal/store"
)

// benchSubscribers is the benchmark size.
const benchSubscribers = 10000

// benchEnv stores 10,000 active daily subscribers (a third of them with
// one section chosen) on a fresh outlet.
func benchEnv(b *testing.B, offline bool) (*env, context.Context) {
	var e *env
	if offline {
		e = startEnv(b, newsletter.NoMailer{}, nil, nil)
	} else {
		smtpURL, api := mailpitEnv(b)
		sc, err := newsletter.ParseSMTPURL(smtpURL)
		if err != nil {
			b.Fatal(err)
		}
		m, err := newsletter.NewSMTP(sc)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { m.Close() })
		e = startEnv(b, m, &mailpit{api: api, t: b}, nil)
	}
	ctx := context.Background()
	sections := []string{"europe", "tech", "sport"}
	for i := range benchSubscribers {
		var secs []string
		if i%3 == 0 {
			secs = []string{sections[i%len(sections)]}
		}
		sub := &store.Subscriber{Email: fmt.Sprintf("s%05d@%s", i, e.domain), Language: "en", Sections: secs,
			Frequency: store.Daily, Status: store.SubActive, LinkNonce: fmt.Sprint(i), CreatedAt: e.clock.Now()}
		if err := e.st.CreateSubscriber(ctx, sub); err != nil {
			b.Fatal(err)
		}
	}
	return e, ctx
}

func seedDay(e *env, day int) {
	titles := map[string][]string{}
	for _, s := range []string{"europe", "tech", "sport"} {
		for i := range 6 {
			titles[s] = append(titles[s], fmt.Sprintf("Day %d: %s story %d with a headline of a usual length", day, s, i))
		}
	}
	e.seed(titles)
}

// BenchmarkDigestDelivery: digests rendered and handed to the local SMTP
// server (Mailpit) per second, for 10,000 subscribers, one SMTP connection,
// no rate limit. Run with -benchtime=1x; each iteration is one day's run.
func BenchmarkDigestDelivery(b *testing.B) {
	e, ctx := benchEnv(b, false)
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		e.clock.Add(24 * time.Hour)
		seedDay(e, i)
		b.StartTimer()
		start := time.Now()
		rep, err := e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily})
		if err != nil || rep.SentNow != benchSubscribers {
			b.Fatalf("run = %+v, %v; want %d sent", rep, err, benchSubscribers)
		}
		b.ReportMetric(float64(rep.SentNow)/time.Since(start).Seconds(), "digests/s")
	}
}

// BenchmarkDigestRender: the same run as a dry run, which renders every
// digest and sends nothing: the cost on Spektrum's side alone.
func BenchmarkDigestRender(b *testing.B) {
	e, ctx := benchEnv(b, true)
	seedDay(e, 0)
	for b.Loop() {
		start := time.Now()
		rep, err := e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily, DryRun: true})
		if err != nil || rep.Counts.Sent != benchSubscribers {
			b.Fatalf("dry run = %+v, %v", rep, err)
		}
		b.ReportMetric(float64(rep.Counts.Sent)/time.Since(start).Seconds(), "digests/s")
	}
}
