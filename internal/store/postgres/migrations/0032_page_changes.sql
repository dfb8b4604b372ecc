-- Scoped page generations. While ingesting, the generation (0013, 0027)
-- moves several times a second, and every move made every cached page on
-- every node due for re-rendering (docs/benchmarks.md, "Load while working,
-- third pass"). Most moves change one article, its translations or its
-- story: the writes of articles, translations and stories now also record
-- which scopes they touch beside the generation they make, so that a web
-- node can keep serving a page none of whose scopes moved
-- (internal/pagecache).
--
-- The rule that keeps this safe: a generation with no row here touched
-- everything. Every other trigger (sections, sources, settings, ads, a
-- purge, and any later one) keeps bumping without a row, so none of them
-- can become wrong; rows pruned below are read as "everything" too.
--
-- Scopes, read by the article page (internal/web, handleArticle):
--   article:<id>  an article's own row (its page, its translations, its
--                 copies: a copy's row names its original as article:<id>)
--   section:<slug> the newest articles of a section (the related list)
--   story:<id>    a story's counts and headline (the article page's story link)
CREATE TABLE page_changes (
    gen   BIGINT NOT NULL,
    scope TEXT   NOT NULL,
    PRIMARY KEY (gen, scope)
);

-- One generation with its scopes; a write touching more than 256 scopes
-- (a bulk move) records none, so it touches everything. Every 64th
-- generation prunes what no node reading every 250 ms still needs.
CREATE FUNCTION bump_page_generation_scoped(scopes TEXT[]) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    g BIGINT;
BEGIN
    UPDATE page_generation SET gen = gen + 1 WHERE id = 1 RETURNING gen INTO g;
    IF cardinality(scopes) BETWEEN 1 AND 256 THEN
        INSERT INTO page_changes (gen, scope) SELECT g, s FROM unnest(scopes) s;
    END IF;
    IF g % 64 = 0 THEN
        DELETE FROM page_changes WHERE gen <= g - 4096;
    END IF;
END
$$;

-- What a row of articles touches: its page, its section's list, its story,
-- and the page of the article it is a copy of ("also by").
CREATE FUNCTION page_scopes_article(id BIGINT, section TEXT, story BIGINT, copy_of BIGINT)
RETURNS SETOF TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT s FROM (VALUES ('article:' || id), ('section:' || section), ('story:' || story), ('article:' || copy_of)) v (s)
    WHERE s IS NOT NULL
$$;

-- As bump_page_generation_if_changed (0027): only rows inserted, deleted
-- or changed in any column bump, statement by statement; the scopes are
-- those of the old and the new version of each such row.
CREATE FUNCTION bump_page_generation_article() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    scopes TEXT[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT s) INTO scopes
        FROM gen_new a, page_scopes_article(a.id, a.section, a.story_id, a.duplicate_of) s;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT s) INTO scopes
        FROM gen_old a, page_scopes_article(a.id, a.section, a.story_id, a.duplicate_of) s;
    ELSE
        SELECT array_agg(DISTINCT s) INTO scopes
        FROM ((SELECT * FROM gen_new EXCEPT SELECT * FROM gen_old)
              UNION ALL (SELECT * FROM gen_old EXCEPT SELECT * FROM gen_new)) a,
             page_scopes_article(a.id, a.section, a.story_id, a.duplicate_of) s;
    END IF;
    IF scopes IS NOT NULL THEN
        PERFORM bump_page_generation_scoped(scopes);
    END IF;
    RETURN NULL;
END
$$;

-- A translation shows on its article's pages (text, hreflang alternates)
-- and in its section's list (cards in the edition's language).
CREATE FUNCTION bump_page_generation_translation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    scopes TEXT[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT s) INTO scopes
        FROM (SELECT t.article_id, a.section FROM gen_new t LEFT JOIN articles a ON a.id = t.article_id) t,
             LATERAL (VALUES ('article:' || t.article_id), ('section:' || t.section)) v (s) WHERE s IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT s) INTO scopes
        FROM (SELECT t.article_id, a.section FROM gen_old t LEFT JOIN articles a ON a.id = t.article_id) t,
             LATERAL (VALUES ('article:' || t.article_id), ('section:' || t.section)) v (s) WHERE s IS NOT NULL;
    ELSE
        SELECT array_agg(DISTINCT s) INTO scopes
        FROM (SELECT t.article_id, a.section
              FROM ((SELECT * FROM gen_new EXCEPT SELECT * FROM gen_old)
                    UNION ALL (SELECT * FROM gen_old EXCEPT SELECT * FROM gen_new)) t
              LEFT JOIN articles a ON a.id = t.article_id) t,
             LATERAL (VALUES ('article:' || t.article_id), ('section:' || t.section)) v (s) WHERE s IS NOT NULL;
    END IF;
    IF scopes IS NOT NULL THEN
        PERFORM bump_page_generation_scoped(scopes);
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER page_gen_article_insert ON articles;
DROP TRIGGER page_gen_article_update ON articles;
DROP TRIGGER page_gen_article_delete ON articles;
CREATE TRIGGER page_gen_article_insert AFTER INSERT ON articles REFERENCING NEW TABLE AS gen_new
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation_article();
CREATE TRIGGER page_gen_article_update AFTER UPDATE ON articles REFERENCING OLD TABLE AS gen_old NEW TABLE AS gen_new
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation_article();
CREATE TRIGGER page_gen_article_delete AFTER DELETE ON articles REFERENCING OLD TABLE AS gen_old
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation_article();

DROP TRIGGER page_gen_translation_insert ON translations;
DROP TRIGGER page_gen_translation_update ON translations;
DROP TRIGGER page_gen_translation_delete ON translations;
CREATE TRIGGER page_gen_translation_insert AFTER INSERT ON translations REFERENCING NEW TABLE AS gen_new
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation_translation();
CREATE TRIGGER page_gen_translation_update AFTER UPDATE ON translations REFERENCING OLD TABLE AS gen_old NEW TABLE AS gen_new
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation_translation();
CREATE TRIGGER page_gen_translation_delete AFTER DELETE ON translations REFERENCING OLD TABLE AS gen_old
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation_translation();

-- A story (0014): its own scope, and the story it was merged into. A new
-- story is in no page until an article names it (the article's write
-- touches it then), so clustering a new article no longer touches all.
CREATE FUNCTION bump_page_generation_story() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    scopes TEXT[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT s) INTO scopes
        FROM gen_new t, LATERAL (VALUES ('story:' || t.id), ('story:' || t.merged_into)) v (s) WHERE s IS NOT NULL;
    ELSE
        SELECT array_agg(DISTINCT s) INTO scopes
        FROM gen_old t, LATERAL (VALUES ('story:' || t.id), ('story:' || t.merged_into)) v (s) WHERE s IS NOT NULL;
    END IF;
    IF scopes IS NOT NULL THEN
        PERFORM bump_page_generation_scoped(scopes);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION bump_page_generation_story_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bump_page_generation_scoped(ARRAY(SELECT DISTINCT s FROM (VALUES ('story:' || OLD.id), ('story:' || NEW.id),
        ('story:' || OLD.merged_into), ('story:' || NEW.merged_into)) v (s) WHERE s IS NOT NULL));
    RETURN NULL;
END
$$;

DROP TRIGGER page_gen_story ON stories;
CREATE TRIGGER page_gen_story_insert AFTER INSERT ON stories REFERENCING NEW TABLE AS gen_new
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation_story();
CREATE TRIGGER page_gen_story_delete AFTER DELETE ON stories REFERENCING OLD TABLE AS gen_old
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation_story();
DROP TRIGGER page_gen_story_update ON stories;
CREATE TRIGGER page_gen_story_update AFTER UPDATE ON stories
    FOR EACH ROW WHEN (OLD.article_id IS DISTINCT FROM NEW.article_id OR OLD.articles IS DISTINCT FROM NEW.articles
        OR OLD.sources IS DISTINCT FROM NEW.sources OR OLD.languages IS DISTINCT FROM NEW.languages
        OR OLD.merged_into IS DISTINCT FROM NEW.merged_into OR OLD.first_at IS DISTINCT FROM NEW.first_at
        OR OLD.last_at IS DISTINCT FROM NEW.last_at)
    EXECUTE FUNCTION bump_page_generation_story_row();

-- Every page's menu lists the sections with visible articles: a count
-- crossing zero changes every page, so it bumps without a scope (a count
-- moving otherwise is not shown on the pages that may be scoped, and
-- comes with an article write that names the section).
CREATE TRIGGER page_gen_section_count AFTER UPDATE OF visible_count ON sections
    FOR EACH ROW WHEN ((OLD.visible_count = 0) IS DISTINCT FROM (NEW.visible_count = 0))
    EXECUTE FUNCTION bump_page_generation();
