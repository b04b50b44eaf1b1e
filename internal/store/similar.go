package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/search"
)

// ActionCounts is the state of an incident's action items at a glance.
// Open counts open and in-progress items; Overdue is the part of Open past
// its due date.
type ActionCounts struct {
	Total   int `json:"total"`
	Done    int `json:"done"`
	WontDo  int `json:"wont_do"`
	Open    int `json:"open"`
	Overdue int `json:"overdue"`
}

// ActionCounts returns the action item counts of each incident in ids
// (incidents without items are left out).
func (s *Store) ActionCounts(ctx context.Context, ids []int64) (map[int64]*ActionCounts, error) {
	out := map[int64]*ActionCounts{}
	if len(ids) == 0 {
		return out, nil
	}
	today := model.DateOf(s.now()).String()
	var rows []struct {
		IncidentID int64
		Status     string
		Late       bool
		N          int
	}
	err := s.db.WithContext(ctx).Raw(`SELECT incident_id, status, due_date < ? AS late, count(*) AS n
		FROM action_items WHERE incident_id IN ? GROUP BY 1, 2, 3`, today, ids).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		c := out[r.IncidentID]
		if c == nil {
			c = &ActionCounts{}
			out[r.IncidentID] = c
		}
		c.Total += r.N
		switch model.ActionStatus(r.Status) {
		case model.ActionDone:
			c.Done += r.N
		case model.ActionWontDo:
			c.WontDo += r.N
		default:
			c.Open += r.N
			if r.Late {
				c.Overdue += r.N
			}
		}
	}
	return out, nil
}

// SimilarIncident is a past incident that looks like another one.
type SimilarIncident struct {
	SearchMeta
	Title            string       `json:"title"`
	Score            float64      `json:"score"`
	SharedServices   []string     `json:"shared_services"`
	SharedCategories []string     `json:"shared_categories"`
	SimilarAnalysis  bool         `json:"similar_analysis"`
	Actions          ActionCounts `json:"actions"`
}

const (
	// similarCandidates is how many incidents each signal proposes.
	similarCandidates = 50
	// similarKeywords is how many of an incident's words are compared.
	similarKeywords = 16
	// maxKeywordDocs is the most documents a compared word may be in: past
	// that it is common, and its long posting list costs time.
	maxKeywordDocs = 200
	// maxKeywordLookups bounds how many of an incident's words are looked up.
	maxKeywordLookups = 100
	// Weights of the signals in the score (they add up to 1).
	weightText       = 0.45
	weightServices   = 0.35
	weightCategories = 0.20
)

// Similar returns up to limit incidents that started before incidentID
// and resemble it, best first. Three signals, each from 0 to 1, make the
// score: the text of their contributing factors and whys (bm25 of the
// incident's rare analysis words, relative to the best candidate), the
// share of its services they had too, and the overlap (Jaccard) of factor
// categories. Candidates are the best text matches and, for each of its
// services, the latest earlier incidents of that service; so the work is
// bounded, not proportional to the archive.
//
// Only incidents v may see are proposed; the caller checks that v may see
// incidentID itself.
func (s *Store) Similar(ctx context.Context, v model.Viewer, incidentID int64, limit int) ([]SimilarIncident, error) {
	db, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	hidden, err := hiddenSet(ctx, s.db, v)
	if err != nil {
		return nil, err
	}
	c, err := s.searchCache(ctx)
	if err != nil {
		return nil, err
	}
	defer c.mu.RUnlock()
	me := c.get(incidentID)
	if me == nil {
		// Not indexed (yet): an incident that exists has no similar ones.
		var exists bool
		if err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM incidents WHERE id = ?)", incidentID).Scan(&exists); err != nil {
			return nil, err
		}
		if !exists {
			return nil, model.ErrNotFound
		}
		return []SimilarIncident{}, nil
	}
	earlier := func(id int64) *metaRow {
		if r := c.get(id); r != nil && id != incidentID && r.started < me.started && !hidden[id] {
			return r
		}
		return nil
	}
	type cand struct {
		row  *metaRow
		text float64
	}
	cands := map[int64]*cand{}

	// Text: the incident's rare words in others' factors and whys.
	var analysis string
	err = db.QueryRowContext(ctx, "SELECT factors || char(10) || whys FROM search_docs WHERE incident_id = ?", incidentID).Scan(&analysis)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	words, err := s.rareWords(ctx, db, search.Keywords(analysis), c.n)
	if err != nil {
		return nil, err
	}
	if len(words) > 0 {
		rows, err := db.QueryContext(ctx, `SELECT rowid, -rank FROM search_fts WHERE search_fts MATCH ? ORDER BY rank LIMIT ?`,
			search.AnyWordIn(analysisColumns, words), 4*similarCandidates)
		if err != nil {
			return nil, err
		}
		best := 0.0
		for rows.Next() {
			var id int64
			var score float64
			if err := rows.Scan(&id, &score); err != nil {
				rows.Close()
				return nil, err
			}
			if r := earlier(id); r != nil && len(cands) < similarCandidates {
				cands[id] = &cand{row: r, text: score}
				best = max(best, score)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, cd := range cands {
			cd.text /= best
		}
	}

	// Services: the latest earlier incidents of each (ids follow creation).
	rows, err := db.QueryContext(ctx, `SELECT o.incident_id FROM incident_services x
		JOIN incident_services o ON o.service_id = x.service_id AND o.incident_id IN (
			SELECT incident_id FROM incident_services WHERE service_id = x.service_id AND incident_id < ?
			ORDER BY incident_id DESC LIMIT ?)
		WHERE x.incident_id = ?`, incidentID, similarCandidates, incidentID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		if r := earlier(id); r != nil && cands[id] == nil {
			cands[id] = &cand{row: r}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	out := make([]SimilarIncident, 0, len(cands))
	for id, cd := range cands {
		svc, cat := sharedIDs(me.services, cd.row.services), sharedIDs(me.categories, cd.row.categories)
		score := weightText * cd.text
		if len(me.services) > 0 {
			score += weightServices * float64(len(svc)) / float64(len(me.services))
		}
		if union := len(me.categories) + len(cd.row.categories) - len(cat); union > 0 {
			score += weightCategories * float64(len(cat)) / float64(union)
		}
		out = append(out, SimilarIncident{SearchMeta: c.meta(id, cd.row), Score: score, SimilarAnalysis: cd.text > 0,
			SharedServices: c.strings(svc), SharedCategories: c.strings(cat)})
	}
	slices.SortFunc(out, func(a, b SimilarIncident) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return b.StartedAt.Compare(a.StartedAt)
	})
	if len(out) > limit {
		out = out[:limit]
	}

	ids := make([]int64, 0, len(out))
	for _, c := range out {
		ids = append(ids, c.IncidentID)
	}
	counts, err := s.ActionCounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	hits := make([]SearchHit, len(out))
	for i := range out {
		hits[i].IncidentID = out[i].IncidentID
		if n := counts[out[i].IncidentID]; n != nil {
			out[i].Actions = *n
		}
	}
	if err := s.loadDocs(ctx, hits); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Title = hits[i].Doc.Title
	}
	return out, nil
}

// sharedIDs returns the interned values of a also in b.
func sharedIDs(a, b []int32) []int32 {
	var out []int32
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// analysisColumns are the index columns the finder compares.
var analysisColumns = []string{"factors", "whys"}

// rareWords keeps the words that some other document has too, but not one
// in fifty of the total nor more than maxKeywordDocs (up to five documents
// always count as rare, for small archives), rarest first, at most
// similarKeywords: rare words tell incidents apart, and their short
// posting lists keep the search quick whatever the archive's size.
func (s *Store) rareWords(ctx context.Context, db *sql.DB, words []string, total int) ([]string, error) {
	if len(words) == 0 {
		return nil, nil
	}
	if len(words) > maxKeywordLookups {
		words = words[:maxKeywordLookups]
	}
	// How many documents have each word in their analysis, counted only up
	// to the limit (an fts5vocab lookup would read a common word's whole
	// posting list).
	limit := max(5, min(total/50, maxKeywordDocs))
	stmt, err := db.PrepareContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH ? LIMIT ?)")
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	type df struct {
		term string
		docs int
	}
	var keep []df
	for _, w := range words {
		d := df{term: w}
		if err := stmt.QueryRowContext(ctx, search.AnyWordIn(analysisColumns, []string{w}), limit+1).Scan(&d.docs); err != nil {
			return nil, err
		}
		if d.docs >= 2 && d.docs <= limit {
			keep = append(keep, d)
		}
	}
	slices.SortFunc(keep, func(a, b df) int { return cmp.Or(cmp.Compare(a.docs, b.docs), cmp.Compare(a.term, b.term)) })
	out := make([]string, 0, min(len(keep), similarKeywords))
	for _, d := range keep[:min(len(keep), similarKeywords)] {
		out = append(out, d.term)
	}
	return out, nil
}
