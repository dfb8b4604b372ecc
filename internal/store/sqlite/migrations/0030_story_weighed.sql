-- The article count (story_docs) when a story's earliest weighed item was
-- weighed. The story step weighs words by how rare they are among the
-- articles counted so far, so a story filed while few were known carries
-- poor weights; whenever the count doubles, the step weighs the small open
-- stories weighed at half of it or less again and merges those that turn
-- out to be one (package story, recheck). Stories from before this column
-- count as weighed at 0: still open and small, they are re-weighed at the
-- next doubling.
ALTER TABLE stories ADD COLUMN weighed INTEGER NOT NULL DEFAULT 0;
