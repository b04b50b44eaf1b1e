-- +goose Up
-- A timeline entry's body rendered to HTML when it is saved, and the
-- renderer version that made it (internal/markdown.Version): the incident
-- page assembles stored fragments instead of rendering Markdown on every
-- view. Rows of an older version (0: none yet) are rendered again at
-- start-up, and on read until then.
ALTER TABLE timeline_entries ADD COLUMN body_html TEXT NOT NULL DEFAULT '';
ALTER TABLE timeline_entries ADD COLUMN render_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX timeline_entries_render ON timeline_entries (render_version);

-- +goose Down
DROP INDEX timeline_entries_render;
ALTER TABLE timeline_entries DROP COLUMN render_version;
ALTER TABLE timeline_entries DROP COLUMN body_html;
