package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

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
	// Weights of the signals in the score (they add up to 1).
	weightText       = 0.45
	weightServices   = 0.35
	weightCategories = 0.20
)

// Similar returns up to limit incidents that started before incidentID
// and resemble it, best first. Three signals, each from 0 to 1, make the
// score: the text of their contributing factors and whys (bm25 of the
// incident's rarer analysis words, relative to the best candidate), the
// share of its services they had too, and the overlap (Jaccard) of factor
// categories. Candidates are the best text matches and the incidents that
// share most services, so the cost does not grow with the archive.
func (s *Store) Similar(ctx context.Context, incidentID int64, limit int) ([]SimilarIncident, error) {
	db, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	me, err := s.searchMeta(ctx, db, incidentID)
	if err != nil {
		return nil, err
	}
	var analysis string
	err = db.QueryRowContext(ctx, "SELECT factors || char(10) || whys FROM search_docs WHERE incident_id = ?", incidentID).Scan(&analysis)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}

	cands := map[int64]*SimilarIncident{}
	get := func(id int64) *SimilarIncident {
		c := cands[id]
		if c == nil {
			c = &SimilarIncident{}
			c.IncidentID = id
			cands[id] = c
		}
		return c
	}

	// Text: the incident's rarer words in others' factors and whys.
	if words, err := s.rareWords(ctx, db, search.Keywords(analysis)); err != nil {
		return nil, err
	} else if len(words) > 0 {
		rows, err := db.QueryContext(ctx, `SELECT f.rowid, -f.rank FROM search_fts f JOIN search_meta m ON m.incident_id = f.rowid
			WHERE search_fts MATCH ? AND m.started_at < ? ORDER BY f.rank LIMIT ?`,
			search.AnyWordIn([]string{"factors", "whys"}, words), me.StartedAt.UnixMilli(), similarCandidates)
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
			best = max(best, score)
			c := get(id)
			c.Score, c.SimilarAnalysis = score, true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, c := range cands {
			if best > 0 {
				c.Score = weightText * c.Score / best
			}
		}
	}

	// Services: the earlier incidents that share most of them.
	if len(me.Services) > 0 {
		rows, err := db.QueryContext(ctx, `SELECT x.incident_id FROM incident_services x
			JOIN search_meta m ON m.incident_id = x.incident_id
			WHERE x.service_id IN (SELECT service_id FROM incident_services WHERE incident_id = ?) AND m.started_at < ?
			GROUP BY x.incident_id ORDER BY count(*) DESC, m.started_at DESC LIMIT ?`, incidentID, me.StartedAt.UnixMilli(), similarCandidates)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			get(id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	delete(cands, incidentID)
	if len(cands) == 0 {
		return []SimilarIncident{}, nil
	}

	ids := make([]int64, 0, len(cands))
	for id := range cands {
		ids = append(ids, id)
	}
	metas, err := s.searchMetas(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]SimilarIncident, 0, len(cands))
	for _, c := range cands {
		m, ok := metas[c.IncidentID]
		if !ok {
			continue
		}
		c.SearchMeta = m
		c.SharedServices = shared(me.Services, m.Services)
		c.SharedCategories = shared(me.Categories, m.Categories)
		if len(me.Services) > 0 {
			c.Score += weightServices * float64(len(c.SharedServices)) / float64(len(me.Services))
		}
		if union := len(me.Categories) + len(m.Categories) - len(c.SharedCategories); union > 0 {
			c.Score += weightCategories * float64(len(c.SharedCategories)) / float64(union)
		}
		out = append(out, *c)
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

	ids = ids[:0]
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

// rareWords keeps the words that some other document has too, but not one
// in five of them (up to five documents always count as rare, for small
// archives), rarest first, at most similarKeywords.
func (s *Store) rareWords(ctx context.Context, db *sql.DB, words []string) ([]string, error) {
	if len(words) == 0 {
		return nil, nil
	}
	if len(words) > 200 {
		words = words[:200]
	}
	var total int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM search_meta WHERE deleted = 0").Scan(&total); err != nil {
		return nil, err
	}
	args := make([]any, len(words))
	for i, w := range words {
		args[i] = w
	}
	rows, err := db.QueryContext(ctx, "SELECT term, doc FROM search_vocab WHERE term IN (?"+strings.Repeat(",?", len(words)-1)+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type df struct {
		term string
		docs int
	}
	var keep []df
	for rows.Next() {
		var d df
		if err := rows.Scan(&d.term, &d.docs); err != nil {
			return nil, err
		}
		if d.docs >= 2 && (d.docs <= 5 || d.docs*5 <= total) {
			keep = append(keep, d)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(keep, func(a, b df) int { return cmp.Or(cmp.Compare(a.docs, b.docs), cmp.Compare(a.term, b.term)) })
	out := make([]string, 0, min(len(keep), similarKeywords))
	for _, d := range keep[:min(len(keep), similarKeywords)] {
		out = append(out, d.term)
	}
	return out, nil
}

const metaColumns = "incident_id, severity, status, pm_status, started_at, published_at, services, tags, categories"

// scanMeta reads a row of metaColumns, then extra columns into extra.
func scanMeta(sc interface{ Scan(...any) error }, extra ...any) (SearchMeta, error) {
	var (
		m                          SearchMeta
		services, tags, categories string
		started                    int64
		published                  sql.NullInt64
	)
	dest := append([]any{&m.IncidentID, &m.Severity, &m.Status, &m.PMStatus, &started, &published, &services, &tags, &categories}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return m, err
	}
	m.StartedAt = time.UnixMilli(started).UTC()
	if published.Valid {
		t := time.UnixMilli(published.Int64).UTC()
		m.PublishedAt = &t
	}
	m.Services, m.Tags, m.Categories = splitList(services), splitList(tags), splitList(categories)
	return m, nil
}

// searchMeta returns one incident's meta row.
func (s *Store) searchMeta(ctx context.Context, db *sql.DB, id int64) (SearchMeta, error) {
	m, err := scanMeta(db.QueryRowContext(ctx, "SELECT "+metaColumns+" FROM search_meta WHERE incident_id = ? AND deleted = 0", id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, model.ErrNotFound
	}
	return m, err
}

// searchMetas returns the meta rows of ids.
func (s *Store) searchMetas(ctx context.Context, ids []int64) (map[int64]SearchMeta, error) {
	db, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := db.QueryContext(ctx, "SELECT "+metaColumns+" FROM search_meta WHERE incident_id IN (?"+strings.Repeat(",?", len(ids)-1)+") AND deleted = 0", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]SearchMeta, len(ids))
	for rows.Next() {
		m, err := scanMeta(rows)
		if err != nil {
			return nil, err
		}
		out[m.IncidentID] = m
	}
	return out, rows.Err()
}

// shared returns the values of a also in b, compared without case.
func shared(a, b []string) []string {
	out := []string{}
	for _, x := range a {
		for _, y := range b {
			if strings.EqualFold(x, y) {
				out = append(out, x)
				break
			}
		}
	}
	return out
}
