package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/search"
)

// SearchQuery is one search of the archive index.
type SearchQuery struct {
	// Text is what to look for, as package search parsed it; an empty Text
	// selects every incident. Text is matched per incident, as if its
	// document and its timeline entries were one document: an incident is
	// a hit when each group of Text matches its document or one of its
	// entries (not necessarily the same one), and no excluded term matches
	// either. (See Search for the one difference.)
	Text search.Query

	// Filters: within a field any value may match (SEV1 or SEV2); across
	// fields all must. Services, tags and categories compare without case.
	Severities []string
	Services   []string
	Tags       []string
	Statuses   []string
	Categories []string
	// Published keeps only incidents with a published postmortem.
	Published bool
	// From and To bound when the incident started: From <= started < To.
	From, To *time.Time

	Sort   SearchSort
	Limit  int
	Offset int
	// Viewer is who searches: the private incidents they may not see are
	// left out of the hits, the total and the facets.
	Viewer model.Viewer
}

// SearchSort orders search results.
type SearchSort string

const (
	SortRelevance SearchSort = "relevance" // best bm25 first; without a query, newest first
	SortNewest    SearchSort = "newest"
	SortOldest    SearchSort = "oldest"
	SortPublished SearchSort = "published" // newest publication first (the archive)
)

// Valid reports whether s is a sort the search knows.
func (s SearchSort) Valid() bool {
	switch s {
	case SortRelevance, SortNewest, SortOldest, SortPublished:
		return true
	}
	return false
}

// SearchMeta is what filters, facets and result lists show of an incident.
type SearchMeta struct {
	IncidentID  int64      `json:"incident_id"`
	Severity    string     `json:"severity"`
	Status      string     `json:"status"`
	PMStatus    string     `json:"postmortem_status"`
	StartedAt   time.Time  `json:"started_at"`
	PublishedAt *time.Time `json:"published_at"`
	Services    []string   `json:"services"`
	Tags        []string   `json:"tags"`
	Categories  []string   `json:"factor_categories"`
}

// SearchDoc is an incident's indexed text by part, in the index's column
// order (see Parts).
type SearchDoc struct {
	Title, Summary, Impact, Narrative, Timeline, Factors, Whys, Actions, Services, Tags string
}

// SearchPart names a part of the document.
type SearchPart struct {
	Key, Label string
}

// SearchParts are the parts of a document, in column order.
var SearchParts = []SearchPart{
	{"title", "title"}, {"summary", "summary"}, {"impact", "impact"}, {"postmortem", "postmortem"},
	{"timeline", "timeline"}, {"factors", "contributing factors"}, {"whys", "whys"},
	{"actions", "action items"}, {"services", "services"}, {"tags", "tags"},
}

// Parts returns the document's text by part, in SearchParts order.
func (d *SearchDoc) Parts() []string {
	return []string{d.Title, d.Summary, d.Impact, d.Narrative, d.Timeline, d.Factors, d.Whys, d.Actions, d.Services, d.Tags}
}

// SearchHit is one incident found.
type SearchHit struct {
	SearchMeta
	// Rank is FTS5's bm25 rank: lower is better; 0 without a query.
	Rank float64
	// Doc is the incident's indexed text. Its Timeline holds the timeline
	// entries that matched the query (for each group, the first entry that
	// matched it), not the whole timeline, and nothing without a query.
	Doc SearchDoc

	entries []int64 // the entries Doc.Timeline is read from
}

// FacetCount is how many hits have one value of a facet.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Facets count the hits (after filters) by severity, year, service and
// factor category. Every hit has one severity and one year, so those add
// up to the total; an incident may have several services and categories,
// or none.
type Facets struct {
	Severity []FacetCount `json:"severity"`
	Year     []FacetCount `json:"year"`
	Service  []FacetCount `json:"service"`
	Category []FacetCount `json:"category"`
}

// SearchResult is a page of hits and the counts over all of them.
type SearchResult struct {
	Total  int
	Hits   []SearchHit
	Facets Facets
}

// maxFacetValues bounds the service and category facet lists.
const maxFacetValues = 20

// candidate is one match on its way through filters, facets and sorting.
type candidate struct {
	id      int64
	rank    float64
	row     *metaRow
	entries []int64
}

// Search runs q. FTS5 gives the matching documents' ids and bm25 ranks and
// the matching entries' keys; filters, facet counts and the order come from the meta cache
// in memory; only the page's documents are read from the database.
//
// The index holds each incident's document (search_fts) and each of its
// timeline entries (search_entry_fts) in separate rows, so that an append
// indexes one entry, not the incident. A query is still matched per
// incident, as it was when the timeline was a column of the document: each
// group of the query is looked up in both tables, and an incident is a hit
// when every group matched its document or one of its entries, and no
// excluded term matched either. The one difference from a timeline column:
// a phrase matches within one entry, never across the end of one and the
// start of the next. For the rank, see groupRank.
func (s *Store) Search(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	st, err := s.searchStmts()
	if err != nil {
		return nil, err
	}
	// FTS5 first, outside the cache's lock: a long query must not hold up
	// the cache's refresh, and every search behind it.
	ranked := len(q.Text.Groups) > 0
	var (
		matches  map[int64]*textMatch
		excluded map[int64]bool
	)
	if !q.Text.Empty() {
		if matches, excluded, err = s.matchText(ctx, st, q.Text); err != nil {
			return nil, err
		}
	}

	hidden, err := hiddenSet(ctx, s.db, q.Viewer)
	if err != nil {
		return nil, err
	}
	c, err := s.searchCache(ctx)
	if err != nil {
		return nil, err
	}
	f := c.filter(q)
	f.hidden = hidden
	var cands []candidate
	if ranked {
		cands = make([]candidate, 0, len(matches))
		for id, m := range matches {
			// A document deleted since the query, or written after the
			// cache was read, is left out.
			if r := c.get(id); r != nil && !f.hidden[id] && f.keep(r) {
				cands = append(cands, candidate{id: id, rank: m.rank, row: r, entries: m.entries})
			}
		}
	} else {
		cands = make([]candidate, 0, max(0, c.n-len(excluded)))
		for id := range c.rows {
			r := &c.rows[id]
			if r.present && !excluded[int64(id)] && !f.hidden[int64(id)] && f.keep(r) {
				cands = append(cands, candidate{id: int64(id), row: r})
			}
		}
	}
	res := &SearchResult{Total: len(cands), Facets: c.facets(cands)}
	page := topCandidates(cands, q.Sort, ranked, q.Offset, q.Limit)
	res.Hits = make([]SearchHit, len(page))
	for i, cd := range page {
		res.Hits[i] = SearchHit{SearchMeta: c.meta(cd.id, cd.row), Rank: cd.rank, entries: cd.entries}
	}
	c.mu.RUnlock()

	if err := s.loadDocs(ctx, res.Hits); err != nil {
		return nil, err
	}
	// An incident deleted meanwhile has no document left: drop it.
	res.Hits = slices.DeleteFunc(res.Hits, func(h SearchHit) bool { return h.Doc.Title == "" })
	return res, nil
}

// textMatch is an incident that matched a query's groups so far.
type textMatch struct {
	rank    float64
	groups  int     // how many of the query's groups it matched
	entries []int64 // for each group an entry matched, its first such entry

	// The current group's matches: the document's bm25, and how many
	// entries matched (the first of them, first).
	docRank    float64
	nEntries   int
	firstEntry int64
}

// entryRowid splits a search_entry_fts rowid into the entry's incident and
// id (see migrations/00016_search_entries.sql).
func entryRowid(rowid int64) (incidentID, entryID int64) {
	return rowid >> 32, rowid & (1<<32 - 1)
}

// matchText finds the incidents that match text: those that match every
// group (in their document or an entry), less those that match an
// excluded term (in either), with their ranks; and, for a query of only
// exclusions, the excluded incidents. Its queries read one snapshot.
func (s *Store) matchText(ctx context.Context, st *searchStatements, text search.Query) (map[int64]*textMatch, map[int64]bool, error) {
	db, err := s.db.DB()
	if err != nil {
		return nil, nil, err
	}
	rctx := context.WithoutCancel(ctx) // see eachRow
	tx, err := db.BeginTx(rctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = tx.Rollback() }()

	var excluded map[int64]bool
	if len(text.Excluded) > 0 {
		expr, _ := search.Query{Groups: []search.Group{text.Excluded}}.MATCH()
		excluded = map[int64]bool{}
		for _, stmt := range []*sql.Stmt{st.exclude, st.entryMatch} {
			err := eachRow(ctx, tx.StmtContext(rctx, stmt), expr, func(rows *sql.Rows) error {
				var id int64
				err := rows.Scan(&id)
				if stmt == st.entryMatch {
					id, _ = entryRowid(id)
				}
				excluded[id] = true
				return err
			})
			if err != nil {
				return nil, nil, err
			}
		}
	}
	if len(text.Groups) == 0 {
		return nil, excluded, nil
	}
	docRows, err := ftsRowCount(rctx, tx, "search_fts")
	if err != nil {
		return nil, nil, err
	}

	matches := map[int64]*textMatch{}
	for gi, g := range text.Groups {
		// still returns the match of id if it is still in the running for
		// this group: every incident for the first, afterwards only those
		// that matched every group before.
		still := func(id int64) *textMatch {
			m := matches[id]
			if m == nil && gi == 0 && !excluded[id] {
				m = &textMatch{}
				matches[id] = m
			}
			if m == nil || m.groups < gi {
				return nil
			}
			return m
		}
		expr, _ := search.Query{Groups: []search.Group{g}}.MATCH()
		var docHits, entryIncidents int64
		err := eachRow(ctx, tx.StmtContext(rctx, st.match), expr, func(rows *sql.Rows) error {
			var (
				id   int64
				rank float64
			)
			if err := rows.Scan(&id, &rank); err != nil {
				return err
			}
			docHits++
			if m := still(id); m != nil {
				m.docRank = rank
				m.groups = gi + 1
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		// The entries come in rowid order: an incident's are together.
		var last *textMatch
		lastID := int64(-1)
		err = eachRow(ctx, tx.StmtContext(rctx, st.entryMatch), expr, func(rows *sql.Rows) error {
			var key int64
			if err := rows.Scan(&key); err != nil {
				return err
			}
			id, entry := entryRowid(key)
			if id != lastID {
				lastID = id
				entryIncidents++
				if last = still(id); last != nil {
					last.groups = gi + 1
					last.firstEntry = entry
				}
			}
			if last != nil {
				last.nEntries++
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		idfDocs, idfIncidents := bm25IDF(docRows, docHits), bm25IDF(docRows, min(docRows, docHits+entryIncidents))
		for id, m := range matches {
			if m.groups <= gi {
				delete(matches, id)
				continue
			}
			m.rank += groupRank(m.docRank, m.nEntries, idfDocs, idfIncidents)
			if m.nEntries > 0 && !slices.Contains(m.entries, m.firstEntry) {
				m.entries = append(m.entries, m.firstEntry)
			}
			m.docRank, m.nEntries = 0, 0
		}
		if len(matches) == 0 {
			break
		}
	}
	return matches, excluded, nil
}

// bm25's constants: k1 as in FTS5, and the timeline column's weight (the
// search_fts rank in migrations/00006_search.sql).
const (
	bm25K1         = 1.2
	timelineWeight = 1.0
)

// bm25IDF is FTS5's IDF of a phrase that hits of rows have.
func bm25IDF(rows, hits int64) float64 {
	return max(math.Log((float64(rows-hits)+0.5)/(float64(hits)+0.5)), 1e-6)
}

// groupRank is an incident's rank for one group of the query, from the
// document's bm25 for it (0 when the document does not match) and the
// number of its timeline entries that match it, as if those entries were
// still the document's timeline column.
//
// bm25 adds, for each phrase, its IDF times (k1+1)·f / (f + k1·L), where f
// is the phrase's occurrences weighted by column and L the document's
// length over the average: the weights count before the occurrences
// saturate. Entries cannot be added to f inside FTS5, so f is recovered
// from the document's rank as if the document had the average length
// (L = 1), the entries add timelineWeight each, and the rank grows by what
// the larger f adds. A document match alone keeps its bm25 exactly; n
// entries alone count like n occurrences in a timeline column; a title
// match still outweighs a timeline mention, as its weight does in the
// document. The entries' IDF counts the incidents that match in either
// table, as the document's did when it held the timeline. (f is exact for
// a group of one term at average length; an approximation otherwise.)
func groupRank(docRank float64, entries int, idfDocs, idfIncidents float64) float64 {
	if entries == 0 {
		return docRank
	}
	sat := func(f float64) float64 { return (bm25K1 + 1) * f / (f + bm25K1) }
	t := min(-docRank/idfDocs, 0.99*(bm25K1+1)) // sat(f), so f is finite
	f := bm25K1 * t / (bm25K1 + 1 - t)
	return docRank - idfIncidents*(sat(f+timelineWeight*float64(entries))-sat(f))
}

// ftsRowCount is how many rows the FTS5 table has, as bm25 counts them:
// the first varint of the table's averages record (id 1 of its %_data
// table), which is what bm25 reads. (Counting the rows would read them
// all.) On a contentless_delete table FTS5 never lowers it, as it never
// reads a deleted row's text: between reindexes it counts every document
// written, replaced ones included (fewer since the timeline left them).
func ftsRowCount(ctx context.Context, tx *sql.Tx, table string) (int64, error) {
	var rec []byte
	err := tx.QueryRowContext(ctx, "SELECT block FROM "+table+"_data WHERE id = 1").Scan(&rec)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("%s row count: %w", table, err)
	}
	// An SQLite varint: big-endian groups of 7 bits, the high bit set on
	// every byte but the last; a ninth byte gives all its 8 bits.
	var n uint64
	for i, b := range rec {
		if i == 8 {
			return int64(n<<8 | uint64(b)), nil
		}
		n = n<<7 | uint64(b&0x7f)
		if b < 0x80 {
			return int64(n), nil
		}
	}
	return 0, fmt.Errorf("%s row count: short averages record", table)
}

// eachRow runs a prepared MATCH query and calls fn on each row.
//
// The query runs on ctx without its cancellation, and ctx is checked
// every checkRows rows instead. For a context that can be cancelled, as
// every request's can, the SQLite driver (mattn/go-sqlite3 v1.14) starts
// a goroutine for each row it steps, to interrupt SQLite if the context
// ends meanwhile: that doubled the cost of a search, whose rows are many
// and small. (The driver does not export its interrupt, which would let
// one timer per query do it.) So a search that is cancelled or runs past
// its deadline stops within checkRows rows, or after the step it is in.
func eachRow(ctx context.Context, stmt *sql.Stmt, match string, fn func(*sql.Rows) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	rows, err := stmt.QueryContext(context.WithoutCancel(ctx), match)
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
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// checkRows is how many rows a search reads between looks at its context.
const checkRows = 256

// metaFilter is a query's filters over interned values.
type metaFilter struct {
	q                                                SearchQuery
	severities, statuses, services, tags, categories map[int32]bool
	from, to                                         int64
	hidden                                           map[int64]bool // incidents the viewer may not see
}

func (c *metaCache) filter(q SearchQuery) *metaFilter {
	f := &metaFilter{q: q,
		severities: c.matching(q.Severities, false), statuses: c.matching(q.Statuses, false),
		services: c.matching(q.Services, true), tags: c.matching(q.Tags, true), categories: c.matching(q.Categories, true),
	}
	if q.From != nil {
		f.from = q.From.UnixMilli()
	}
	if q.To != nil {
		f.to = q.To.UnixMilli()
	}
	return f
}

func anyOf(values []int32, want map[int32]bool) bool {
	if want == nil {
		return true
	}
	for _, v := range values {
		if want[v] {
			return true
		}
	}
	return false
}

func (f *metaFilter) keep(r *metaRow) bool {
	switch {
	case f.severities != nil && !f.severities[r.severity],
		f.statuses != nil && !f.statuses[r.status],
		f.q.Published && r.published == 0,
		f.q.From != nil && r.started < f.from,
		f.q.To != nil && r.started >= f.to:
		return false
	}
	return anyOf(r.services, f.services) && anyOf(r.tags, f.tags) && anyOf(r.categories, f.categories)
}

// facets counts the candidates by severity and year (in their natural
// order) and by service and category (most frequent first, then by name).
func (c *metaCache) facets(cands []candidate) Facets {
	counts := make([]int, len(c.names))
	years := map[int32]int{}
	var sev, svc, cat []int32
	seen := make([]uint8, len(c.names)) // which facet lists a name is in
	note := func(list *[]int32, id int32, bit uint8) {
		if seen[id]&bit == 0 {
			seen[id] |= bit
			*list = append(*list, id)
		}
	}
	// Severities, services and categories never share a name's counter:
	// count each in its own pass over small arrays.
	for _, cd := range cands {
		counts[cd.row.severity]++
		note(&sev, cd.row.severity, 1)
		years[cd.row.year]++
	}
	fs := Facets{Severity: c.counted(sev, counts, func(a, b FacetCount) int { return cmp.Compare(a.Value, b.Value) }, 0)}
	clear(counts)
	for _, cd := range cands {
		for _, id := range cd.row.services {
			counts[id]++
			note(&svc, id, 2)
		}
	}
	fs.Service = c.counted(svc, counts, byCount, maxFacetValues)
	clear(counts)
	for _, cd := range cands {
		for _, id := range cd.row.categories {
			counts[id]++
			note(&cat, id, 4)
		}
	}
	fs.Category = c.counted(cat, counts, byCount, maxFacetValues)
	fs.Year = make([]FacetCount, 0, len(years))
	for y, n := range years {
		fs.Year = append(fs.Year, FacetCount{strconv.Itoa(int(y)), n})
	}
	slices.SortFunc(fs.Year, func(a, b FacetCount) int { return cmp.Compare(b.Value, a.Value) })
	return fs
}

func byCount(a, b FacetCount) int {
	if c := cmp.Compare(b.Count, a.Count); c != 0 {
		return c
	}
	return cmp.Compare(strings.ToLower(a.Value), strings.ToLower(b.Value))
}

func (c *metaCache) counted(ids []int32, counts []int, order func(a, b FacetCount) int, limit int) []FacetCount {
	out := make([]FacetCount, len(ids))
	for i, id := range ids {
		out[i] = FacetCount{c.names[id], counts[id]}
	}
	slices.SortFunc(out, order)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// topCandidates returns the page [offset, offset+limit) of cands in the
// order asked for. Ties fall to the newest, then the highest id, so the
// order is total and pages do not overlap. Only the first offset+limit
// are sorted: a bounded heap keeps them.
func topCandidates(cands []candidate, by SearchSort, ranked bool, offset, limit int) []candidate {
	newest := func(a, b *candidate) int {
		if c := cmp.Compare(b.row.started, a.row.started); c != 0 {
			return c
		}
		return cmp.Compare(b.id, a.id)
	}
	var order func(a, b *candidate) int
	switch {
	case by == SortOldest:
		order = func(a, b *candidate) int { return -newest(a, b) }
	case by == SortPublished:
		order = func(a, b *candidate) int {
			if c := cmp.Compare(b.row.published, a.row.published); c != 0 {
				return c
			}
			return newest(a, b)
		}
	case (by == SortRelevance || by == "") && ranked:
		order = func(a, b *candidate) int {
			if c := cmp.Compare(a.rank, b.rank); c != 0 {
				return c
			}
			return newest(a, b)
		}
	default:
		order = newest
	}
	k := offset + limit
	if limit <= 0 || k > len(cands) {
		k = len(cands)
	}
	if offset >= k {
		return nil
	}
	// A max-heap (by order) of the best k seen so far.
	h := make([]candidate, 0, k)
	worse := func(i, j int) bool { return order(&h[i], &h[j]) > 0 }
	down := func(i int) {
		for {
			l, m := 2*i+1, i
			if l < len(h) && worse(l, m) {
				m = l
			}
			if r := l + 1; r < len(h) && worse(r, m) {
				m = r
			}
			if m == i {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := range cands {
		cd := &cands[i]
		if len(h) < k {
			h = append(h, *cd)
			for j := len(h) - 1; j > 0; {
				p := (j - 1) / 2
				if !worse(j, p) {
					break
				}
				h[j], h[p] = h[p], h[j]
				j = p
			}
			continue
		}
		if order(cd, &h[0]) < 0 {
			h[0] = *cd
			down(0)
		}
	}
	slices.SortFunc(h, func(a, b candidate) int { return order(&a, &b) })
	return h[offset:]
}

// loadDocs fills the documents of hits.
func (s *Store) loadDocs(ctx context.Context, hits []SearchHit) error {
	if len(hits) == 0 {
		return nil
	}
	byID := make(map[int64]*SearchHit, len(hits))
	ids := make([]string, len(hits))
	for i := range hits {
		byID[hits[i].IncidentID] = &hits[i]
		ids[i] = strconv.FormatInt(hits[i].IncidentID, 10)
	}
	st, err := s.searchStmts()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// At most a page of rows: ctx is not watched row by row (see eachRow).
	rows, err := st.docs.QueryContext(context.WithoutCancel(ctx), "["+strings.Join(ids, ",")+"]")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id int64
			d  SearchDoc
		)
		if err := rows.Scan(&id, &d.Title, &d.Summary, &d.Impact, &d.Narrative, &d.Timeline, &d.Factors, &d.Whys,
			&d.Actions, &d.Services, &d.Tags); err != nil {
			return err
		}
		byID[id].Doc = d
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return s.loadEntries(ctx, st, hits)
}

// loadEntries fills the hits' Doc.Timeline with the entries that matched,
// in timeline order.
func (s *Store) loadEntries(ctx context.Context, st *searchStatements, hits []SearchHit) error {
	var ids []string
	byEntry := map[int64]*SearchHit{}
	for i := range hits {
		for _, id := range hits[i].entries {
			byEntry[id] = &hits[i]
			ids = append(ids, strconv.FormatInt(id, 10))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := st.entryBodies.QueryContext(context.WithoutCancel(ctx), "["+strings.Join(ids, ",")+"]")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id   int64
			body string
		)
		if err := rows.Scan(&id, &body); err != nil {
			return err
		}
		d := &byEntry[id].Doc
		if d.Timeline != "" {
			d.Timeline += "\n"
		}
		d.Timeline += body
	}
	return rows.Err()
}

// searchStatements are the search's queries, prepared once: a search runs
// them every time, and preparing costs about as much as a small search.
type searchStatements struct {
	state, match, exclude, docs *sql.Stmt
	entryMatch, entryBodies     *sql.Stmt
}

type preparedSearch struct {
	mu sync.Mutex
	s  *searchStatements
}

// searchStmts prepares the statements on first use; a failure is returned
// and tried again next time.
func (s *Store) searchStmts() (*searchStatements, error) {
	p := s.stmts
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.s != nil {
		return p.s, nil
	}
	db, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	st := &searchStatements{}
	for _, q := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&st.state, "SELECT epoch, gen FROM search_state"},
		{&st.match, "SELECT rowid, rank FROM search_fts WHERE search_fts MATCH ?"},
		{&st.exclude, "SELECT rowid FROM search_fts WHERE search_fts MATCH ?"},
		{&st.docs, "SELECT incident_id, " + docColumns + " FROM search_docs WHERE incident_id IN (SELECT value FROM json_each(?))"},
		// The entries of an incident next to each other (see entryRowid).
		{&st.entryMatch, "SELECT rowid FROM search_entry_fts WHERE search_entry_fts MATCH ? ORDER BY rowid"},
		{&st.entryBodies, `SELECT id, body FROM timeline_entries WHERE id IN (SELECT value FROM json_each(?))
			ORDER BY occurred_at, id`},
	} {
		if *q.dst, err = db.Prepare(q.sql); err != nil {
			st.close()
			return nil, fmt.Errorf("prepare search: %w", err)
		}
	}
	p.s = st
	return st, nil
}

func (st *searchStatements) close() error {
	var errs []error
	for _, stmt := range []*sql.Stmt{st.state, st.match, st.exclude, st.docs, st.entryMatch, st.entryBodies} {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	return errors.Join(errs...)
}
