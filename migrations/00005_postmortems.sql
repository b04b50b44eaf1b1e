-- +goose Up
-- The postmortem of an incident: narrative sections, people, a review
-- workflow and immutable published revisions.

CREATE TABLE postmortems (
    incident_id INTEGER  PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    status      TEXT     NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'in_review', 'published')),
    facilitator TEXT     NOT NULL DEFAULT '' CHECK (length(facilitator) <= 100),
    version     INTEGER  NOT NULL DEFAULT 1,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);

-- One row per narrative section, each with its own version, so two people
-- can write different sections at once and a clash on one is a 409.
CREATE TABLE postmortem_sections (
    incident_id INTEGER  NOT NULL REFERENCES postmortems (incident_id) ON DELETE CASCADE,
    key         TEXT     NOT NULL CHECK (key IN ('summary', 'impact', 'trigger', 'resolution', 'detection',
                         'went_well', 'went_wrong', 'got_lucky', 'lessons', 'supporting_info')),
    body        TEXT     NOT NULL DEFAULT '',
    version     INTEGER  NOT NULL DEFAULT 1,
    updated_at  DATETIME NOT NULL,
    updated_by  TEXT     NOT NULL DEFAULT '',
    PRIMARY KEY (incident_id, key)
) WITHOUT ROWID;

CREATE TABLE postmortem_people (
    incident_id INTEGER NOT NULL REFERENCES postmortems (incident_id) ON DELETE CASCADE,
    role        TEXT    NOT NULL CHECK (role IN ('author', 'reviewer')),
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    position    INTEGER NOT NULL,
    PRIMARY KEY (incident_id, role, name)
) WITHOUT ROWID;

-- A blameless-language finding someone read and decided to keep, with why.
CREATE TABLE lint_acknowledgements (
    incident_id INTEGER  NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    fingerprint TEXT     NOT NULL CHECK (length(fingerprint) BETWEEN 1 AND 300),
    reason      TEXT     NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    by_name     TEXT     NOT NULL DEFAULT '',
    at          DATETIME NOT NULL,
    PRIMARY KEY (incident_id, fingerprint)
) WITHOUT ROWID;

-- Each publish stores an immutable snapshot, numbered 1, 2, … per incident.
CREATE TABLE postmortem_revisions (
    id           INTEGER  PRIMARY KEY,
    incident_id  INTEGER  NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    number       INTEGER  NOT NULL CHECK (number >= 1),
    markdown     TEXT     NOT NULL,
    data         TEXT     NOT NULL,
    published_at DATETIME NOT NULL,
    published_by TEXT     NOT NULL DEFAULT '',
    UNIQUE (incident_id, number)
);

-- +goose StatementBegin
CREATE TRIGGER postmortem_revisions_immutable BEFORE UPDATE ON postmortem_revisions
BEGIN
    SELECT RAISE(ABORT, 'a published revision never changes');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER postmortem_revisions_immutable;
DROP TABLE postmortem_revisions;
DROP TABLE lint_acknowledgements;
DROP TABLE postmortem_people;
DROP TABLE postmortem_sections;
DROP TABLE postmortems;
