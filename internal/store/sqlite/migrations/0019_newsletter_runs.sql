-- The admin's "past sends": one row per digest run, and on each send-log
-- row whether its recipient bounced or unsubscribed after it, so a run's
-- delivered / bounced / unsubscribed counts can be read. Both marks are
-- rare, so each has a small partial index for the per-run counts.
ALTER TABLE newsletter_sends ADD COLUMN bounced_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE newsletter_sends ADD COLUMN unsubscribed_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX newsletter_sends_bounced ON newsletter_sends (run_key) WHERE bounced_at > 0;
CREATE INDEX newsletter_sends_unsubscribed ON newsletter_sends (run_key) WHERE unsubscribed_at > 0;

-- Runs are listed newest first without scanning the send log.
CREATE TABLE newsletter_runs (
    id         INTEGER PRIMARY KEY,
    run_key    TEXT    NOT NULL UNIQUE,
    frequency  TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0
);
INSERT INTO newsletter_runs (run_key, frequency, created_at)
    SELECT run_key, CASE WHEN run_key LIKE 'weekly-%' THEN 'weekly' ELSE 'daily' END, MIN(created_at)
    FROM newsletter_sends GROUP BY run_key ORDER BY MIN(created_at), run_key;
