-- +goose Up
-- The archive's full-text index: one document per incident, holding
-- everything anyone wrote about it, in an FTS5 table.
--
-- search_docs keeps each document's text by part (what the search page
-- shows snippets from and what tells which part matched); search_meta keeps
-- the few fields that filters and facet counts read for every hit, in small
-- rows; search_fts is the index itself. It is contentless (the text lives in
-- search_docs) with contentless_delete, so replacing a document does not
-- need its old text tokenised again.
--
-- The index is kept in step by the store in the same transaction as every
-- write: triggers on the source tables note which incidents changed in
-- search_dirty, and before commit the store rebuilds those documents and
-- empties search_dirty. `debrief reindex` rebuilds everything.
CREATE TABLE search_docs (
    incident_id INTEGER PRIMARY KEY,
    title       TEXT NOT NULL DEFAULT '',
    summary     TEXT NOT NULL DEFAULT '',
    impact      TEXT NOT NULL DEFAULT '',
    narrative   TEXT NOT NULL DEFAULT '',
    timeline    TEXT NOT NULL DEFAULT '',
    factors     TEXT NOT NULL DEFAULT '',
    whys        TEXT NOT NULL DEFAULT '',
    actions     TEXT NOT NULL DEFAULT '',
    services    TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT ''
);

-- Lists (services, tags, categories) are newline-separated: none of them
-- can hold a newline. Times are Unix milliseconds (UTC), cheap to read for
-- every hit.
CREATE TABLE search_meta (
    incident_id   INTEGER PRIMARY KEY,
    severity      TEXT     NOT NULL,
    status        TEXT     NOT NULL,
    pm_status     TEXT     NOT NULL DEFAULT '',
    started_at    INTEGER  NOT NULL,
    published_at  INTEGER,
    services      TEXT     NOT NULL DEFAULT '',
    tags          TEXT     NOT NULL DEFAULT '',
    categories    TEXT     NOT NULL DEFAULT '',
    -- The search_state generation that wrote the row; a deleted incident
    -- leaves a row with deleted = 1, so a copy of the table kept in memory
    -- can catch up by reading the rows of later generations.
    gen           INTEGER  NOT NULL DEFAULT 0,
    deleted       INTEGER  NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
);

CREATE INDEX search_meta_gen ON search_meta (gen);

-- gen counts the transactions that changed the index; epoch is drawn at
-- random by every full rebuild (after one, a copy in memory is reloaded
-- whole).
CREATE TABLE search_state (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    epoch INTEGER NOT NULL,
    gen   INTEGER NOT NULL
);
INSERT INTO search_state VALUES (1, random(), 0);


-- Column weights for bm25 (title above everything, then services and tags,
-- summary, the analysis, and the long narrative and timeline last) are set
-- once as the table's rank, so ORDER BY rank uses them.
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, summary, impact, narrative, timeline, factors, whys, actions, services, tags,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO search_fts (search_fts, rank)
    VALUES ('rank', 'bm25(10.0, 3.0, 2.0, 1.0, 1.0, 2.0, 2.0, 1.5, 4.0, 4.0)');

CREATE TABLE search_dirty (
    incident_id INTEGER PRIMARY KEY
);

-- The triggers add an incident only when it is not listed yet, rather than
-- INSERT OR IGNORE: in a trigger run by a foreign-key cascade (renaming a
-- factor category updates many factors of one incident) the cascade's
-- conflict policy replaces OR IGNORE, and the second row would fail.
-- +goose StatementBegin
CREATE TRIGGER search_incidents_ins AFTER INSERT ON incidents BEGIN
    INSERT INTO search_dirty SELECT NEW.id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.id);
END;
CREATE TRIGGER search_incidents_upd AFTER UPDATE ON incidents BEGIN
    INSERT INTO search_dirty SELECT NEW.id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.id);
END;
CREATE TRIGGER search_incidents_del AFTER DELETE ON incidents BEGIN
    INSERT INTO search_dirty SELECT OLD.id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = OLD.id);
END;

CREATE TRIGGER search_services_upd AFTER UPDATE OF name ON services BEGIN
    INSERT INTO search_dirty SELECT incident_id FROM incident_services
        WHERE service_id = NEW.id AND incident_id NOT IN (SELECT incident_id FROM search_dirty);
END;
CREATE TRIGGER search_incident_services_ins AFTER INSERT ON incident_services BEGIN
    INSERT INTO search_dirty SELECT NEW.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER search_incident_services_del AFTER DELETE ON incident_services BEGIN
    INSERT INTO search_dirty SELECT OLD.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = OLD.incident_id);
END;

CREATE TRIGGER search_incident_tags_ins AFTER INSERT ON incident_tags BEGIN
    INSERT INTO search_dirty SELECT NEW.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER search_incident_tags_del AFTER DELETE ON incident_tags BEGIN
    INSERT INTO search_dirty SELECT OLD.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = OLD.incident_id);
END;

CREATE TRIGGER search_timeline_ins AFTER INSERT ON timeline_entries BEGIN
    INSERT INTO search_dirty SELECT NEW.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER search_timeline_upd AFTER UPDATE OF body, incident_id ON timeline_entries BEGIN
    INSERT INTO search_dirty SELECT NEW.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER search_timeline_del AFTER DELETE ON timeline_entries BEGIN
    INSERT INTO search_dirty SELECT OLD.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = OLD.incident_id);
END;

CREATE TRIGGER search_factors_ins AFTER INSERT ON contributing_factors BEGIN
    INSERT INTO search_dirty SELECT NEW.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER search_factors_upd AFTER UPDATE ON contributing_factors BEGIN
    INSERT INTO search_dirty SELECT NEW.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER search_factors_del AFTER DELETE ON contributing_factors BEGIN
    INSERT INTO search_dirty SELECT OLD.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = OLD.incident_id);
END;

CREATE TRIGGER search_whys_ins AFTER INSERT ON why_nodes BEGIN
    INSERT INTO search_dirty SELECT NEW.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER search_whys_upd AFTER UPDATE OF text, incident_id ON why_nodes BEGIN
    INSERT INTO search_dirty SELECT NEW.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER search_whys_del AFTER DELETE ON why_nodes BEGIN
    INSERT INTO search_dirty SELECT OLD.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = OLD.incident_id);
END;

CREATE TRIGGER search_actions_ins AFTER INSERT ON action_items BEGIN
    INSERT INTO search_dirty SELECT NEW.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER search_actions_upd AFTER UPDATE ON action_items BEGIN
    INSERT INTO search_dirty SELECT NEW.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER search_actions_del AFTER DELETE ON action_items BEGIN
    INSERT INTO search_dirty SELECT OLD.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = OLD.incident_id);
END;

CREATE TRIGGER search_postmortems_ins AFTER INSERT ON postmortems BEGIN
    INSERT INTO search_dirty SELECT NEW.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER search_postmortems_upd AFTER UPDATE OF status ON postmortems BEGIN
    INSERT INTO search_dirty SELECT NEW.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER search_postmortems_del AFTER DELETE ON postmortems BEGIN
    INSERT INTO search_dirty SELECT OLD.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = OLD.incident_id);
END;

CREATE TRIGGER search_sections_ins AFTER INSERT ON postmortem_sections BEGIN
    INSERT INTO search_dirty SELECT NEW.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER search_sections_upd AFTER UPDATE OF body ON postmortem_sections BEGIN
    INSERT INTO search_dirty SELECT NEW.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER search_sections_del AFTER DELETE ON postmortem_sections BEGIN
    INSERT INTO search_dirty SELECT OLD.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = OLD.incident_id);
END;

CREATE TRIGGER search_revisions_ins AFTER INSERT ON postmortem_revisions BEGIN
    INSERT INTO search_dirty SELECT NEW.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.incident_id);
END;
-- +goose StatementEnd

-- Index what is already there.
INSERT INTO search_dirty SELECT id FROM incidents;

-- +goose Down
DROP TRIGGER search_incidents_ins;
DROP TRIGGER search_incidents_upd;
DROP TRIGGER search_incidents_del;
DROP TRIGGER search_services_upd;
DROP TRIGGER search_incident_services_ins;
DROP TRIGGER search_incident_services_del;
DROP TRIGGER search_incident_tags_ins;
DROP TRIGGER search_incident_tags_del;
DROP TRIGGER search_timeline_ins;
DROP TRIGGER search_timeline_upd;
DROP TRIGGER search_timeline_del;
DROP TRIGGER search_factors_ins;
DROP TRIGGER search_factors_upd;
DROP TRIGGER search_factors_del;
DROP TRIGGER search_whys_ins;
DROP TRIGGER search_whys_upd;
DROP TRIGGER search_whys_del;
DROP TRIGGER search_actions_ins;
DROP TRIGGER search_actions_upd;
DROP TRIGGER search_actions_del;
DROP TRIGGER search_postmortems_ins;
DROP TRIGGER search_postmortems_upd;
DROP TRIGGER search_postmortems_del;
DROP TRIGGER search_sections_ins;
DROP TRIGGER search_sections_upd;
DROP TRIGGER search_sections_del;
DROP TRIGGER search_revisions_ins;
DROP TABLE search_dirty;
DROP TABLE search_fts;
DROP TABLE search_state;
DROP TABLE search_meta;
DROP TABLE search_docs;
