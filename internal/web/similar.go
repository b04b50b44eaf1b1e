package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/store"
)

// similarLimit is how many similar past incidents pages and the API show.
const similarLimit = 5

// apiSimilar is GET /api/v1/incidents/:id/similar: up to five earlier
// incidents that look like this one, best first, each with why (shared
// services, shared factor categories, similar analysis text) and the state
// of its action items.
func (s *Server) apiSimilar(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sim, err := s.store.Similar(c.Request().Context(), viewerOf(c), id, similarLimit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"incident_id": id, "similar": sim})
}

// similarPanel is the "similar past incidents" box of the incident and
// postmortem pages.
type similarPanel struct {
	IncidentID int64
	Incidents  []store.SimilarIncident
}

func (s *Server) similarPanel(c echo.Context, id int64) (*similarPanel, error) {
	sim, err := s.store.Similar(c.Request().Context(), viewerOf(c), id, similarLimit)
	if err != nil {
		return nil, err
	}
	return &similarPanel{IncidentID: id, Incidents: sim}, nil
}
