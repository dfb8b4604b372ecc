-- The newest documents' tier: a second, small FTS5 index holding every
-- search document whose order key is at least search_tier.floor (the
-- newest 20,000 to 30,000, sqlstore.defaultSearchTierDocs). A search whose
-- matches among the newest documents fill what it asks (its count up to the
-- cap, the 200 candidates a relevance order ranks, a newest-first page) is
-- answered from here: bm25 counts every document of the index holding each
-- queried word, and in the whole index that was most of a common word's
-- search (docs/benchmarks.md, "Search speed, ninth pass"). Searches read
-- the tier up to search_tier.bound; floor is the previous bound, kept until
-- the next move so that a search that read the bound before a move still
-- finds every document at or above it.
--
-- The main index is contentless, so its terms cannot be copied here: an
-- existing database starts with an empty tier above its newest key, which
-- fills with the documents indexed from now on whose keys are above it
-- (new articles); until it holds enough, searches read the whole index as
-- before. `spektrum search reindex` fills it at once (FillSearchTier).
CREATE VIRTUAL TABLE search_recent USING fts5 (
    title, body, extra,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO search_recent (search_recent, rank) VALUES ('pgsz', 16000);

CREATE TABLE search_tier (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    floor INTEGER NOT NULL, -- every document with key >= floor is in search_recent
    bound INTEGER NOT NULL  -- searches read the tier for keys >= bound (>= floor)
);
INSERT INTO search_tier (id, floor, bound) SELECT 1, COALESCE(MAX(id) + 1, 0), COALESCE(MAX(id) + 1, 0) FROM search_docs;

CREATE TRIGGER search_docs_delete_recent AFTER DELETE ON search_docs
WHEN old.id >= (SELECT floor FROM search_tier) BEGIN
    DELETE FROM search_recent WHERE rowid = old.id;
END;
