-- Search results newest first without sorting every match (docs/benchmarks.md,
-- "Search speed, third pass"). search_docs.id becomes the newest-order key of
-- sqlstore.searchOrd: the article's sort_at in whole seconds (clamped to
-- 0 .. 2^33-1) << 30 | (article id & (2^26-1)) << 4 | a slot (0-15) for the
-- article's several editions. It is also the FTS5 rowid, so FTS5 walks a
-- word's matches newest first by itself (ORDER BY rowid DESC LIMIT), and a
-- relevance order ranks only the newest matches without reading the others.
--
-- The FTS5 table is contentless: its rows cannot be given new rowids, so the
-- index is rebuilt. It is emptied here, and every visible article is queued
-- for the search stage, which the running pipeline works through (`spektrum
-- search reindex` rebuilds it at once, in the foreground). Until then a search
-- finds only the articles indexed again.
DROP TRIGGER search_docs_delete;
DROP TABLE search_fts;
DROP TABLE search_docs;

CREATE TABLE search_docs (
    id         INTEGER PRIMARY KEY,        -- the newest-order key, = search_fts.rowid
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    lang       TEXT    NOT NULL,
    sort_at    INTEGER NOT NULL DEFAULT 0, -- the article's, copied when indexed
    UNIQUE (article_id, lang)
);

CREATE VIRTUAL TABLE search_fts USING fts5 (
    title, body, extra,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER search_docs_delete AFTER DELETE ON search_docs BEGIN
    DELETE FROM search_fts WHERE rowid = old.id;
END;

INSERT INTO jobs (kind, unique_key, source_id, payload, state, attempts, max_attempts, run_at, created_at, updated_at)
SELECT 'search', 'search:' || a.id, a.source_id, CAST('{"article_id":' || a.id || '}' AS BLOB), 'queued', 0, 5,
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
FROM articles a WHERE a.hidden = FALSE
ON CONFLICT DO NOTHING;
