package main

import (
	"database/sql"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"spektrum/internal/demo"
)

// TestSearchReindexFillsTheTier: a SQLite database upgraded to migration
// 0033 holds its documents in the whole index only, its tier empty above
// them (the index keeps no terms to copy). `spektrum search reindex`
// fills the tier with them: it says how many, and the tier then holds
// every indexed document.
func TestSearchReindexFillsTheTier(t *testing.T) {
	srv := startSites(t)
	db := filepath.Join(t.TempDir(), "spektrum.db")
	c := newCLI(t, db)
	var good []demo.Site
	for _, s := range srv.sites {
		if !s.Broken {
			good = append(good, s)
		}
	}
	c.addSites(good)
	c.ok("fetch")

	sdb, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	count := func(q string) int {
		t.Helper()
		var n int
		if err := sdb.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	docs := count(`SELECT COUNT(*) FROM search_docs`)
	if docs == 0 || count(`SELECT COUNT(*) FROM search_recent`) != docs {
		t.Fatalf("after fetch: %d documents, %d in the tier; want every one in it", docs, count(`SELECT COUNT(*) FROM search_recent`))
	}
	// As the upgrade leaves it.
	for _, q := range []string{
		`INSERT INTO search_recent (search_recent) VALUES ('delete-all')`,
		`UPDATE search_tier SET floor = (SELECT MAX(id) + 1 FROM search_docs), bound = (SELECT MAX(id) + 1 FROM search_docs)`,
	} {
		if _, err := sdb.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	out := c.ok("search", "reindex")
	m := regexp.MustCompile(`(\d+) of the newest documents added to the search index's tier`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("search reindex said:\n%s\nwant how many documents it added to the tier", out)
	}
	if n, _ := strconv.Atoi(m[1]); n != docs {
		t.Errorf("search reindex added %d documents to the tier, want all %d", n, docs)
	}
	if got := count(`SELECT COUNT(*) FROM search_recent`); got != docs || count(`SELECT floor FROM search_tier`) != count(`SELECT MIN(id) FROM search_docs`) {
		t.Errorf("after search reindex the tier holds %d of %d documents from %d; want all, from the oldest", got, docs, count(`SELECT floor FROM search_tier`))
	}
	// Again: nothing left to add.
	if out := c.ok("search", "reindex"); regexp.MustCompile(`added to the search index's tier`).MatchString(out) {
		t.Errorf("a second search reindex said:\n%s\nwant nothing added", out)
	}
}
