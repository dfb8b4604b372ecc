package store

import "context"

// laterDurableKey marks a context whose writes a later commit makes
// durable (LaterDurable).
type laterDurableKey struct{}

// LaterDurable returns a context under which the store may commit writes
// without waiting for them to reach the disk (PostgreSQL: a transaction
// with synchronous_commit off; SQLite: no change). A database crash may
// then lose the last fraction of a second of them, but never out of order:
// the log is flushed in order, so a synchronous commit made after them (a
// job's completion) makes them durable too, and before it they are lost
// together with every later write.
//
// Only work that is redone when lost may use it: the pipeline's article and
// stage jobs, which are idempotent and stay claimed until their completion
// commits, so a crash before that reruns them when their lease lapses. A
// write a person was told succeeded (an admin's action) must not.
//
// What is done outside the database meanwhile is not taken back with them:
// other transactions see such rows before the log reaches the disk, so a
// CDN purge webhook or a newsletter sent from them may point to articles a
// database crash then loses. The harm is bounded by the jobs being rerun:
// their lease lapses, they are claimed anew and write those articles again.
func LaterDurable(ctx context.Context) context.Context {
	return context.WithValue(ctx, laterDurableKey{}, true)
}

// IsLaterDurable reports whether ctx came from LaterDurable.
func IsLaterDurable(ctx context.Context) bool {
	v, _ := ctx.Value(laterDurableKey{}).(bool)
	return v
}
