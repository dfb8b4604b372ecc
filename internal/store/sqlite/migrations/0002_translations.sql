-- Translations: each article in each edition language, the segment cache
-- and the monthly usage per provider. Times are INTEGER unix milliseconds UTC.

CREATE TABLE translations (
    article_id      INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    language        TEXT    NOT NULL,
    source_language TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL DEFAULT 'done', -- done, unsupported, failed
    title           TEXT    NOT NULL DEFAULT '',
    summary         TEXT    NOT NULL DEFAULT '',
    html            TEXT    NOT NULL DEFAULT '',
    text            TEXT    NOT NULL DEFAULT '',
    provider        TEXT    NOT NULL DEFAULT '',
    content_hash    TEXT    NOT NULL DEFAULT '', -- the article's content_hash that was translated
    error           TEXT    NOT NULL DEFAULT '',
    chars           INTEGER NOT NULL DEFAULT 0,  -- characters sent to providers (cache misses)
    created_at      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, language)
);
CREATE INDEX translations_language ON translations (language, status);

CREATE TABLE translation_segments (
    hash            TEXT    NOT NULL, -- sha256 of the source segment
    source_language TEXT    NOT NULL,
    target_language TEXT    NOT NULL,
    provider        TEXT    NOT NULL,
    text            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hash, source_language, target_language, provider)
);

CREATE TABLE translation_usage (
    provider     TEXT    NOT NULL,
    month        TEXT    NOT NULL, -- YYYY-MM, UTC
    chars        INTEGER NOT NULL DEFAULT 0,
    requests     INTEGER NOT NULL DEFAULT 0,
    cache_hits   INTEGER NOT NULL DEFAULT 0,
    cache_misses INTEGER NOT NULL DEFAULT 0,
    errors       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (provider, month)
);
