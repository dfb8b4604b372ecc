-- Near-duplicates: the understand stage keeps each article's MinHash
-- signature and its locality-sensitive band keys, and marks an article that
-- is a copy of an earlier one (any source) with duplicate_of. Grouping only:
-- no article is ever changed or merged because of it.
ALTER TABLE articles ADD COLUMN duplicate_of BIGINT REFERENCES articles (id) ON DELETE SET NULL;

CREATE TABLE article_signatures (
    article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    signature  BYTEA  NOT NULL
);

CREATE TABLE article_bands (
    band_key   BIGINT NOT NULL,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (band_key, article_id)
);
CREATE INDEX article_bands_article ON article_bands (article_id);
