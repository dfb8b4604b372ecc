-- A story merged into another used to keep the counts, dates and lead
-- article it had before the merge, though its articles moved to the
-- surviving story (whose counts were refreshed). MergeStory now refreshes
-- both; this brings the stories merged before it to the same state: no
-- articles left, so nothing counted.
UPDATE stories SET articles = 0, sources = 0, languages = 0, first_at = 0, last_at = 0, article_id = NULL
WHERE merged_into IS NOT NULL AND NOT EXISTS (SELECT 1 FROM articles WHERE articles.story_id = stories.id);
