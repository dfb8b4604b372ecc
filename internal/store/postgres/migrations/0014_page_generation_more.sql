-- What 0013's triggers did not see because the tables and columns came in
-- the same release: a story's counts, headline article and merges show on
-- the front page, story pages and article pages' story links; a source's
-- viewpoint (country, type, position) shows in the coverage bars and the
-- public API. Ownership is shown to editors only, so it does not bump.
CREATE TRIGGER page_gen_story AFTER INSERT OR DELETE ON stories
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation();
CREATE TRIGGER page_gen_story_update AFTER UPDATE ON stories
    FOR EACH ROW WHEN (OLD.article_id IS DISTINCT FROM NEW.article_id OR OLD.articles IS DISTINCT FROM NEW.articles
        OR OLD.sources IS DISTINCT FROM NEW.sources OR OLD.languages IS DISTINCT FROM NEW.languages
        OR OLD.merged_into IS DISTINCT FROM NEW.merged_into OR OLD.first_at IS DISTINCT FROM NEW.first_at
        OR OLD.last_at IS DISTINCT FROM NEW.last_at)
    EXECUTE FUNCTION bump_page_generation();

DROP TRIGGER page_gen_source_update ON sources;
CREATE TRIGGER page_gen_source_update AFTER UPDATE ON sources
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.url IS DISTINCT FROM NEW.url
        OR OLD.site_url IS DISTINCT FROM NEW.site_url OR OLD.section IS DISTINCT FROM NEW.section
        OR OLD.language IS DISTINCT FROM NEW.language OR OLD.kind IS DISTINCT FROM NEW.kind
        OR OLD.enabled IS DISTINCT FROM NEW.enabled OR OLD.country IS DISTINCT FROM NEW.country
        OR OLD.outlet_type IS DISTINCT FROM NEW.outlet_type OR OLD.position IS DISTINCT FROM NEW.position)
    EXECUTE FUNCTION bump_page_generation();
