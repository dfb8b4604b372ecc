-- Every page's section menu counts each section's visible articles
-- (sections, sectionBySlug). articles_section_newest finds a section's rows
-- but the count then read every article's row for hidden, the last column
-- after the text and HTML, i.e. every overflow page: 0.6 s per page at
-- 100,000 articles. With hidden in the index the count reads the index
-- alone (EXPLAIN: SEARCH a USING COVERING INDEX). docs/benchmarks.md.
CREATE INDEX articles_section_visible ON articles (section, hidden);
