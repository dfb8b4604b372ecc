-- Image URLs that are not http(s) (javascript:, data:text/html) were stored
-- from feeds before every feed URL passed the http(s)-only rule, and were
-- republished in feeds, og:image, JSON-LD and the API. Clear them; new ones
-- are refused on write.
UPDATE articles SET image = ''
WHERE image <> '' AND LOWER(SUBSTR(image, 1, 7)) <> 'http://' AND LOWER(SUBSTR(image, 1, 8)) <> 'https://';
