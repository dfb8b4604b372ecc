package extract

// NewAlwaysFallback returns an Extractor that runs go-trafilatura's
// fallbacks on every page: the reference the skipping one must match.
func NewAlwaysFallback() *Extractor {
	return &Extractor{sanitizer: NewSanitizer(), alwaysFallback: true}
}
