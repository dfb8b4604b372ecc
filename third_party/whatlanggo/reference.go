package whatlanggo

// DetectReference is Detect as released (DetectScript, count and
// calculateDistance; only ties are now broken in the languages' order),
// kept so that spektrum's tests can hold the fork's faster Detect to it
// (see FORK.md). Not for use outside tests.
func DetectReference(text string) Info {
	script := DetectScript(text)
	if script == nil {
		return Info{Lang: -1}
	}
	lang, confidence := detectLangBy(text, Options{}, script, func(text string, options Options, px *profileIndex) (Lang, float64) {
		return detectLangInProfiles(text, options, px.profiles)
	})
	return Info{Lang: lang, Script: script, Confidence: confidence}
}
