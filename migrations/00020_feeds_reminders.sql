-- +goose Up
-- Feeds (feed keys) and reminders (the daily digest), issue 16.
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

-- Reminders: each user may switch the daily digest off and set quiet hours
-- (whole UTC hours, from inclusive to exclusive; none when equal or NULL).
ALTER TABLE users ADD COLUMN reminders_off INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN quiet_from INTEGER CHECK (quiet_from BETWEEN 0 AND 23);
ALTER TABLE users ADD COLUMN quiet_to INTEGER CHECK (quiet_to BETWEEN 0 AND 23);

-- One row per action-item owner and UTC day: written with the digest's
-- webhook events in one transaction, so a restart never sends a day's
-- digest twice; the email (if any) is sent after commit and marked, and an
-- unsent one is retried the same day.
CREATE TABLE reminder_digests (
    owner      TEXT     NOT NULL COLLATE NOCASE,
    day        TEXT     NOT NULL,
    user_id    INTEGER  REFERENCES users (id) ON DELETE SET NULL,
    email      TEXT     NOT NULL DEFAULT '',
    subject    TEXT     NOT NULL DEFAULT '',
    body       TEXT     NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    emailed_at DATETIME,
    PRIMARY KEY (owner, day)
) WITHOUT ROWID;
CREATE INDEX reminder_digests_unsent ON reminder_digests (day) WHERE emailed_at IS NULL AND email <> '';

-- +goose Down
DROP INDEX reminder_digests_unsent;
DROP TABLE reminder_digests;
ALTER TABLE users DROP COLUMN quiet_to;
ALTER TABLE users DROP COLUMN quiet_from;
ALTER TABLE users DROP COLUMN reminders_off;
DROP INDEX incidents_created_at;
DROP INDEX feed_keys_user;
DROP TABLE feed_keys;
