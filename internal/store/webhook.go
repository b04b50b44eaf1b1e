package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// Outgoing webhooks and their outbox (migration 19). An event is written
// with its deliveries in the transaction of the change that causes it
// (enqueue); the notify worker reads the due deliveries and records each
// attempt.

// Bounds of the webhook reads.
const (
	MaxWebhooks        = 100
	MaxDeliveryPage    = 200
	maxQueuedPerHook   = 100 // read per hook and round by the worker
	outboxSignalBuffer = 1
)

type outboxRow struct {
	ID         int64
	Type       string
	IncidentID *int64
	Data       string
	CreatedAt  time.Time
}

func (outboxRow) TableName() string { return "outbox" }

// OutboxSignal is signalled after a commit that queued deliveries, so the
// worker delivers at once instead of at its next poll.
func (s *Store) OutboxSignal() <-chan struct{} { return s.outboxCh }

// enqueue writes an event to the outbox, with a delivery for every active
// hook that wants it, in tx: the event exists if and only if the change
// that causes it commits.
func enqueue(ctx context.Context, tx *gorm.DB, at time.Time, typ string, incidentID *int64, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	row := outboxRow{Type: typ, IncidentID: incidentID, Data: string(b), CreatedAt: at}
	if err := tx.Create(&row).Error; err != nil {
		return err
	}
	// A private incident's events go only to the hooks that ask for them.
	private := false
	if incidentID != nil {
		var vis string
		if err := tx.Raw("SELECT visibility FROM incidents WHERE id = ?", *incidentID).Scan(&vis).Error; err != nil {
			return err
		}
		private = vis == string(model.VisibilityPrivate)
	}
	res := tx.Exec(`INSERT INTO webhook_deliveries (webhook_id, outbox_id, msg_id, status, next_attempt_at, created_at)
		SELECT id, ?, 'msg_' || ? || '_' || id, 'pending', ?, ? FROM webhooks
		WHERE active = 1 AND instr(events, ?) > 0 AND (private = 1 OR ? = 0)`, row.ID, row.ID, at, at, ","+typ+",", private)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected > 0 {
		if batch, ok := ctx.Value(batchKey{}).(*eventBatch); ok {
			batch.outbox = true
		}
	}
	return nil
}

// incidentEventData is what an incident's webhook events carry.
func incidentEventData(inc *model.Incident) map[string]any {
	t := func(p *time.Time) any {
		if p == nil {
			return nil
		}
		return model.FormatAPI(*p)
	}
	services, tags := inc.Services, inc.Tags
	if services == nil {
		services = []string{}
	}
	if tags == nil {
		tags = []string{}
	}
	return map[string]any{
		"id": inc.ID, "title": inc.Title, "severity": inc.Severity, "status": inc.Status,
		"services": services, "tags": tags, "started_at": t(inc.StartedAt), "mitigated_at": t(inc.MitigatedAt),
		"resolved_at": t(inc.ResolvedAt), "created_at": model.FormatAPI(inc.CreatedAt), "version": inc.Version,
	}
}

// notifyAudit turns an audited change into the webhook event it stands for
// (if any): an incident declared, its status or severity changed or its
// resolution, a postmortem published.
func notifyAudit(ctx context.Context, tx *gorm.DB, at time.Time, action, entity string, incidentID *int64, before, after any) error {
	if incidentID == nil {
		return nil
	}
	switch {
	case entity == "incident" && action == model.AuditCreate:
		inc := asIncident(after)
		if inc == nil {
			return nil
		}
		return enqueue(ctx, tx, at, model.EventIncidentDeclared, incidentID, incidentEventData(inc))
	case entity == "incident" && action == model.AuditUpdate:
		old, inc := asIncident(before), asIncident(after)
		if old == nil || inc == nil || (old.Status == inc.Status && old.Severity == inc.Severity) {
			return nil
		}
		data := incidentEventData(inc)
		data["previous"] = map[string]any{"status": old.Status, "severity": old.Severity}
		typ := model.EventIncidentUpdated
		if inc.Status == model.StatusResolved && old.Status != model.StatusResolved {
			typ = model.EventIncidentResolved
		}
		return enqueue(ctx, tx, at, typ, incidentID, data)
	case entity == "postmortem_revision" && action == model.AuditCreate:
		inc, err := loadIncident(tx, *incidentID)
		if err != nil {
			return err
		}
		data := incidentEventData(inc)
		if m, ok := after.(map[string]any); ok {
			data["revision"] = m["number"]
		}
		return enqueue(ctx, tx, at, model.EventPostmortemPublished, incidentID, data)
	}
	return nil
}

func asIncident(v any) *model.Incident {
	switch x := v.(type) {
	case *model.Incident:
		return x
	case model.Incident:
		return &x
	}
	return nil
}

// changeEventData is what a change.recorded event carries.
func changeEventData(c *model.Change) map[string]any {
	var fin any
	if c.FinishedAt != nil {
		fin = model.FormatAPI(*c.FinishedAt)
	}
	return map[string]any{
		"id": c.ID, "service": c.Service, "kind": c.Kind, "category": c.Category, "environment": c.Environment,
		"summary": c.Summary, "version": c.Version, "author": c.Author, "url": c.URL, "status": c.Status,
		"external_id": c.ExternalID, "started_at": model.FormatAPI(c.StartedAt), "finished_at": fin,
	}
}

// CreateWebhook stores a validated webhook (its secret made by the caller).
func (s *Store) CreateWebhook(ctx context.Context, w *model.Webhook) error {
	var n int64
	if err := s.db.WithContext(ctx).Model(&model.Webhook{}).Count(&n).Error; err != nil {
		return translate(err)
	}
	if n >= MaxWebhooks {
		return model.FieldError("url", fmt.Sprintf("at most %d webhooks", MaxWebhooks))
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		now := s.now()
		w.ID, w.Active, w.PausedReason, w.Failures, w.CreatedAt, w.UpdatedAt = 0, true, "", 0, now, now
		w.CreatedBy = model.ActorFrom(ctx).Label
		w.EncodeEvents()
		if err := tx.Create(w).Error; err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditCreate, "webhook", w.ID, nil, nil, w) // Secret is json:"-"
	})
}

// Webhooks lists the webhooks, oldest first.
func (s *Store) Webhooks(ctx context.Context) ([]model.Webhook, error) {
	var list []model.Webhook
	if err := s.db.WithContext(ctx).Order("id").Limit(MaxWebhooks).Find(&list).Error; err != nil {
		return nil, translate(err)
	}
	for i := range list {
		list[i].DecodeEvents()
	}
	return list, nil
}

// Webhook returns one webhook.
func (s *Store) Webhook(ctx context.Context, id int64) (*model.Webhook, error) {
	var w model.Webhook
	if err := s.db.WithContext(ctx).Take(&w, id).Error; err != nil {
		return nil, translate(err)
	}
	w.DecodeEvents()
	return &w, nil
}

// SetWebhookActive switches a hook on or off; switching it on also clears
// a pause after failures (the deliveries it missed are still queued).
func (s *Store) SetWebhookActive(ctx context.Context, id int64, active bool) (*model.Webhook, error) {
	var out *model.Webhook
	err := s.write(ctx, func(tx *gorm.DB) error {
		var w model.Webhook
		if err := tx.Take(&w, id).Error; err != nil {
			return err
		}
		before := w
		w.Active, w.UpdatedAt = active, s.now()
		if active {
			w.PausedReason, w.Failures = "", 0
		}
		if err := tx.Model(&w).Select("active", "paused_reason", "failures", "updated_at").Updates(&w).Error; err != nil {
			return err
		}
		w.DecodeEvents()
		out = &w
		return audit(ctx, tx, w.UpdatedAt, model.AuditUpdate, "webhook", id, nil, before, w)
	})
	return out, err
}

// DeleteWebhook removes a webhook and its deliveries.
func (s *Store) DeleteWebhook(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		var w model.Webhook
		if err := tx.Take(&w, id).Error; err != nil {
			return err
		}
		if err := tx.Delete(&model.Webhook{}, id).Error; err != nil {
			return err
		}
		return audit(ctx, tx, s.now(), model.AuditDelete, "webhook", id, nil, w, nil)
	})
}

func deliveryQuery(db *gorm.DB) *gorm.DB {
	return db.Table("webhook_deliveries d").
		Select("d.*, o.type AS type, o.incident_id AS incident_id, o.data AS data, o.created_at AS event_at").
		Joins("JOIN outbox o ON o.id = d.outbox_id")
}

// Deliveries lists a webhook's deliveries, newest first, before an id
// (0: from the newest), at most limit.
func (s *Store) Deliveries(ctx context.Context, webhookID, before int64, limit int) ([]model.Delivery, error) {
	if limit <= 0 || limit > MaxDeliveryPage {
		limit = MaxDeliveryPage
	}
	q := deliveryQuery(s.db.WithContext(ctx)).Where("d.webhook_id = ?", webhookID)
	if before > 0 {
		q = q.Where("d.id < ?", before)
	}
	var list []model.Delivery
	err := q.Order("d.id DESC").Limit(limit).Find(&list).Error
	return list, translate(err)
}

// Redeliver queues a delivery again (same webhook-id), now.
func (s *Store) Redeliver(ctx context.Context, webhookID, deliveryID int64) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ? WHERE id = ? AND webhook_id = ?`,
			s.now(), deliveryID, webhookID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return model.ErrNotFound
		}
		if batch, ok := ctx.Value(batchKey{}).(*eventBatch); ok {
			batch.outbox = true
		}
		return audit(ctx, tx, s.now(), model.AuditUpdate, "webhook_delivery", deliveryID, nil, nil,
			map[string]any{"webhook_id": webhookID, "redeliver": true})
	})
}

// QueuedHook is a hook with its oldest pending deliveries, in order.
type QueuedHook struct {
	Hook       model.Webhook
	Deliveries []model.Delivery
}

// DueDeliveries returns, per active and unpaused hook whose oldest pending
// delivery is due at now, its oldest pending deliveries in id order (at
// most maxQueuedPerHook): a hook's events go out one after another, in the
// order they happened, and a failing one holds back those after it.
func (s *Store) DueDeliveries(ctx context.Context, now time.Time) ([]QueuedHook, error) {
	db := s.db.WithContext(context.WithoutCancel(ctx))
	var hooks []model.Webhook
	if err := db.Where("active = 1 AND paused_reason = '' AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = webhooks.id AND d.status = 'pending')").
		Order("id").Find(&hooks).Error; err != nil {
		return nil, translate(err)
	}
	var out []QueuedHook
	for _, h := range hooks {
		var ds []model.Delivery
		if err := deliveryQuery(db).Where("d.status = 'pending' AND d.webhook_id = ?", h.ID).Order("d.id").Limit(maxQueuedPerHook).Find(&ds).Error; err != nil {
			return nil, translate(err)
		}
		if len(ds) == 0 || ds[0].NextAttemptAt.After(now) {
			continue
		}
		h.DecodeEvents()
		out = append(out, QueuedHook{Hook: h, Deliveries: ds})
	}
	return out, nil
}

// Attempt is the outcome of one delivery attempt.
type Attempt struct {
	DeliveryID int64
	At         time.Time
	StatusCode int // 0: no answer
	Err        string
	Latency    time.Duration
	Excerpt    string
	Delivered  bool
	// Next is when to try again (zero: never: Failed).
	Next   time.Time
	Failed bool
	// Gone pauses the hook at once (the receiver answered 410).
	Gone bool
}

// RecordAttempts writes a hook's attempts in one transaction, counts its
// failures in a row and pauses it after model.WebhookMaxFailures of them
// (or at once when the receiver said 410 Gone), saying why.
func (s *Store) RecordAttempts(ctx context.Context, hookID int64, attempts []Attempt) error {
	if len(attempts) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		var w model.Webhook
		if err := tx.Take(&w, hookID).Error; err != nil {
			return err
		}
		for _, a := range attempts {
			status, next := model.DeliveryPending, a.Next
			var delivered *time.Time
			switch {
			case a.Delivered:
				status, delivered, next = model.DeliveryDelivered, &a.At, a.At
				w.Failures = 0
			case a.Failed:
				status, next = model.DeliveryFailed, a.At
				w.Failures++
			default:
				w.Failures++
			}
			var code *int
			if a.StatusCode != 0 {
				code = &a.StatusCode
			}
			ms := a.Latency.Milliseconds()
			if err := tx.Exec(`UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_attempt_at = ?,
					last_status_code = ?, last_error = ?, last_latency_ms = ?, response_excerpt = ?, delivered_at = COALESCE(?, delivered_at)
				WHERE id = ?`, status, next, a.At, code, model.Truncate(a.Err, 500), ms, a.Excerpt, delivered, a.DeliveryID).Error; err != nil {
				return err
			}
			if a.Gone {
				w.PausedReason = fmt.Sprintf("paused at %s: the receiver answered 410 Gone", model.FormatHuman(a.At))
			}
		}
		if w.PausedReason == "" && w.Failures >= model.WebhookMaxFailures {
			last := attempts[len(attempts)-1]
			why := last.Err
			if last.StatusCode != 0 {
				why = fmt.Sprintf("HTTP %d", last.StatusCode)
			}
			w.PausedReason = strings.TrimSpace(fmt.Sprintf("paused at %s after %d failed deliveries in a row (last: %s)",
				model.FormatHuman(last.At), w.Failures, model.Truncate(why, 200)))
		}
		return tx.Model(&w).Select("failures", "paused_reason").Updates(&w).Error
	})
}

// OutboxDepth counts the pending deliveries (for the admin page).
func (s *Store) OutboxDepth(ctx context.Context, webhookID int64) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Table("webhook_deliveries").Where("webhook_id = ? AND status = 'pending'", webhookID).Count(&n).Error
	return n, translate(err)
}
