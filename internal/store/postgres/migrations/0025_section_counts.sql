-- A count of each section's visible articles, kept by triggers in the same
-- transaction as every insert, delete, move or hiding of an article. Every
-- HTML page shows the section menu, which counted each section's visible
-- articles on every rendering: O(articles), ~4 s a page at 1,000,000
-- articles (docs/benchmarks.md, "At 1,000,000 articles"); now it reads one
-- column. An article whose section has no row yet counts when the row is
-- made (the insert trigger below counts it). As with the source count
-- (0023), an article's insert holds its section's row lock until its
-- transaction ends; the pipeline stores one article per transaction.
ALTER TABLE sections ADD COLUMN visible_count BIGINT NOT NULL DEFAULT 0;
UPDATE sections c SET visible_count = n.n
    FROM (SELECT section, COUNT(*) AS n FROM articles WHERE hidden = FALSE GROUP BY section) n
    WHERE n.section = c.slug;

CREATE FUNCTION count_section_articles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND NOT OLD.hidden THEN
        UPDATE sections SET visible_count = visible_count - 1 WHERE slug = OLD.section;
    END IF;
    IF TG_OP <> 'DELETE' AND NOT NEW.hidden THEN
        UPDATE sections SET visible_count = visible_count + 1 WHERE slug = NEW.section;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER section_article_count AFTER INSERT OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION count_section_articles();
CREATE TRIGGER section_article_count_move AFTER UPDATE OF section, hidden ON articles
    FOR EACH ROW WHEN (OLD.section IS DISTINCT FROM NEW.section OR OLD.hidden IS DISTINCT FROM NEW.hidden)
    EXECUTE FUNCTION count_section_articles();

CREATE FUNCTION count_new_section() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.visible_count := (SELECT COUNT(*) FROM articles a WHERE a.section = NEW.slug AND NOT a.hidden);
    RETURN NEW;
END
$$;

CREATE TRIGGER section_count_new_section BEFORE INSERT ON sections
    FOR EACH ROW EXECUTE FUNCTION count_new_section();
