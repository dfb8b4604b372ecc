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
-- can become wrong; rows pruned below (every 64th generation, those 4096
-- behind) are read as "everything" too.
--
-- Scopes, read by the article page (internal/web, handleArticle):
--   article:<id>   an article's own row (its page, its translations, its
--                  copies: a copy's row names its original as article:<id>)
--   section:<slug> the newest articles of a section (the related list)
--   story:<id>     a story's counts and headline (the article page's story link)
--
-- The triggers are those of 0013, 0014 and 0027 with the same conditions
-- (row level, as before: one generation per row), now with their scopes.
CREATE TABLE page_changes (
    gen   INTEGER NOT NULL,
    scope TEXT    NOT NULL,
    PRIMARY KEY (gen, scope)
) WITHOUT ROWID;

-- The prune, in one place for every trigger below (PostgreSQL's is in
-- bump_page_generation_scoped): the rows of every 64th generation drop
-- those 4096 generations behind it.
CREATE TRIGGER page_changes_prune AFTER INSERT ON page_changes
WHEN NEW.gen % 64 = 0
BEGIN
    DELETE FROM page_changes WHERE gen <= NEW.gen - 4096;
END;

DROP TRIGGER page_gen_article_insert;
CREATE TRIGGER page_gen_article_insert AFTER INSERT ON articles
BEGIN
    UPDATE page_generation SET gen = gen + 1 WHERE id = 1;
    INSERT OR IGNORE INTO page_changes (gen, scope)
        SELECT g.gen, v.s FROM page_generation g, (SELECT 'article:' || NEW.id AS s
            UNION SELECT 'section:' || NEW.section
            UNION SELECT 'story:' || NEW.story_id
            UNION SELECT 'article:' || NEW.duplicate_of) v WHERE g.id = 1 AND v.s IS NOT NULL;
END;
DROP TRIGGER page_gen_article_update;
CREATE TRIGGER page_gen_article_update AFTER UPDATE ON articles
WHEN OLD.id IS NOT NEW.id OR OLD.source_id IS NOT NEW.source_id OR OLD.url IS NOT NEW.url
  OR OLD.canonical_url IS NOT NEW.canonical_url OR OLD.guid IS NOT NEW.guid
  OR OLD.slug IS NOT NEW.slug OR OLD.title IS NOT NEW.title OR OLD.author IS NOT NEW.author
  OR OLD.published_at IS NOT NEW.published_at OR OLD.updated_at IS NOT NEW.updated_at
  OR OLD.language IS NOT NEW.language OR OLD.section IS NOT NEW.section
  OR OLD.image IS NOT NEW.image OR OLD.summary IS NOT NEW.summary OR OLD.html IS NOT NEW.html
  OR OLD.text IS NOT NEW.text OR OLD.content_hash IS NOT NEW.content_hash
  OR OLD.first_seen_at IS NOT NEW.first_seen_at OR OLD.sort_at IS NOT NEW.sort_at
  OR OLD.hidden IS NOT NEW.hidden OR OLD.duplicate_of IS NOT NEW.duplicate_of
  OR OLD.story_id IS NOT NEW.story_id OR OLD.title_override IS NOT NEW.title_override
  OR OLD.summary_override IS NOT NEW.summary_override
  OR OLD.section_override IS NOT NEW.section_override OR OLD.pinned_at IS NOT NEW.pinned_at
BEGIN
    UPDATE page_generation SET gen = gen + 1 WHERE id = 1;
    INSERT OR IGNORE INTO page_changes (gen, scope)
        SELECT g.gen, v.s FROM page_generation g, (SELECT 'article:' || OLD.id AS s
            UNION SELECT 'section:' || OLD.section
            UNION SELECT 'story:' || OLD.story_id
            UNION SELECT 'article:' || OLD.duplicate_of
            UNION SELECT 'article:' || NEW.id
            UNION SELECT 'section:' || NEW.section
            UNION SELECT 'story:' || NEW.story_id
            UNION SELECT 'article:' || NEW.duplicate_of) v WHERE g.id = 1 AND v.s IS NOT NULL;
END;
DROP TRIGGER page_gen_article_delete;
CREATE TRIGGER page_gen_article_delete AFTER DELETE ON articles
BEGIN
    UPDATE page_generation SET gen = gen + 1 WHERE id = 1;
    INSERT OR IGNORE INTO page_changes (gen, scope)
        SELECT g.gen, v.s FROM page_generation g, (SELECT 'article:' || OLD.id AS s
            UNION SELECT 'section:' || OLD.section
            UNION SELECT 'story:' || OLD.story_id
            UNION SELECT 'article:' || OLD.duplicate_of) v WHERE g.id = 1 AND v.s IS NOT NULL;
END;

-- A translation shows on its article's pages (text, hreflang alternates)
-- and in its section's list (cards in the edition's language).
DROP TRIGGER page_gen_translation_insert;
CREATE TRIGGER page_gen_translation_insert AFTER INSERT ON translations
BEGIN
    UPDATE page_generation SET gen = gen + 1 WHERE id = 1;
    INSERT OR IGNORE INTO page_changes (gen, scope)
        SELECT g.gen, v.s FROM page_generation g, (SELECT 'article:' || NEW.article_id AS s
            UNION SELECT (SELECT 'section:' || a.section FROM articles a WHERE a.id = NEW.article_id)) v WHERE g.id = 1 AND v.s IS NOT NULL;
END;
DROP TRIGGER page_gen_translation_update;
CREATE TRIGGER page_gen_translation_update AFTER UPDATE ON translations
WHEN OLD.article_id IS NOT NEW.article_id OR OLD.language IS NOT NEW.language
  OR OLD.source_language IS NOT NEW.source_language OR OLD.status IS NOT NEW.status
  OR OLD.title IS NOT NEW.title OR OLD.summary IS NOT NEW.summary OR OLD.html IS NOT NEW.html
  OR OLD.text IS NOT NEW.text OR OLD.provider IS NOT NEW.provider
  OR OLD.content_hash IS NOT NEW.content_hash OR OLD.error IS NOT NEW.error
  OR OLD.chars IS NOT NEW.chars OR OLD.created_at IS NOT NEW.created_at
BEGIN
    UPDATE page_generation SET gen = gen + 1 WHERE id = 1;
    INSERT OR IGNORE INTO page_changes (gen, scope)
        SELECT g.gen, v.s FROM page_generation g, (SELECT 'article:' || OLD.article_id AS s
            UNION SELECT (SELECT 'section:' || a.section FROM articles a WHERE a.id = OLD.article_id)
            UNION SELECT 'article:' || NEW.article_id
            UNION SELECT (SELECT 'section:' || a.section FROM articles a WHERE a.id = NEW.article_id)) v WHERE g.id = 1 AND v.s IS NOT NULL;
END;
DROP TRIGGER page_gen_translation_delete;
CREATE TRIGGER page_gen_translation_delete AFTER DELETE ON translations
BEGIN
    UPDATE page_generation SET gen = gen + 1 WHERE id = 1;
    INSERT OR IGNORE INTO page_changes (gen, scope)
        SELECT g.gen, v.s FROM page_generation g, (SELECT 'article:' || OLD.article_id AS s
            UNION SELECT (SELECT 'section:' || a.section FROM articles a WHERE a.id = OLD.article_id)) v WHERE g.id = 1 AND v.s IS NOT NULL;
END;

-- A story: its own scope and the story it was merged into. A new story is
-- in no page until an article names it (the article's write touches it).
DROP TRIGGER page_gen_story_insert;
CREATE TRIGGER page_gen_story_insert AFTER INSERT ON stories
BEGIN
    UPDATE page_generation SET gen = gen + 1 WHERE id = 1;
    INSERT OR IGNORE INTO page_changes (gen, scope)
        SELECT g.gen, v.s FROM page_generation g, (SELECT 'story:' || NEW.id AS s
            UNION SELECT 'story:' || NEW.merged_into) v WHERE g.id = 1 AND v.s IS NOT NULL;
END;
DROP TRIGGER page_gen_story_update;
CREATE TRIGGER page_gen_story_update AFTER UPDATE ON stories
WHEN OLD.article_id IS NOT NEW.article_id OR OLD.articles IS NOT NEW.articles OR OLD.sources IS NOT NEW.sources
  OR OLD.languages IS NOT NEW.languages OR OLD.merged_into IS NOT NEW.merged_into
  OR OLD.first_at IS NOT NEW.first_at OR OLD.last_at IS NOT NEW.last_at
BEGIN
    UPDATE page_generation SET gen = gen + 1 WHERE id = 1;
    INSERT OR IGNORE INTO page_changes (gen, scope)
        SELECT g.gen, v.s FROM page_generation g, (SELECT 'story:' || OLD.id AS s
            UNION SELECT 'story:' || OLD.merged_into
            UNION SELECT 'story:' || NEW.id
            UNION SELECT 'story:' || NEW.merged_into) v WHERE g.id = 1 AND v.s IS NOT NULL;
END;
DROP TRIGGER page_gen_story_delete;
CREATE TRIGGER page_gen_story_delete AFTER DELETE ON stories
BEGIN
    UPDATE page_generation SET gen = gen + 1 WHERE id = 1;
    INSERT OR IGNORE INTO page_changes (gen, scope)
        SELECT g.gen, v.s FROM page_generation g, (SELECT 'story:' || OLD.id AS s
            UNION SELECT 'story:' || OLD.merged_into) v WHERE g.id = 1 AND v.s IS NOT NULL;
END;

-- Every page's menu lists the sections with visible articles: a count
-- crossing zero changes every page, so it bumps without a scope (a count
-- moving otherwise is not shown on the pages that may be scoped, and
-- comes with an article write that names the section).
CREATE TRIGGER page_gen_section_count AFTER UPDATE OF visible_count ON sections
WHEN (OLD.visible_count = 0) <> (NEW.visible_count = 0)
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;
