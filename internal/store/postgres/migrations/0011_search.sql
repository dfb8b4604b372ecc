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
    tsv        tsvector NOT NULL,
    UNIQUE (article_id, lang)
);
CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv);
