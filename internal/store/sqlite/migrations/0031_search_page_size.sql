-- FTS5 index pages of up to 16,000 bytes instead of 4,050. Ranking reads
-- the whole doclist of every queried word (bm25 counts the documents that
-- hold it), one leaf page at a time, each a B-tree lookup of
-- search_fts_data: with pages four times larger, a common word's doclist
-- is a quarter as many lookups (ranking CPU about a quarter lower on
-- 100,000 articles, docs/benchmarks.md, "Search speed, sixth pass").
-- Segments written from now on, and the merges, use the new size; the
-- optimize of `spektrum search reindex` rewrites the whole index with it.
INSERT INTO search_fts (search_fts, rank) VALUES ('pgsz', 16000);
