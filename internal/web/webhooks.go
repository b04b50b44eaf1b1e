package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/notify"
)

// Outgoing webhooks, for admins: /admin/webhooks and /api/v1/webhooks. The
// secret is shown once, in the answer that creates the hook.

type webhookJSON struct {
	ID           int64    `json:"id"`
	URL          string   `json:"url"`
	Events       []string `json:"events"`
	Format       string   `json:"format"`
	Description  string   `json:"description"`
	Private      bool     `json:"include_private"`
	Active       bool     `json:"active"`
	PausedReason string   `json:"paused_reason"`
	Failures     int      `json:"failures"`
	CreatedAt    string   `json:"created_at"`
	CreatedBy    string   `json:"created_by"`
	Secret       string   `json:"secret,omitempty"` // only when created
}

func webhookToJSON(w *model.Webhook) webhookJSON {
	return webhookJSON{ID: w.ID, URL: w.URL, Events: w.Events, Format: w.Format, Description: w.Description,
		Private: w.Private, Active: w.Active, PausedReason: w.PausedReason, Failures: w.Failures,
		CreatedAt: model.FormatAPI(w.CreatedAt), CreatedBy: w.CreatedBy}
}

type deliveryJSON struct {
	ID              int64   `json:"id"`
	MsgID           string  `json:"webhook_id"`
	Event           string  `json:"event"`
	IncidentID      *int64  `json:"incident_id"`
	Status          string  `json:"status"`
	Attempts        int     `json:"attempts"`
	NextAttemptAt   *string `json:"next_attempt_at"`
	LastAttemptAt   *string `json:"last_attempt_at"`
	LastStatusCode  *int    `json:"last_status_code"`
	LastError       string  `json:"last_error"`
	LastLatencyMS   *int64  `json:"last_latency_ms"`
	ResponseExcerpt string  `json:"response_excerpt"`
	CreatedAt       string  `json:"created_at"`
	DeliveredAt     *string `json:"delivered_at"`
}

func deliveryToJSON(d *model.Delivery) deliveryJSON {
	out := deliveryJSON{ID: d.ID, MsgID: d.MsgID, Event: d.Type, IncidentID: d.IncidentID, Status: d.Status, Attempts: d.Attempts,
		LastAttemptAt: apiTime(d.LastAttemptAt), LastStatusCode: d.LastStatusCode, LastError: d.LastError,
		LastLatencyMS: d.LastLatencyMS, ResponseExcerpt: d.ResponseExcerpt, CreatedAt: model.FormatAPI(d.CreatedAt),
		DeliveredAt: apiTime(d.DeliveredAt)}
	if d.Status == model.DeliveryPending {
		out.NextAttemptAt = apiTime(&d.NextAttemptAt)
	}
	return out
}

// newWebhook validates a hook and stores it with a new secret.
func (s *Server) newWebhook(c echo.Context, w *model.Webhook) error {
	if err := w.Validate(s.opts.WebhookAllowPrivate); err != nil {
		return err
	}
	secret, err := notify.NewSecret()
	if err != nil {
		return err
	}
	w.Secret = secret
	return s.store.CreateWebhook(c.Request().Context(), w)
}

type webhookRequest struct {
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Format      string   `json:"format"`
	Description string   `json:"description"`
	Private     bool     `json:"include_private"`
}

// apiWebhookCreate is POST /api/v1/webhooks → 201 with the secret (once).
func (s *Server) apiWebhookCreate(c echo.Context) error {
	var req webhookRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	w := &model.Webhook{URL: req.URL, Events: req.Events, Format: req.Format, Description: req.Description, Private: req.Private}
	if err := s.newWebhook(c, w); err != nil {
		return err
	}
	out := webhookToJSON(w)
	out.Secret = w.Secret
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/webhooks/%d", w.ID))
	return c.JSON(http.StatusCreated, out)
}

// apiWebhookList is GET /api/v1/webhooks.
func (s *Server) apiWebhookList(c echo.Context) error {
	list, err := s.store.Webhooks(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]webhookJSON, len(list))
	for i := range list {
		out[i] = webhookToJSON(&list[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"webhooks": out})
}

func (s *Server) pathWebhook(c echo.Context) (*model.Webhook, error) {
	id, err := pathID(c, "webhookID")
	if err != nil {
		return nil, err
	}
	return s.store.Webhook(c.Request().Context(), id)
}

// apiWebhookShow is GET /api/v1/webhooks/{id}: the hook and how many
// deliveries wait.
func (s *Server) apiWebhookShow(c echo.Context) error {
	w, err := s.pathWebhook(c)
	if err != nil {
		return err
	}
	depth, err := s.store.OutboxDepth(c.Request().Context(), w.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"webhook": webhookToJSON(w), "pending": depth})
}

// apiWebhookUpdate is PATCH /api/v1/webhooks/{id} {"active": bool}: switch
// it off, or on again (which also lifts a pause after failures).
func (s *Server) apiWebhookUpdate(c echo.Context) error {
	w, err := s.pathWebhook(c)
	if err != nil {
		return err
	}
	var req struct {
		Active *bool `json:"active"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Active == nil {
		return model.FieldError("active", "is required: true or false")
	}
	if w, err = s.store.SetWebhookActive(c.Request().Context(), w.ID, *req.Active); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, webhookToJSON(w))
}

// apiWebhookDelete is DELETE /api/v1/webhooks/{id}.
func (s *Server) apiWebhookDelete(c echo.Context) error {
	w, err := s.pathWebhook(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteWebhook(c.Request().Context(), w.ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// apiDeliveries is GET /api/v1/webhooks/{id}/deliveries?before=&limit=.
func (s *Server) apiDeliveries(c echo.Context) error {
	w, err := s.pathWebhook(c)
	if err != nil {
		return err
	}
	before, limit, err := deliveryPage(c)
	if err != nil {
		return err
	}
	list, err := s.store.Deliveries(c.Request().Context(), w.ID, before, limit)
	if err != nil {
		return err
	}
	out := make([]deliveryJSON, len(list))
	for i := range list {
		out[i] = deliveryToJSON(&list[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"deliveries": out})
}

func deliveryPage(c echo.Context) (before int64, limit int, err error) {
	v := model.NewValidationError()
	limit = 50
	if q := c.QueryParam("before"); q != "" {
		n, perr := strconv.ParseInt(q, 10, 64)
		if perr != nil || n < 1 {
			v.Add("before", "must be a delivery id")
		}
		before = n
	}
	if q := c.QueryParam("limit"); q != "" {
		n, perr := strconv.Atoi(q)
		if perr != nil || n < 1 || n > 200 {
			v.Add("limit", "must be a whole number from 1 to 200")
		}
		limit = n
	}
	return before, limit, v.Err()
}

// apiRedeliver is POST /api/v1/webhooks/{id}/deliveries/{deliveryID}/redeliver.
func (s *Server) apiRedeliver(c echo.Context) error {
	if _, err := s.redeliver(c); err != nil {
		return err
	}
	return c.NoContent(http.StatusAccepted)
}

// redeliver queues again the delivery the path names (:webhookID,
// :deliveryID) and returns the hook's id.
func (s *Server) redeliver(c echo.Context) (int64, error) {
	w, err := s.pathWebhook(c)
	if err != nil {
		return 0, err
	}
	did, err := pathID(c, "deliveryID")
	if err != nil {
		return 0, err
	}
	return w.ID, s.store.Redeliver(c.Request().Context(), w.ID, did)
}

type webhooksPage struct {
	Hooks   []model.Webhook
	Form    webhookRequest
	Errors  map[string]string
	Created *model.Webhook // just made: its secret, shown once
	Events  []string
}

func (p webhooksPage) Chosen(e string) bool {
	for _, x := range p.Form.Events {
		if x == e {
			return true
		}
	}
	return false
}

// webhookList is GET /admin/webhooks.
func (s *Server) webhookList(c echo.Context) error {
	return s.renderWebhooks(c, http.StatusOK, webhooksPage{Form: webhookRequest{Format: model.FormatJSON}})
}

func (s *Server) renderWebhooks(c echo.Context, status int, p webhooksPage) error {
	list, err := s.store.Webhooks(c.Request().Context())
	if err != nil {
		return err
	}
	p.Hooks, p.Events = list, model.WebhookEvents
	return c.Render(status, "webhooks", s.pageData(c, p))
}

// webhookCreate is POST /admin/webhooks.
func (s *Server) webhookCreate(c echo.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	f := c.Request().Form
	req := webhookRequest{URL: f.Get("url"), Events: f["events"], Format: f.Get("format"), Description: f.Get("description"), Private: f.Get("include_private") == "1"}
	w := &model.Webhook{URL: req.URL, Events: req.Events, Format: req.Format, Description: req.Description, Private: req.Private}
	if err := s.newWebhook(c, w); err != nil {
		var ve *model.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		return s.renderWebhooks(c, http.StatusUnprocessableEntity, webhooksPage{Form: req, Errors: ve.Fields})
	}
	return s.renderWebhooks(c, http.StatusCreated, webhooksPage{Form: webhookRequest{Format: model.FormatJSON}, Created: w})
}

type webhookPage struct {
	Hook       *model.Webhook
	Pending    int64
	Deliveries []model.Delivery
	Older      int64 // the before= of the next page, 0 when none
}

// webhookShow is GET /admin/webhooks/{id}: the hook and its delivery log.
func (s *Server) webhookShow(c echo.Context) error {
	w, err := s.pathWebhook(c)
	if err != nil {
		return err
	}
	before, limit, err := deliveryPage(c)
	if err != nil {
		return err
	}
	p := webhookPage{Hook: w}
	if p.Pending, err = s.store.OutboxDepth(c.Request().Context(), w.ID); err != nil {
		return err
	}
	if p.Deliveries, err = s.store.Deliveries(c.Request().Context(), w.ID, before, limit); err != nil {
		return err
	}
	if len(p.Deliveries) == limit {
		p.Older = p.Deliveries[len(p.Deliveries)-1].ID
	}
	return c.Render(http.StatusOK, "webhook", s.pageData(c, p))
}

// webhookActive is POST /admin/webhooks/{id}/active (active=1 or 0).
func (s *Server) webhookActive(c echo.Context) error {
	w, err := s.pathWebhook(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	if _, err := s.store.SetWebhookActive(c.Request().Context(), w.ID, c.FormValue("active") == "1"); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/webhooks/%d", w.ID))
}

// webhookDelete is POST /admin/webhooks/{id}/delete.
func (s *Server) webhookDelete(c echo.Context) error {
	w, err := s.pathWebhook(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteWebhook(c.Request().Context(), w.ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/webhooks")
}

// webhookRedeliver is POST /admin/webhooks/{id}/deliveries/{deliveryID}/redeliver.
func (s *Server) webhookRedeliver(c echo.Context) error {
	id, err := s.redeliver(c)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/webhooks/%d", id))
}
