package admin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"spektrum/internal/store"
)

const subscribersPage = 50

// handleSubscribers shows the newsletter's subscribers by state, newest
// first in pages, or the one an exact address names (?q=).
func (a *Admin) handleSubscribers(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	counts, err := a.st.CountSubscribers(ctx)
	if err != nil {
		a.serverError(w, r, "count subscribers", err)
		return
	}
	d := struct {
		Counts      []stateCount
		Subscribers []store.Subscriber
		State, Q    string
		Next        string
	}{State: q.Get("state"), Q: strings.TrimSpace(q.Get("q"))}
	for _, s := range []string{store.SubPending, store.SubActive, store.SubUnsubscribed, store.SubBounced} {
		d.Counts = append(d.Counts, stateCount{State: s, N: counts[s]})
	}
	if d.Q != "" {
		sub, err := a.st.SubscriberByEmail(ctx, strings.ToLower(d.Q))
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			a.serverError(w, r, "find subscriber", err)
			return
		}
		if sub != nil {
			d.Subscribers = []store.Subscriber{*sub}
		}
	} else {
		after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
		if d.Subscribers, err = a.st.Subscribers(ctx, d.State, "", after, subscribersPage); err != nil {
			a.serverError(w, r, "list subscribers", err)
			return
		}
		if len(d.Subscribers) == subscribersPage {
			d.Next = "/admin/newsletter?state=" + d.State + "&after=" + strconv.FormatInt(d.Subscribers[len(d.Subscribers)-1].ID, 10)
		}
	}
	a.render(w, r, http.StatusOK, "subscribers", a.newPage(r, "admin.newsletter", "newsletter", d))
}

type stateCount struct {
	State string
	N     int
}

// handleSubscriber shows one subscriber with the consent record exactly as
// stored and the digests sent.
func (a *Admin) handleSubscriber(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	sub, err := a.st.Subscriber(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.serverError(w, r, "read subscriber", err)
		return
	}
	cs, err := a.st.Consents(ctx, id)
	if err != nil {
		a.serverError(w, r, "read consents", err)
		return
	}
	sends, err := a.st.DigestSends(ctx, id)
	if err != nil {
		a.serverError(w, r, "read sends", err)
		return
	}
	d := struct {
		S        *store.Subscriber
		Consents []store.Consent
		Sends    []store.DigestSend
	}{sub, cs, sends}
	a.render(w, r, http.StatusOK, "subscriber", a.newPage(r, "admin.newsletter", "newsletter", d))
}
