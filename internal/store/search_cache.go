package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"
)

// metaCache is search_meta in memory, in a compact form: a search reads
// only rowid and rank from FTS5 and finds each hit's filter and facet
// fields here, so the cost per match is an array lookup, not a join and
// nine decoded columns. Strings (severities, statuses, services, tags,
// categories) are interned as small integers, so facets count into arrays.
//
// It stays correct whoever writes the database: each search first reads
// search_state (one row); a new epoch (a full reindex) reloads everything,
// a new generation reads just the rows written since (search_meta.gen, with
// tombstones for deleted incidents).
type metaCache struct {
	mu     sync.RWMutex
	loaded bool
	epoch  int64
	gen    int64
	rows   []metaRow // by incident id; absent rows have present false
	n      int       // present rows
	names  []string  // interned strings by id
	ids    map[string]int32
}

// metaRow is one incident's meta, compact.
type metaRow struct {
	present                    bool
	severity, status, pmStatus int32
	year                       int32
	started, published         int64 // Unix ms; published 0: never
	services, tags, categories []int32
}

func (c *metaCache) intern(s string) int32 {
	if id, ok := c.ids[s]; ok {
		return id
	}
	id := int32(len(c.names))
	c.names = append(c.names, s)
	c.ids[s] = id
	return id
}

func (c *metaCache) internList(s string) []int32 {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, "\n")
	out := make([]int32, len(parts))
	for i, p := range parts {
		out[i] = c.intern(p)
	}
	return out
}

// get returns the row of id, or nil.
func (c *metaCache) get(id int64) *metaRow {
	if id <= 0 || id >= int64(len(c.rows)) || !c.rows[id].present {
		return nil
	}
	return &c.rows[id]
}

// meta turns a row back into a SearchMeta.
func (c *metaCache) meta(id int64, r *metaRow) SearchMeta {
	m := SearchMeta{IncidentID: id, Severity: c.names[r.severity], Status: c.names[r.status], PMStatus: c.names[r.pmStatus],
		StartedAt: time.UnixMilli(r.started).UTC(), Services: c.strings(r.services), Tags: c.strings(r.tags), Categories: c.strings(r.categories)}
	if r.published != 0 {
		t := time.UnixMilli(r.published).UTC()
		m.PublishedAt = &t
	}
	return m
}

func (c *metaCache) strings(ids []int32) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = c.names[id]
	}
	return out
}

// matching returns the interned ids of the strings equal to one of values,
// without case when fold is set; nil when values is empty (no filter).
func (c *metaCache) matching(values []string, fold bool) map[int32]bool {
	if len(values) == 0 {
		return nil
	}
	out := map[int32]bool{}
	for id, name := range c.names {
		for _, v := range values {
			if name == v || fold && strings.EqualFold(name, v) {
				out[int32(id)] = true
			}
		}
	}
	return out
}

// searchCache brings the meta cache up to date with the database and
// returns it read-locked; the caller unlocks it with RUnlock.
func (s *Store) searchCache(ctx context.Context) (*metaCache, error) {
	db, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	st, err := s.searchStmts()
	if err != nil {
		return nil, err
	}
	var epoch, gen int64
	if err := st.state.QueryRowContext(context.WithoutCancel(ctx)).Scan(&epoch, &gen); err != nil { // one row: see eachRow
		return nil, fmt.Errorf("search state: %w", err)
	}
	c := s.meta
	c.mu.RLock()
	if c.loaded && c.epoch == epoch && c.gen == gen {
		return c, nil
	}
	c.mu.RUnlock()

	c.mu.Lock()
	err = c.load(ctx, db, epoch, gen)
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	c.mu.RLock()
	return c, nil
}

// load reads what changed since the cache's generation, or everything
// after a reindex. It runs with the write lock held.
func (c *metaCache) load(ctx context.Context, db *sql.DB, epoch, gen int64) error {
	if c.loaded && c.epoch == epoch && c.gen == gen {
		return nil // another search caught up meanwhile
	}
	// Read in a transaction, so the rows and the generation agree; decide
	// between catching up and reloading on what the transaction sees (a
	// reindex may have committed since the caller looked).
	// Up to a row per incident: ctx is checked every checkRows rows, not
	// watched by the driver row by row (see eachRow). Rows read before a
	// cancellation are applied, the generation is not: the next load
	// reads them again.
	rctx := context.WithoutCancel(ctx)
	tx, err := db.BeginTx(rctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := tx.QueryRowContext(rctx, "SELECT epoch, gen FROM search_state").Scan(&epoch, &gen); err != nil {
		return err
	}
	since := c.gen
	// A generation behind the copy's means the file was replaced (a
	// restored backup): reload it whole, as after a reindex.
	if !c.loaded || c.epoch != epoch || gen < c.gen {
		c.loaded, c.rows, c.n, c.names, c.ids = false, nil, 0, nil, map[string]int32{}
		c.intern("") // id 0 is the empty string
		since = -1
	}
	rows, err := tx.QueryContext(rctx, `SELECT incident_id, severity, status, pm_status, started_at, COALESCE(published_at, 0),
		services, tags, categories, deleted FROM search_meta WHERE gen > ?`, since)
	if err != nil {
		return err
	}
	defer rows.Close()
	for n := 1; rows.Next(); n++ {
		if n%checkRows == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var (
			id, started, published     int64
			sev, status, pm            string
			services, tags, categories string
			deleted                    bool
		)
		if err := rows.Scan(&id, &sev, &status, &pm, &started, &published, &services, &tags, &categories, &deleted); err != nil {
			return err
		}
		if id <= 0 {
			continue
		}
		if id >= int64(len(c.rows)) {
			grown := make([]metaRow, max(id+1, int64(len(c.rows))*5/4))
			copy(grown, c.rows)
			c.rows = grown
		}
		r := &c.rows[id]
		if r.present {
			c.n--
		}
		if deleted {
			*r = metaRow{}
			continue
		}
		*r = metaRow{present: true, severity: c.intern(sev), status: c.intern(status), pmStatus: c.intern(pm),
			year: int32(time.UnixMilli(started).UTC().Year()), started: started, published: published,
			services: c.internList(services), tags: c.internList(tags), categories: c.internList(categories)}
		c.n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	c.loaded, c.epoch, c.gen = true, epoch, gen
	return nil
}
