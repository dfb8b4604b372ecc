-- The admin: accounts, their server-side sessions, one-time sign-in links,
-- sign-in failure counters and the audit log. Times are INTEGER unix
-- milliseconds UTC, 0 = never. Tokens are stored only as SHA-256 hashes:
-- a copy of the database signs nobody in.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE, -- normalised (lower-case)
    role          TEXT    NOT NULL,        -- 'admin' or 'editor'
    password_hash TEXT    NOT NULL DEFAULT '', -- PHC argon2id string, '' = none set yet
    totp_secret   TEXT    NOT NULL DEFAULT '', -- base32 TOTP key, '' = no second factor
    totp_step     INTEGER NOT NULL DEFAULT 0,  -- the last time step used, so no code works twice
    created_at    INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE user_sessions (
    token_hash   TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX user_sessions_user ON user_sessions (user_id);

CREATE TABLE user_tokens (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX user_tokens_user ON user_tokens (user_id);

CREATE TABLE auth_failures (
    fail_key  TEXT    NOT NULL, -- a keyed hash of the account or the client address
    win_start INTEGER NOT NULL,
    count     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (fail_key, win_start)
);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    actor    TEXT    NOT NULL, -- the account's e-mail, or 'cli'
    action   TEXT    NOT NULL, -- 'source.add', 'user.remove', …
    target   TEXT    NOT NULL DEFAULT '',
    detail   TEXT    NOT NULL DEFAULT ''
);
