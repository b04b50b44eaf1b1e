-- +goose Up
-- Analysis as data: contributing factors, whys trees and action items.

-- How long an action item has by default, per severity (editable).
ALTER TABLE severities ADD COLUMN action_due_weeks INTEGER NOT NULL DEFAULT 8
    CHECK (action_due_weeks BETWEEN 1 AND 104);
UPDATE severities SET action_due_weeks = 2 WHERE name = 'SEV1';
UPDATE severities SET action_due_weeks = 4 WHERE name = 'SEV2';
UPDATE severities SET action_due_weeks = 8 WHERE name = 'SEV3';
UPDATE severities SET action_due_weeks = 12 WHERE name = 'SEV4';

-- Factor categories are a table, like severities, so a team can edit the set.
CREATE TABLE factor_categories (
    name        TEXT    PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 50),
    description TEXT    NOT NULL DEFAULT '',
    position    INTEGER NOT NULL UNIQUE
);

INSERT INTO factor_categories (name, description, position) VALUES
    ('change', 'A deploy, rollout, migration or other change to a running system.', 1),
    ('configuration', 'A setting, flag or configuration value, and how it is checked and rolled out.', 2),
    ('code defect', 'A bug in code that shipped.', 3),
    ('capacity', 'Load, limits, quotas or resources that ran out.', 4),
    ('dependency', 'A service, vendor or library we rely on behaved unexpectedly.', 5),
    ('monitoring gap', 'Something we could not see, or an alert that did not fire or was not actionable.', 6),
    ('testing gap', 'A case that tests, staging or review did not cover.', 7),
    ('process', 'How work is planned, approved, handed over or escalated.', 8),
    ('runbook/documentation', 'Missing, stale or hard-to-find runbooks and documents.', 9),
    ('communication', 'Information that did not reach the people who needed it.', 10),
    ('hardware/infrastructure', 'Machines, networks, disks, power and the platforms under us.', 11),
    ('other', 'Anything the categories above do not fit.', 12);

CREATE TABLE contributing_factors (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER  NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    title       TEXT     NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description TEXT     NOT NULL DEFAULT '',
    category    TEXT     NOT NULL REFERENCES factor_categories (name) ON UPDATE CASCADE,
    is_trigger  INTEGER  NOT NULL DEFAULT 0 CHECK (is_trigger IN (0, 1)),
    position    INTEGER  NOT NULL,
    version     INTEGER  NOT NULL DEFAULT 1,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);

CREATE INDEX contributing_factors_incident ON contributing_factors (incident_id, position);
CREATE INDEX contributing_factors_category ON contributing_factors (category);
-- At most one trigger per incident; every other factor is a latent condition.
CREATE UNIQUE INDEX contributing_factors_one_trigger ON contributing_factors (incident_id) WHERE is_trigger = 1;

-- A why node answers "why?" for its parent. A root (no parent) states the
-- problem, or stands for the contributing factor in factor_id; a node
-- below a root with factor_id was promoted to (or linked with) that factor.
CREATE TABLE why_nodes (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER  NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    parent_id   INTEGER  REFERENCES why_nodes (id) ON DELETE CASCADE,
    factor_id   INTEGER  REFERENCES contributing_factors (id) ON DELETE SET NULL,
    text        TEXT     NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    position    INTEGER  NOT NULL,
    version     INTEGER  NOT NULL DEFAULT 1,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);

CREATE INDEX why_nodes_incident ON why_nodes (incident_id, parent_id, position);
CREATE INDEX why_nodes_parent ON why_nodes (parent_id);
CREATE INDEX why_nodes_factor ON why_nodes (factor_id);

CREATE TABLE action_items (
    id           INTEGER PRIMARY KEY,
    incident_id  INTEGER  NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    title        TEXT     NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description  TEXT     NOT NULL DEFAULT '',
    owner        TEXT     NOT NULL CHECK (length(owner) BETWEEN 1 AND 100),
    due_date     TEXT     NOT NULL CHECK (due_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    type         TEXT     NOT NULL CHECK (type IN ('prevent', 'mitigate', 'detect', 'process')),
    priority     TEXT     NOT NULL DEFAULT 'medium' CHECK (priority IN ('high', 'medium', 'low')),
    status       TEXT     NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'wont_do')),
    closure_note TEXT     NOT NULL DEFAULT '',
    evidence_url TEXT     NOT NULL DEFAULT '',
    rationale    TEXT     NOT NULL DEFAULT '',
    tracker_url  TEXT     NOT NULL DEFAULT '',
    closed_at    DATETIME,
    version      INTEGER  NOT NULL DEFAULT 1,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    -- The rules the application enforces, kept by the database too.
    CHECK (status <> 'done' OR closure_note <> '' OR evidence_url <> ''),
    CHECK (status <> 'wont_do' OR rationale <> '')
);

CREATE INDEX action_items_incident ON action_items (incident_id, due_date);
CREATE INDEX action_items_due ON action_items (status, due_date);
CREATE INDEX action_items_owner ON action_items (owner COLLATE NOCASE, due_date);

CREATE TABLE action_item_factors (
    action_id INTEGER NOT NULL REFERENCES action_items (id) ON DELETE CASCADE,
    factor_id INTEGER NOT NULL REFERENCES contributing_factors (id) ON DELETE CASCADE,
    PRIMARY KEY (action_id, factor_id)
) WITHOUT ROWID;

CREATE INDEX action_item_factors_factor ON action_item_factors (factor_id);

CREATE TABLE action_item_whys (
    action_id INTEGER NOT NULL REFERENCES action_items (id) ON DELETE CASCADE,
    why_id    INTEGER NOT NULL REFERENCES why_nodes (id) ON DELETE CASCADE,
    PRIMARY KEY (action_id, why_id)
) WITHOUT ROWID;

CREATE INDEX action_item_whys_why ON action_item_whys (why_id);

-- +goose Down
DROP TABLE action_item_whys;
DROP TABLE action_item_factors;
DROP TABLE action_items;
DROP TABLE why_nodes;
DROP TABLE contributing_factors;
DROP TABLE factor_categories;
ALTER TABLE severities DROP COLUMN action_due_weeks;
