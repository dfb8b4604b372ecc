package newsletter_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"spektrum/internal/newsletter"
	"spektrum/internal/store"
)

// strictMailpit starts a Mailpit of this test's own that requires STARTTLS
// and authentication and refuses recipients starting with "x" (550), so the
// TLS, AUTH and permanent-failure paths run against a real server.
func strictMailpit(t *testing.T) (smtpAddr, api string) {
	t.Helper()
	mailpitEnv(t) // the suite's Mailpit being set up means the binary is installed
	bin, err := exec.LookPath("mailpit")
	if err != nil {
		if home, _ := os.UserHomeDir(); home != "" {
			bin = filepath.Join(home, "go", "bin", "mailpit")
		}
		if _, err := os.Stat(bin); err != nil {
			t.Skip("mailpit is not on PATH: go install github.com/axllent/mailpit@v1.33.1 (scripts/test.sh does)")
		}
	}
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	smtpAddr, api = freeAddr(t), freeAddr(t)
	cmd := exec.Command(bin, "--smtp", smtpAddr, "--listen", api, "--database", filepath.Join(dir, "mp.db"),
		"--smtp-tls-cert", cert, "--smtp-tls-key", key, "--smtp-require-starttls", "--smtp-auth-accept-any",
		"--smtp-allowed-recipients", "^[^x]", "--quiet", "--disable-version-check")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + api + "/api/v1/messages")
		if err == nil {
			resp.Body.Close()
			return smtpAddr, "http://" + api
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestSTARTTLSAuthAndPermanentFailure delivers through STARTTLS with
// authentication, refuses to send a password in the clear, and gives up on
// a recipient the server refuses for good instead of retrying it.
func TestSTARTTLSAuthAndPermanentFailure(t *testing.T) {
	t.Parallel()
	smtpAddr, api := strictMailpit(t)
	ctx := context.Background()

	plain, err := newsletter.ParseSMTPURL("smtp://user:secret@" + smtpAddr + "?tls=none")
	if err != nil {
		t.Fatal(err)
	}
	pm, err := newsletter.NewSMTP(plain)
	if err != nil {
		t.Fatal(err)
	}
	defer pm.Close()
	msg := &newsletter.Message{FromName: "T", FromAddr: "n@example.org", To: "a@example.org", Subject: "s",
		MessageID: "plain@example.org", Date: time.Now(), Text: "t"}
	if err := pm.Send(ctx, msg); err == nil {
		t.Fatal("sending without TLS to a server that requires STARTTLS succeeded")
	}

	// The self-signed certificate needs insecure_skip_verify; credentials
	// make STARTTLS mandatory by default.
	sc, err := newsletter.ParseSMTPURL(fmt.Sprintf("smtp://user:secret@%s?insecure_skip_verify=true&connections=1", smtpAddr))
	if err != nil || sc.TLS != "starttls" {
		t.Fatalf("ParseSMTPURL = %+v, %v; want STARTTLS required", sc, err)
	}
	m, err := newsletter.NewSMTP(sc)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	e := startEnv(t, m, &mailpit{api: api, t: t}, nil)
	e.seed(map[string][]string{"europe": {"Secure story"}})
	good, refused := e.addr("good"), e.addr("xrefused")
	e.activeSubscriber(good, nil, store.Daily)
	e.activeSubscriber(refused, nil, store.Daily)
	rep, err := e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily})
	if err != nil || rep.SentNow != 1 || rep.Counts.Failed != 1 || rep.Retrying != 0 {
		t.Fatalf("run = %+v, %v; want one sent, the refused one failed for good and not retried", rep, err)
	}
	got := e.mailpit.message(e.mailpit.waitFor(good, 1)[0].ID)
	if !strings.Contains(got.Text, "Secure story") {
		t.Errorf("digest over STARTTLS lacks its article:\n%s", got.Text)
	}
	sub, _ := e.st.SubscriberByEmail(ctx, refused)
	log, err := e.st.DigestSends(ctx, sub.ID)
	if err != nil || len(log) != 1 || log[0].State != store.SendFailed || !strings.Contains(log[0].LastError, "permanent") {
		t.Fatalf("send log of the refused recipient = %+v, %v", log, err)
	}
	// 550 5.1.x says the mailbox does not exist: a hard bounce, not mailed again.
	if sub, _ = e.st.SubscriberByEmail(ctx, refused); sub.Status != store.SubBounced {
		t.Fatalf("after a 550 5.1.0 the subscriber is %s, want bounced", sub.Status)
	}
}
