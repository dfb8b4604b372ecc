-- A job whose unique key starts with "once:" (store.OnceKeyPrefix) is made
-- at most once while its row is kept, finished or not: a periodic job's
-- occurrence is created once per period however many processes try.
CREATE UNIQUE INDEX jobs_once_key ON jobs (unique_key) WHERE substr(unique_key, 1, 5) = 'once:';
