-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT     NOT NULL UNIQUE COLLATE NOCASE CHECK (length(email) BETWEEN 3 AND 254),
    name          TEXT     NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role          TEXT     NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    -- Empty for accounts that sign in only through a trusted proxy.
    password_hash TEXT     NOT NULL DEFAULT '',
    disabled      INTEGER  NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    version       INTEGER  NOT NULL DEFAULT 1,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    last_login_at DATETIME
);

-- Server-side sessions, in the shape github.com/alexedwards/scs/sqlite3store expects.
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BLOB NOT NULL,
    expiry REAL NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- API tokens are stored as SHA-256 hashes; the secret is shown once.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT     NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    hash         BLOB     NOT NULL UNIQUE,
    prefix       TEXT     NOT NULL,
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Every create, update and delete: who, when, what, before and after.
-- No foreign keys: the log outlives what it describes.
CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    at             DATETIME NOT NULL,
    actor_user_id  INTEGER,
    actor_token_id INTEGER,
    actor          TEXT     NOT NULL,
    action         TEXT     NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    entity         TEXT     NOT NULL,
    entity_id      INTEGER  NOT NULL,
    incident_id    INTEGER,
    before         TEXT,
    after          TEXT
);
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
DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DROP TABLE audit_log;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
