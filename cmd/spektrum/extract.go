package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"spektrum/internal/extract"
	"spektrum/internal/fetch"
	"spektrum/internal/version"
	"spektrum/internal/weburl"
)

// extracted is one line of `extract --json`: the contract other tools read.
// Absent values are empty strings, never missing keys, so a consumer can
// index every field; only "error" appears solely when an input failed.
type extracted struct {
	File         string `json:"file"`
	URL          string `json:"url"`
	Title        string `json:"title"`
	Author       string `json:"author"`
	PublishedAt  string `json:"published_at"`
	ModifiedAt   string `json:"modified_at"`
	Language     string `json:"language"`
	Image        string `json:"image"`
	SiteName     string `json:"site_name"`
	Section      string `json:"section"`
	CanonicalURL string `json:"canonical_url"`
	Description  string `json:"description"`
	Text         string `json:"text"`
	HTML         string `json:"html"`
}

type extractFailure struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

func cmdExtract(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("extract", stderr)
	pageURL := c.fs.String("url", "", "the address FILE inputs were fetched from (resolves relative links, fills \"url\")")
	asJSON := c.fs.Bool("json", false, "print one JSON object per input and line")
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return fmt.Errorf("%w: extract needs at least one FILE (.html or .html.gz) or http(s) URL", errUsage)
	}
	if *pageURL != "" && !weburl.Valid(*pageURL) {
		return fmt.Errorf("%w: --url %q must be an absolute http(s) address", errUsage, *pageURL)
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = version.UserAgent()
	}
	// The same client settings as the pipeline: the SSRF guard stays on
	// unless --allow-private-networks, and robots.txt is obeyed.
	fc := fetch.New(fetch.Options{
		UserAgent:            ua,
		AllowPrivateNetworks: cfg.AllowPrivateNetworks,
		Timeout:              cfg.FetchTimeout,
		MaxBytes:             cfg.MaxBytes,
	})
	ex := extract.New()
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	failed := 0
	for _, in := range pos {
		if err := ctx.Err(); err != nil {
			return err
		}
		out, err := extractOne(ctx, fc, ex, in, *pageURL)
		if err != nil {
			failed++
			if *asJSON {
				if err := enc.Encode(extractFailure{File: in, Error: err.Error()}); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(stderr, "spektrum extract: %s: %v\n", in, err)
				if h := hint(err); h != "" {
					fmt.Fprintln(stderr, h)
				}
			}
			continue
		}
		if *asJSON {
			if err := enc.Encode(out); err != nil {
				return err
			}
			continue
		}
		printArticle(stdout, out, len(pos) > 1)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d inputs could not be extracted (see the messages above)", failed, len(pos))
	}
	return nil
}

func isHTTPURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// extractOne reads one input (a file or a URL) and extracts its article.
func extractOne(ctx context.Context, fc *fetch.Client, ex *extract.Extractor, in, pageURL string) (*extracted, error) {
	var page string
	if isHTTPURL(in) {
		resp, err := fc.Get(ctx, fetch.Request{URL: in, Robots: true, Accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"})
		if err != nil {
			return nil, err
		}
		page, pageURL = resp.Text(), resp.URL
	} else {
		raw, err := readPageFile(in)
		if err != nil {
			return nil, err
		}
		page, _ = fetch.DecodeHTML(raw, "")
	}
	a, err := ex.Extract(ctx, []byte(page), pageURL)
	if err != nil {
		return nil, err
	}
	out := &extracted{
		File: in, URL: pageURL, Title: a.Title, Author: a.Author, Language: a.Language, Image: a.Image,
		SiteName: a.SiteName, Section: a.Section, CanonicalURL: a.CanonicalURL, Description: a.Description,
		Text: a.Text, HTML: a.HTML,
		PublishedAt: rfc3339(a.Published), ModifiedAt: rfc3339(a.Modified),
	}
	if out.URL == "" {
		out.URL = a.CanonicalURL
	}
	return out, nil
}

// readPageFile reads an .html file, gunzipping it when it is gzip data
// (by its magic bytes, so a misnamed file still reads).
func readPageFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// One byte over the limit tells "too large" from "exactly the limit".
	raw, err := io.ReadAll(io.LimitReader(f, extract.MaxPageBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
		raw, err = io.ReadAll(io.LimitReader(zr, extract.MaxPageBytes+1))
		if err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
	}
	if len(raw) > extract.MaxPageBytes {
		return nil, fmt.Errorf("larger than %d bytes: %w", extract.MaxPageBytes, extract.ErrTooLarge)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, errors.New("the file is empty")
	}
	return raw, nil
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// printArticle writes the human-readable form: a header of the metadata
// that was found, then the text.
func printArticle(w io.Writer, a *extracted, many bool) {
	if many {
		fmt.Fprintf(w, "==> %s <==\n", a.File)
	}
	for _, f := range [][2]string{
		{"Title", a.Title}, {"Author", a.Author}, {"Published", a.PublishedAt}, {"Modified", a.ModifiedAt},
		{"Language", a.Language}, {"Site", a.SiteName}, {"Section", a.Section}, {"URL", a.URL},
		{"Image", a.Image},
	} {
		if f[1] != "" {
			fmt.Fprintf(w, "%-10s %s\n", f[0]+":", f[1])
		}
	}
	fmt.Fprintf(w, "\n%s\n\n", a.Text)
}
