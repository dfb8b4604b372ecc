-- A count of each section's visible articles, kept by triggers in the same
-- transaction as every insert, delete, move or hiding of an article. Every
-- HTML page shows the section menu, which counted each section's visible
-- articles on every rendering: O(articles), ~75 ms a page on SQLite and ~4 s
-- on PostgreSQL at 1,000,000 articles (docs/benchmarks.md, "At 1,000,000
-- articles"); now it reads one column. An article whose section has no row
-- yet counts when the row is made (the insert trigger below counts it).
ALTER TABLE sections ADD COLUMN visible_count INTEGER NOT NULL DEFAULT 0;
UPDATE sections SET visible_count =
    (SELECT COUNT(*) FROM articles a WHERE a.section = sections.slug AND a.hidden = FALSE);

CREATE TRIGGER section_count_new_section AFTER INSERT ON sections
BEGIN
    UPDATE sections SET visible_count =
        (SELECT COUNT(*) FROM articles a WHERE a.section = NEW.slug AND a.hidden = FALSE)
    WHERE slug = NEW.slug;
END;
CREATE TRIGGER section_count_insert AFTER INSERT ON articles WHEN NEW.hidden = FALSE
BEGIN UPDATE sections SET visible_count = visible_count + 1 WHERE slug = NEW.section; END;
CREATE TRIGGER section_count_delete AFTER DELETE ON articles WHEN OLD.hidden = FALSE
BEGIN UPDATE sections SET visible_count = visible_count - 1 WHERE slug = OLD.section; END;
CREATE TRIGGER section_count_update AFTER UPDATE OF section, hidden ON articles
    WHEN OLD.section IS NOT NEW.section OR OLD.hidden IS NOT NEW.hidden
BEGIN
    UPDATE sections SET visible_count = visible_count - 1 WHERE slug = OLD.section AND OLD.hidden = FALSE;
    UPDATE sections SET visible_count = visible_count + 1 WHERE slug = NEW.section AND NEW.hidden = FALSE;
END;
