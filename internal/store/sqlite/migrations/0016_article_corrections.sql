-- An editor's corrections to an article (issue 9, the admin's articles):
-- kept beside what the source published, never over it, so a re-fetch of
-- the page (which rewrites title, summary and section) cannot undo them,
-- and the admin can show the original next to the correction. NULL means
-- "not corrected". Readers get the correction through the store's article
-- columns (COALESCE), and the article's content hash as read folds it in,
-- so the translate stage sees a corrected article as changed and
-- translates it again. Being columns of articles, every change bumps the
-- page generation through the article triggers of 0013.
ALTER TABLE articles ADD COLUMN title_override TEXT;
ALTER TABLE articles ADD COLUMN summary_override TEXT;
-- A moved article's section: the re-fetch's section yields to it.
ALTER TABLE articles ADD COLUMN section_override TEXT;
-- Pinned articles lead the front page, newest pin first.
ALTER TABLE articles ADD COLUMN pinned_at BIGINT NOT NULL DEFAULT 0;
