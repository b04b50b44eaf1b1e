package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/debrief-dev/debrief/internal/events"
	"github.com/debrief-dev/debrief/internal/model"
)

// maxAppendBatch bounds how many timeline entries share one commit.
const maxAppendBatch = 128

// errClosed is returned by writes after Close.
var errClosed = errors.New("store is closed")

// appender commits concurrent timeline appends together (group commit).
// With synchronous=FULL every commit waits for the disk; during an incident
// many people append at once, and one fsync for all of them keeps each
// append fast without giving up durability. Only appends go through it:
// they are the hot path, and they cannot conflict with each other.
type appender struct {
	db       *sql.DB   // the store's single write connection
	st       *Store    // for its write lock and broker
	insert   *sql.Stmt // prepared once on it
	audit    *sql.Stmt
	event    *sql.Stmt
	requests chan appendRequest
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

type appendRequest struct {
	entry  *model.TimelineEntry
	actor  model.Actor
	result chan error
}

const insertEntrySQL = `INSERT INTO timeline_entries
	(incident_id, occurred_at, kind, body, evidence_url, author, learned_later, version, created_at, updated_at, body_html, render_version)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`

const insertAuditSQL = `INSERT INTO audit_log
	(at, actor_user_id, actor_token_id, actor, action, entity, entity_id, incident_id, before, after)
	VALUES (?, ?, ?, ?, 'create', 'timeline_entry', ?, ?, '', ?)`

const insertEventSQL = `INSERT INTO incident_events
	(incident_id, at, type, action, entity, entity_id, version, actor, record)
	VALUES (?, ?, 'entry', 'created', 'timeline_entry', ?, ?, ?, ?) RETURNING id`

func newAppender(db *sql.DB, st *Store) (*appender, error) {
	stmt, err := db.Prepare(insertEntrySQL)
	if err != nil {
		return nil, err
	}
	auditStmt, err := db.Prepare(insertAuditSQL)
	if err != nil {
		_ = stmt.Close()
		return nil, err
	}
	eventStmt, err := db.Prepare(insertEventSQL)
	if err != nil {
		_ = stmt.Close()
		_ = auditStmt.Close()
		return nil, err
	}
	a := &appender{
		db: db, st: st, insert: stmt, audit: auditStmt, event: eventStmt,
		requests: make(chan appendRequest), // unbuffered: a request is either taken or refused
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	go a.run()
	return a, nil
}

// add hands e to the committer and waits for its commit. Once taken, the
// request is always completed, even if ctx ends meanwhile, so that the
// caller never reports a failure for an entry that was stored.
func (a *appender) add(ctx context.Context, e *model.TimelineEntry, actor model.Actor) error {
	req := appendRequest{entry: e, actor: actor, result: make(chan error, 1)}
	select {
	case a.requests <- req:
	case <-a.stop:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-req.result
}

func (a *appender) run() {
	defer close(a.done)
	batch := make([]appendRequest, 0, maxAppendBatch)
	for {
		select {
		case req := <-a.requests:
			batch = append(batch[:0], req)
		case <-a.stop:
			return
		}
	fill: // take whoever else is already waiting
		for len(batch) < maxAppendBatch {
			select {
			case req := <-a.requests:
				batch = append(batch, req)
			default:
				break fill
			}
		}
		a.commit(batch)
	}
}

// commit writes a batch in one transaction. If that fails (an incident was
// deleted meanwhile, say), each entry is retried alone so that one bad entry
// never fails the others.
func (a *appender) commit(batch []appendRequest) {
	err := translateSQLite(a.insertAll(batch))
	if err == nil || len(batch) == 1 || errors.Is(err, model.ErrStorageUnavailable) {
		// Nothing is written while the disk is full or read-only: the
		// entries one by one would fail alike.
		for _, req := range batch {
			req.result <- err
		}
		return
	}
	for _, req := range batch {
		req.result <- translateSQLite(a.insertAll([]appendRequest{req}))
	}
}

func (a *appender) insertAll(batch []appendRequest) (err error) {
	ctx := context.Background()
	a.st.wmu.Lock() // commit and publish before any other write begins
	defer a.st.wmu.Unlock()
	start := time.Now()
	defer func() {
		a.st.noteWrite(translateSQLite(err))
		if o := a.st.observer; o != nil {
			o.AppendBatch(len(batch), time.Since(start), err)
		}
	}()
	tx, err := a.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE through the DSN
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	stmt, auditStmt, eventStmt := tx.StmtContext(ctx, a.insert), tx.StmtContext(ctx, a.audit), tx.StmtContext(ctx, a.event)
	ids := make([]int64, len(batch))
	evs := make([]events.Event, len(batch))
	for i, req := range batch {
		e := req.entry
		err = stmt.QueryRowContext(ctx, e.IncidentID, e.OccurredAt, string(e.Kind), e.Body, e.EvidenceURL,
			e.Author, e.LearnedLater, e.Version, e.CreatedAt, e.UpdatedAt, e.BodyHTML, e.RenderVersion).Scan(&ids[i])
		if err != nil {
			return err
		}
		// The audit line commits with the entry, in the same transaction.
		snap := *e
		snap.ID = ids[i]
		record := snapshot(&snap)
		_, err = auditStmt.ExecContext(ctx, e.CreatedAt, nullID(req.actor.UserID), nullID(req.actor.TokenID),
			req.actor.Label, ids[i], e.IncidentID, record)
		if err != nil {
			return err
		}
		// So is its event, published below once the batch has committed.
		evs[i] = events.Event{
			IncidentID: e.IncidentID, Type: events.TypeEntry, Action: events.ActionCreated, Entity: "timeline_entry",
			EntityID: ids[i], Version: e.Version, Actor: req.actor.Label, At: e.CreatedAt, Record: json.RawMessage(record),
		}
		err = eventStmt.QueryRowContext(ctx, e.IncidentID, e.CreatedAt, ids[i], e.Version, req.actor.Label, record).Scan(&evs[i].ID)
		if err != nil {
			return err
		}
	}
	// The batch's incidents are indexed once each, in the same transaction.
	if err = flushSearch(ctx, tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return err
	}
	for i, req := range batch {
		req.entry.ID = ids[i]
	}
	a.st.publish(evs)
	return nil
}

func (a *appender) close() {
	a.stopOnce.Do(func() {
		close(a.stop)
		<-a.done
		_ = a.insert.Close()
		_ = a.audit.Close()
		_ = a.event.Close()
	})
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// translateSQLite maps the driver's constraint and storage errors to model
// errors for the statements the store runs without GORM.
func translateSQLite(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey {
		return model.ErrNotFound
	}
	return storageError(err)
}
