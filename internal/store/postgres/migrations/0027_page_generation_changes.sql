-- The page generation moves only when a statement changes rows, not whenever
-- one runs. While ingesting, the generation moved 4–4.5 times a second
-- (docs/benchmarks.md, "Load while working"), and every move costs every web
-- node a rendering of every page it serves; among those moves were writes
-- that changed nothing a reader sees: the dedupe stage recording "a copy of
-- none" on every new article (an UPDATE that leaves the row as it was, in a
-- transaction of its own; statement-level triggers fire even for no row), a
-- translation stored again unchanged (an INSERT … ON CONFLICT DO UPDATE fires
-- both the INSERT and the UPDATE statement triggers), and a section's
-- visible-article count (0025), which only moves in the same transaction as
-- the article write that bumps already.
--
-- Still statement-level, so a bulk write (a section's articles moved) bumps
-- once; the transition tables say whether any row was inserted, deleted or
-- changed in any column. Comparing whole rows keeps the rule "every change"
-- for columns added later. One event per trigger: PostgreSQL allows
-- transition tables only so.
CREATE FUNCTION bump_page_generation_if_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed BOOLEAN;
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := EXISTS (SELECT 1 FROM gen_new);
    ELSIF TG_OP = 'DELETE' THEN
        changed := EXISTS (SELECT 1 FROM gen_old);
    ELSE
        changed := EXISTS (SELECT * FROM gen_new EXCEPT SELECT * FROM gen_old);
    END IF;
    IF changed THEN
        UPDATE page_generation SET gen = gen + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER page_gen_article ON articles;
CREATE TRIGGER page_gen_article_insert AFTER INSERT ON articles REFERENCING NEW TABLE AS gen_new
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation_if_changed();
CREATE TRIGGER page_gen_article_update AFTER UPDATE ON articles REFERENCING OLD TABLE AS gen_old NEW TABLE AS gen_new
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation_if_changed();
CREATE TRIGGER page_gen_article_delete AFTER DELETE ON articles REFERENCING OLD TABLE AS gen_old
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation_if_changed();

DROP TRIGGER page_gen_translation ON translations;
CREATE TRIGGER page_gen_translation_insert AFTER INSERT ON translations REFERENCING NEW TABLE AS gen_new
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation_if_changed();
CREATE TRIGGER page_gen_translation_update AFTER UPDATE ON translations REFERENCING OLD TABLE AS gen_old NEW TABLE AS gen_new
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation_if_changed();
CREATE TRIGGER page_gen_translation_delete AFTER DELETE ON translations REFERENCING OLD TABLE AS gen_old
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation_if_changed();

-- Sections stay row-level (EnsureSection's INSERT … ON CONFLICT DO NOTHING
-- on a known slug bumps nothing); an update bumps unless only the count moved.
DROP TRIGGER page_gen_section ON sections;
CREATE TRIGGER page_gen_section AFTER INSERT OR DELETE ON sections
    FOR EACH ROW EXECUTE FUNCTION bump_page_generation();
CREATE TRIGGER page_gen_section_update AFTER UPDATE ON sections
    FOR EACH ROW WHEN ((to_jsonb(OLD) - 'visible_count') IS DISTINCT FROM (to_jsonb(NEW) - 'visible_count'))
    EXECUTE FUNCTION bump_page_generation();
