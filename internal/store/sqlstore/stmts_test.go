package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite" // a real SQLite file under the cache
)

func cacheLen(s *Store) int {
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	return len(s.stmts.m)
}

// The statement cache prepares a query text once, runs it on the pool and
// inside transactions (where tx.StmtContext reuses it), stops growing at
// its bound without failing queries past it, and closes with the store.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	s := New(db, Dialect{Name: "sqlite"})
	defer s.Close()
	if _, err := s.execDB(ctx, `CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const ins = `INSERT INTO kv (k, v) VALUES (?, ?)`
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		for k := range 3 {
			if _, err := s.txExec(ctx, tx, ins, k, fmt.Sprint("v", k)); err != nil {
				return err
			}
		}
		var n int
		return s.txQueryRow(ctx, tx, `SELECT COUNT(*) FROM kv`).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	var v string
	if err := s.queryRow(ctx, `SELECT v FROM kv WHERE k = ?`, 2).Scan(&v); err != nil || v != "v2" {
		t.Fatalf("read back %q, %v; want v2", v, err)
	}
	// CREATE, INSERT, two SELECTs: one statement each, however often run.
	if n := cacheLen(s); n != 4 {
		t.Errorf("cache holds %d statements, want 4", n)
	}
	st := s.stmt(ctx, ins)
	if st == nil || st != s.stmt(ctx, ins) {
		t.Errorf("the same text gave different statements: %p", st)
	}
	// Past the bound, texts run unprepared and still work.
	for i := range maxStmts + 10 {
		var got int
		if err := s.queryRow(ctx, fmt.Sprintf(`SELECT %d`, i)).Scan(&got); err != nil || got != i {
			t.Fatalf("SELECT %d = %d, %v", i, got, err)
		}
	}
	if n := cacheLen(s); n != maxStmts {
		t.Errorf("cache holds %d statements, want the bound %d", n, maxStmts)
	}
	// A text that does not compile is not cached and fails where run.
	if _, err := s.query(ctx, `SELEC nothing`); err == nil {
		t.Error("a bad query ran")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := cacheLen(s); n != 0 || !s.stmts.closed {
		t.Errorf("after Close the cache holds %d statements (closed %v)", n, s.stmts.closed)
	}
	if st := s.stmt(ctx, ins); st != nil {
		t.Error("a closed store prepared a statement")
	}
}
