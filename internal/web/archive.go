package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// archivePage is the archive: published postmortems by month of first
// publication, newest first, filterable like search.
type archivePage struct {
	searchPage
	Months []archiveMonth
}

type archiveMonth struct {
	Label string // "November 2026"
	ID    string // "2026-11", for anchors
	Hits  []hitView
}

// archiveShow is GET /archive.
func (s *Server) archiveShow(c echo.Context) error {
	sp, err := s.searchResults(c, "/archive", store.SortPublished, true)
	p := archivePage{searchPage: sp}
	if err != nil {
		return s.rerender(c, err, "archive", func(fields map[string]string, _ *model.ConflictError) any {
			p.Errors = fields
			return p
		})
	}
	ids := make([]int64, len(p.Hits))
	for i, h := range p.Hits {
		ids[i] = h.IncidentID
	}
	counts, err := s.store.ActionCounts(c.Request().Context(), ids)
	if err != nil {
		return err
	}
	for i := range p.Hits {
		h := &p.Hits[i]
		if n := counts[h.IncidentID]; n != nil {
			h.Actions = n
		} else {
			h.Actions = &store.ActionCounts{}
		}
		// Hits are in order of the requested sort; months follow the
		// publication date when sorted by it, and the start otherwise.
		at := h.StartedAt
		if p.Form.Sort == "" || p.Form.Sort == string(store.SortPublished) {
			at = *h.PublishedAt
		}
		id, label := at.Format("2006-01"), at.Format("January 2006")
		if p.Form.Sort == string(store.SortRelevance) {
			id, label = "best", "Best matches first"
		}
		if len(p.Months) == 0 || p.Months[len(p.Months)-1].ID != id {
			p.Months = append(p.Months, archiveMonth{Label: label, ID: id})
		}
		last := &p.Months[len(p.Months)-1]
		last.Hits = append(last.Hits, *h)
	}
	return c.Render(http.StatusOK, "archive", s.pageData(c, p))
}
