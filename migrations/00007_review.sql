-- +goose Up
-- The minutes of the weekly review: one row per ISO week, with the
-- attendees (one name a line) and a version checked on every save, and the
-- notes of each section of the meeting.

CREATE TABLE review_minutes (
    week       TEXT     PRIMARY KEY CHECK (week GLOB '[0-9][0-9][0-9][0-9]-W[0-5][0-9]'),
    attendees  TEXT     NOT NULL DEFAULT '' CHECK (length(attendees) <= 6000),
    version    INTEGER  NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    updated_by TEXT     NOT NULL DEFAULT ''
) WITHOUT ROWID;

CREATE TABLE review_notes (
    week    TEXT NOT NULL REFERENCES review_minutes (week) ON DELETE CASCADE,
    section TEXT NOT NULL CHECK (section IN ('incidents', 'postmortems', 'actions', 'metrics', 'trends')),
    body    TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    PRIMARY KEY (week, section)
) WITHOUT ROWID;

-- The review reads action items closed in a period.
CREATE INDEX action_items_closed_at ON action_items (closed_at) WHERE closed_at IS NOT NULL;
-- And incidents resolved in a period.
CREATE INDEX incidents_resolved_at ON incidents (resolved_at);

-- +goose Down
DROP INDEX incidents_resolved_at;
DROP INDEX action_items_closed_at;
DROP TABLE review_notes;
DROP TABLE review_minutes;
