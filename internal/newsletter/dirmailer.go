package newsletter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Dir is the mailer for trying the newsletter without an SMTP server (the
// demo, a laptop): each mail becomes a .eml file in a folder, which any
// mail program opens, and the log names the file and the links in it, so
// a sign-up can be confirmed by following the logged link. Select it with
// the SMTP URL file:DIR.
type Dir struct {
	dir string
	log *slog.Logger
}

// NewDir makes dir (and its parents) and writes mails into it.
func NewDir(dir string, log *slog.Logger) (*Dir, error) {
	if dir == "" {
		return nil, fmt.Errorf("mail folder: no path given (want file:/path/to/folder)")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("mail folder: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Dir{dir: dir, log: log}, nil
}

// Path is the folder mails are written to.
func (d *Dir) Path() string { return d.dir }

// linkRE finds the links of a mail's plain-text part for the log.
var linkRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// Send writes m as <date>-<hash of its Message-ID>.eml, the same MIME
// message the SMTP mailer would hand over.
func (d *Dir) Send(ctx context.Context, m *Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	msg, err := build(m)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrPermanent, err)
	}
	sum := sha256.Sum256([]byte(m.MessageID + m.To))
	name := filepath.Join(d.dir, m.Date.UTC().Format("20060102-150405")+"-"+hex.EncodeToString(sum[:6])+".eml")
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("write mail to %s: %w", name, err)
	}
	if _, err := msg.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("write mail to %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write mail to %s: %w", name, err)
	}
	d.log.InfoContext(ctx, "mail written to a file instead of sent", "file", name, "to", m.To, "subject", m.Subject,
		"links", strings.Join(linkRE.FindAllString(m.Text, 4), " "))
	return nil
}

// Close does nothing: there is no connection to end.
func (d *Dir) Close() error { return nil }
