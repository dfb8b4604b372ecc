// Package aeb reproduces the ScrapingHub/Zyte article extraction benchmark
// (github.com/scrapinghub/article-extraction-benchmark): it loads the 181
// annotated pages, reads other extractors' published outputs, and scores
// article bodies with the benchmark's own shingle metric, so that figures
// computed here can be set side by side with the published table.
//
// The scorer mirrors the upstream evaluate.py down to floating point: the
// per-page ratios are computed in the same order on the same normalised
// values, and the means are taken exactly (as Python's statistics.mean does)
// before the single final rounding. On the bundled outputs it reproduces the
// upstream numbers bit for bit, not merely to three decimals.
package aeb

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// Page is one benchmark page with its annotated article body.
type Page struct {
	ID    string // hex digest naming html/ID.html.gz
	URL   string // the page's original address, from ground-truth.json
	HTML  []byte // gunzipped page bytes (UTF-8 for every page in the set)
	Truth string // the annotated articleBody
}

// EnvDir names the environment variable that points at the benchmark data:
// either the shared bench directory (holding aeb/) or the aeb directory itself.
const EnvDir = "SPEKTRUM_BENCH_DIR"

// Load reads ground-truth.json and every html/ID.html.gz under dir (the aeb
// directory). Pages come back sorted by ID so runs are reproducible.
func Load(dir string) ([]Page, error) {
	if dir == "" {
		return nil, errors.New("aeb: no benchmark data directory given (set " + EnvDir + ")")
	}
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("aeb: benchmark data directory: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("aeb: benchmark data path %s is not a directory", dir)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		return nil, fmt.Errorf("aeb: reading ground truth: %w", err)
	}
	var gt map[string]struct {
		ArticleBody *string `json:"articleBody"`
		URL         string  `json:"url"`
	}
	if err := json.Unmarshal(raw, &gt); err != nil {
		return nil, fmt.Errorf("aeb: decoding ground-truth.json: %w", err)
	}
	if len(gt) == 0 {
		return nil, fmt.Errorf("aeb: ground-truth.json in %s holds no pages", dir)
	}
	pages := make([]Page, 0, len(gt))
	for id, e := range gt {
		html, err := readGzip(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			return nil, fmt.Errorf("aeb: page %s: %w", id, err)
		}
		p := Page{ID: id, URL: e.URL, HTML: html}
		if e.ArticleBody != nil {
			p.Truth = *e.ArticleBody
		}
		pages = append(pages, p)
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].ID < pages[j].ID })
	return pages, nil
}

func readGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("gunzip %s: %w", path, err)
	}
	defer zr.Close()
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("gunzip %s: %w", path, err)
	}
	return b, nil
}

// TruthMap returns ID → annotated article body, the form Score takes.
func TruthMap(pages []Page) map[string]string {
	m := make(map[string]string, len(pages))
	for _, p := range pages {
		m[p.ID] = p.Truth
	}
	return m
}

// LoadOutput reads an extractor's output file (output/NAME.json) into
// ID → articleBody. Both layouts found upstream are accepted: the bare map
// {ID: {"articleBody": ...}} and the wrapped {"version": ..., "output": {...}}.
// A null or absent articleBody reads as empty, as upstream treats a falsy body.
func LoadOutput(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("aeb: reading output: %w", err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, fmt.Errorf("aeb: decoding %s: %w", path, err)
	}
	// Page IDs are hex digests, so a top-level "output" object can only be
	// the wrapped layout.
	if inner, ok := top["output"]; ok && len(bytes.TrimSpace(inner)) > 0 && bytes.TrimSpace(inner)[0] == '{' {
		// A fresh map: unmarshalling into top would merge "version" in.
		var pages map[string]json.RawMessage
		if err := json.Unmarshal(inner, &pages); err != nil {
			return nil, fmt.Errorf("aeb: decoding %s output: %w", path, err)
		}
		top = pages
	}
	out := make(map[string]string, len(top))
	for id, v := range top {
		var e struct {
			ArticleBody *string `json:"articleBody"`
		}
		if err := json.Unmarshal(v, &e); err != nil {
			return nil, fmt.Errorf("aeb: decoding %s page %s: %w", path, id, err)
		}
		if e.ArticleBody != nil {
			out[id] = *e.ArticleBody
		} else {
			out[id] = ""
		}
	}
	return out, nil
}

// DefaultDir locates the aeb data: $SPEKTRUM_BENCH_DIR (the bench directory or
// the aeb directory itself) when it holds the data, else ../shared/bench/aeb
// next to the module root found by walking up from the working directory.
// It returns "" when neither exists, so callers (and tests) can skip cleanly.
func DefaultDir() string {
	if env := os.Getenv(EnvDir); env != "" {
		for _, d := range []string{filepath.Join(env, "aeb"), env} {
			if isDataDir(d) {
				return d
			}
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			cand := filepath.Join(filepath.Dir(d), "shared", "bench", "aeb")
			if isDataDir(cand) {
				return cand
			}
			return ""
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

func isDataDir(d string) bool {
	fi, err := os.Stat(filepath.Join(d, "ground-truth.json"))
	return err == nil && fi.Mode().IsRegular()
}
