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
CREATE TABLE page_generation (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    gen INTEGER NOT NULL
);
INSERT INTO page_generation (id, gen) VALUES (1, 1);

CREATE TRIGGER page_gen_article_insert AFTER INSERT ON articles
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;
CREATE TRIGGER page_gen_article_update AFTER UPDATE ON articles
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;
CREATE TRIGGER page_gen_article_delete AFTER DELETE ON articles
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;

CREATE TRIGGER page_gen_translation_insert AFTER INSERT ON translations
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;
CREATE TRIGGER page_gen_translation_update AFTER UPDATE ON translations
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;
CREATE TRIGGER page_gen_translation_delete AFTER DELETE ON translations
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;

-- Sections only ever change by being created (a new one appears in the menu
-- once it has articles, which the article trigger covers) or renamed.
CREATE TRIGGER page_gen_section_insert AFTER INSERT ON sections
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;
CREATE TRIGGER page_gen_section_update AFTER UPDATE ON sections
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;
CREATE TRIGGER page_gen_section_delete AFTER DELETE ON sections
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;

-- A source is rewritten after every poll (etag, times, errors): only what
-- pages and the API's article answers show of it bumps the generation.
CREATE TRIGGER page_gen_source_update AFTER UPDATE ON sources
WHEN OLD.name IS NOT NEW.name OR OLD.url IS NOT NEW.url OR OLD.site_url IS NOT NEW.site_url
  OR OLD.section IS NOT NEW.section OR OLD.language IS NOT NEW.language OR OLD.kind IS NOT NEW.kind
  OR OLD.enabled IS NOT NEW.enabled
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;
CREATE TRIGGER page_gen_source_insert AFTER INSERT ON sources
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;
CREATE TRIGGER page_gen_source_delete AFTER DELETE ON sources
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;
