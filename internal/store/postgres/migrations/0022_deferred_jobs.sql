-- A job handed back with jobs.Defer (its host was busy) is due again in
-- moments, unlike a retry waiting out its backoff; both are queued with a
-- future run_at. Only the process that deferred a job remembered that, so
-- a fetch pass started after that process died took the deferred jobs for
-- backoffs and ended before they were due, leaving them unfetched while it
-- reported the pass complete. The flag says so in the database for every
-- process: a pass waits for deferred jobs and leaves only backoffs.
ALTER TABLE jobs ADD COLUMN deferred BOOLEAN NOT NULL DEFAULT FALSE;
