-- search_docs.tsv stored in the row (STORAGE MAIN) rather than in the
-- TOAST table. A typical document's tsvector is some 3 kB, over the 2 kB
-- past which PostgreSQL moves a value out of the row, so every search
-- read it from TOAST, a lookup of its own (an index of the TOAST table,
-- then two chunks) per document: testing a row walked from the
-- newest-first index, and ranking each of a relevance order's candidates
-- (docs/benchmarks.md, "Search speed, eighth pass"). MAIN keeps it in the
-- row up to a page's worth (pairs, which only its GIN index reads, goes
-- out first); only a tsvector longer than that still goes to TOAST.
--
-- SET STORAGE alone applies to rows written from now on: the rewrite
-- (an ALTER TYPE to the same type, through an expression that copies the
-- value, which also rebuilds the indexes) moves the rows already there.
ALTER TABLE search_docs
    ALTER COLUMN tsv TYPE tsvector USING tsv || CAST('' AS tsvector),
    ALTER COLUMN tsv SET STORAGE MAIN;
ANALYZE search_docs;
