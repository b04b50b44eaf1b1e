-- +goose Up
-- The chat bridge. A Slack channel linked to an incident (by /incident
-- declare or /incident link), so that /incident note in that channel lands
-- on its timeline; and the tokens of the generic chat webhook
-- (/integrations/chat/{token}), one or more per incident, kept as hashes
-- and revocable.

CREATE TABLE chat_channels (
    team_id     TEXT     NOT NULL,
    channel_id  TEXT     NOT NULL,
    incident_id INTEGER  NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    linked_at   DATETIME NOT NULL,
    linked_by   TEXT     NOT NULL DEFAULT '',
    PRIMARY KEY (team_id, channel_id)
) WITHOUT ROWID;
CREATE INDEX chat_channels_incident ON chat_channels (incident_id);

CREATE TABLE chat_tokens (
    id          INTEGER  PRIMARY KEY,
    incident_id INTEGER  NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    hash        TEXT     NOT NULL UNIQUE,
    prefix      TEXT     NOT NULL,
    created_at  DATETIME NOT NULL,
    created_by  TEXT     NOT NULL DEFAULT '',
    revoked_at  DATETIME
);
CREATE INDEX chat_tokens_incident ON chat_tokens (incident_id);

-- +goose Down
DROP TABLE chat_tokens;
DROP TABLE chat_channels;
