package newsletter

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one mail, fully rendered. Every header value is plain text;
// the mailer encodes it, and CR/LF are refused outright (see checkHeader).
type Message struct {
	FromName, FromAddr string
	ReturnPath         string // envelope sender; "" = FromAddr
	To                 string
	Subject            string
	MessageID          string // without angle brackets: local@domain
	Date               time.Time
	Text, HTML         string
	// ListUnsubscribe is the one-click unsubscribe URL (RFC 8058); empty
	// for the confirmation mail, which is not a list mail.
	ListUnsubscribe string
	ListID          string // e.g. "Spektrum daily <daily.news.example.org>"
}

// Mailer delivers messages. Implementations are safe for concurrent use.
// The SMTP one is the only real one; the interface lets a test wrap it to
// stop a run half-way, as a crash would.
type Mailer interface {
	Send(ctx context.Context, m *Message) error
	Close() error
}

// ErrPermanent marks a delivery the server refused for good (5xx): retrying
// cannot help.
var ErrPermanent = errors.New("permanent delivery failure")

// ErrNoMailbox marks a permanent refusal that says the address itself does
// not work (550/551/553, or enhanced status 5.1.x): a hard bounce. Refusals
// for other reasons (policy, content) leave the address alone.
var ErrNoMailbox = errors.New("the recipient's mailbox does not exist")

// noMailbox reports whether an SMTP refusal is about the address.
func noMailbox(code int, enhanced string) bool {
	if strings.HasPrefix(enhanced, "5.1.") {
		return true
	}
	return enhanced == "" && (code == 550 || code == 551 || code == 553)
}

// checkHeader refuses values that could smuggle a header line into the
// mail. go-mail encodes values too; this is the second fence, and it makes
// the failure loud instead of silently mangled.
func checkHeader(name, v string) error {
	if strings.ContainsAny(v, "\r\n\x00") {
		return fmt.Errorf("mail header %s contains a line break or NUL; refusing to send", name)
	}
	return nil
}

// SMTPConfig is what an SMTP URL says.
type SMTPConfig struct {
	Host               string
	Port               int
	Username, Password string
	// TLS: "tls" (implicit, smtps:// or port 465), "starttls" (required),
	// "opportunistic" (STARTTLS when offered), "none".
	TLS                string
	InsecureSkipVerify bool
	// Connections is how many SMTP sessions are kept open for sending in
	// parallel (query connections=N); default 2.
	Connections int
}

// ParseSMTPURL reads smtp://user:pass@host:587 or smtps://…:465. Options in
// the query: tls=starttls|opportunistic|none, insecure_skip_verify=true.
// STARTTLS is required by default when credentials are given, so a
// password is never sent in the clear unless tls=none says so.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return SMTPConfig{}, fmt.Errorf("SMTP URL: %w (want smtp://user:password@host:587)", err)
	}
	var c SMTPConfig
	switch u.Scheme {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.Port, c.TLS = 465, "tls"
	default:
		return SMTPConfig{}, fmt.Errorf("SMTP URL %q: scheme must be smtp or smtps", u.Redacted())
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return SMTPConfig{}, fmt.Errorf("SMTP URL %q: no host", u.Redacted())
	}
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil || c.Port <= 0 || c.Port > 65535 {
			return SMTPConfig{}, fmt.Errorf("SMTP URL %q: bad port %q", u.Redacted(), p)
		}
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	q := u.Query()
	switch v := q.Get("tls"); v {
	case "":
		if c.TLS == "" {
			switch {
			case c.Port == 465:
				c.TLS = "tls"
			case c.Username != "":
				c.TLS = "starttls"
			default:
				c.TLS = "opportunistic"
			}
		}
	case "tls", "starttls", "opportunistic", "none":
		c.TLS = v
	default:
		return SMTPConfig{}, fmt.Errorf("SMTP URL %q: tls=%q, want tls, starttls, opportunistic or none", u.Redacted(), v)
	}
	c.InsecureSkipVerify = q.Get("insecure_skip_verify") == "true"
	c.Connections = 2
	if v := q.Get("connections"); v != "" {
		if c.Connections, err = strconv.Atoi(v); err != nil || c.Connections < 1 || c.Connections > 50 {
			return SMTPConfig{}, fmt.Errorf("SMTP URL %q: connections=%q, want 1 to 50", u.Redacted(), v)
		}
	}
	return c, nil
}

// SMTP delivers over a small pool of SMTP sessions (SMTPConfig.Connections),
// each kept open between messages and reopened when the server dropped it.
// Concurrent Sends use free sessions and wait for one when all are busy.
type SMTP struct {
	cfg   SMTPConfig
	conns chan *smtpConn
}

type smtpConn struct {
	client *gomail.Client
	dialed bool
}

// NewSMTP returns a mailer for cfg. It does not connect until the first Send.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Connections < 1 {
		cfg.Connections = 1
	}
	s := &SMTP{cfg: cfg, conns: make(chan *smtpConn, cfg.Connections)}
	for range cfg.Connections {
		c, err := newClient(cfg)
		if err != nil {
			return nil, err
		}
		s.conns <- &smtpConn{client: c}
	}
	return s, nil
}

func newClient(cfg SMTPConfig) (*gomail.Client, error) {
	// No NOOP before every message: a dropped session shows as a failed
	// send, which Send retries once on a fresh one.
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(30 * time.Second), gomail.WithoutNoop()}
	switch cfg.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "opportunistic":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if cfg.InsecureSkipVerify {
		// Opt-in via the URL only: a relay with a self-signed certificate
		// on a private network.
		opts = append(opts, gomail.WithTLSConfig(&tls.Config{ServerName: cfg.Host,
			InsecureSkipVerify: true, MinVersion: tls.VersionTLS12})) //nolint:gosec // opt-in
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	c, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("SMTP client for %s:%d: %w", cfg.Host, cfg.Port, err)
	}
	return c, nil
}

// Send delivers m. A failed delivery on a connection that was open is
// tried once more on a fresh one, since servers close idle connections.
func (s *SMTP) Send(ctx context.Context, m *Message) error {
	msg, err := build(m)
	if err != nil {
		return err
	}
	var c *smtpConn
	select {
	case c = <-s.conns:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { s.conns <- c }()
	for try := 0; ; try++ {
		if !c.dialed {
			if err := c.client.DialWithContext(ctx); err != nil {
				return fmt.Errorf("connect to SMTP server %s:%d: %w (check SPEKTRUM_SMTP_URL)", s.cfg.Host, s.cfg.Port, err)
			}
			c.dialed = true
		}
		err := c.client.Send(msg)
		if err == nil {
			return nil
		}
		var se *gomail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
			// The server looked at this message and said no; the
			// connection is fine (go-mail has reset it).
			if noMailbox(se.ErrorCode(), se.EnhancedStatusCode()) {
				return fmt.Errorf("send to %s: %w: %w: %w", m.To, ErrPermanent, ErrNoMailbox, err)
			}
			return fmt.Errorf("send to %s: %w: %w", m.To, ErrPermanent, err)
		}
		_ = c.client.Close() // the connection is suspect; the next try redials
		c.dialed = false
		if try == 1 || ctx.Err() != nil {
			return fmt.Errorf("send to %s via %s:%d: %w", m.To, s.cfg.Host, s.cfg.Port, err)
		}
	}
}

// Close ends the SMTP sessions, waiting for sends in progress.
func (s *SMTP) Close() error {
	var errs []error
	for range s.cfg.Connections {
		c := <-s.conns
		if c.dialed {
			c.dialed = false
			errs = append(errs, c.client.Close())
		}
		defer func() { s.conns <- c }() // usable again: the next Send redials
	}
	return errors.Join(errs...)
}

// build turns m into a go-mail message: multipart/alternative with the
// plain-text part first (the fallback) and HTML second (the preferred).
func build(m *Message) (*gomail.Msg, error) {
	for name, v := range map[string]string{"From": m.FromName + m.FromAddr, "To": m.To, "Subject": m.Subject,
		"Message-ID": m.MessageID, "List-Unsubscribe": m.ListUnsubscribe, "List-Id": m.ListID} {
		if err := checkHeader(name, v); err != nil {
			return nil, err
		}
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.FromFormat(m.FromName, m.FromAddr); err != nil {
		return nil, fmt.Errorf("sender %q <%s>: %w", m.FromName, m.FromAddr, err)
	}
	if m.ReturnPath != "" {
		if err := msg.EnvelopeFrom(m.ReturnPath); err != nil {
			return nil, fmt.Errorf("return path %s: %w", m.ReturnPath, err)
		}
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("recipient %s: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(m.Date)
	msg.SetMessageIDWithValue(m.MessageID)
	if m.ListUnsubscribe != "" {
		msg.SetGenHeader(gomail.HeaderListUnsubscribe, "<"+m.ListUnsubscribe+">")
		msg.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	if m.ListID != "" {
		msg.SetGenHeader("List-Id", m.ListID)
		// Out-of-office robots should not answer a digest.
		msg.SetGenHeader("Auto-Submitted", "auto-generated")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// hostOf is the host part of a URL, for Message-IDs and List-Ids.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return "localhost"
	}
	if ip := net.ParseIP(u.Hostname()); ip != nil {
		return "[" + ip.String() + "]" // RFC 5322 domain literal
	}
	return u.Hostname()
}

// NoMailer is the mailer while no SMTP server is configured: it refuses
// every send, so commands that need no mail (export, erase, dry runs) work.
type NoMailer struct{}

// ErrNoMailServer is NoMailer's answer to every send.
var ErrNoMailServer = errors.New("no SMTP server is configured: set SPEKTRUM_SMTP_URL (e.g. smtp://user:pass@mail.example.org:587)")

// Send always fails.
func (NoMailer) Send(context.Context, *Message) error { return ErrNoMailServer }

// Close does nothing.
func (NoMailer) Close() error { return nil }
