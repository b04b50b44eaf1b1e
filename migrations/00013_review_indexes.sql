-- +goose Up
-- The weekly review's last three reads that scanned their tables: the
-- postmortems in review, the revisions published in a period, and the
-- action items opened per week for the charts.
CREATE INDEX postmortems_status ON postmortems (status);
CREATE INDEX postmortem_revisions_published_at ON postmortem_revisions (published_at);
CREATE INDEX action_items_created_at ON action_items (created_at);

-- +goose Down
DROP INDEX action_items_created_at;
DROP INDEX postmortem_revisions_published_at;
DROP INDEX postmortems_status;
