-- Full-text search: one document per article and edition. The terms are
-- analysed in Go (package search: folded, stop words out, stemmed per
-- language) and stored as a tsvector built with their positions and
-- weights (title A, body B, original's words C), so no text search
-- configuration of the server is involved and SQLite's FTS5 index holds
-- the same terms at the same positions.
CREATE TABLE search_docs (
    id         BIGSERIAL PRIMARY KEY,
    article_id BIGINT   NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    lang       TEXT     NOT NULL,
    sort_at    BIGINT   NOT NULL DEFAULT 0, -- the article's, copied when indexed
    tsv        tsvector NOT NULL,
    UNIQUE (article_id, lang)
);
CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv);

-- A search orders and filters thousands of matches without reading their
-- articles' rows (whose last columns lie past the text and HTML): the sort
-- key is copied into search_docs (an article's sort_at changes only when it
-- is stored again, which indexes it again), and hidden articles and copies
-- are left out through these small indexes.
CREATE INDEX articles_hidden ON articles (id) WHERE hidden = TRUE;
