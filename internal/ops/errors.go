package ops

import (
	"errors"
	"fmt"

	"spektrum/internal/ops/view"
	"spektrum/internal/store"
)

// Code says what kind of refusal an Error is. Codes are a stable contract
// with the front doors: add new ones, never rename one.
type Code string

// Codes.
const (
	// Invalid: the input is not acceptable; Field names it and Value
	// holds what was given.
	Invalid Code = "invalid"
	// NotFound: no source with SourceID.
	NotFound Code = "not_found"
	// Duplicate: source OtherID already reads URL.
	Duplicate Code = "duplicate"
	// Unreadable: URL cannot be read now or holds no feed; Problem is the
	// category and Err the cause. Adding with Force keeps it anyway.
	Unreadable Code = "unreadable"
	// Private: URL is (or resolves to) a loopback, private or otherwise
	// non-public address, which this instance is not allowed to fetch.
	Private Code = "private"
)

// Fields an Invalid error can name.
const (
	FieldURL      = "url"
	FieldSection  = "section"
	FieldLanguage = "language"
	FieldSource   = "source"
	// A source's viewpoint (Edit).
	FieldCountry   = "country"
	FieldType      = "type"
	FieldOwnership = "ownership"
	FieldPosition  = "position"
)

// Error is the error every operation returns for a refusal. Other errors
// (a database that went away) come back as they are, wrapped.
type Error struct {
	Code      Code
	Op        string // what was attempted: "add source", "remove source", …
	Field     string // Invalid: FieldURL, FieldSection, …
	Value     string // Invalid: the value given
	URL       string
	SourceID  int64
	OtherID   int64  // Duplicate: the source that already reads URL
	OtherName string // Duplicate: its name
	Problem   view.Problem
	Use       store.SectionUse // SectionInUse: what still uses the section
	Err       error            // the cause or, for Invalid, what is wrong in words
}

func (e *Error) Unwrap() error { return e.Err }

// Error reads as one sentence for logs and the CLI; front doors that want
// their own words switch on Code and use the fields.
func (e *Error) Error() string {
	switch e.Code {
	case Invalid:
		if e.Err != nil {
			return e.Err.Error() // written to stand alone
		}
		return fmt.Sprintf("%s: %s %q is not valid", e.Op, e.Field, e.Value)
	case NotFound:
		return fmt.Sprintf("there is no source #%d", e.SourceID)
	case NoArticle:
		return fmt.Sprintf("there is no article #%s", e.Value)
	case NoUser:
		return fmt.Sprintf("there is no account %s", e.Value)
	case UserExists:
		return fmt.Sprintf("an account %s already exists", e.Value)
	case LastAdmin:
		return fmt.Sprintf("%s: %s is the last admin; make another account an admin first", e.Op, e.Value)
	case Duplicate:
		return fmt.Sprintf("source #%d %q already reads %s", e.OtherID, e.OtherName, e.URL)
	case NoSection:
		return fmt.Sprintf("there is no section %q", e.Value)
	case NoAd:
		return fmt.Sprintf("there is no ad #%s", e.Value)
	case SectionExists:
		return fmt.Sprintf("a section %q already exists; choose another slug, or rename that one", e.Value)
	case SectionInUse:
		return fmt.Sprintf("section %q is still used by %d articles, %d sources and %d newsletter subscribers; move them to another section to remove it",
			e.Value, e.Use.Articles, e.Use.Sources, e.Use.Subscribers)
	case Private:
		if e.Err != nil {
			return e.Err.Error() // fetch's own words name the address and why
		}
		return fmt.Sprintf("%s is in a private network, which this instance does not fetch", e.URL)
	case Unreadable:
		return fmt.Sprintf("cannot read %s (%s): %v", e.URL, e.Problem, e.Err)
	}
	return fmt.Sprintf("%s: %s: %v", e.Op, e.Code, e.Err)
}

// CodeOf returns the Code of the *Error in err's chain, or "" when there is
// none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func invalid(op, field, value string, format string, args ...any) *Error {
	return &Error{Code: Invalid, Op: op, Field: field, Value: value, Err: fmt.Errorf(format, args...)}
}
