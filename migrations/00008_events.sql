-- +goose Up
-- The live room's event log: one row per committed change to an incident,
-- written in the change's own transaction and delivered to the page's
-- event stream after it commits. A reader that reconnects reads what it
-- missed from here. It is bounded: the pruner keeps, per incident, the last
-- 10 000 events and anything younger than 24 hours, and records in
-- incident_event_floors the highest id it removed, so a reader asking for
-- older events is told to reload instead of silently missing some.
-- AUTOINCREMENT: ids are never reused after a prune (they are SSE ids).
-- No foreign key: the event of an incident's deletion outlives it.

CREATE TABLE incident_events (
    id          INTEGER  PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER  NOT NULL,
    at          DATETIME NOT NULL,
    type        TEXT     NOT NULL,
    action      TEXT     NOT NULL,
    entity      TEXT     NOT NULL,
    entity_id   INTEGER  NOT NULL DEFAULT 0,
    version     INTEGER  NOT NULL DEFAULT 0,
    actor       TEXT     NOT NULL DEFAULT '',
    record      TEXT     NOT NULL DEFAULT ''
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, id);
CREATE INDEX incident_events_at ON incident_events (at);

CREATE TABLE incident_event_floors (
    incident_id   INTEGER PRIMARY KEY,
    pruned_through INTEGER NOT NULL
);

-- +goose Down
DROP TABLE incident_event_floors;
DROP TABLE incident_events;
