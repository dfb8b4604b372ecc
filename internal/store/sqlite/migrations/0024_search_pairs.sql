-- PostgreSQL's migration 0024 adds search_docs.pairs (two-word phrases
-- found by its GIN index). SQLite needs nothing: FTS5 keeps positions in
-- its index and checks a phrase there. The number is kept in step.
SELECT 1;
