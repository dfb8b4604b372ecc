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
