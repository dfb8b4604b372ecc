-- Stories: the understand stage files every article under a story (package
-- story's online step). A story row carries what pages show (counts, dates,
-- the representative article) and the clusterer's state, so the step goes
-- on after a restart and on any worker: its centroid (feature, weight pairs;
-- NULL once the story aged out), its item count and its newest item's time.
-- story_postings says which features find a story, story_terms and
-- story_docs are the document frequencies the step weighs features by.
CREATE TABLE stories (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    first_at    INTEGER NOT NULL DEFAULT 0,
    last_at     INTEGER NOT NULL DEFAULT 0,
    articles    INTEGER NOT NULL DEFAULT 0,
    sources     INTEGER NOT NULL DEFAULT 0,
    languages   INTEGER NOT NULL DEFAULT 0,
    merged_into INTEGER REFERENCES stories (id) ON DELETE SET NULL,
    size        INTEGER NOT NULL DEFAULT 0,
    seen_at     INTEGER NOT NULL DEFAULT 0,
    centroid    BLOB,
    created_at  INTEGER NOT NULL
);
CREATE INDEX stories_newest ON stories (last_at DESC, id DESC) WHERE merged_into IS NULL;
CREATE INDEX stories_open ON stories (seen_at) WHERE centroid IS NOT NULL;

CREATE TABLE story_postings (
    feature  INTEGER NOT NULL,
    story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    PRIMARY KEY (feature, story_id)
);
CREATE INDEX story_postings_story ON story_postings (story_id);

CREATE TABLE story_terms (
    feature INTEGER PRIMARY KEY,
    docs    INTEGER NOT NULL
);

CREATE TABLE story_docs (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    docs INTEGER NOT NULL
);
INSERT INTO story_docs (id, docs) VALUES (1, 0);

ALTER TABLE articles ADD COLUMN story_id INTEGER REFERENCES stories (id) ON DELETE SET NULL;
CREATE INDEX articles_story ON articles (story_id) WHERE story_id IS NOT NULL;
