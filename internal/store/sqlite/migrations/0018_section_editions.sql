-- Sections as an editor manages them (issue 9, item 5): a name per edition
-- language beside the default name, a place in the menu, and a way to keep
-- a section off the menu (and the front page's blocks) while its page and
-- feeds stay. position 0 means "not placed": placed sections come first in
-- the editor's order, the others follow by name, so a database from before
-- keeps its alphabetical menu until an editor orders it.
ALTER TABLE sections ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sections ADD COLUMN off_menu BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE section_names (
    slug     TEXT NOT NULL REFERENCES sections (slug) ON DELETE CASCADE,
    language TEXT NOT NULL, -- an edition language, ISO 639-1
    name     TEXT NOT NULL,
    PRIMARY KEY (slug, language)
);

-- The menu, section pages, article pages and feed titles show these names:
-- every change bumps the page generation (0013). position and off_menu are
-- columns of sections, whose update trigger already bumps it.
CREATE TRIGGER page_gen_section_name_insert AFTER INSERT ON section_names
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;
CREATE TRIGGER page_gen_section_name_update AFTER UPDATE ON section_names
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;
CREATE TRIGGER page_gen_section_name_delete AFTER DELETE ON section_names
BEGIN UPDATE page_generation SET gen = gen + 1 WHERE id = 1; END;

-- The editions page lists the latest failed translations with their errors
-- (store.TranslationFailures): a walk of the few failed rows, newest first,
-- not a scan of every translation.
CREATE INDEX translations_failed ON translations (created_at DESC, article_id DESC) WHERE status = 'failed';
