-- SQLite's migration 0031 sets its full-text index's page size. PostgreSQL
-- needs nothing: the number is kept in step.
SELECT 1;
