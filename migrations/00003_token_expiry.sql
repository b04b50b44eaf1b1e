-- +goose Up
-- A token may carry an end date; past it, the token is refused like a revoked one.
ALTER TABLE api_tokens ADD COLUMN expires_at DATETIME;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN expires_at;
