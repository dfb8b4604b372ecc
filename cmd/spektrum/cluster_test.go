package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestClusterJSONContract(t *testing.T) {
	lines := []string{
		// A day of other news, so word frequencies mean something.
		`{"id":"b1","title":"Stocks fall as oil prices climb again","url":"https://z.example/markets/stocks-fall-oil","published_at":"2026-03-09T08:00:00Z","language":"en"}`,
		`{"id":"b2","title":"Parliament passes new housing law","url":"https://z.example/politics/housing-law","published_at":"2026-03-09T09:00:00Z","language":"en"}`,
		`{"id":"b3","title":"Football club names new coach","url":"https://z.example/sport/new-coach","published_at":"2026-03-09T10:00:00Z","language":"en"}`,
		`{"id":"b4","title":"Film festival opens with a comedy","url":"https://z.example/culture/festival-comedy","published_at":"2026-03-09T11:00:00Z","language":"en"}`,
		`{"id":"b5","title":"Train strike disrupts travel across the country","url":"https://z.example/strike-travel","published_at":"2026-03-09T12:00:00Z","language":"en"}`,
		`{"id":1,"title":"Malaysia Airlines flight MH370 missing over South China Sea","url":"https://a.example/world/malaysia-airlines-mh370-missing","published_at":"2026-03-10T08:00:00Z","language":"en"}`,
		`not json at all`,
		`{"id":"x","title":"Dated wrongly","published_at":"yesterday"}`,
		`{"title":"No id"}`,
		`{"id":"p1","title":"Apple sues Samsung over smartphone patents","url":"https://b.example/tech/apple-samsung-patents","published_at":"2026-03-10T09:00:00Z","language":"en"}`,
		`{"id":"es1","title":"Búsqueda del vuelo MH370 de Malaysia Airlines se amplía","url":"https://d.example/busqueda-vuelo-mh370-malaysia-airlines","published_at":"2026-03-10T11:00:00Z","language":"es"}`,
		`{"id":"en2","title":"Search for missing Malaysia Airlines MH370 widens","url":"https://c.example/search-mh370-widens","published_at":"2026-03-10T10:00:00Z","language":"en","text":"Ships and planes from several countries widened the search for the missing Malaysia Airlines jet on Monday."}`,
	}
	in := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"cluster", "--json", in}, &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (some lines failed); stderr %s", code, errb.String())
	}
	var got []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		got = append(got, m)
	}
	if len(got) != len(lines) {
		t.Fatalf("%d output lines for %d input lines:\n%s", len(got), len(lines), out.String())
	}
	story := func(i int) string { s, _ := got[i]["story"].(string); return s }
	// Input order is kept, ids are echoed as given (a number stays a number).
	if got[5]["id"] != float64(1) || got[9]["id"] != "p1" {
		t.Errorf("ids out of order or changed: %v, %v", got[5]["id"], got[9]["id"])
	}
	if story(5) == "" || story(5) != story(10) || story(5) != story(11) {
		t.Errorf("the flight reports are in stories %q, %q, %q; want one", story(5), story(10), story(11))
	}
	if story(5) != "1" {
		t.Errorf("story named %q, want the id of its first article, 1", story(5))
	}
	if story(9) == story(5) {
		t.Error("the patent story joined the flight story")
	}
	for _, i := range []int{6, 7, 8} {
		if e, _ := got[i]["error"].(string); e == "" || got[i]["story"] != nil {
			t.Errorf("line %d: %v, want an error and no story", i+1, got[i])
		}
	}
	if e := got[7]["error"].(string); !strings.Contains(e, "RFC 3339") {
		t.Errorf("bad date error %q does not say what is expected", e)
	}
	if !strings.Contains(errb.String(), "3 of 12 lines") {
		t.Errorf("stderr %q does not sum up the failures", errb.String())
	}

	// Without --json, or without a file, it is a usage error.
	if code := run(context.Background(), []string{"cluster", in}, &out, &errb); code != 2 {
		t.Errorf("cluster without --json: exit %d, want 2", code)
	}
}

// A line longer than the limit stops the run with a clear error (nothing
// half-clustered is printed); an empty input prints nothing and succeeds.
func TestClusterHugeAndEmptyInput(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.jsonl")
	line := `{"id":"h","title":"t","text":"` + strings.Repeat("word ", maxClusterLine/5+1) + `"}`
	if err := os.WriteFile(huge, []byte(line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"cluster", "--json", huge}, &out, &errb); code != 1 || out.Len() != 0 ||
		!strings.Contains(errb.String(), "longer than 8 MiB") {
		t.Errorf("huge line: exit %d, stdout %d bytes, stderr %q", code, out.Len(), errb.String())
	}
	empty := filepath.Join(dir, "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"cluster", "--json", empty}, &out, &errb); code != 0 || out.Len() != 0 {
		t.Errorf("empty input: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}

// Every command the usage text lists has help of its own (exit 0, on stdout).
func TestEveryListedCommandHasHelp(t *testing.T) {
	for _, line := range strings.Split(usage, "\n") {
		if !strings.HasPrefix(line, "  ") {
			continue
		}
		f := strings.Fields(line)
		name := f[0]
		if strings.HasPrefix(name, "(") {
			continue // a continuation line
		}
		if groups[name] != nil && len(f) > 1 && !strings.HasPrefix(f[1], "[") && !strings.HasPrefix(f[1], "-") {
			for _, sub := range strings.Split(f[1], "|") {
				checkHelp(t, name, sub)
			}
			continue
		}
		checkHelp(t, name)
	}
}

func checkHelp(t *testing.T, cmd ...string) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), append([]string{"help"}, cmd...), &out, &errb); code != 0 || !strings.Contains(out.String(), "Usage: spektrum "+strings.Join(cmd, " ")) {
		t.Errorf("help %v: exit %d, stdout %q, stderr %q", cmd, code, out.String(), errb.String())
	}
}
