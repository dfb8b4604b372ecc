package newsletter

import (
	"bytes"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"spektrum/internal/i18n"
)

func TestTokens(t *testing.T) {
	s := newSigner("secret")
	now := time.Date(2026, 3, 16, 10, 0, 0, 0, time.UTC)
	tok := s.token(purposeConfirm, 42, now.Add(time.Hour), "nonce-a")
	id, check, ok := s.parse(tok)
	if !ok || id != 42 {
		t.Fatalf("parse(%q) = %d, %v", tok, id, ok)
	}
	for _, tc := range []struct {
		name, purpose, nonce string
		at                   time.Time
		want                 bool
	}{
		{"valid", purposeConfirm, "nonce-a", now, true},
		{"expired", purposeConfirm, "nonce-a", now.Add(2 * time.Hour), false},
		{"other purpose", purposeManage, "nonce-a", now, false},
		{"revoked nonce", purposeConfirm, "nonce-b", now, false},
	} {
		if got := check(tc.purpose, tc.nonce, tc.at); got != tc.want {
			t.Errorf("%s: check = %v, want %v", tc.name, got, tc.want)
		}
	}
	// Another id in the same token, or another key, fails.
	forged := "1" + tok[strings.Index(tok, "."):]
	if _, c, ok := s.parse(forged); ok && c(purposeConfirm, "nonce-a", now) {
		t.Error("a token with its id changed passed the check")
	}
	if _, c, _ := newSigner("other").parse(tok); c(purposeConfirm, "nonce-a", now) {
		t.Error("a token passed under another secret")
	}
	for _, bad := range []string{"", "a.b", "x.y.z", "-1.0.abc", "1.-5.abc", "1.0.abc.d"} {
		if _, c, ok := s.parse(bad); ok && c(purposeConfirm, "", now) {
			t.Errorf("malformed token %q passed", bad)
		}
	}
	// Links without expiry (unsubscribe) keep working.
	never := s.token(purposeUnsub, 7, time.Time{}, "n")
	if _, c, ok := s.parse(never); !ok || !c(purposeUnsub, "n", now.AddDate(10, 0, 0)) {
		t.Error("a token without expiry stopped working")
	}
	ft := s.formToken(now)
	if !s.checkForm(ft, now.Add(time.Hour), formMaxAge) || s.checkForm(ft, now.Add(formMaxAge+time.Second), formMaxAge) ||
		s.checkForm(ft+"x", now, formMaxAge) || newSigner("other").checkForm(ft, now, formMaxAge) {
		t.Error("form tokens: want valid within the age, invalid when stale, altered or under another key")
	}
}

func TestParseAddress(t *testing.T) {
	for in, want := range map[string]string{
		"Reader@Example.ORG":      "reader@example.org",
		"  a.b+tag@ex.co.uk ":     "a.b+tag@ex.co.uk",
		"leser@Bücher.example":    "leser@xn--bcher-kva.example", // IDN domains go out as punycode
		"a@xn--bcher-kva.example": "a@xn--bcher-kva.example",
	} {
		if got, err := ParseAddress(in); err != nil || got != want {
			t.Errorf("ParseAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "plain", "a@b", "a@.org", "a@b..org", "Name <a@b.org>", "a@b.org\r\nBcc: v@x.org",
		"a@b.org\nSubject: hi", "a@b.org, c@d.org", "\"q\"@b.org", strings.Repeat("a", 250) + "@b.org",
		// IP literals and dotted quads point mail at a host of the requester's choosing.
		"a@[127.0.0.1]", "a@[IPv6:::1]", "a@127.0.0.1", "a@[example.org]",
		// Control characters and raw 8-bit in the local part need SMTPUTF8 end to end.
		"a\x01b@example.org", "a\tb@example.org", "a@exa\x7fmple.org", "a\u0085@example.org", "jörg@example.org",
		"a\xff@example.org", "a@b\xffc.org", "a@ex_ample.org", "a@-example.org", "a..b@example.org", ".a@example.org",
		strings.Repeat("a", 65) + "@example.org"} {
		if got, err := ParseAddress(in); err == nil {
			t.Errorf("ParseAddress(%q) = %q, want an error", in, got)
		}
	}
}

func TestHeaderInjectionRefused(t *testing.T) {
	m := &Message{FromName: "Site", FromAddr: "n@example.org", To: "r@example.org", Subject: "Hi\r\nBcc: victim@example.org",
		MessageID: "x@example.org", Date: time.Now(), Text: "t"}
	if _, err := build(m); err == nil || !strings.Contains(err.Error(), "line break") {
		t.Fatalf("build with CR/LF in the subject = %v, want a refusal", err)
	}
	m.Subject, m.FromName = "Hi", "Site\nBcc: v@x.org"
	if _, err := build(m); err == nil {
		t.Fatal("build with a line break in the sender's name succeeded")
	}
}

func TestParseSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want SMTPConfig
	}{
		{"smtp://127.0.0.1:1025", SMTPConfig{Host: "127.0.0.1", Port: 1025, TLS: "opportunistic", Connections: 2}},
		{"smtp://user:p%40ss@mail.example.org:587", SMTPConfig{Host: "mail.example.org", Port: 587, Username: "user", Password: "p@ss", TLS: "starttls", Connections: 2}},
		{"smtp://mail.example.org", SMTPConfig{Host: "mail.example.org", Port: 587, TLS: "opportunistic", Connections: 2}},
		{"smtps://u:p@mail.example.org", SMTPConfig{Host: "mail.example.org", Port: 465, Username: "u", Password: "p", TLS: "tls", Connections: 2}},
		{"smtp://u:p@relay:2525?tls=none", SMTPConfig{Host: "relay", Port: 2525, Username: "u", Password: "p", TLS: "none", Connections: 2}},
		{"smtp://relay:465", SMTPConfig{Host: "relay", Port: 465, TLS: "tls", Connections: 2}},
		{"smtp://relay:25?connections=8", SMTPConfig{Host: "relay", Port: 25, TLS: "opportunistic", Connections: 8}},
		{"smtp://relay:25?tls=starttls&insecure_skip_verify=true", SMTPConfig{Host: "relay", Port: 25, TLS: "starttls", InsecureSkipVerify: true, Connections: 2}},
	} {
		got, err := ParseSMTPURL(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseSMTPURL(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"http://x", "smtp://", "smtp://h:0", "smtp://h:99999", "smtp://h?tls=maybe", "smtp://h?connections=0", "::"} {
		if _, err := ParseSMTPURL(bad); err == nil {
			t.Errorf("ParseSMTPURL(%q) succeeded, want an error", bad)
		}
	}
}

func TestParseBounces(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []bounceEvent
		confirm    string
	}{
		{"SES via SNS, permanent",
			`{"Type":"Notification","MessageId":"m","Message":"{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Permanent\",\"bounceSubType\":\"General\",\"bouncedRecipients\":[{\"emailAddress\":\"a@example.org\",\"diagnosticCode\":\"550 no such user\"}]}}"}`,
			[]bounceEvent{{"a@example.org", BounceHard, "Permanent/General 550 no such user"}}, ""},
		{"SES via SNS, transient",
			`{"Type":"Notification","Message":"{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Transient\",\"bounceSubType\":\"MailboxFull\",\"bouncedRecipients\":[{\"emailAddress\":\"b@example.org\"}]}}"}`,
			[]bounceEvent{{"b@example.org", BounceSoft, "Transient/MailboxFull "}}, ""},
		{"SES complaint direct",
			`{"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"c@example.org"}]}}`,
			[]bounceEvent{{"c@example.org", BounceComplaint, "complaint"}}, ""},
		{"SNS subscription",
			`{"Type":"SubscriptionConfirmation","Message":"confirm","SubscribeURL":"https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription"}`,
			nil, "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription"},
		{"Postmark hard",
			`{"RecordType":"Bounce","Type":"HardBounce","Email":"d@example.org","Description":"unknown user"}`,
			[]bounceEvent{{"d@example.org", BounceHard, "HardBounce: unknown user"}}, ""},
		{"Postmark spam",
			`{"RecordType":"SpamComplaint","Email":"e@example.org"}`,
			[]bounceEvent{{"e@example.org", BounceComplaint, ""}}, ""},
		{"SendGrid",
			`[{"email":"f@example.org","event":"bounce","type":"bounce","reason":"550"},{"email":"g@example.org","event":"delivered"},{"email":"h@example.org","event":"spamreport"}]`,
			[]bounceEvent{{"f@example.org", BounceHard, "550"}, {"h@example.org", BounceComplaint, "spam report"}}, ""},
		{"Mailgun permanent",
			`{"signature":{},"event-data":{"event":"failed","severity":"permanent","recipient":"i@example.org","reason":"bounce","delivery-status":{"message":"no mailbox"}}}`,
			[]bounceEvent{{"i@example.org", BounceHard, "bounce no mailbox"}}, ""},
	} {
		got, confirm, ok := parseBounces([]byte(tc.body))
		if !ok || confirm != tc.confirm || len(got) != len(tc.want) {
			t.Errorf("%s: parseBounces = %+v, %q, %v; want %+v, %q", tc.name, got, confirm, ok, tc.want, tc.confirm)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: event %d = %+v, want %+v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
	for _, bad := range []string{"", "not json", `{"hello":"world"}`, `[1,2]`} {
		if _, _, ok := parseBounces([]byte(bad)); ok {
			t.Errorf("parseBounces(%q) claimed to understand it", bad)
		}
	}
}

// FuzzParseBounces: the webhook takes any body from the network.
func FuzzParseBounces(f *testing.F) {
	f.Add([]byte(`{"Type":"Notification","Message":"{\"notificationType\":\"Bounce\"}"}`))
	f.Add([]byte(`[{"email":"a@b.org","event":"bounce"}]`))
	f.Add([]byte(`{"event-data":{"event":"failed"}}`))
	f.Add([]byte(`{"RecordType":"Bounce"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		events, _, ok := parseBounces(body)
		if !ok && len(events) > 0 {
			t.Fatalf("events %v from a body parseBounces rejected", events)
		}
	})
}

func TestRunKeyAndClip(t *testing.T) {
	at := time.Date(2026, 1, 1, 5, 0, 0, 0, time.UTC) // ISO week 1 of 2026
	if got := RunKey("daily", at); got != "daily-2026-01-01" {
		t.Errorf("daily run key = %q", got)
	}
	if got := RunKey("weekly", at); got != "weekly-2026-W01" {
		t.Errorf("weekly run key = %q", got)
	}
	if got := RunKey("weekly", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)); got != "weekly-2026-W53" {
		t.Errorf("weekly run key on 1 Jan 2027 = %q, want the ISO week it belongs to", got)
	}
	if got := clip("one two three four", 9); got != "one two…" {
		t.Errorf("clip = %q", got)
	}
	if got := clip("Grüße aus Köln", 100); got != "Grüße aus Köln" {
		t.Errorf("clip of a short text = %q", got)
	}
}

// TestConsentVersions: the consent texts live in the shared catalogue
// (internal/i18n); moving them there changed no word, so every stored
// consent record still names the text that was shown. A new wording is a
// new version: update the list on purpose.
func TestConsentVersions(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	m := messages{cat}
	for lang, want := range map[string]string{"en": "en-60f6d59d4790", "de": "de-ed4ea91c7bba", "fr": "fr-fd2a2f005bb9",
		"es": "es-756ab491a07a", "it": "it-32085e2f690c", "pl": "pl-06077d87d772", "xx": "en-60f6d59d4790"} {
		text, shown, version := m.consent(lang)
		if version != want || text == "" || !strings.HasPrefix(version, shown+"-") {
			t.Errorf("consent(%s) = %q in %s, version %s; want version %s", lang, text, shown, version, want)
		}
	}
}

func TestNoMailbox(t *testing.T) {
	for _, tc := range []struct {
		code     int
		enhanced string
		want     bool
	}{{550, "5.1.1", true}, {550, "", true}, {553, "", true}, {554, "5.7.1", false}, {550, "5.7.1", false}, {552, "", false}} {
		if got := noMailbox(tc.code, tc.enhanced); got != tc.want {
			t.Errorf("noMailbox(%d, %q) = %v, want %v", tc.code, tc.enhanced, got, tc.want)
		}
	}
}

func TestParseBounceMail(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []bounceEvent
	}{
		{"testdata/dsn-postfix.eml", []bounceEvent{
			{"gone@example.net", BounceHard, "5.1.1 smtp; 550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown"},
			{"full@example.net", BounceSoft, "5.2.2 smtp; 552 5.2.2 Mailbox full"}}},
		{"testdata/arf-complaint.eml", []bounceEvent{{"annoyed@example.com", BounceComplaint, "abuse report"}}},
	} {
		f, err := os.Open(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseBounceMail(f)
		f.Close()
		if err != nil || len(got) != len(tc.want) {
			t.Fatalf("%s: %+v, %v; want %+v", tc.file, got, err, tc.want)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: event %d = %+v, want %+v", tc.file, i, got[i], tc.want[i])
			}
		}
	}
	// An out-of-office reply is no bounce.
	ooo := "From: a@example.net\r\nTo: n@example.org\r\nSubject: Out of office\r\nContent-Type: text/plain\r\n\r\nAway.\r\n"
	if got, err := parseBounceMail(strings.NewReader(ooo)); err != nil || len(got) != 0 {
		t.Errorf("out-of-office = %+v, %v; want nothing", got, err)
	}
}

// FuzzParseBounceMail: bounce mails come from anyone on the Internet.
func FuzzParseBounceMail(f *testing.F) {
	for _, name := range []string{"testdata/dsn-postfix.eml", "testdata/arf-complaint.eml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		events, _ := parseBounceMail(bytes.NewReader(b))
		for _, e := range events {
			if e.Kind != BounceHard && e.Kind != BounceSoft && e.Kind != BounceComplaint {
				t.Fatalf("event of unknown kind %+v", e)
			}
		}
	})
}

func TestClientIP(t *testing.T) {
	n := &Newsletter{}
	for _, p := range []string{"10.0.0.0/8", "127.0.0.1/32"} {
		n.proxies = append(n.proxies, netip.MustParsePrefix(p))
	}
	for _, tc := range []struct {
		remote, xff, want string
	}{
		{"203.0.113.9:1234", "", "203.0.113.9"},
		{"203.0.113.9:1234", "198.51.100.1", "203.0.113.9"},                   // not from a proxy: header ignored
		{"127.0.0.1:1234", "198.51.100.1", "198.51.100.1"},                    // one trusted proxy
		{"127.0.0.1:1234", "6.6.6.6, 198.51.100.1, 10.1.2.3", "198.51.100.1"}, // spoofed left entry ignored
		{"127.0.0.1:1234", "10.1.2.3, 10.9.9.9", "10.1.2.3"},                  // all proxies: the farthest
		{"127.0.0.1:1234", "garbage, 198.51.100.7", "198.51.100.7"},           // nearest readable untrusted hop
		{"127.0.0.1:1234", "198.51.100.7, garbage", "127.0.0.1"},              // mangled nearest hop: the proxy
		{"[::ffff:127.0.0.1]:1234", "2001:db8::1", "2001:db8::/64"},           // IPv4-mapped proxy; IPv6 counts per /64
		{"[2001:db8:0:1:aaaa::1]:1234", "", "2001:db8:0:1::/64"},              // a fresh address in the same /64 counts the same
		{"[2001:db8:0:1:bbbb::2]:1234", "", "2001:db8:0:1::/64"},
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := n.clientIP(r); got != tc.want {
			t.Errorf("clientIP(%s, XFF %q) = %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
}
