-- The newest documents' tier: a small copy of the newest search documents
-- (every one whose order key is at least search_tier.floor, the newest
-- 20,000 to 30,000, sqlstore.defaultSearchTierDocs) with their tsvectors kept in
-- the row (STORAGE MAIN: a few kilobytes each, where search_docs keeps
-- them in TOAST). A search whose matches among the newest documents fill
-- what it asks (its count up to the cap, the 200 candidates a relevance
-- order ranks, a newest-first page) is answered from here: the GIN bitmap
-- then fetches a few hundred small rows instead of every match's row, and
-- ranking reads no TOAST (docs/benchmarks.md, "Search speed, ninth pass").
-- Searches read the tier from search_tier.bound; floor is the previous
-- bound, kept until the next move so that a search that read the bound
-- before a move still finds every document at or above it.
CREATE TABLE search_recent (
    article_id BIGINT   NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    lang       TEXT     NOT NULL,
    ord        BIGINT   NOT NULL,
    tsv        tsvector NOT NULL,
    pairs      tsvector NOT NULL,
    PRIMARY KEY (article_id, lang)
);
ALTER TABLE search_recent ALTER COLUMN tsv SET STORAGE MAIN;

CREATE TABLE search_tier (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    floor BIGINT  NOT NULL, -- every document with ord >= floor is in search_recent
    bound BIGINT  NOT NULL  -- searches read the tier for ord >= bound (>= floor)
);
INSERT INTO search_tier (id, floor, bound)
SELECT 1, b, b FROM (SELECT COALESCE((SELECT ord FROM search_docs ORDER BY ord DESC OFFSET 19999 LIMIT 1), 0) AS b) t;

INSERT INTO search_recent (article_id, lang, ord, tsv, pairs)
SELECT article_id, lang, ord, tsv, pairs FROM search_docs WHERE ord >= (SELECT floor FROM search_tier);

CREATE INDEX search_recent_tsv ON search_recent USING GIN (tsv);
CREATE INDEX search_recent_pairs ON search_recent USING GIN (pairs);
CREATE INDEX search_recent_newest ON search_recent (lang, ord DESC);
-- A move counts the documents above the bound, finds the newest 20,000th
-- and deletes below the floor by this one (the rows are kilobytes: a
-- sequential scan for the count read the whole tier every 64 documents).
CREATE INDEX search_recent_ord ON search_recent (ord);
ANALYZE search_recent;
