-- Full-text search: one document per article and edition. The terms are
-- analysed in Go (package search: folded, stop words out, stemmed per
-- language), so FTS5 only splits them on spaces; the tokenizer's own
-- folding changes nothing in them and is named for clarity. The FTS5 table
-- is contentless (the terms are not readable back, only matched), and a
-- trigger removes its row with the document's, also when an article's
-- deletion cascades.
CREATE TABLE search_docs (
    id         INTEGER PRIMARY KEY,
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


-- A search orders and filters thousands of matches without reading their
-- articles' rows (whose last columns lie past the text and HTML): the sort
-- key is copied into search_docs (an article's sort_at changes only when it
-- is stored again, which indexes it again), and hidden articles and copies
-- are left out through these small indexes.
CREATE INDEX articles_hidden ON articles (id) WHERE hidden = TRUE;
