package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
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

// Search runs q. Every match is read once (rank and the small meta row) to
// filter, count facets and sort; only the page's documents are loaded.
func (s *Store) Search(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	var (
		rows *sql.Rows
		err  error
	)
	const metaCols = "m.incident_id, m.severity, m.status, m.pm_status, m.started_at, m.published_at, m.services, m.tags, m.categories"
	// (metaColumns, prefixed: scanMeta reads them in this order)
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	switch {
	case q.Match != "":
		rows, err = sqlDB.QueryContext(ctx, "SELECT "+metaCols+", f.rank FROM search_fts f JOIN search_meta m ON m.incident_id = f.rowid WHERE search_fts MATCH ?", q.Match)
	case q.Exclude != "":
		rows, err = sqlDB.QueryContext(ctx, "SELECT "+metaCols+", 0 FROM search_meta m WHERE m.incident_id NOT IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)", q.Exclude)
	default:
		rows, err = sqlDB.QueryContext(ctx, "SELECT "+metaCols+", 0 FROM search_meta m")
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	f := newSearchFilter(q)
	var hits []SearchHit
	for rows.Next() {
		var h SearchHit
		if h.SearchMeta, err = scanMeta(rows, &h.Rank); err != nil {
			return nil, err
		}
		if f.keep(&h.SearchMeta) {
			hits = append(hits, h)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	res := &SearchResult{Total: len(hits), Facets: facets(hits)}
	order := make([]*SearchHit, len(hits))
	for i := range hits {
		order[i] = &hits[i]
	}
	sortHits(order, q.Sort, q.Match != "")
	if q.Offset >= len(order) {
		return res, nil
	}
	order = order[q.Offset:]
	if q.Limit > 0 && len(order) > q.Limit {
		order = order[:q.Limit]
	}
	res.Hits = make([]SearchHit, len(order))
	for i, h := range order {
		res.Hits[i] = *h
	}
	return res, s.loadDocs(ctx, res.Hits)
}

// loadDocs fills the documents of hits.
func (s *Store) loadDocs(ctx context.Context, hits []SearchHit) error {
	if len(hits) == 0 {
		return nil
	}
	byID := make(map[int64]*SearchHit, len(hits))
	ids := make([]int64, len(hits))
	for i := range hits {
		byID[hits[i].IncidentID] = &hits[i]
		ids[i] = hits[i].IncidentID
	}
	var docs []struct {
		IncidentID int64
		SearchDoc  `gorm:"embedded"`
	}
	if err := s.db.WithContext(ctx).Table("search_docs").Where("incident_id IN ?", ids).Find(&docs).Error; err != nil {
		return err
	}
	for _, d := range docs {
		byID[d.IncidentID].Doc = d.SearchDoc
	}
	return nil
}

// Doc returns an incident's indexed document.
func (s *Store) Doc(ctx context.Context, incidentID int64) (*SearchDoc, error) {
	hits := []SearchHit{{SearchMeta: SearchMeta{IncidentID: incidentID}}}
	if err := s.loadDocs(ctx, hits); err != nil {
		return nil, err
	}
	return &hits[0].Doc, nil
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}

// searchFilter applies a query's filters to a hit's meta.
type searchFilter struct {
	q                                                SearchQuery
	severities, statuses, services, tags, categories map[string]bool
}

func set(values []string, fold bool) map[string]bool {
	if len(values) == 0 {
		return nil
	}
	m := make(map[string]bool, len(values))
	for _, v := range values {
		if fold {
			v = strings.ToLower(v)
		}
		m[v] = true
	}
	return m
}

func newSearchFilter(q SearchQuery) *searchFilter {
	return &searchFilter{q: q,
		severities: set(q.Severities, false), statuses: set(q.Statuses, false),
		services: set(q.Services, true), tags: set(q.Tags, true), categories: set(q.Categories, true),
	}
}

func anyIn(values []string, want map[string]bool) bool {
	if want == nil {
		return true
	}
	for _, v := range values {
		if want[strings.ToLower(v)] {
			return true
		}
	}
	return false
}

func (f *searchFilter) keep(m *SearchMeta) bool {
	switch {
	case f.severities != nil && !f.severities[m.Severity],
		f.statuses != nil && !f.statuses[m.Status],
		f.q.Published && m.PublishedAt == nil,
		f.q.From != nil && m.StartedAt.Before(*f.q.From),
		f.q.To != nil && !m.StartedAt.Before(*f.q.To):
		return false
	}
	return anyIn(m.Services, f.services) && anyIn(m.Tags, f.tags) && anyIn(m.Categories, f.categories)
}

// facets counts hits by value: severities and years in their natural
// order, services and categories most frequent first (then by name),
// case-insensitively, keeping the most common spelling's first sighting.
func facets(hits []SearchHit) Facets {
	sev, year := map[string]int{}, map[string]int{}
	svc, cat := newFolded(), newFolded()
	for i := range hits {
		h := &hits[i]
		sev[h.Severity]++
		year[h.StartedAt.Format("2006")]++
		for _, s := range h.Services {
			svc.add(s)
		}
		for _, c := range h.Categories {
			cat.add(c)
		}
	}
	return Facets{
		Severity: sortedCounts(sev, func(a, b FacetCount) int { return cmp.Compare(a.Value, b.Value) }),
		Year:     sortedCounts(year, func(a, b FacetCount) int { return cmp.Compare(b.Value, a.Value) }),
		Service:  svc.top(maxFacetValues),
		Category: cat.top(maxFacetValues),
	}
}

func sortedCounts(m map[string]int, order func(a, b FacetCount) int) []FacetCount {
	out := make([]FacetCount, 0, len(m))
	for v, n := range m {
		out = append(out, FacetCount{v, n})
	}
	slices.SortFunc(out, order)
	return out
}

// folded counts values that compare without case under their first spelling.
type folded struct {
	counts map[string]*FacetCount
}

func newFolded() *folded { return &folded{counts: map[string]*FacetCount{}} }

func (f *folded) add(v string) {
	k := strings.ToLower(v)
	if c, ok := f.counts[k]; ok {
		c.Count++
		return
	}
	f.counts[k] = &FacetCount{v, 1}
}

func (f *folded) top(n int) []FacetCount {
	out := make([]FacetCount, 0, len(f.counts))
	for _, c := range f.counts {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b FacetCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(strings.ToLower(a.Value), strings.ToLower(b.Value))
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// sortHits orders hits; ties fall to the newest, then the highest id, so
// the order is total and pages do not overlap.
func sortHits(hits []*SearchHit, by SearchSort, ranked bool) {
	newest := func(a, b *SearchHit) int {
		if c := b.StartedAt.Compare(a.StartedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.IncidentID, a.IncidentID)
	}
	var order func(a, b *SearchHit) int
	switch {
	case by == SortOldest:
		order = func(a, b *SearchHit) int { return -newest(a, b) }
	case by == SortPublished:
		order = func(a, b *SearchHit) int {
			pa, pb := publishedOrZero(a), publishedOrZero(b)
			if c := pb.Compare(pa); c != 0 {
				return c
			}
			return newest(a, b)
		}
	case (by == SortRelevance || by == "") && ranked:
		order = func(a, b *SearchHit) int {
			if c := cmp.Compare(a.Rank, b.Rank); c != 0 {
				return c
			}
			return newest(a, b)
		}
	default:
		order = newest
	}
	slices.SortFunc(hits, order)
}

func publishedOrZero(h *SearchHit) time.Time {
	if h.PublishedAt == nil {
		return time.Time{}
	}
	return *h.PublishedAt
}
