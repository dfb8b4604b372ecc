-- Spektrum schema, SQLite dialect. Times are INTEGER unix milliseconds UTC,
-- 0 = unknown, so the shared SQL in sqlstore compares and sorts them the same
-- way as on PostgreSQL. Booleans are 0/1.

CREATE TABLE sources (
    id             INTEGER PRIMARY KEY,
    url            TEXT    NOT NULL UNIQUE,
    site_url       TEXT    NOT NULL DEFAULT '',
    kind           TEXT    NOT NULL DEFAULT 'feed',
    name           TEXT    NOT NULL DEFAULT '',
    section        TEXT    NOT NULL DEFAULT '',
    language       TEXT    NOT NULL DEFAULT '',
    poll_interval  INTEGER NOT NULL DEFAULT 0, -- milliseconds
    enabled        BOOLEAN NOT NULL DEFAULT TRUE,
    etag           TEXT    NOT NULL DEFAULT '',
    last_modified  TEXT    NOT NULL DEFAULT '',
    next_poll_at   INTEGER NOT NULL DEFAULT 0,
    last_polled_at INTEGER NOT NULL DEFAULT 0,
    last_success   INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT    NOT NULL DEFAULT '',
    error_count    INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sources_due ON sources (next_poll_at) WHERE enabled;

CREATE TABLE sections (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT ''
);

CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER REFERENCES sources (id) ON DELETE CASCADE, -- NULL = no source
    url           TEXT    NOT NULL,
    canonical_url TEXT    NOT NULL,
    guid          TEXT    NOT NULL DEFAULT '',
    slug          TEXT    NOT NULL,
    title         TEXT    NOT NULL DEFAULT '',
    author        TEXT    NOT NULL DEFAULT '',
    published_at  INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL DEFAULT 0,
    language      TEXT    NOT NULL DEFAULT '',
    section       TEXT    NOT NULL DEFAULT '',
    image         TEXT    NOT NULL DEFAULT '',
    summary       TEXT    NOT NULL DEFAULT '',
    html          TEXT    NOT NULL DEFAULT '',
    text          TEXT    NOT NULL DEFAULT '',
    content_hash  TEXT    NOT NULL DEFAULT '',
    first_seen_at INTEGER NOT NULL DEFAULT 0,
    -- CASE WHEN published_at = 0 THEN first_seen_at ELSE published_at END,
    -- kept as a column so newest-first listing is an index walk.
    sort_at       INTEGER NOT NULL DEFAULT 0,
    hidden        BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX articles_slug ON articles (slug);
CREATE UNIQUE INDEX articles_canonical_url ON articles (canonical_url);
CREATE UNIQUE INDEX articles_source_guid ON articles (source_id, guid) WHERE guid <> '';
CREATE INDEX articles_url ON articles (url);
CREATE INDEX articles_newest ON articles (sort_at DESC, id DESC);
CREATE INDEX articles_section_newest ON articles (section, sort_at DESC, id DESC);
CREATE INDEX articles_source_newest ON articles (source_id, sort_at DESC, id DESC);

CREATE TABLE views (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    hour       INTEGER NOT NULL, -- start of the hour, unix ms
    count      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, hour)
);
CREATE INDEX views_hour ON views (hour);

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL,
    unique_key   TEXT    NOT NULL DEFAULT '',
    source_id    INTEGER REFERENCES sources (id) ON DELETE CASCADE, -- NULL = none
    payload      BLOB,
    state        TEXT    NOT NULL DEFAULT 'queued',
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 5,
    run_at       INTEGER NOT NULL DEFAULT 0,
    locked_by    TEXT    NOT NULL DEFAULT '',
    locked_until INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key)
    WHERE state IN ('queued', 'running') AND unique_key <> '';
CREATE INDEX jobs_claim ON jobs (state, run_at);
CREATE INDEX jobs_source ON jobs (source_id, state);
