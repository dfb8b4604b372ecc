// Package sqlstore is the one implementation of store.Store over
// database/sql, shared by the SQLite and PostgreSQL packages. The dialects
// differ only in what a Dialect value describes: placeholder style, the row
// locking fragment for claiming jobs, how migrations are serialised, and how a
// unique violation is recognised. Every query is written once, with ?
// placeholders, in the catalogue in queries.go.
//
// Times are stored as BIGINT unix milliseconds UTC (0 = the zero time) in both
// dialects, so ordering and comparison behave identically.
//
// This package owns SQL and the mapping to store types. It must not open
// databases or import a driver: store/sqlite and store/postgres do that.
package sqlstore
