-- Newsletter: subscribers, their consent records, the digest send log,
-- sign-up rate counters and generated secrets. Times are INTEGER unix
-- milliseconds UTC, 0 = never.

CREATE TABLE newsletter_subscribers (
    id               INTEGER PRIMARY KEY,
    email            TEXT    NOT NULL UNIQUE, -- normalised (lower-case)
    language         TEXT    NOT NULL DEFAULT '',
    sections         TEXT    NOT NULL DEFAULT '', -- comma-separated slugs, '' = all
    frequency        TEXT    NOT NULL DEFAULT 'daily',
    status           TEXT    NOT NULL DEFAULT 'pending',
    confirm_nonce    TEXT    NOT NULL DEFAULT '',
    link_nonce       TEXT    NOT NULL DEFAULT '',
    confirm_sent     INTEGER NOT NULL DEFAULT 0,
    confirm_sent_at  INTEGER NOT NULL DEFAULT 0,
    soft_bounces     INTEGER NOT NULL DEFAULT 0,
    last_digest_at   INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL DEFAULT 0,
    confirmed_at     INTEGER NOT NULL DEFAULT 0,
    unsubscribed_at  INTEGER NOT NULL DEFAULT 0,
    bounced_at       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX newsletter_subscribers_due ON newsletter_subscribers (status, frequency);

CREATE TABLE newsletter_consents (
    id            INTEGER PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES newsletter_subscribers (id) ON DELETE CASCADE,
    action        TEXT    NOT NULL,
    text          TEXT    NOT NULL DEFAULT '',
    text_version  TEXT    NOT NULL DEFAULT '',
    language      TEXT    NOT NULL DEFAULT '',
    page_url      TEXT    NOT NULL DEFAULT '',
    choices       TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX newsletter_consents_subscriber ON newsletter_consents (subscriber_id, id);

-- The per-recipient send log: one row per subscriber and run, so a run
-- planned twice or resumed after a crash mails nobody twice.
CREATE TABLE newsletter_sends (
    id            INTEGER PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES newsletter_subscribers (id) ON DELETE CASCADE,
    run_key       TEXT    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'pending',
    period_from   INTEGER NOT NULL DEFAULT 0,
    period_until  INTEGER NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       INTEGER NOT NULL DEFAULT 0,
    locked_by     TEXT    NOT NULL DEFAULT '',
    locked_until  INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    message_id    TEXT    NOT NULL DEFAULT '',
    sent_at       INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX newsletter_sends_once ON newsletter_sends (subscriber_id, run_key);
CREATE INDEX newsletter_sends_claim ON newsletter_sends (run_key, state, next_at);

-- Sign-up counters per key (hashed IP or address) and time window.
CREATE TABLE newsletter_hits (
    hit_key   TEXT    NOT NULL,
    win_start INTEGER NOT NULL,
    count     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hit_key, win_start)
);

CREATE TABLE secrets (
    name       TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    created_at INTEGER NOT NULL DEFAULT 0
);

-- Digests pick articles by when Spektrum first saw them, so an article a
-- feed dates in the past still reaches the next digest.
CREATE INDEX articles_first_seen ON articles (first_seen_at);
