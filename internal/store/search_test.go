package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/search"
	"github.com/debrief-dev/debrief/migrations"
)

// find runs a query typed as a person would and returns the ids found.
func find(t *testing.T, st *Store, typed string, edit ...func(*SearchQuery)) []int64 {
	t.Helper()
	res := runSearch(t, st, typed, edit...)
	ids := make([]int64, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.IncidentID
	}
	return ids
}

func runSearch(t *testing.T, st *Store, typed string, edit ...func(*SearchQuery)) *SearchResult {
	t.Helper()
	q, err := search.Parse(typed)
	require.NoError(t, err)
	sq := SearchQuery{Text: q, Limit: 100}
	for _, e := range edit {
		e(&sq)
	}
	res, err := st.Search(ctx, sq)
	require.NoError(t, err)
	return res
}

func TestSearchFindsEveryPart(t *testing.T) {
	st := OpenTest(t)
	inc := &model.Incident{Title: "Checkout errors", Severity: "SEV2", Summary: "Customers saw zebra pages",
		Impact: "Lost giraffe orders", Services: []string{"payments-api"}, Tags: []string{"blackfriday"}}
	require.NoError(t, st.CreateIncident(ctx, inc, "tester"))
	other := incidentWith(t, st, "Unrelated", "SEV3")
	_ = other

	e := &model.TimelineEntry{IncidentID: inc.ID, OccurredAt: st.Now(), Kind: model.KindObservation, Body: "The walrus alert fired"}
	require.NoError(t, st.AppendTimeline(ctx, e))
	f := newFactor(t, st, inc.ID, "Pelican retries amplified load", "capacity", false)
	newWhy(t, st, inc.ID, nil, "Because the flamingo queue had no bound")
	newAction(t, st, inc.ID, "Add a narwhal dashboard", "Dana", "2030-01-01")
	_, err := st.SavePostmortem(ctx, inc.ID, PostmortemEdit{Sections: map[model.SectionKey]SectionEdit{
		"went_well": {Body: "The octopus runbook helped", Version: 0},
	}})
	require.NoError(t, err)

	for word, part := range map[string]string{
		"checkout": "title", "zebra": "summary", "giraffe": "impact", "walrus": "timeline", "pelican": "factors",
		"flamingo": "whys", "narwhal": "actions", "octopus": "narrative", "payments": "services", "blackfriday": "tags",
	} {
		assert.Equal(t, []int64{inc.ID}, find(t, st, word), "%s (in the %s) is findable", word, part)
	}

	// An edit is searchable at once; the old text is gone.
	_, err = st.UpdateFactor(ctx, inc.ID, f.ID, model.FactorPatch{Title: ptr("Cormorant retries amplified load"), Version: f.Version})
	require.NoError(t, err)
	assert.Empty(t, find(t, st, "pelican"))
	assert.Equal(t, []int64{inc.ID}, find(t, st, "cormorant"))

	// Words in different parts of one incident still match together.
	assert.Equal(t, []int64{inc.ID}, find(t, st, "zebra walrus narwhal"))
	assert.Equal(t, []int64{inc.ID}, find(t, st, `"flamingo queue" -unrelated`))
	assert.Empty(t, find(t, st, "zebra -walrus"))
}

func TestSearchRanksTitleAboveBody(t *testing.T) {
	st := OpenTest(t)
	body := &model.Incident{Title: "Slow pages in the shop", Severity: "SEV3",
		Summary: "The deadlock detector found a deadlock in the orders table after the deadlock fix was rolled back."}
	require.NoError(t, st.CreateIncident(ctx, body, "tester"))
	title := incidentWith(t, st, "Deadlock in billing worker", "SEV3")
	assert.Equal(t, []int64{title.ID, body.ID}, find(t, st, "deadlock"))
	assert.Equal(t, []int64{title.ID, body.ID}, find(t, st, "dead*"))
}

func TestSearchFiltersFacetsAndSorts(t *testing.T) {
	st := OpenTest(t)
	a := incidentWith(t, st, "Outage one", "SEV1", "api", "db")
	b := incidentWith(t, st, "Outage two", "SEV2", "api")
	c := incidentWith(t, st, "Outage three", "SEV2", "web")
	newFactor(t, st, a.ID, "Pool too small", "capacity", false)
	newFactor(t, st, b.ID, "Flag flipped", "configuration", false)

	res := runSearch(t, st, "outage")
	require.Equal(t, 3, res.Total)
	sum := func(fs []FacetCount) (n int) {
		for _, f := range fs {
			n += f.Count
		}
		return n
	}
	assert.Equal(t, res.Total, sum(res.Facets.Severity), "severity facets add up to the total")
	assert.Equal(t, res.Total, sum(res.Facets.Year), "year facets add up to the total")
	assert.Equal(t, []FacetCount{{"SEV1", 1}, {"SEV2", 2}}, res.Facets.Severity)
	assert.Equal(t, []FacetCount{{"api", 2}, {"db", 1}, {"web", 1}}, res.Facets.Service)
	assert.ElementsMatch(t, []FacetCount{{"capacity", 1}, {"configuration", 1}}, res.Facets.Category)

	assert.ElementsMatch(t, []int64{b.ID, c.ID}, find(t, st, "outage", func(q *SearchQuery) { q.Severities = []string{"SEV2"} }))
	assert.ElementsMatch(t, []int64{a.ID, b.ID}, find(t, st, "outage", func(q *SearchQuery) { q.Services = []string{"API"} }))
	assert.Equal(t, []int64{a.ID}, find(t, st, "", func(q *SearchQuery) { q.Categories = []string{"capacity"} }))
	filtered := runSearch(t, st, "outage", func(q *SearchQuery) { q.Severities = []string{"SEV2"} })
	assert.Equal(t, 2, filtered.Total)
	assert.Equal(t, []FacetCount{{"SEV2", 2}}, filtered.Facets.Severity, "facets count what the filters keep")

	assert.Equal(t, []int64{c.ID, b.ID, a.ID}, find(t, st, "", func(q *SearchQuery) { q.Sort = SortNewest }))
	assert.Equal(t, []int64{a.ID, b.ID, c.ID}, find(t, st, "", func(q *SearchQuery) { q.Sort = SortOldest }))
	assert.Equal(t, []int64{c.ID, b.ID}, find(t, st, "-one"))
	page := runSearch(t, st, "", func(q *SearchQuery) { q.Sort, q.Limit, q.Offset = SortNewest, 2, 2 })
	assert.Equal(t, 3, page.Total)
	require.Len(t, page.Hits, 1)
	assert.Equal(t, a.ID, page.Hits[0].IncidentID)
	assert.Equal(t, "Outage one", page.Hits[0].Doc.Title, "the page's documents are loaded")
}

// indexDump is everything the index holds: each document's text and meta,
// and every token instance FTS5 has (term, document, column, offset).
func indexDump(t *testing.T, st *Store) []string {
	t.Helper()
	db, err := st.db.DB()
	require.NoError(t, err)
	var out []string
	for _, q := range []string{
		"SELECT 'doc', incident_id, " + docColumns + " FROM search_docs ORDER BY incident_id",
		"SELECT 'meta', " + metaColumns + " FROM search_meta WHERE deleted = 0 ORDER BY incident_id",
		"SELECT 'dirty', incident_id FROM search_dirty",
	} {
		rows, err := db.QueryContext(ctx, q)
		require.NoError(t, err)
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			out = append(out, fmt.Sprint(vals...))
		}
		require.NoError(t, rows.Err())
		rows.Close()
	}
	// The token instances of the documents and of the timeline entries,
	// through temporary fts5vocab tables.
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	for _, table := range []string{"search_fts", "search_entry_fts"} {
		_, err = conn.ExecContext(ctx, "CREATE VIRTUAL TABLE IF NOT EXISTS temp."+table+"_instances USING fts5vocab(main, "+table+", instance)")
		require.NoError(t, err)
		rows, err := conn.QueryContext(ctx, "SELECT term, doc, col, offset FROM temp."+table+"_instances ORDER BY doc, col, offset, term")
		require.NoError(t, err)
		for rows.Next() {
			var term, col string
			var doc, off int64
			require.NoError(t, rows.Scan(&term, &doc, &col, &off))
			out = append(out, fmt.Sprint(table, " tok ", doc, col, off, term))
		}
		require.NoError(t, rows.Err())
		rows.Close()
	}
	return out
}

// TestSearchIndexMatchesRebuild makes random edits and deletions through
// the store and checks that the index kept in step equals one rebuilt
// from scratch.
func TestSearchIndexMatchesRebuild(t *testing.T) {
	st := OpenTest(t)
	rng := rand.New(rand.NewPCG(7, 11))
	words := strings.Fields("pool deadlock failover dns certificate cache queue retry storm disk latency config flag canary rollback")
	text := func() string {
		n := 1 + rng.IntN(6)
		ws := make([]string, n)
		for i := range ws {
			ws[i] = words[rng.IntN(len(words))]
		}
		return strings.Join(ws, " ")
	}
	var (
		incs []int64
		n    int
	)
	for i := 0; i < 6; i++ {
		inc := incidentWith(t, st, "Incident "+text(), "SEV2", "svc-"+words[i])
		incs = append(incs, inc.ID)
	}
	pick := func() int64 { return incs[rng.IntN(len(incs))] }
	for step := 0; step < 150; step++ {
		id := pick()
		switch rng.IntN(13) {
		case 0:
			inc, err := st.Incident(ctx, id)
			if err == nil {
				_, err = st.UpdateIncident(ctx, id, model.IncidentPatch{Title: ptr("Edited " + text()), Summary: ptr(text()),
					Services: &[]string{"svc-" + words[rng.IntN(len(words))]}, Tags: &[]string{words[rng.IntN(len(words))]}, Version: inc.Version})
				require.NoError(t, err)
			}
		case 1, 2:
			require.NoError(t, st.AppendTimeline(ctx, &model.TimelineEntry{IncidentID: id, OccurredAt: st.Now(), Kind: model.KindAction, Body: text()}))
		case 3:
			if tl, err := st.Timeline(ctx, id); err == nil && len(tl) > 0 {
				e := tl[rng.IntN(len(tl))]
				if rng.IntN(2) == 0 {
					_, err = st.UpdateTimelineEntry(ctx, id, e.ID, model.EntryPatch{Body: ptr(text()), Version: e.Version})
				} else {
					err = st.DeleteTimelineEntry(ctx, id, e.ID, e.Version)
				}
				require.NoError(t, err)
			}
		case 4:
			f := &model.Factor{IncidentID: id, Title: text(), Category: []string{"capacity", "change", "process", "dependency"}[rng.IntN(4)]}
			require.NoError(t, st.CreateFactor(ctx, f))
		case 5:
			if fs, err := st.Factors(ctx, id); err == nil && len(fs) > 0 {
				f := fs[rng.IntN(len(fs))]
				if rng.IntN(2) == 0 {
					_, err = st.UpdateFactor(ctx, id, f.ID, model.FactorPatch{Title: ptr(text()), Category: ptr("dependency"), Version: f.Version})
				} else {
					err = st.DeleteFactor(ctx, id, f.ID, f.Version)
				}
				require.NoError(t, err)
			}
		case 6:
			require.NoError(t, st.CreateWhy(ctx, &model.WhyNode{IncidentID: id, Text: text()}, nil))
		case 7:
			if ws, err := st.Whys(ctx, id); err == nil && len(ws) > 0 {
				w := ws[rng.IntN(len(ws))]
				if rng.IntN(2) == 0 {
					_, err = st.UpdateWhy(ctx, id, w.ID, model.WhyPatch{Text: ptr(text()), Version: w.Version})
				} else {
					_, err = st.DeleteWhy(ctx, id, w.ID, w.Version)
				}
				require.NoError(t, err)
			}
		case 8:
			a := &model.ActionItem{IncidentID: id, Title: text(), Owner: "Dana", Due: model.NewDate(2030, 1, 2), Type: model.ActionDetect}
			require.NoError(t, st.CreateAction(ctx, a))
		case 9:
			pm, err := st.Postmortem(ctx, id)
			if err == nil && pm.Status != model.PostmortemPublished {
				key := []model.SectionKey{"summary", "trigger", "lessons"}[rng.IntN(3)]
				_, err = st.SavePostmortem(ctx, id, PostmortemEdit{Sections: map[model.SectionKey]SectionEdit{key: {Body: text(), Version: pm.Sections[key].Version}}})
				require.NoError(t, err)
			}
		case 11: // the incident's status alone, or its tags alone
			inc, err := st.Incident(ctx, id)
			require.NoError(t, err)
			if rng.IntN(2) == 0 && inc.Status != model.StatusResolved {
				_, err = st.UpdateIncident(ctx, id, model.IncidentPatch{Status: ptr(model.StatusResolved), Version: inc.Version})
			} else {
				_, err = st.UpdateIncident(ctx, id, model.IncidentPatch{Tags: &[]string{words[rng.IntN(len(words))]}, Version: inc.Version})
			}
			require.NoError(t, err)
		case 12: // the postmortem's review and publication
			pm, err := st.Postmortem(ctx, id)
			require.NoError(t, err)
			switch pm.Status {
			case model.PostmortemDraft:
				_, err = st.SetPostmortemStatus(ctx, id, model.PostmortemInReview, pm.Version)
			case model.PostmortemInReview:
				_, err = st.Publish(ctx, id, pm.Version, func(*Document, int, time.Time) (string, []byte, error) { return "# x\n", []byte("{}"), nil })
			}
			require.NoError(t, err)
		case 10:
			if rng.IntN(4) == 0 {
				require.NoError(t, st.DeleteIncident(ctx, id))
				for i, x := range incs {
					if x == id {
						incs = append(incs[:i], incs[i+1:]...)
						break
					}
				}
				incs = append(incs, incidentWith(t, st, "Incident "+text(), "SEV3").ID)
			}
		}
		// Every write left the index complete: nothing waits for a later one.
		require.Zero(t, rowCount(t, st, "search_dirty"), "step %d left incidents to index", step)
		if step%7 == 0 {
			allMeta(t, st) // the cache in memory catches up now and then
		}
	}
	// A renamed category, service and severity reach the documents that
	// use them.
	require.NoError(t, st.CreateFactor(ctx, &model.Factor{IncidentID: incs[0], Title: "Vendor outage", Category: "dependency"}))
	inc, err := st.Incident(ctx, incs[1])
	require.NoError(t, err)
	_, err = st.UpdateIncident(ctx, incs[1], model.IncidentPatch{Services: &[]string{"svc-pool"}, Version: inc.Version})
	require.NoError(t, err)
	allMeta(t, st)
	require.NoError(t, st.UpdateFactorCategory(ctx, "dependency", &model.FactorCategory{Name: "vendor", Position: 5}))
	require.NoError(t, st.write(ctx, func(tx *gorm.DB) error {
		return tx.Exec("UPDATE services SET name = 'renamed-' || name WHERE name = 'svc-pool'").Error
	}))
	require.NoError(t, st.UpdateSeverity(ctx, "SEV2", &model.Severity{Name: "MAJOR", Position: 2}))
	published := 0
	for _, m := range allMeta(t, st) {
		assert.NotEqual(t, "SEV2", m.Severity)
		if m.PublishedAt != nil {
			published++
		}
	}
	assert.NotZero(t, published, "the steps published some postmortems")
	assert.Contains(t, find(t, st, "vendor"), incs[0])
	assert.Equal(t, []int64{incs[1]}, find(t, st, "renamed-svc-pool"))

	// The copy of search_meta in memory, kept up to date generation by
	// generation, equals one loaded whole by a second store.
	fresh, err := Open(st.Path())
	require.NoError(t, err)
	t.Cleanup(func() { _ = fresh.Close() })
	assert.Equal(t, allMeta(t, fresh), allMeta(t, st))

	kept := indexDump(t, st)
	n, err = st.Reindex(context.Background())
	require.NoError(t, err)
	assert.Equal(t, len(incs), n)
	rebuilt := indexDump(t, st)
	assert.Equal(t, rebuilt, kept, "the index kept in step equals a rebuild")
	assert.NotEmpty(t, kept)
	assert.Equal(t, allMeta(t, fresh), allMeta(t, st), "after a reindex too")
}

// allMeta lists every incident the search knows, through the meta cache.
func allMeta(t *testing.T, st *Store) []SearchMeta {
	t.Helper()
	res, err := st.Search(ctx, SearchQuery{Sort: SortOldest})
	require.NoError(t, err)
	out := make([]SearchMeta, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.SearchMeta
	}
	return out
}

// metaColumns are search_meta's columns that say something (not gen).
const metaColumns = "incident_id, severity, status, pm_status, started_at, published_at, services, tags, categories"

// TestRenamedCategoryWithSeveralFactors: renaming a category that several
// factors of one incident use cascades to all of them, and the index
// follows (the triggers must not clash within one cascade).
func TestRenamedCategoryWithSeveralFactors(t *testing.T) {
	st := OpenTest(t)
	inc := incidentWith(t, st, "Vendor trouble", "SEV3")
	newFactor(t, st, inc.ID, "Vendor API slow", "dependency", false)
	newFactor(t, st, inc.ID, "Vendor SDK bug", "dependency", false)
	require.NoError(t, st.UpdateFactorCategory(ctx, "dependency", &model.FactorCategory{Name: "third party", Position: 5}))
	assert.Equal(t, []int64{inc.ID}, find(t, st, "", func(q *SearchQuery) { q.Categories = []string{"third party"} }))
}

// TestSearchMatchesTimelineEntriesPerIncident: timeline entries have their
// own rows in the index, yet a query matches per incident, as when the
// timeline was part of the incident's document: its groups may match
// different entries or the document, an excluded term anywhere in the
// incident drops it, and it is counted and ranked once.
func TestSearchMatchesTimelineEntriesPerIncident(t *testing.T) {
	st := OpenTest(t)
	inc := &model.Incident{Title: "Checkout errors", Severity: "SEV2", Summary: "Customers saw zebra pages"}
	require.NoError(t, st.CreateIncident(ctx, inc, "tester"))
	at := st.Now().Add(-time.Hour)
	appendAt(t, st, inc.ID, at, "The walrus alert fired and the primary failed")
	seal := appendAt(t, st, inc.ID, at.Add(time.Minute), "over to the replica; seal pups alert on the dock")
	appendAt(t, st, inc.ID, at.Add(2*time.Minute), "Another alert")
	walrus := incidentWith(t, st, "Walrus migration stalled", "SEV3")
	other := incidentWith(t, st, "Unrelated", "SEV3")

	for _, tc := range []struct {
		typed string
		want  []int64
	}{
		{"seal", []int64{inc.ID}},
		{"walrus seal", []int64{inc.ID}},       // two groups, two entries
		{"zebra seal", []int64{inc.ID}},        // the document and an entry
		{"zebra seal walrus", []int64{inc.ID}}, // and a third group
		{"walrus", []int64{walrus.ID, inc.ID}}, // the title's weight above the timeline's
		{"walrus -seal", []int64{walrus.ID}},   // excluded by an entry
		{"seal -zebra", nil},                   // excluded by the document
		{"seal -walrus", nil},                  // excluded by another entry
		{"seal OR stalled", []int64{walrus.ID, inc.ID}},
		{"pup* zebra", []int64{inc.ID}},
		{`"seal pups"`, []int64{inc.ID}},
		{`"pups seal"`, nil},
		{"failed over", []int64{inc.ID}},
		// The one difference from a timeline column: a phrase does not run
		// from the end of one entry into the next.
		{`"failed over"`, nil},
	} {
		got := find(t, st, tc.typed, func(q *SearchQuery) { q.Sort = SortRelevance })
		if tc.want == nil {
			assert.Empty(t, got, tc.typed)
		} else {
			assert.Equal(t, tc.want, got, tc.typed)
		}
	}
	assert.ElementsMatch(t, []int64{walrus.ID, other.ID}, find(t, st, "-seal"), "a query of only an exclusion")
	assert.ElementsMatch(t, []int64{walrus.ID, other.ID}, find(t, st, "-zebra"))

	res := runSearch(t, st, "alert")
	assert.Equal(t, 1, res.Total, "an incident with three matching entries is one hit")
	assert.Equal(t, []FacetCount{{"SEV2", 1}}, res.Facets.Severity)
	require.Len(t, res.Hits, 1)
	assert.Equal(t, "Checkout errors", res.Hits[0].Doc.Title)
	assert.Equal(t, "The walrus alert fired and the primary failed", res.Hits[0].Doc.Timeline,
		"the document's timeline is the first entry that matched")
	res = runSearch(t, st, "walrus seal")
	require.Len(t, res.Hits, 1)
	assert.Equal(t, "The walrus alert fired and the primary failed\nover to the replica; seal pups alert on the dock",
		res.Hits[0].Doc.Timeline, "each group's first entry, in timeline order")
	assert.Empty(t, runSearch(t, st, "zebra").Hits[0].Doc.Timeline, "no entry matched")

	// Edits and deletions of entries are searchable at once.
	_, err := st.UpdateTimelineEntry(ctx, inc.ID, seal.ID, model.EntryPatch{Body: ptr("otter spotted"), Version: seal.Version})
	require.NoError(t, err)
	assert.Empty(t, find(t, st, "seal"))
	assert.Equal(t, []int64{inc.ID}, find(t, st, "otter zebra"))
	cur, err := st.TimelineEntry(ctx, inc.ID, seal.ID)
	require.NoError(t, err)
	require.NoError(t, st.DeleteTimelineEntry(ctx, inc.ID, seal.ID, cur.Version))
	assert.Empty(t, find(t, st, "otter"))
	require.NoError(t, st.DeleteIncident(ctx, inc.ID))
	assert.Equal(t, []int64{walrus.ID}, find(t, st, "walrus"))
	var rows, entries int
	require.NoError(t, st.wdb.Raw("SELECT count(*) FROM search_entry_fts").Scan(&rows).Error)
	require.NoError(t, st.wdb.Raw("SELECT count(*) FROM timeline_entries").Scan(&entries).Error)
	assert.Equal(t, entries, rows, "a deleted incident's entries leave the index")

	// bm25's row counts, read from FTS5's averages records, count every
	// row written since the last reindex (contentless_delete never lowers
	// them); after one, they are the rows'.
	_, err = st.Reindex(ctx)
	require.NoError(t, err)
	db, err := st.db.DB()
	require.NoError(t, err)
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer tx.Rollback()
	for table, want := range map[string]int{"search_entry_fts": entries, "search_fts": 2} { // walrus, other
		n, err := ftsRowCount(ctx, tx, table)
		require.NoError(t, err)
		assert.EqualValues(t, want, n, table)
	}
}

// TestSearchEntriesMigration: migration 00016 indexes the entries that are
// already there, and takes the timeline out of the documents.
func TestSearchEntriesMigration(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "Queue backlog")
	appendAt(t, st, inc.ID, st.Now(), "The heron consumer stalled")
	sqlDB, err := st.wdb.DB()
	require.NoError(t, err)
	p, err := goose.NewProvider(goose.DialectSQLite3, sqlDB, migrations.FS)
	require.NoError(t, err)
	_, err = p.DownTo(ctx, 15)
	require.NoError(t, err)
	// Before 00016, the entry's text was in the document.
	require.NoError(t, st.wdb.Exec("UPDATE search_docs SET timeline = 'The heron consumer stalled' WHERE incident_id = ?", inc.ID).Error)
	_, err = p.Up(ctx)
	require.NoError(t, err)
	require.NoError(t, st.afterMigrate(ctx))

	assert.Equal(t, []int64{inc.ID}, find(t, st, "heron"))
	assert.Equal(t, []int64{inc.ID}, find(t, st, "heron backlog"))
	var timeline string
	require.NoError(t, st.wdb.Raw("SELECT timeline FROM search_docs WHERE incident_id = ?", inc.ID).Scan(&timeline).Error)
	assert.Empty(t, timeline)
	kept := indexDump(t, st)
	_, err = st.Reindex(ctx)
	require.NoError(t, err)
	assert.Equal(t, indexDump(t, st), kept, "the migrated index equals a rebuild")
}

// TestSearchEntryKeyRange: an entry's index key holds its incident and id;
// an id beyond the key's range is refused, never indexed under another
// entry's key.
func TestSearchEntryKeyRange(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "Key range")
	insert := `INSERT INTO timeline_entries (id, incident_id, occurred_at, kind, body, author, version, created_at, updated_at)
		VALUES (?, ?, '2026-11-22 10:00:00', 'observation', 'far away', 'x', 1, '2026-11-22 10:00:00', '2026-11-22 10:00:00')`
	err := st.wdb.Exec(insert, int64(1)<<32, inc.ID).Error
	require.Error(t, err)
	assert.Contains(t, err.Error(), "out of the search index's range")
	require.NoError(t, st.wdb.Exec(insert, int64(1)<<32-1, inc.ID).Error)
	assert.Equal(t, []int64{inc.ID}, find(t, st, "far away"))
	require.NoError(t, st.wdb.Exec("DELETE FROM timeline_entries WHERE id = ?", int64(1)<<32-1).Error)
	assert.Empty(t, find(t, st, "far away"))
}

// lateContext is a context whose deadline passes once its Err has said
// nil ok times: it stands for a request's context ending mid-search.
type lateContext struct {
	context.Context
	ok, calls int
}

func (c *lateContext) Err() error {
	c.calls++
	if c.calls > c.ok {
		return context.DeadlineExceeded
	}
	return nil
}

// TestSearchStopsAtTheDeadline: the search reads on a context the driver
// does not watch row by row, and looks at the caller's itself, also
// between the rows of a long match: wherever the deadline passes, the
// search stops with its error.
func TestSearchStopsAtTheDeadline(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "Pool exhausted")
	fillTimeline(t, st, inc.ID, 3*checkRows) // every entry ends "(step N)"
	q, err := search.Parse("step")
	require.NoError(t, err)
	sq := SearchQuery{Text: q, Limit: 10}

	whole := &lateContext{Context: context.Background(), ok: 1 << 30}
	res, err := st.Search(whole, sq)
	require.NoError(t, err)
	require.Equal(t, 1, res.Total)
	require.GreaterOrEqual(t, whole.calls, 5, "the entries' rows are checked as they are read")
	for ok := range whole.calls {
		_, err := st.Search(&lateContext{Context: context.Background(), ok: ok}, sq)
		assert.ErrorIs(t, err, context.DeadlineExceeded, "deadline after %d checks", ok)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = st.Search(cancelled, sq)
	assert.ErrorIs(t, err, context.Canceled)
}
