-- Site settings an admin edits (issue 9, item 7): the outlet's name, tagline
-- and disclaimer (for all editions and per edition), social links and the
-- origins ad scripts may come from, as key/value pairs whose keys package
-- settings owns. In the database rather than in flags so every web node
-- shows the same; a flag's value is the default until a key is set.
CREATE TABLE site_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Ad slots: an advertisement at a named placement, in one edition or all
-- (edition ''), either sanitized HTML or a picture with a link.
CREATE TABLE ad_slots (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL,
    placement  TEXT NOT NULL,
    edition    TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL,
    html       TEXT NOT NULL DEFAULT '',
    image_url  TEXT NOT NULL DEFAULT '',
    link_url   TEXT NOT NULL DEFAULT '',
    alt        TEXT NOT NULL DEFAULT '',
    enabled    BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at BIGINT NOT NULL
);

-- Both show on every page (footer, masthead, ads, the CSP): any change
-- advances the page generation (0013), so cached pages follow on every node.
CREATE TRIGGER page_gen_settings AFTER INSERT OR UPDATE OR DELETE ON site_settings
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation();
CREATE TRIGGER page_gen_ads AFTER INSERT OR UPDATE OR DELETE ON ad_slots
    FOR EACH STATEMENT EXECUTE FUNCTION bump_page_generation();
