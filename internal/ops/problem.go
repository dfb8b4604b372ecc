package ops

import (
	"errors"

	"spektrum/internal/feed"
	"spektrum/internal/fetch"
	"spektrum/internal/ops/view"
)

// Classify names the category of a failure from its type: fetch.Error's
// kind, feed's sentinel errors. view.ProblemOf reads the same categories
// back from a stored error text.
func Classify(err error) view.Problem {
	if err == nil {
		return view.NoProblem
	}
	if errors.Is(err, feed.ErrNotFeed) || errors.Is(err, feed.ErrUnknownFormat) {
		return view.NotAFeed
	}
	if errors.Is(err, feed.ErrMalformed) {
		return view.MalformedFeed
	}
	var fe *fetch.Error
	if !errors.As(err, &fe) {
		return view.Failed
	}
	switch fe.Kind {
	case fetch.Network:
		return view.Unreachable
	case fetch.Timeout:
		return view.TimedOut
	case fetch.Blocked:
		return view.AddressNotAllowed
	case fetch.BadURL:
		return view.InvalidAddress
	case fetch.Robots:
		return view.RobotsRefused
	case fetch.RobotsUnavailable:
		return view.RobotsUnreadable
	case fetch.Status:
		return view.StatusProblem(fe.Status)
	case fetch.TooLarge:
		return view.TooLarge
	case fetch.TooManyRedirects:
		return view.RedirectLoop
	case fetch.Canceled:
		return view.Interrupted
	}
	return view.Failed
}
