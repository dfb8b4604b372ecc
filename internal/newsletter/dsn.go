package newsletter

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"strings"
)

// maxBounceMail bounds how much of one bounce message is read.
const maxBounceMail = 4 << 20

// parseBounceMail reads one bounce message as mail servers send them: a
// delivery status notification (RFC 3464, multipart/report;
// report-type=delivery-status) or an abuse feedback report (RFC 5965,
// report-type=feedback-report, a spam complaint). Messages of other kinds
// (auto-replies, out-of-office) yield no events and no error.
func parseBounceMail(r io.Reader) ([]bounceEvent, error) {
	msg, err := mail.ReadMessage(bufio.NewReader(io.LimitReader(r, maxBounceMail)))
	if err != nil {
		return nil, fmt.Errorf("read bounce mail: %w", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/report" || params["boundary"] == "" {
		return nil, nil // not a report: nothing to act on
	}
	report := strings.ToLower(params["report-type"])
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var events []bounceEvent
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return events, nil
		}
		if err != nil {
			return events, fmt.Errorf("read bounce mail part: %w", err)
		}
		pt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		body, err := io.ReadAll(io.LimitReader(part, maxBounceMail))
		if err != nil {
			return events, fmt.Errorf("read bounce mail part: %w", err)
		}
		switch {
		case report == "delivery-status" && (pt == "message/delivery-status" || pt == "message/global-delivery-status"):
			events = append(events, parseDeliveryStatus(body)...)
		case report == "feedback-report" && (pt == "message/rfc822" || pt == "text/rfc822-headers"):
			// The complained-about mail: its To is our subscriber.
			h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(body))).ReadMIMEHeader()
			if err != nil && len(h) == 0 {
				continue
			}
			if to, err := mail.ParseAddress(h.Get("To")); err == nil {
				events = append(events, bounceEvent{to.Address, BounceComplaint, "abuse report"})
			}
		}
	}
}

// parseDeliveryStatus reads the message/delivery-status body: one block of
// per-message fields, then a block per recipient.
func parseDeliveryStatus(body []byte) []bounceEvent {
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(body)))
	var events []bounceEvent
	for first := true; ; first = false {
		h, err := tp.ReadMIMEHeader()
		if len(h) > 0 && !first {
			if e, ok := recipientStatus(h); ok {
				events = append(events, e)
			}
		}
		if err != nil {
			return events
		}
	}
}

// recipientStatus turns one per-recipient block into an event: "failed"
// with a 5.1.x status (or the generic 5.0.0) is a hard bounce, other
// failures soft; "delayed" and successes are not bounces.
func recipientStatus(h textproto.MIMEHeader) (bounceEvent, bool) {
	if !strings.EqualFold(strings.TrimSpace(h.Get("Action")), "failed") {
		return bounceEvent{}, false
	}
	rcpt := h.Get("Final-Recipient")
	if rcpt == "" {
		rcpt = h.Get("Original-Recipient")
	}
	typ, addr, ok := strings.Cut(rcpt, ";")
	if !ok || !strings.EqualFold(strings.TrimSpace(typ), "rfc822") {
		return bounceEvent{}, false
	}
	status := strings.TrimSpace(h.Get("Status"))
	kind := BounceSoft
	if strings.HasPrefix(status, "5.1.") || status == "5.0.0" {
		kind = BounceHard
	}
	detail := strings.TrimSpace(status + " " + h.Get("Diagnostic-Code"))
	return bounceEvent{strings.TrimSpace(addr), kind, detail}, true
}

// BounceMail applies one bounce message (see parseBounceMail) and returns
// how many recipients it reported on.
func (n *Newsletter) BounceMail(ctx context.Context, r io.Reader) (int, error) {
	events, err := parseBounceMail(r)
	if err != nil {
		return 0, err
	}
	for _, e := range events {
		if err := n.Bounce(ctx, e.Email, e.Kind, e.Detail); err != nil {
			return 0, err
		}
	}
	return len(events), nil
}
