-- Every article page lists the copies of the article it shows
-- (duplicate_of = ?), and deleting an original sets its copies'
-- duplicate_of to NULL: both need this index to stay index lookups.
CREATE INDEX articles_duplicate_of ON articles (duplicate_of) WHERE duplicate_of IS NOT NULL;
