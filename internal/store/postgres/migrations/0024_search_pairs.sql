-- Phrases found by the GIN index alone (docs/benchmarks.md, "Search speed,
-- fourth pass"). A phrase query (tsv @@ 'a' <-> 'b') cannot be answered by
-- the GIN index of tsv, which holds no positions: every document holding
-- both words had its tsvector (TOASTed, some kilobytes) read to check them,
-- thousands for two common words, up to seconds. pairs holds each two
-- adjacent terms of a field as one lexeme 'a b' (terms are letters and
-- digits, so a space joins them unambiguously), without positions: a
-- two-word phrase is one lexeme of this GIN index, and a longer one is its
-- pairs' AND, checked against tsv only for the few documents holding every
-- pair. PutSearchDocs writes it from the terms; here it is built from tsv's
-- positions (the same ones; a document whose term occurs more than 256
-- times, tsvector's limit, may miss a pair until `spektrum search reindex`).
ALTER TABLE search_docs ADD COLUMN pairs tsvector NOT NULL DEFAULT '';
UPDATE search_docs d SET pairs = COALESCE((
    SELECT array_to_tsvector(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme))
    FROM (SELECT u.lexeme, p FROM unnest(d.tsv) u, unnest(u.positions) p) a
    JOIN (SELECT u.lexeme, p FROM unnest(d.tsv) u, unnest(u.positions) p) b ON b.p = a.p + 1
), '');
CREATE INDEX search_docs_pairs ON search_docs USING GIN (pairs);
-- The UPDATE gave every row a new version, whose tsv entries wait in the
-- GIN index's pending list, which every search would scan until a vacuum
-- (and autovacuum may be off): they are merged now. The old versions stay
-- until VACUUM. Then fresh statistics, pairs' too, for the planner.
SELECT gin_clean_pending_list('search_docs_tsv');
ANALYZE search_docs;
