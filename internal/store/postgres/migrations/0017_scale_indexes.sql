-- Every page's section menu counts each section's visible articles
-- (sections, sectionBySlug). Without it the count was a bitmap heap scan of
-- every article of each section: 1.3 s per page at 100,000 articles. With
-- hidden in the index it is an index-only scan. docs/benchmarks.md.
-- sort_at and id follow so that a section's listing (section = ? AND
-- hidden = FALSE ORDER BY sort_at DESC, id DESC), which the planner then
-- prefers, stays an ordered index walk instead of a sort of the whole
-- section.
CREATE INDEX articles_section_visible ON articles (section, hidden, sort_at DESC, id DESC);

-- An edition's listing keeps articles in its language or translated into
-- it (EXISTS on translations). The planner runs that EXISTS as a hashed
-- subplan: every translation into the language, read by a sequential scan
-- of all translations (0.2 s per front page at 100,000 articles). This
-- index makes it an index-only scan of that language's entries.
CREATE INDEX translations_language_article ON translations (language, article_id);
