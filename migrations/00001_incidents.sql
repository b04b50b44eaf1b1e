-- +goose Up
-- Severities are a table, not an enum, so a team can change the set later.
CREATE TABLE severities (
    name        TEXT    PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 20),
    description TEXT    NOT NULL DEFAULT '',
    position    INTEGER NOT NULL UNIQUE
);

INSERT INTO severities (name, description, position) VALUES
    ('SEV1', 'Critical: a core service is down or data is at risk for many customers. All hands, executive updates.', 1),
    ('SEV2', 'Major: significant degradation or a key feature down for a subset of customers.', 2),
    ('SEV3', 'Minor: limited impact, a workaround exists, or an internal system is affected.', 3),
    ('SEV4', 'Low: cosmetic or no customer impact; worth recording and learning from.', 4);

CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY,
    title           TEXT     NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary         TEXT     NOT NULL DEFAULT '',
    impact          TEXT     NOT NULL DEFAULT '',
    severity        TEXT     NOT NULL REFERENCES severities (name) ON UPDATE CASCADE,
    status          TEXT     NOT NULL DEFAULT 'investigating'
                    CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
    started_at      DATETIME,
    detected_at     DATETIME,
    acknowledged_at DATETIME,
    mitigated_at    DATETIME,
    resolved_at     DATETIME,
    version         INTEGER  NOT NULL DEFAULT 1,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);

CREATE INDEX incidents_status ON incidents (status);
CREATE INDEX incidents_severity ON incidents (severity);
CREATE INDEX incidents_started_at ON incidents (started_at);

CREATE TABLE services (
    id         INTEGER PRIMARY KEY,
    name       TEXT     NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 100),
    created_at DATETIME NOT NULL
);

CREATE TABLE incident_services (
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    service_id  INTEGER NOT NULL REFERENCES services (id) ON DELETE RESTRICT,
    PRIMARY KEY (incident_id, service_id)
) WITHOUT ROWID;

CREATE INDEX incident_services_service ON incident_services (service_id);

CREATE TABLE incident_tags (
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    tag         TEXT    NOT NULL CHECK (length(tag) BETWEEN 1 AND 50),
    PRIMARY KEY (incident_id, tag)
) WITHOUT ROWID;

CREATE INDEX incident_tags_tag ON incident_tags (tag);

-- One row per person in a role; the accounts work links rows to users later.
CREATE TABLE incident_roles (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL CHECK (role IN ('commander', 'comms_lead', 'scribe', 'responder')),
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    position    INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX incident_roles_incident ON incident_roles (incident_id, role, position);

CREATE TABLE timeline_entries (
    id            INTEGER PRIMARY KEY,
    incident_id   INTEGER  NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    occurred_at   DATETIME NOT NULL,
    kind          TEXT     NOT NULL
                  CHECK (kind IN ('observation', 'action', 'decision', 'communication', 'alert', 'deploy', 'milestone')),
    body          TEXT     NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    evidence_url  TEXT     NOT NULL DEFAULT '',
    author        TEXT     NOT NULL DEFAULT '',
    learned_later INTEGER  NOT NULL DEFAULT 0 CHECK (learned_later IN (0, 1)),
    version       INTEGER  NOT NULL DEFAULT 1,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);

-- The timeline is always read in this order: occurred_at, then creation order.
CREATE INDEX timeline_entries_order ON timeline_entries (incident_id, occurred_at, id);

-- An edit keeps what the entry said before (one row per replaced version).
CREATE TABLE timeline_entry_revisions (
    id            INTEGER PRIMARY KEY,
    entry_id      INTEGER  NOT NULL REFERENCES timeline_entries (id) ON DELETE CASCADE,
    version       INTEGER  NOT NULL,
    occurred_at   DATETIME NOT NULL,
    kind          TEXT     NOT NULL,
    body          TEXT     NOT NULL,
    evidence_url  TEXT     NOT NULL DEFAULT '',
    author        TEXT     NOT NULL DEFAULT '',
    learned_later INTEGER  NOT NULL DEFAULT 0,
    replaced_at   DATETIME NOT NULL,
    UNIQUE (entry_id, version)
);

-- +goose Down
DROP TABLE timeline_entry_revisions;
DROP TABLE timeline_entries;
DROP TABLE incident_roles;
DROP TABLE incident_tags;
DROP TABLE incident_services;
DROP TABLE services;
DROP TABLE incidents;
DROP TABLE severities;
