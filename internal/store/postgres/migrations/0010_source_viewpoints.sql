-- Viewpoints: what an editor says about a source, for the spread of
-- coverage (package viewpoint). country is an ISO 3166-1 alpha-2 code,
-- outlet_type one of viewpoint.Types() ("kind" already names the feed
-- format), ownership free text, position a step key of the outlet's scale
-- (SPEKTRUM_VIEWPOINT_SCALE). The scale is configuration: a position its
-- current scale lacks stays stored and is shown as unknown. '' = not said.
ALTER TABLE sources ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN outlet_type TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN ownership TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN position TEXT NOT NULL DEFAULT '';
