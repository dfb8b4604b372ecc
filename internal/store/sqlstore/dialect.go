package sqlstore

import (
	"io/fs"
	"strconv"
	"strings"
)

// Dialect is what differs between the SQL engines sqlstore runs on.
type Dialect struct {
	// Name identifies the engine in errors ("sqlite", "postgres").
	Name string
	// DollarPlaceholders rebinds ? to $1, $2, ... (PostgreSQL).
	DollarPlaceholders bool
	// ClaimLock is appended to the job-selecting subquery of Claim, e.g.
	// " FOR UPDATE SKIP LOCKED". SQLite serialises writers, so it needs none.
	ClaimLock string
	// MigrateLock is run first inside the migration transaction so that two
	// processes migrating at once take turns, e.g. an advisory lock. Empty
	// when beginning the transaction already locks (SQLite's BEGIN IMMEDIATE).
	MigrateLock string
	// StoryLock is run first inside a story step's transaction so that
	// steps on several processes take turns (see InStoryTx), e.g. an
	// advisory lock. Empty when beginning the transaction already locks.
	StoryLock string
	// AsyncCommit is run first inside a transaction whose context is
	// store.LaterDurable, so that its commit does not wait for the disk
	// (PostgreSQL: SET LOCAL synchronous_commit = off). Empty when the
	// engine has no such setting; the transaction commits as any other.
	AsyncCommit string
	// AsyncStoryLock is StoryLock and AsyncCommit in one statement, for a
	// story step under store.LaterDurable: the lock is held until the
	// commit, so a commit that waits for the disk holds every other step
	// for that long (one round trip fewer, too).
	AsyncStoryLock string
	// Epoch is an SQL expression for the epoch PageChanges returns
	// (store.GenerationStore): text that changes whenever the engine may
	// have lost commits it had answered for. Empty: it never does ('').
	Epoch string
	// OneShot is put before the arguments of a statement built for its
	// number of values (a story step's features), which is run once and
	// never again in that form: sent and run in one round trip, not
	// prepared first and cached (PostgreSQL: pgx's QueryExecModeExec;
	// pgx would otherwise prepare each form in a round trip of its own
	// and push useful statements out of its cache).
	OneShot []any
	// WritingWith allows a data-modifying statement in WITH (PostgreSQL):
	// a story step sends two writes as one statement, one round trip
	// fewer with the story lock held. SQLite has no such statement.
	WritingWith bool
	// Migrations holds NNNN_name.sql files at its root, applied in order.
	Migrations fs.FS
	// SerializeWrites makes the Store run one write at a time in this
	// process. SQLite allows one writer per file anyway; queueing writers in
	// Go instead of in SQLite's busy handler (which polls with growing
	// sleeps) keeps latency low when many goroutines write at once. Other
	// processes are still waited for through busy_timeout.
	SerializeWrites bool
	// FullText is the engine's full-text index (search.go): FullTextFTS5
	// (SQLite) or FullTextTSVector (PostgreSQL).
	FullText string
	// PlanEach is put before a query's arguments to have it planned for
	// its values every time instead of once for any (PostgreSQL: pgx's
	// QueryExecModeDescribeExec, an unnamed statement). Search needs it: a
	// prepared statement's generic plan guesses a handful of matches and
	// reads every document's TOASTed tsvector (docs/benchmarks.md, "A
	// million articles with search documents"). Nil on SQLite.
	PlanEach []any
	// IsUniqueViolation reports whether err is a unique-constraint violation.
	IsUniqueViolation func(error) bool
}

// Full-text engines.
const (
	FullTextFTS5     = "fts5"
	FullTextTSVector = "tsvector"
)

// rebind turns ? placeholders into $n for dialects that need it. Question
// marks inside single-quoted literals are left alone.
func (d Dialect) rebind(q string) string {
	if !d.DollarPlaceholders || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// placeholders returns "?, ?, ?" for n values (n >= 1).
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
