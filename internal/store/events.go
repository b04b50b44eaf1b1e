package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/events"
	"github.com/debrief-dev/debrief/internal/model"
)

// Event log retention: per incident, every event younger than EventKeepFor
// and, up to EventMaxAge, the last EventKeep (see PruneEvents).
const (
	EventKeep    = 10_000
	EventKeepFor = 24 * time.Hour
	EventMaxAge  = 7 * 24 * time.Hour // nothing is kept longer
)

// eventRow is a row of incident_events.
type eventRow struct {
	ID         int64
	IncidentID int64
	At         time.Time
	Type       string
	Action     string
	Entity     string
	EntityID   int64
	Version    int
	Actor      string
	Record     string
}

func (eventRow) TableName() string { return "incident_events" }

func (r eventRow) event() events.Event {
	return events.Event{
		ID: r.ID, IncidentID: r.IncidentID, Type: r.Type, Action: r.Action, Entity: r.Entity,
		EntityID: r.EntityID, Version: r.Version, Actor: r.Actor, At: r.At.UTC(), Record: json.RawMessage(r.Record),
	}
}

// eventBatch collects the events a write transaction logs, to publish
// them once it has committed.
type eventBatch struct {
	evs    []events.Event
	outbox bool // webhook deliveries were queued
}

type batchKey struct{}

// WithBroker makes the store publish committed events to b instead of an
// in-process broker of its own.
func WithBroker(b events.Broker) Option {
	return func(s *Store) { s.broker = b }
}

// Broker is where the store publishes committed incident events; readers
// subscribe to it.
func (s *Store) Broker() events.Broker { return s.broker }

// eventAction turns an audit action into an event action.
func eventAction(auditAction string) string {
	switch auditAction {
	case model.AuditCreate:
		return events.ActionCreated
	case model.AuditDelete:
		return events.ActionDeleted
	}
	return events.ActionUpdated
}

// logEvent writes the event of a change to incidentID into the log, in
// the change's transaction, and remembers it for publishing after commit.
// record is the record's snapshot (after the change; before it for a
// delete).
func logEvent(tx *gorm.DB, at time.Time, auditAction, entity string, entityID, incidentID int64, actor, record string) error {
	typ := events.TypeOf(entity)
	if typ == "" {
		return nil
	}
	var v struct{ Version int }
	if record != "" {
		_ = json.Unmarshal([]byte(record), &v) // records without a version carry 0
	}
	row := eventRow{
		IncidentID: incidentID, At: at, Type: typ, Action: eventAction(auditAction), Entity: entity,
		EntityID: entityID, Version: v.Version, Actor: actor, Record: record,
	}
	if err := tx.Create(&row).Error; err != nil {
		return err
	}
	if b, ok := tx.Statement.Context.Value(batchKey{}).(*eventBatch); ok {
		b.evs = append(b.evs, row.event())
	}
	return nil
}

// publish hands committed events to the broker.
func (s *Store) publish(evs []events.Event) {
	if len(evs) > 0 && s.broker != nil {
		s.broker.Publish(evs...)
	}
}

// LastEventID is the id of the newest event logged for incidentID (0 when
// there is none). A page renders what the database holds after it, so a
// stream that starts there misses nothing.
func (s *Store) LastEventID(ctx context.Context, incidentID int64) (int64, error) {
	var id *int64
	// The newest event logged, or, when every event of the incident has
	// been pruned, the last pruned one: a stream resuming there misses
	// nothing and is not told to reload.
	err := s.db.WithContext(ctx).Raw(`SELECT coalesce(
		(SELECT max(id) FROM incident_events WHERE incident_id = ?),
		(SELECT pruned_through FROM incident_event_floors WHERE incident_id = ?))`, incidentID, incidentID).Scan(&id).Error
	if err != nil || id == nil {
		return 0, translate(err)
	}
	return *id, nil
}

// ErrEventsGone is returned by EventsSince when the reader asks for events
// the log no longer has (pruned, or an id it never issued): it must reload.
var ErrEventsGone = model.ErrConflict

// EventsSince returns up to limit of incidentID's events with an id above
// after, oldest first. after < 0 means "from now": no events. It fails with
// ErrEventsGone when events after `after` were pruned, or when after is
// beyond any id the log has issued.
func (s *Store) EventsSince(ctx context.Context, incidentID, after int64, limit int) ([]events.Event, error) {
	db := s.db.WithContext(ctx)
	var issued *int64
	if err := db.Raw("SELECT seq FROM sqlite_sequence WHERE name = 'incident_events'").Scan(&issued).Error; err != nil {
		return nil, translate(err)
	}
	if issued == nil {
		zero := int64(0)
		issued = &zero
	}
	if after > *issued {
		return nil, ErrEventsGone
	}
	var floor *int64
	err := db.Raw("SELECT pruned_through FROM incident_event_floors WHERE incident_id = ?", incidentID).Scan(&floor).Error
	if err != nil {
		return nil, translate(err)
	}
	if floor != nil && after < *floor {
		return nil, ErrEventsGone
	}
	if limit <= 0 || limit > EventKeep {
		limit = EventKeep
	}
	var rows []eventRow
	err = db.Where("incident_id = ? AND id > ?", incidentID, after).Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]events.Event, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, nil
}

// PruneEvents trims the event log to its retention and returns how many
// events it removed. Per incident it keeps every event younger than
// EventKeepFor and, of older ones, the last EventKeep for up to
// EventMaxAge; it records the highest id removed per incident so that a
// reader asking for pruned events is told to reload. Each call removes at
// most about batch events.
func (s *Store) PruneEvents(ctx context.Context, batch int) (int64, error) {
	if batch <= 0 {
		batch = 5000
	}
	now := s.now()
	var removed int64
	err := s.write(ctx, func(tx *gorm.DB) error {
		// Older than EventMaxAge: the oldest ids go first, batch at a time.
		var through *int64
		err := tx.Raw(`SELECT max(id) FROM (SELECT id FROM incident_events WHERE at < ? ORDER BY at LIMIT ?)`,
			now.Add(-EventMaxAge), batch).Scan(&through).Error
		if err != nil {
			return err
		}
		if through != nil {
			if err := raiseFloors(tx, "at < ? AND id <= ?", now.Add(-EventMaxAge), *through); err != nil {
				return err
			}
			res := tx.Exec("DELETE FROM incident_events WHERE at < ? AND id <= ?", now.Add(-EventMaxAge), *through)
			if res.Error != nil {
				return res.Error
			}
			removed += res.RowsAffected
		}
		// Past EventKeepFor, an incident keeps only its last EventKeep.
		var ids []int64
		err = tx.Raw(`SELECT incident_id FROM incident_events WHERE at < ? GROUP BY incident_id HAVING count(*) > ? LIMIT 20`,
			now.Add(-EventKeepFor), EventKeep).Scan(&ids).Error
		if err != nil {
			return err
		}
		for _, id := range ids {
			var through *int64
			err := tx.Raw(`SELECT max(id) FROM incident_events WHERE incident_id = ? AND at < ? AND id <= coalesce(
				(SELECT id FROM incident_events WHERE incident_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?), 0)`,
				id, now.Add(-EventKeepFor), id, EventKeep).Scan(&through).Error
			if err != nil {
				return err
			}
			if through == nil {
				continue
			}
			if err := raiseFloors(tx, "incident_id = ? AND id <= ?", id, *through); err != nil {
				return err
			}
			res := tx.Exec("DELETE FROM incident_events WHERE incident_id = ? AND id <= ?", id, *through)
			if res.Error != nil {
				return res.Error
			}
			removed += res.RowsAffected
		}
		return nil
	})
	return removed, err
}

// raiseFloors records, per incident, the highest id of the events that
// where (with args) is about to remove.
func raiseFloors(tx *gorm.DB, where string, args ...any) error {
	return tx.Exec(`INSERT INTO incident_event_floors (incident_id, pruned_through)
		SELECT incident_id, max(id) FROM incident_events WHERE `+where+` GROUP BY incident_id
		ON CONFLICT (incident_id) DO UPDATE SET pruned_through = max(pruned_through, excluded.pruned_through)`,
		args...).Error
}
