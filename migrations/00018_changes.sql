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

-- The service catalogue: who owns a service, its tier, runbook and the
-- availability it promises (slo_target in percent over a rolling window).
ALTER TABLE services ADD COLUMN owner_team TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN tier TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN runbook_url TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN slo_target REAL CHECK (slo_target IS NULL OR (slo_target > 0 AND slo_target < 100));
ALTER TABLE services ADD COLUMN slo_window_days INTEGER NOT NULL DEFAULT 30 CHECK (slo_window_days BETWEEN 1 AND 365);
ALTER TABLE services ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE services ADD COLUMN updated_at DATETIME;

-- +goose Down
ALTER TABLE services DROP COLUMN updated_at;
ALTER TABLE services DROP COLUMN version;
ALTER TABLE services DROP COLUMN slo_window_days;
ALTER TABLE services DROP COLUMN slo_target;
ALTER TABLE services DROP COLUMN runbook_url;
ALTER TABLE services DROP COLUMN description;
ALTER TABLE services DROP COLUMN tier;
ALTER TABLE services DROP COLUMN owner_team;
DROP TABLE incident_changes;
DROP TABLE changes;
