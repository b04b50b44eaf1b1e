-- +goose Up
-- Outgoing webhooks and their outbox. An event (incident declared, updated,
-- resolved; postmortem published; change recorded) is written to outbox in
-- the transaction of the change that causes it, with one delivery row per
-- webhook that wants it; a worker delivers them after commit, retrying with
-- backoff, so an event survives a restart or a kill between the commit and
-- its delivery. webhook-id (msg_id) stays the same across retries.

CREATE TABLE webhooks (
    id            INTEGER  PRIMARY KEY,
    url           TEXT     NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
    events        TEXT     NOT NULL,           -- ",incident.declared,change.recorded,"
    format        TEXT     NOT NULL CHECK (format IN ('json', 'slack')),
    secret        TEXT     NOT NULL,           -- whsec_…: needed to sign, so kept as is
    description   TEXT     NOT NULL DEFAULT '',
    private       INTEGER  NOT NULL DEFAULT 0, -- also sends events of private incidents
    active        INTEGER  NOT NULL DEFAULT 1,
    paused_reason TEXT     NOT NULL DEFAULT '',
    failures      INTEGER  NOT NULL DEFAULT 0, -- consecutive failed attempts
    created_at    DATETIME NOT NULL,
    created_by    TEXT     NOT NULL DEFAULT '',
    updated_at    DATETIME NOT NULL
);

CREATE TABLE outbox (
    id          INTEGER  PRIMARY KEY,
    type        TEXT     NOT NULL,
    incident_id INTEGER,
    data        TEXT     NOT NULL,
    created_at  DATETIME NOT NULL
);
CREATE INDEX outbox_created ON outbox (created_at);

CREATE TABLE webhook_deliveries (
    id               INTEGER  PRIMARY KEY,
    webhook_id       INTEGER  NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    outbox_id        INTEGER  NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    msg_id           TEXT     NOT NULL UNIQUE,
    status           TEXT     NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER  NOT NULL DEFAULT 0,
    next_attempt_at  DATETIME NOT NULL,
    last_attempt_at  DATETIME,
    last_status_code INTEGER,
    last_error       TEXT     NOT NULL DEFAULT '',
    last_latency_ms  INTEGER,
    response_excerpt TEXT     NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    delivered_at     DATETIME,
    UNIQUE (webhook_id, outbox_id)
);
-- The worker's queue: the due deliveries, oldest first, per webhook.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, webhook_id, id);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_outbox ON webhook_deliveries (outbox_id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE outbox;
DROP TABLE webhooks;
