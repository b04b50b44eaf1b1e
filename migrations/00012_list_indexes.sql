-- +goose Up
-- The list pages (/incidents, /actions) read a page of ids in their sort
-- order from an index that holds every column the filter and the sort
-- read, so neither a page nor its total reads the table or sorts it, however
-- large the archive. Each expression is written exactly as the store's
-- ORDER BY writes it: SQLite uses an index on an expression only then.

-- An expression alone does not cover the columns it reads, hence the plain
-- columns at the end of each index.

-- Incidents: open ones first, then the most recent (incidentOrder). With a
-- status filter the first term is the same for every row; the store leaves
-- it out, and incidents_status_list answers.
CREATE INDEX incidents_list ON incidents
    (status = 'resolved', COALESCE(started_at, created_at) DESC, id DESC, status, severity, started_at, created_at);
CREATE INDEX incidents_status_list ON incidents
    (status, COALESCE(started_at, created_at) DESC, id DESC, started_at, created_at);
CREATE INDEX incidents_severity_list ON incidents
    (severity, status = 'resolved', COALESCE(started_at, created_at) DESC, id DESC, status, started_at, created_at);

-- Action items: by due date, the highest priority first, then the oldest
-- (actionOrder). The active ones (open, in progress) are what /actions
-- shows unless asked: an index that starts with that condition (as the
-- store writes it, actionActiveSQL) gives them in order. (A partial index
-- loses to action_items_status_list, which SQLite reads twice and sorts.)
CREATE INDEX action_items_list ON action_items
    (due_date, CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, id, priority, status);
CREATE INDEX action_items_active_list ON action_items
    (status IN ('open', 'in_progress'), due_date, CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, id, priority, status, incident_id);
CREATE INDEX action_items_status_list ON action_items
    (status, due_date, CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, id, priority);
CREATE INDEX action_items_owner_list ON action_items
    (owner COLLATE NOCASE, due_date, CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, id, priority, status);
CREATE INDEX action_items_incident_list ON action_items
    (incident_id, due_date, CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, id, priority, status);

-- +goose Down
DROP INDEX action_items_incident_list;
DROP INDEX action_items_owner_list;
DROP INDEX action_items_status_list;
DROP INDEX action_items_active_list;
DROP INDEX action_items_list;
DROP INDEX incidents_severity_list;
DROP INDEX incidents_status_list;
DROP INDEX incidents_list;
