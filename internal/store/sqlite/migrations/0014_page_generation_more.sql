-- What 0013's triggers did not see because the tables and columns came in
-- the same release: a story's counts, headline article and merges show on
-- the front page, story pages and article pages' story links; a source's
-- viewpoint (country, type, position) shows in the coverage bars and the
-- public API. Ownership is shown to editors only, so it does not bump.
CREATE TRIGGER page_gen_story_insert AFTER INSERT ON stories
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;
CREATE TRIGGER page_gen_story_update AFTER UPDATE ON stories
WHEN OLD.article_id IS NOT NEW.article_id OR OLD.articles IS NOT NEW.articles OR OLD.sources IS NOT NEW.sources
  OR OLD.languages IS NOT NEW.languages OR OLD.merged_into IS NOT NEW.merged_into
  OR OLD.first_at IS NOT NEW.first_at OR OLD.last_at IS NOT NEW.last_at
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;
CREATE TRIGGER page_gen_story_delete AFTER DELETE ON stories
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;

DROP TRIGGER page_gen_source_update;
CREATE TRIGGER page_gen_source_update AFTER UPDATE ON sources
WHEN OLD.name IS NOT NEW.name OR OLD.url IS NOT NEW.url OR OLD.site_url IS NOT NEW.site_url
  OR OLD.section IS NOT NEW.section OR OLD.language IS NOT NEW.language OR OLD.kind IS NOT NEW.kind
  OR OLD.enabled IS NOT NEW.enabled OR OLD.country IS NOT NEW.country OR OLD.outlet_type IS NOT NEW.outlet_type
  OR OLD.position IS NOT NEW.position
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;
