-- An article belongs to the source that fetched it. Dedupe keys were global
-- (a canonical URL or a URL matched any source's article), so one source's
-- page declaring another site's URL as canonical could overwrite or suppress
-- that site's article. Every dedupe key is now scoped to the source; copies
-- across sources are the near-duplicate stage's business, which groups and
-- never overwrites. COALESCE keeps articles without a source (NULL) deduped
-- among themselves, as NULLs never collide in a unique index.
DROP INDEX articles_canonical_url;
DROP INDEX articles_url;
CREATE UNIQUE INDEX articles_source_canonical ON articles (COALESCE(source_id, 0), canonical_url);
CREATE INDEX articles_source_url ON articles (COALESCE(source_id, 0), url);
