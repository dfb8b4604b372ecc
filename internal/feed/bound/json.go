package bound

// JSON reports whether doc stays within l (Depth; Elements, which counts
// objects, arrays, strings including object keys, and other scalars; and
// Text, the longest string), and returns an *Error when it does not.
// Decoding JSON into Go values costs tens to hundreds of bytes per value
// however short its text ("{}" is two bytes), so the number of values, not
// the body's size, is what bounds memory.
func JSON(doc []byte, l Limits) error {
	depth, values := 0, 0
	scalar := false // inside a number, true, false or null
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		switch c {
		case '"':
			scalar = false
			values++
			// Skip the string; a backslash escapes the next byte.
			start := i
			for i++; i < len(doc) && doc[i] != '"'; i++ {
				if doc[i] == '\\' {
					i++
				}
			}
			if over(i-start-1, l.Text) {
				return &Error{Bound: "text", Limit: l.Text, Line: line(doc, start)}
			}
		case '{', '[':
			scalar = false
			values++
			depth++
			if over(depth, l.Depth) {
				return &Error{Bound: "depth", Limit: l.Depth, Line: line(doc, i)}
			}
		case '}', ']':
			scalar = false
			if depth > 0 { // stray closers never buy extra nesting later
				depth--
			}
		case ',', ':', ' ', '\t', '\r', '\n':
			scalar = false
		default:
			if !scalar {
				scalar = true
				values++
			}
		}
		if over(values, l.Elements) {
			return &Error{Bound: "values", Limit: l.Elements, Line: line(doc, i)}
		}
	}
	return nil
}
