package ops

import (
	"strings"
	"unicode/utf8"

	"spektrum/internal/store"
	"spektrum/internal/viewpoint"
)

// maxOwnership bounds the ownership text: a line such as "Axel Springer SE
// (KKR 35.6 %)" for a reader, not a dossier.
const maxOwnership = 200

// Scale is the outlet's scale positions are checked against.
func (s *Service) Scale() viewpoint.Scale { return s.opts.Scale }

// describe applies the viewpoint fields of e to src, each checked; nil
// fields stay as they are and "" clears one. A position is checked only
// when it is given, so a source whose stored position a changed scale no
// longer has keeps it through other edits.
func (s *Service) describe(op string, src *store.Source, e Edit) error {
	if e.Country != nil {
		c := strings.TrimSpace(*e.Country)
		if c != "" {
			var ok bool
			if c, ok = viewpoint.Country(c); !ok {
				return invalid(op, FieldCountry, *e.Country, "country %q: use a two-letter ISO 3166-1 code such as DE, FR or US (EU for the European Union)", *e.Country)
			}
		}
		src.Country = c
	}
	if e.Type != nil {
		t := strings.TrimSpace(*e.Type)
		if t != "" {
			var ok bool
			if t, ok = viewpoint.Type(t); !ok {
				return invalid(op, FieldType, *e.Type, "type %q: use one of %s", *e.Type, strings.Join(viewpoint.Types(), ", "))
			}
		}
		src.Type = t
	}
	if e.Ownership != nil {
		o := strings.Join(strings.Fields(*e.Ownership), " ")
		if n := utf8.RuneCountInString(o); n > maxOwnership {
			return invalid(op, FieldOwnership, *e.Ownership, "ownership: %d characters; say who owns the outlet in at most %d", n, maxOwnership)
		}
		src.Ownership = o
	}
	if e.Position != nil {
		p := strings.TrimSpace(*e.Position)
		if p != "" {
			var err error
			if p, err = s.opts.Scale.Position(p); err != nil {
				return &Error{Code: Invalid, Op: op, Field: FieldPosition, Value: *e.Position, Err: err}
			}
		}
		src.Position = p
	}
	return nil
}
