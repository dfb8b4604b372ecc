package translate

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Apertium talks to an apertium-apy server (https://wiki.apertium.org/wiki/Apertium-apy):
// GET /listPairs lists its pairs, POST /translate (q, langpair=eng|spa,
// format=html) translates one text. Apertium is rule-based and local: free,
// fast, and good between close languages; pairs come from Debian packages
// such as apertium-eng-spa.
type Apertium struct {
	base string
	c    caller
	// concurrency bounds the requests in flight (APY answers one text per request).
	concurrency int

	mu    sync.Mutex
	pairs map[string]string // "en-es" → "eng|spa", loaded on first use
}

// NewApertium returns the provider for the APY server at base (e.g. http://127.0.0.1:2737).
func NewApertium(base string, o HTTPOptions) *Apertium {
	return &Apertium{base: strings.TrimRight(base, "/"), c: newCaller("apertium", o), concurrency: 4}
}

// Name implements Translator.
func (a *Apertium) Name() string { return "apertium" }

func apertiumProvider() Provider {
	return Provider{Name: "apertium",
		Settings: []Setting{{Key: "URL", Usage: "apertium-apy server, e.g. http://127.0.0.1:2737 (local and free; Debian's pairs eng-spa, fr-es …)"}},
		New: func(get func(string) string, o HTTPOptions) (Translator, error) {
			if get("URL") == "" {
				return nil, nil
			}
			return NewApertium(get("URL"), o), nil
		}}
}

// iso3 maps ISO 639-1 to the ISO 639-3 codes Apertium uses (and back).
func iso3(code string) string {
	switch code {
	case "en":
		return "eng"
	case "es":
		return "spa"
	case "fr":
		return "fra"
	case "ca":
		return "cat"
	case "de":
		return "deu"
	case "it":
		return "ita"
	case "pt":
		return "por"
	case "pl":
		return "pol"
	case "nl":
		return "nld"
	case "gl":
		return "glg"
	case "oc":
		return "oci"
	case "ro":
		return "ron"
	case "eu":
		return "eus"
	}
	return code
}

// iso1 maps an Apertium code ("spa", "es", "eng_US") to ISO 639-1.
func iso1(code string) string {
	code, _, _ = strings.Cut(code, "_")
	for _, c := range []string{"en", "es", "fr", "ca", "de", "it", "pt", "pl", "nl", "gl", "oc", "ro", "eu"} {
		if iso3(c) == code || c == code {
			return c
		}
	}
	return code
}

// Pairs loads the server's pairs as "from-to" → APY langpair.
func (a *Apertium) Pairs(ctx context.Context) (map[string]string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pairs != nil {
		return a.pairs, nil
	}
	var resp struct {
		ResponseData []struct {
			SourceLanguage string `json:"sourceLanguage"`
			TargetLanguage string `json:"targetLanguage"`
		} `json:"responseData"`
	}
	// One try: a server that is down is reported at once (and asked again
	// on the next use); the translation request has its own retries.
	once := a.c
	once.retries = 0
	if err := once.do(ctx, http.MethodGet, a.base+"/listPairs", "", nil, nil, &resp); err != nil {
		return nil, fmt.Errorf("list Apertium pairs (is apertium-apy running at %s?): %w", redactURL(a.base), err)
	}
	pairs := map[string]string{}
	for _, p := range resp.ResponseData {
		if strings.Contains(p.TargetLanguage, "_") || strings.Contains(p.SourceLanguage, "_") {
			continue // variants (eng_US, cat_valencia); the plain pair is listed too
		}
		pairs[iso1(p.SourceLanguage)+"-"+iso1(p.TargetLanguage)] = p.SourceLanguage + "|" + p.TargetLanguage
	}
	a.pairs = pairs
	return pairs, nil
}

// Supports implements Translator. While the server cannot be reached its
// pairs are unknown: it claims the pair, so that Translate reports the
// outage as an error to retry, not as a pair nobody handles.
func (a *Apertium) Supports(ctx context.Context, from, to string) bool {
	pairs, err := a.Pairs(ctx)
	if err != nil {
		return true
	}
	_, ok := pairs[from+"-"+to]
	return ok
}

// apertiumBatch bounds the characters sent in one request. APY answers one
// text per request and starts its pipeline per request, so segments travel
// together, each in a <div> of its own (tags pass through Apertium as
// superblanks): about six times the throughput of one request per segment.
const apertiumBatch = 20000

// segDiv finds the segments in a translated batch; segments never contain
// a div (they are the contents of innermost blocks, or plain text).
var segDiv = regexp.MustCompile(`(?s)<div id="spk(\d+)">(.*?)</div>`)

// Translate implements Translator.
func (a *Apertium) Translate(ctx context.Context, from, to string, segs []string) ([]string, error) {
	pairs, err := a.Pairs(ctx)
	if err != nil {
		return nil, err
	}
	lp, ok := pairs[from+"-"+to]
	if !ok {
		return nil, fmt.Errorf("apertium: %w: %s→%s is not installed on %s", ErrUnsupported, from, to, redactURL(a.base))
	}
	// Batches of consecutive segments, each one request.
	var batches [][2]int
	for i := 0; i < len(segs); {
		j, size := i, 0
		for j < len(segs) && (j == i || size+len(segs[j]) <= apertiumBatch) {
			size += len(segs[j])
			j++
		}
		batches = append(batches, [2]int{i, j})
		i = j
	}
	out := make([]string, len(segs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(a.concurrency)
	for _, b := range batches {
		g.Go(func() error { return a.batch(gctx, lp, segs, b[0], b[1], out) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// batch translates segs[lo:hi] into out[lo:hi] in one request, or one
// request per segment if the answer cannot be split back.
func (a *Apertium) batch(ctx context.Context, lp string, segs []string, lo, hi int, out []string) error {
	if hi-lo > 1 {
		var b strings.Builder
		for i := lo; i < hi; i++ {
			fmt.Fprintf(&b, `<div id="spk%d">%s</div>`, i, segs[i])
		}
		got, err := a.one(ctx, lp, b.String())
		if err != nil {
			return err
		}
		m := segDiv.FindAllStringSubmatch(got, -1)
		if len(m) == hi-lo {
			ok := true
			for k, sm := range m {
				if sm[1] != strconv.Itoa(lo+k) {
					ok = false
					break
				}
				out[lo+k] = sm[2]
			}
			if ok {
				// Apertium may move markup across a segment boundary
				// (a link to the next sentence): such segments are
				// asked for again on their own.
				for i := lo; i < hi; i++ {
					if markupKept(segs[i], out[i]) {
						continue
					}
					if out[i], err = a.one(ctx, lp, segs[i]); err != nil {
						return err
					}
				}
				return nil
			}
		}
	}
	for i := lo; i < hi; i++ {
		got, err := a.one(ctx, lp, segs[i])
		if err != nil {
			return err
		}
		out[i] = got
	}
	return nil
}

// one translates one text.
func (a *Apertium) one(ctx context.Context, lp, text string) (string, error) {
	var resp struct {
		ResponseData struct {
			TranslatedText string `json:"translatedText"`
		} `json:"responseData"`
		ResponseStatus  int    `json:"responseStatus"`
		ResponseDetails string `json:"responseDetails"`
	}
	form := url.Values{"q": {text}, "langpair": {lp}, "format": {"html"}, "markUnknown": {"no"}}
	if err := a.c.do(ctx, http.MethodPost, a.base+"/translate", "application/x-www-form-urlencoded", []byte(form.Encode()), nil, &resp); err != nil {
		return "", err
	}
	if resp.ResponseStatus != 0 && resp.ResponseStatus != http.StatusOK {
		return "", fmt.Errorf("apertium: translation failed with status %d: %s", resp.ResponseStatus, resp.ResponseDetails)
	}
	return resp.ResponseData.TranslatedText, nil
}
