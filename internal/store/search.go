package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SearchQuery is one search of the archive index. Match and Exclude are
// FTS5 MATCH expressions built by package search, never raw input.
type SearchQuery struct {
	// Match selects the incidents whose document matches; "" selects all.
	Match string
	// Exclude, used when Match is "", drops the incidents that match it
	// (a query of only exclusions, such as -staging).
	Exclude string

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
	Doc  SearchDoc
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
	id   int64
	rank float64
	row  *metaRow
}

// Search runs q. FTS5 gives every match's rowid and bm25 rank; filters,
// facet counts and the order come from the meta cache in memory; only the
// page's documents are read from the database.
func (s *Store) Search(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	st, err := s.searchStmts()
	if err != nil {
		return nil, err
	}
	// FTS5 first, outside the cache's lock: a long query must not hold up
	// the cache's refresh, and every search behind it.
	var (
		matches  []candidate
		excluded map[int64]bool
	)
	switch {
	case q.Match != "":
		if matches, err = queryCandidates(ctx, st.match, q.Match, true); err != nil {
			return nil, err
		}
	case q.Exclude != "":
		ex, err := queryCandidates(ctx, st.exclude, q.Exclude, false)
		if err != nil {
			return nil, err
		}
		excluded = make(map[int64]bool, len(ex))
		for _, cd := range ex {
			excluded[cd.id] = true
		}
	}

	c, err := s.searchCache(ctx)
	if err != nil {
		return nil, err
	}
	f := c.filter(q)
	var cands []candidate
	if q.Match != "" {
		cands = matches[:0]
		for _, cd := range matches {
			// A document deleted since the query, or written after the
			// cache was read, is left out.
			if cd.row = c.get(cd.id); cd.row != nil && f.keep(cd.row) {
				cands = append(cands, cd)
			}
		}
	} else {
		cands = make([]candidate, 0, max(0, c.n-len(excluded)))
		for id := range c.rows {
			r := &c.rows[id]
			if r.present && !excluded[int64(id)] && f.keep(r) {
				cands = append(cands, candidate{id: int64(id), row: r})
			}
		}
	}
	res := &SearchResult{Total: len(cands), Facets: c.facets(cands)}
	page := topCandidates(cands, q.Sort, q.Match != "", q.Offset, q.Limit)
	res.Hits = make([]SearchHit, len(page))
	for i, cd := range page {
		res.Hits[i] = SearchHit{SearchMeta: c.meta(cd.id, cd.row), Rank: cd.rank}
	}
	c.mu.RUnlock()

	if err := s.loadDocs(ctx, res.Hits); err != nil {
		return nil, err
	}
	// An incident deleted meanwhile has no document left: drop it.
	res.Hits = slices.DeleteFunc(res.Hits, func(h SearchHit) bool { return h.Doc.Title == "" })
	return res, nil
}

// queryCandidates runs a prepared MATCH query: (rowid, rank) when ranked,
// else rowid alone.
func queryCandidates(ctx context.Context, stmt *sql.Stmt, match string, ranked bool) ([]candidate, error) {
	rows, err := stmt.QueryContext(ctx, match)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var cd candidate
		if ranked {
			err = rows.Scan(&cd.id, &cd.rank)
		} else {
			err = rows.Scan(&cd.id)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, cd)
	}
	return out, rows.Err()
}

// metaFilter is a query's filters over interned values.
type metaFilter struct {
	q                                                SearchQuery
	severities, statuses, services, tags, categories map[int32]bool
	from, to                                         int64
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
	rows, err := st.docs.QueryContext(ctx, "["+strings.Join(ids, ",")+"]")
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
	return rows.Err()
}

// searchStatements are the search's queries, prepared once: a search runs
// them every time, and preparing costs about as much as a small search.
type searchStatements struct {
	state, match, exclude, docs *sql.Stmt
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
	for _, stmt := range []*sql.Stmt{st.state, st.match, st.exclude, st.docs} {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	return errors.Join(errs...)
}
