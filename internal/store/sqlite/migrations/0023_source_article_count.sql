-- A count of each source's stored articles (hidden ones included), kept by
-- triggers in the same transaction as every insert, delete or move of an
-- article, so no store method can forget it. The source list (admin,
-- /api/v1/sources, the CLI) counted every source's articles on every read:
-- O(articles), 0.2–0.9 s at 100,000 articles (docs/benchmarks.md, "A
-- million articles"); now it reads one column.
ALTER TABLE sources ADD COLUMN article_count INTEGER NOT NULL DEFAULT 0;
UPDATE sources SET article_count = (SELECT COUNT(*) FROM articles a WHERE a.source_id = sources.id);

CREATE TRIGGER source_article_count_insert AFTER INSERT ON articles WHEN NEW.source_id IS NOT NULL
BEGIN UPDATE sources SET article_count = article_count + 1 WHERE id = NEW.source_id; END;
CREATE TRIGGER source_article_count_delete AFTER DELETE ON articles WHEN OLD.source_id IS NOT NULL
BEGIN UPDATE sources SET article_count = article_count - 1 WHERE id = OLD.source_id; END;
CREATE TRIGGER source_article_count_move AFTER UPDATE OF source_id ON articles
    WHEN OLD.source_id IS NOT NEW.source_id
BEGIN
    UPDATE sources SET article_count = article_count - 1 WHERE id = OLD.source_id;
    UPDATE sources SET article_count = article_count + 1 WHERE id = NEW.source_id;
END;

-- The front page's pinned articles (ArticleQuery.PinnedOnly): without an
-- index the listing walked every article newest first looking for a pin,
-- and finding none read the whole table (5.3 s a front page at 1,000,000
-- articles on SQLite; docs/benchmarks.md, "A million articles"). Partial:
-- only pinned rows, a handful.
CREATE INDEX articles_pinned ON articles (sort_at DESC, id DESC) WHERE pinned_at > 0;
