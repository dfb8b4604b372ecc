package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"spektrum/internal/story"
)

// clusterInput is one line of `cluster --json`'s input: the contract.
type clusterInput struct {
	ID          json.RawMessage `json:"id"`
	Title       string          `json:"title"`
	URL         string          `json:"url"`
	PublishedAt string          `json:"published_at"`
	Language    string          `json:"language"`
	Text        string          `json:"text"`
}

type clusterLine struct {
	ID    json.RawMessage `json:"id"`
	Story string          `json:"story,omitempty"`
	Line  int             `json:"line,omitempty"`
	Error string          `json:"error,omitempty"`
}

// maxClusterLine bounds one input line (an article's text included).
const maxClusterLine = 8 << 20

func cmdCluster(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("cluster", stderr)
	asJSON := c.fs.Bool("json", false, "read and print JSON lines (the only format)")
	pos, _, err := c.parse(args)
	if err != nil {
		return err
	}
	if !*asJSON {
		return fmt.Errorf("%w: cluster reads and writes JSON lines: spektrum cluster --json FILE (or - for standard input)", errUsage)
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: cluster takes one FILE (or - for standard input), got %d arguments", errUsage, len(pos))
	}
	in := io.Reader(os.Stdin)
	if name := pos[0]; name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("open input: %w", err)
		}
		defer f.Close()
		in = f
	}
	out, failed, err := clusterLines(ctx, in)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	enc := json.NewEncoder(w)
	for _, l := range out {
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d lines could not be read (see their \"error\")", failed, len(out))
	}
	return nil
}

// clusterLines reads the input, clusters every readable line in time order
// (input order where a date is missing) and answers one line per input line.
func clusterLines(ctx context.Context, in io.Reader) ([]clusterLine, int, error) {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), maxClusterLine)
	var out []clusterLine
	type pending struct {
		line int
		item story.Item
	}
	var items []pending
	failed := 0
	for n := 1; sc.Scan(); n++ {
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		var ci clusterInput
		fail := func(msg string) {
			out = append(out, clusterLine{ID: ci.ID, Line: n, Error: msg})
			failed++
		}
		if err := json.Unmarshal(raw, &ci); err != nil {
			fail("not a JSON object: " + err.Error())
			continue
		}
		id := strings.Trim(string(ci.ID), `"`)
		switch {
		case len(ci.ID) == 0 || id == "" || id == "null":
			fail(`missing "id"`)
			continue
		case strings.TrimSpace(ci.Title) == "" && strings.TrimSpace(ci.Text) == "":
			fail(`needs a "title" or a "text"`)
			continue
		}
		var at time.Time
		if ci.PublishedAt != "" {
			t, err := time.Parse(time.RFC3339, ci.PublishedAt)
			if err != nil {
				fail(fmt.Sprintf(`"published_at" %q is not an RFC 3339 time (e.g. 2026-03-10T08:00:00Z)`, ci.PublishedAt))
				continue
			}
			at = t
		}
		out = append(out, clusterLine{ID: ci.ID})
		items = append(items, pending{line: len(out) - 1, item: story.Item{ID: id, Title: ci.Title, URL: ci.URL,
			Language: ci.Language, Text: ci.Text, Published: at}})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, 0, fmt.Errorf("read input: a line is longer than %d MiB; split or shorten its text", maxClusterLine>>20)
		}
		return nil, 0, fmt.Errorf("read input: %w", err)
	}
	// The pipeline sees articles as they arrive; offline, their dates are
	// the best stand-in. An undated line keeps its place after the dated
	// line before it.
	for i := 1; i < len(items); i++ {
		if items[i].item.Published.IsZero() {
			items[i].item.Published = items[i-1].item.Published
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].item.Published.Before(items[j].item.Published) })

	c := story.NewClusterer(story.DefaultOptions())
	first := map[int]string{} // story number → id of its first article
	stories := make([]int, len(items))
	for i, p := range items {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		s := c.Add(p.item)
		if _, ok := first[s]; !ok {
			first[s] = p.item.ID
		}
		stories[i] = s
	}
	for i, p := range items {
		out[p.line].Story = first[c.Story(stories[i])]
	}
	return out, failed, nil
}
