-- +goose Up
-- Timeline entries get their own rows in the search index, one per entry,
-- so that appending to an incident's timeline indexes that entry alone
-- instead of rebuilding the incident's whole document (which, with the
-- timeline in it, cost time in proportion to the timeline: 55 ms an
-- append at 21 000 entries).
--
-- search_entry_fts has a row per entry, keyed by incident and entry: its
-- rowid is incident_id * 2^32 + id. A search reads the incident of every
-- matching entry from the rowid alone (a join to timeline_entries would
-- cost more than the match), and gets an incident's entries next to each
-- other. The triggers refuse ids beyond that range (2^31 incidents, 2^32
-- entries) rather than index an entry under another's key.
--
-- The table is contentless, like search_fts (the text is
-- timeline_entries.body), with contentless_delete. Its one column is the
-- documents' timeline column, with the same weight (1.0). Triggers keep it
-- in step in the same statement as the entry's write; an incident's
-- deletion cascades to its entries and so to their rows here.
--
-- The documents' timeline column stays, empty, so the other columns keep
-- their positions and weights in search_fts.
CREATE VIRTUAL TABLE search_entry_fts USING fts5(
    timeline,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO search_entry_fts (search_entry_fts, rank) VALUES ('rank', 'bm25(1.0)');

DROP TRIGGER search_timeline_ins;
DROP TRIGGER search_timeline_upd;
DROP TRIGGER search_timeline_del;

-- +goose StatementBegin
CREATE TRIGGER search_entry_ins AFTER INSERT ON timeline_entries BEGIN
    SELECT RAISE(ABORT, 'timeline entry id out of the search index''s range')
        WHERE NEW.id NOT BETWEEN 1 AND 4294967295 OR NEW.incident_id NOT BETWEEN 1 AND 2147483647;
    INSERT INTO search_entry_fts (rowid, timeline) VALUES (NEW.incident_id * 4294967296 + NEW.id, NEW.body);
END;
CREATE TRIGGER search_entry_upd AFTER UPDATE OF id, incident_id, body ON timeline_entries BEGIN
    SELECT RAISE(ABORT, 'timeline entry id out of the search index''s range')
        WHERE NEW.id NOT BETWEEN 1 AND 4294967295 OR NEW.incident_id NOT BETWEEN 1 AND 2147483647;
    DELETE FROM search_entry_fts WHERE rowid = OLD.incident_id * 4294967296 + OLD.id;
    INSERT INTO search_entry_fts (rowid, timeline) VALUES (NEW.incident_id * 4294967296 + NEW.id, NEW.body);
END;
CREATE TRIGGER search_entry_del AFTER DELETE ON timeline_entries BEGIN
    DELETE FROM search_entry_fts WHERE rowid = OLD.incident_id * 4294967296 + OLD.id;
END;
-- +goose StatementEnd

INSERT INTO search_entry_fts (rowid, timeline) SELECT incident_id * 4294967296 + id, body FROM timeline_entries;

-- The documents that held a timeline are rebuilt without it (the store
-- indexes what search_dirty lists once the migrations have run).
INSERT INTO search_dirty SELECT DISTINCT incident_id FROM timeline_entries
    WHERE incident_id NOT IN (SELECT incident_id FROM search_dirty);

-- +goose Down
DROP TRIGGER search_entry_ins;
DROP TRIGGER search_entry_upd;
DROP TRIGGER search_entry_del;
DROP TABLE search_entry_fts;

-- +goose StatementBegin
CREATE TRIGGER search_timeline_ins AFTER INSERT ON timeline_entries BEGIN
    INSERT INTO search_dirty SELECT NEW.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER search_timeline_upd AFTER UPDATE OF body, incident_id ON timeline_entries BEGIN
    INSERT INTO search_dirty SELECT NEW.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = NEW.incident_id);
END;
CREATE TRIGGER search_timeline_del AFTER DELETE ON timeline_entries BEGIN
    INSERT INTO search_dirty SELECT OLD.incident_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE incident_id = OLD.incident_id);
END;
-- +goose StatementEnd

INSERT INTO search_dirty SELECT DISTINCT incident_id FROM timeline_entries
    WHERE incident_id NOT IN (SELECT incident_id FROM search_dirty);
