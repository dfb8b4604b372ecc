-- A count of each source's stored articles (hidden ones included), kept by
-- triggers in the same transaction as every insert, delete or move of an
-- article, so no store method can forget it. The source list (admin,
-- /api/v1/sources, the CLI) counted every source's articles on every read:
-- O(articles), 0.4–0.9 s at 100,000 articles (docs/benchmarks.md, "A
-- million articles"); now it reads one column. A row lock on the source is
-- taken by each article insert until its transaction ends: the pipeline
-- stores one article per transaction, so two writers of one source wait
-- for each other only that long. The column is not one of those
-- page_gen_source_update watches: the article's own change bumps the page
-- generation already.
ALTER TABLE sources ADD COLUMN article_count BIGINT NOT NULL DEFAULT 0;
UPDATE sources s SET article_count = c.n
    FROM (SELECT source_id, COUNT(*) AS n FROM articles WHERE source_id IS NOT NULL GROUP BY source_id) c
    WHERE c.source_id = s.id;

CREATE FUNCTION count_source_articles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.source_id IS NOT NULL THEN
        UPDATE sources SET article_count = article_count - 1 WHERE id = OLD.source_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.source_id IS NOT NULL THEN
        UPDATE sources SET article_count = article_count + 1 WHERE id = NEW.source_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER source_article_count AFTER INSERT OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION count_source_articles();
CREATE TRIGGER source_article_count_move AFTER UPDATE OF source_id ON articles
    FOR EACH ROW WHEN (OLD.source_id IS DISTINCT FROM NEW.source_id)
    EXECUTE FUNCTION count_source_articles();

-- The front page's pinned articles (ArticleQuery.PinnedOnly): without an
-- index the listing walked every article newest first looking for a pin,
-- and finding none read the whole table (5.3 s a front page at 1,000,000
-- articles on SQLite; docs/benchmarks.md, "A million articles"). Partial:
-- only pinned rows, a handful.
CREATE INDEX articles_pinned ON articles (sort_at DESC, id DESC) WHERE pinned_at > 0;
