package newsletter

import (
	"crypto/hmac"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// bounceEvent is one address a provider reports on.
type bounceEvent struct {
	Email, Kind, Detail string
}

// parseBounces reads the webhook formats of the common sending services:
// Amazon SES through SNS, Postmark, SendGrid and Mailgun. It returns the
// events it understood and, for an SNS subscription handshake, the URL the
// operator must visit to confirm it.
func parseBounces(body []byte) (events []bounceEvent, snsConfirm string, ok bool) {
	trimmed := strings.TrimSpace(string(body))
	if strings.HasPrefix(trimmed, "[") {
		// SendGrid: an array of events.
		var sg []struct {
			Email  string `json:"email"`
			Event  string `json:"event"`
			Type   string `json:"type"`
			Reason string `json:"reason"`
		}
		if json.Unmarshal(body, &sg) != nil {
			return nil, "", false
		}
		for _, e := range sg {
			switch e.Event {
			case "bounce":
				kind := BounceHard
				if e.Type == "blocked" {
					kind = BounceSoft // blocked = the receiving server refused for now
				}
				events = append(events, bounceEvent{e.Email, kind, e.Reason})
			case "dropped":
				// SendGrid drops addresses that bounced before or are invalid.
				if strings.Contains(strings.ToLower(e.Reason), "bounce") || strings.Contains(strings.ToLower(e.Reason), "invalid") {
					events = append(events, bounceEvent{e.Email, BounceHard, e.Reason})
				}
			case "spamreport":
				events = append(events, bounceEvent{e.Email, BounceComplaint, "spam report"})
			}
		}
		return events, "", true
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return nil, "", false
	}
	str := func(raw json.RawMessage) string {
		var s string
		_ = json.Unmarshal(raw, &s)
		return s
	}
	switch {
	case m["Type"] != nil && m["Message"] != nil:
		// Amazon SNS envelope; SES's notification is a JSON string inside.
		switch str(m["Type"]) {
		case "SubscriptionConfirmation":
			return nil, str(m["SubscribeURL"]), true
		case "Notification":
			return parseSES([]byte(str(m["Message"]))), "", true
		}
		return nil, "", true
	case m["notificationType"] != nil || m["eventType"] != nil:
		return parseSES(body), "", true // SES posting directly (e.g. via EventBridge)
	case m["RecordType"] != nil:
		// Postmark.
		var pm struct {
			RecordType, Type, Email, Description string
		}
		if json.Unmarshal(body, &pm) != nil {
			return nil, "", false
		}
		switch {
		case pm.RecordType == "SpamComplaint":
			events = append(events, bounceEvent{pm.Email, BounceComplaint, pm.Description})
		case pm.RecordType == "Bounce" && (pm.Type == "HardBounce" || pm.Type == "BadEmailAddress" || pm.Type == "ManuallyDeactivated"):
			events = append(events, bounceEvent{pm.Email, BounceHard, pm.Type + ": " + pm.Description})
		case pm.RecordType == "Bounce" && pm.Type == "SoftBounce":
			events = append(events, bounceEvent{pm.Email, BounceSoft, pm.Description})
		}
		return events, "", true
	case m["event-data"] != nil:
		// Mailgun.
		var mg struct {
			Event       string `json:"event"`
			Severity    string `json:"severity"`
			Recipient   string `json:"recipient"`
			Reason      string `json:"reason"`
			DeliveryMsg struct {
				Message string `json:"message"`
			} `json:"delivery-status"`
		}
		if json.Unmarshal(m["event-data"], &mg) != nil {
			return nil, "", false
		}
		switch {
		case mg.Event == "failed" && mg.Severity == "permanent":
			events = append(events, bounceEvent{mg.Recipient, BounceHard, mg.Reason + " " + mg.DeliveryMsg.Message})
		case mg.Event == "failed":
			events = append(events, bounceEvent{mg.Recipient, BounceSoft, mg.Reason})
		case mg.Event == "complained":
			events = append(events, bounceEvent{mg.Recipient, BounceComplaint, "complaint"})
		}
		return events, "", true
	}
	return nil, "", false
}

func parseSES(body []byte) []bounceEvent {
	var n struct {
		NotificationType string `json:"notificationType"`
		EventType        string `json:"eventType"`
		Bounce           struct {
			BounceType        string `json:"bounceType"`
			BounceSubType     string `json:"bounceSubType"`
			BouncedRecipients []struct {
				EmailAddress   string `json:"emailAddress"`
				DiagnosticCode string `json:"diagnosticCode"`
			} `json:"bouncedRecipients"`
		} `json:"bounce"`
		Complaint struct {
			ComplainedRecipients []struct {
				EmailAddress string `json:"emailAddress"`
			} `json:"complainedRecipients"`
		} `json:"complaint"`
	}
	if json.Unmarshal(body, &n) != nil {
		return nil
	}
	var out []bounceEvent
	switch n.NotificationType + n.EventType {
	case "Bounce":
		kind := BounceSoft
		if n.Bounce.BounceType == "Permanent" {
			kind = BounceHard
		}
		for _, r := range n.Bounce.BouncedRecipients {
			out = append(out, bounceEvent{r.EmailAddress, kind, n.Bounce.BounceType + "/" + n.Bounce.BounceSubType + " " + r.DiagnosticCode})
		}
	case "Complaint":
		for _, r := range n.Complaint.ComplainedRecipients {
			out = append(out, bounceEvent{r.EmailAddress, BounceComplaint, "complaint"})
		}
	}
	return out
}

// handleBounces is the bounce webhook. The path carries a key derived from
// the secret (see BounceWebhookURL), as providers sign their posts in as
// many ways as there are providers.
func (n *Newsletter) handleBounces(w http.ResponseWriter, r *http.Request) {
	if !hmac.Equal([]byte(r.PathValue("key")), []byte(n.sign.mac(purposeHook))) {
		apiJSON(w, http.StatusNotFound, map[string]string{"error": "unknown webhook; the URL is printed by `spektrum newsletter webhook-url`"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		apiJSON(w, http.StatusBadRequest, map[string]string{"error": "could not read the body"})
		return
	}
	events, confirmURL, ok := parseBounces(body)
	if !ok {
		apiJSON(w, http.StatusBadRequest, map[string]string{"error": "not a bounce notification of a known format (SES/SNS, Postmark, SendGrid, Mailgun JSON)"})
		return
	}
	if confirmURL != "" {
		// Spektrum does not fetch URLs a webhook hands it; the operator
		// confirms the SNS subscription by opening this once.
		n.log.WarnContext(r.Context(), "Amazon SNS asks to confirm the bounce subscription: open this URL once", "url", confirmURL)
	}
	applied := 0
	for _, e := range events {
		if err := n.Bounce(r.Context(), e.Email, e.Kind, e.Detail); err != nil {
			n.log.ErrorContext(r.Context(), "apply bounce", "err", err)
			apiJSON(w, http.StatusInternalServerError, map[string]string{"error": "could not record the bounce; retry later"})
			return
		}
		applied++
	}
	apiJSON(w, http.StatusOK, map[string]int{"events": applied})
}

// handleBouncesProbe answers the GET/HEAD some providers send to check a
// webhook URL before they use it.
func (n *Newsletter) handleBouncesProbe(w http.ResponseWriter, r *http.Request) {
	if !hmac.Equal([]byte(r.PathValue("key")), []byte(n.sign.mac(purposeHook))) {
		apiJSON(w, http.StatusNotFound, map[string]string{"error": "unknown webhook"})
		return
	}
	apiJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
