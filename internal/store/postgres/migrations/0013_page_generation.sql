-- The site's page generation: a counter every web node reads (at most every
-- second, internal/pagecache) to know its cached pages are still what the
-- database says. Triggers bump it in the same transaction as every write that
-- changes what a page, feed, sitemap or API answer shows, so no store method
-- (today's or a later one) can forget to, and a node can never see the new
-- rows with the old generation. One row, one site-wide counter, not one per
-- edition: most changes show in several editions (a translation adds an
-- hreflang alternate to the article's page in each edition carrying it, a
-- renamed source or section shows everywhere), and with each node reading
-- the counter at most every Poll, a busy ingest costs a popular page at
-- most one rendering per Poll and node anyway.
-- Statement-level triggers: a bulk write bumps (and locks the row) once.
CREATE TABLE page_generation (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    gen BIGINT  NOT NULL
);
INSERT INTO page_generation (id, gen) VALUES (1, 1);

CREATE FUNCTION bump_page_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE page_generation SET gen = gen + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER page_gen_article AFTER INSERT OR UPDATE OR DELETE ON articles
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation();
CREATE TRIGGER page_gen_translation AFTER INSERT OR UPDATE OR DELETE ON translations
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation();
-- Sections only ever change by being created (a new one appears in the menu
-- once it has articles, which the article trigger covers) or renamed. Row
-- level, so EnsureSection's INSERT … ON CONFLICT DO NOTHING on a known slug
-- (one per article stored) bumps nothing.
CREATE TRIGGER page_gen_section AFTER INSERT OR UPDATE OR DELETE ON sections
    FOR EACH ROW EXECUTE FUNCTION bump_page_generation();
-- A source is rewritten after every poll (etag, times, errors): only what
-- pages and the API's article answers show of it bumps the generation.
CREATE TRIGGER page_gen_source_update AFTER UPDATE ON sources
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.url IS DISTINCT FROM NEW.url
        OR OLD.site_url IS DISTINCT FROM NEW.site_url OR OLD.section IS DISTINCT FROM NEW.section
        OR OLD.language IS DISTINCT FROM NEW.language OR OLD.kind IS DISTINCT FROM NEW.kind
        OR OLD.enabled IS DISTINCT FROM NEW.enabled)
    EXECUTE FUNCTION bump_page_generation();
CREATE TRIGGER page_gen_source AFTER INSERT OR DELETE ON sources
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation();
