-- PostgreSQL's migration 0033 keeps search_docs.tsv in the row (STORAGE
-- MAIN). SQLite needs nothing: FTS5 keeps its own index. The number is
-- kept in step.
SELECT 1;
