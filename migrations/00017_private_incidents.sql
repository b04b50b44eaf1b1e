-- +goose Up
-- Private incidents: an incident is visible to the whole organisation
-- (the default, as blameless practice asks) or only to its members, the
-- people in its roles and admins.
ALTER TABLE incidents ADD COLUMN visibility TEXT NOT NULL DEFAULT 'organisation'
    CHECK (visibility IN ('organisation', 'private'));

-- The people given access to a private incident by name (its roles are
-- members without a row here).
CREATE TABLE incident_members (
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (incident_id, user_id)
) WITHOUT ROWID;
CREATE INDEX incident_members_user ON incident_members (user_id);

-- The lists leave out the private incidents a reader may not see: the few
-- private ones are found from this index alone, so the lists keep reading
-- their pages from their own indexes.
CREATE INDEX incidents_visibility ON incidents (visibility, id);

-- An admin's read of a private incident is audited: the audit log's
-- actions gain "read". SQLite cannot change a CHECK, so the table is
-- rebuilt (its append-only triggers with it).
DROP TRIGGER audit_log_no_update;
DROP TRIGGER audit_log_no_delete;
CREATE TABLE audit_log_new (
    id             INTEGER PRIMARY KEY,
    at             DATETIME NOT NULL,
    actor_user_id  INTEGER,
    actor_token_id INTEGER,
    actor          TEXT     NOT NULL,
    action         TEXT     NOT NULL CHECK (action IN ('create', 'update', 'delete', 'read')),
    entity         TEXT     NOT NULL,
    entity_id      INTEGER  NOT NULL,
    incident_id    INTEGER,
    before         TEXT,
    after          TEXT
);
INSERT INTO audit_log_new SELECT id, at, actor_user_id, actor_token_id, actor, action, entity, entity_id, incident_id, before, after FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_log_incident ON audit_log (incident_id, id);
CREATE INDEX audit_log_at ON audit_log (at);

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

-- +goose Down
-- The audit log keeps its wider CHECK: it may hold "read" lines now.
DROP INDEX incidents_visibility;
DROP INDEX incident_members_user;
DROP TABLE incident_members;
ALTER TABLE incidents DROP COLUMN visibility;
