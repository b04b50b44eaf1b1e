-- +goose Up
-- A user's session epoch: every session records the epoch it was signed in
-- under and is refused once the user's epoch moves on. A password change or
-- reset and disabling the account raise it, so those end the user's
-- sessions at once (and enabling the account again revives none).
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE users DROP COLUMN session_epoch;
