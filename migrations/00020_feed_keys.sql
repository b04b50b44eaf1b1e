-- +goose Up
-- Feed keys: a per-user credential a feed reader carries in the URL
-- (/archive.atom?key=…), since readers cannot send headers. Only the hash
-- is kept, as for API tokens; a key reads the two feeds and nothing else.
CREATE TABLE feed_keys (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT     NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    hash         BLOB     NOT NULL UNIQUE,
    prefix       TEXT     NOT NULL,
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME
);
CREATE INDEX feed_keys_user ON feed_keys (user_id, id);

-- The incidents feed reads the newest declarations (and the newest
-- resolutions, from incidents_resolved_at).
CREATE INDEX incidents_created_at ON incidents (created_at);

-- +goose Down
DROP INDEX incidents_created_at;
DROP INDEX feed_keys_user;
DROP TABLE feed_keys;
