// Package search owns the language-aware text analysis of full-text search:
// how a text and a query become index terms (words split, lower-cased,
// diacritics folded, stop words dropped, Snowball stems per language), how a
// reader's query is read (words and "quoted phrases"), and how a hit is
// highlighted in a snippet.
//
// Analysis happens here, in Go, and not in the database, so that SQLite
// (FTS5) and PostgreSQL (tsvector) index and query exactly the same terms
// and return the same results: the database only matches the terms it is
// given. The store keeps and matches terms; the pipeline's search stage
// builds documents; the site parses queries and highlights. This package
// is pure computation: it must not import store, pipeline or web code.
package search
