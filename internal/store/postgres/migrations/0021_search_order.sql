-- Search results newest first, and a relevance order's candidates (the newest
-- matches), without sorting or ranking every match (docs/benchmarks.md,
-- "Search speed, third pass"). ord is the newest-order key of
-- sqlstore.searchOrd, the same SQLite keeps as search_docs.id (its FTS5
-- rowid): the article's sort_at in whole seconds (clamped to 0 .. 2^33-1)
-- << 30 | (article id & (2^26-1)) << 4 (slot 0: PostgreSQL needs no unique
-- key). The index lets the planner walk an edition's documents newest first
-- and stop at a page when a word is common, instead of fetching every match.
ALTER TABLE search_docs ADD COLUMN ord BIGINT NOT NULL DEFAULT 0;
UPDATE search_docs SET ord = (LEAST(GREATEST(sort_at, 0) / 1000, 8589934591) << 30) | ((article_id & 67108863) << 4);
ALTER TABLE search_docs ALTER COLUMN ord DROP DEFAULT;
CREATE INDEX search_docs_newest ON search_docs (lang, ord DESC);

-- The planner picks the walk or the GIN index by the statistics: fresh ones
-- for the new column and index, and for articles (the visibility filters),
-- in case autovacuum has not gathered them.
ANALYZE search_docs;
ANALYZE articles;
