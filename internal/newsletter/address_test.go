package newsletter_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"spektrum/internal/store"
)

// TestHostileAddressesRefused posts addresses with IP-literal domains and
// raw control or 8-bit characters to the form and the API over loopback:
// each is refused with a message saying what is wrong, and nothing is
// stored, queued or mailed. An international domain is accepted and kept
// in its punycode form.
func TestHostileAddressesRefused(t *testing.T) {
	t.Parallel()
	e := newOfflineEnv(t, nil)
	ctx := context.Background()
	hostile := map[string]string{
		"a@[127.0.0.1]":           "IP address",
		"a@[IPv6:::1]":            "IP address",
		"a@127.0.0.1":             "IP address",
		"a\x01b@example.org":      "control character",
		"a@exam\x7fple.org":       "control character",
		"j\xc3\xb6rg@example.org": "ASCII",
		"a\xff@example.org":       "not an e-mail address", // JSON turns the byte into U+FFFD; the form keeps it
	}
	for addr, why := range hostile {
		b, _ := json.Marshal(map[string]string{"email": addr, "lang": "en"})
		resp, err := http.Post(e.base+"/api/v1/newsletter/subscribe", "application/json", strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(out["error"], why) {
			t.Errorf("API sign-up of %q = %d %v; want 400 saying %q", addr, resp.StatusCode, out, why)
		}

		_, page := e.get(e.base + "/newsletter")
		form := hiddenFields(page, `class="nl-form`)
		form.Set("email", addr)
		status, body := e.postForm(e.base+"/newsletter/subscribe", form)
		if status != http.StatusBadRequest || !strings.Contains(body, why) {
			t.Errorf("form sign-up of %q = %d; want 400 saying %q", addr, status, why)
		}
	}
	if n, err := e.st.CountSubscribers(ctx); err != nil || len(n) != 0 {
		t.Fatalf("refused addresses stored subscribers: %v, %v", n, err)
	}
	if c, err := e.st.JobCounts(ctx, nil, time.Now()); err != nil || c.Queued != 0 {
		t.Fatalf("refused addresses queued mails: %+v, %v", c, err)
	}

	b, _ := json.Marshal(map[string]string{"email": "Leser@Bücher." + e.domain, "lang": "en"})
	resp, err := http.Post(e.base+"/api/v1/newsletter/subscribe", "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("sign-up with an international domain = %d, want 202", resp.StatusCode)
	}
	if _, err := e.st.SubscriberByEmail(ctx, "leser@xn--bcher-kva."+e.domain); err != nil {
		t.Fatalf("the international domain was not stored as punycode: %v", err)
	}
	if _, err := e.n.ExportByEmail(ctx, "a@[127.0.0.1]"); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("CLI export of an IP-literal address = %v; want the address refused", err)
	}
}
