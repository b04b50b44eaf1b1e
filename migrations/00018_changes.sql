-- +goose Up
-- Changes to running systems (deploys, config and feature-flag changes,
-- infrastructure and database changes), recorded by CI, scripts or people,
-- so that an incident can be laid beside what changed before it. A change
-- belongs to a service of the shared catalogue (the same rows incidents
-- use), so a renamed service keeps its changes. external_id makes a CI
-- retry update the change it already recorded instead of adding another.

CREATE TABLE changes (
    id          INTEGER  PRIMARY KEY,
    service_id  INTEGER  NOT NULL REFERENCES services (id) ON DELETE RESTRICT,
    kind        TEXT     NOT NULL CHECK (kind IN ('deploy', 'config', 'feature_flag', 'infrastructure', 'database', 'other')),
    category    TEXT     NOT NULL DEFAULT 'normal' CHECK (category IN ('standard', 'normal', 'emergency')),
    environment TEXT     NOT NULL DEFAULT 'production' CHECK (length(environment) BETWEEN 1 AND 50),
    summary     TEXT     NOT NULL CHECK (length(summary) BETWEEN 1 AND 500),
    version     TEXT     NOT NULL DEFAULT '',
    author      TEXT     NOT NULL DEFAULT '',
    url         TEXT     NOT NULL DEFAULT '',
    status      TEXT     NOT NULL DEFAULT 'success' CHECK (status IN ('success', 'failure')),
    source      TEXT     NOT NULL DEFAULT 'api',
    external_id TEXT     UNIQUE,
    started_at  DATETIME NOT NULL,
    finished_at DATETIME,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
-- The list (newest first, any service) and the suspects of one service.
CREATE INDEX changes_started ON changes (started_at);
CREATE INDEX changes_service_started ON changes (service_id, started_at);

-- A change linked to an incident: the cause (its trigger factor is
-- factor_id) or related.
CREATE TABLE incident_changes (
    incident_id INTEGER  NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    change_id   INTEGER  NOT NULL REFERENCES changes (id) ON DELETE CASCADE,
    relation    TEXT     NOT NULL CHECK (relation IN ('caused', 'related')),
    factor_id   INTEGER  REFERENCES contributing_factors (id) ON DELETE SET NULL,
    linked_at   DATETIME NOT NULL,
    linked_by   TEXT     NOT NULL DEFAULT '',
    PRIMARY KEY (incident_id, change_id)
) WITHOUT ROWID;
CREATE INDEX incident_changes_change ON incident_changes (change_id);

-- +goose Down
DROP TABLE incident_changes;
DROP TABLE changes;
