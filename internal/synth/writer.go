package synth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/debrief-dev/debrief/internal/lint"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/postmortem"
	"github.com/debrief-dev/debrief/internal/store"
)

// The statements a batch is written with, in the order of the columns the
// store writes.
var statements = [...]string{
	insIncident: `INSERT INTO incidents (id, title, summary, impact, severity, status, started_at, detected_at,
		acknowledged_at, mitigated_at, resolved_at, version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
	insService: `INSERT INTO incident_services (incident_id, service_id) VALUES (?,?)`,
	insTag:     `INSERT INTO incident_tags (incident_id, tag) VALUES (?,?)`,
	insRole:    `INSERT INTO incident_roles (id, incident_id, role, name, position) VALUES (?,?,?,?,?)`,
	insEntry: `INSERT INTO timeline_entries (id, incident_id, occurred_at, kind, body, evidence_url, author,
		learned_later, version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
	insEntryRev: `INSERT INTO timeline_entry_revisions (entry_id, version, occurred_at, kind, body, evidence_url,
		author, learned_later, replaced_at) VALUES (?,?,?,?,?,?,?,?,?)`,
	insFactor: `INSERT INTO contributing_factors (id, incident_id, title, description, category, is_trigger,
		position, version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)`,
	insWhy: `INSERT INTO why_nodes (id, incident_id, parent_id, factor_id, text, position, version, created_at,
		updated_at) VALUES (?,?,?,?,?,?,?,?,?)`,
	insAction: `INSERT INTO action_items (id, incident_id, title, description, owner, due_date, type, priority,
		status, closure_note, evidence_url, rationale, tracker_url, closed_at, version, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
	insActionFactor: `INSERT INTO action_item_factors (action_id, factor_id) VALUES (?,?)`,
	insActionWhy:    `INSERT INTO action_item_whys (action_id, why_id) VALUES (?,?)`,
	insPostmortem: `INSERT INTO postmortems (incident_id, status, facilitator, version, created_at, updated_at)
		VALUES (?,?,?,?,?,?)`,
	insSection: `INSERT INTO postmortem_sections (incident_id, key, body, version, updated_at, updated_by)
		VALUES (?,?,?,?,?,?)`,
	insPerson: `INSERT INTO postmortem_people (incident_id, role, name, position) VALUES (?,?,?,?)`,
	insRevision: `INSERT INTO postmortem_revisions (incident_id, number, markdown, data, published_at, published_by)
		VALUES (?,?,?,?,?,?)`,
}

const (
	insIncident = iota
	insService
	insTag
	insRole
	insEntry
	insEntryRev
	insFactor
	insWhy
	insAction
	insActionFactor
	insActionWhy
	insPostmortem
	insSection
	insPerson
	insRevision
	numStatements
)

// ids are the last ids given out, per table.
type ids struct {
	incident, role, entry, factor, why, action int64
}

// lastIDs reads the highest ids in the database.
func lastIDs(ctx context.Context, conn *sql.Conn) (ids, error) {
	var c ids
	for _, t := range []struct {
		table string
		last  *int64
	}{
		{"incidents", &c.incident}, {"incident_roles", &c.role}, {"timeline_entries", &c.entry},
		{"contributing_factors", &c.factor}, {"why_nodes", &c.why}, {"action_items", &c.action},
	} {
		if err := conn.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+t.table).Scan(t.last); err != nil {
			return c, fmt.Errorf("synth: read ids of %s: %w", t.table, err)
		}
	}
	return c, nil
}

// number gives out the incident's ids, in the order the store would have
// (the timeline's in order of creation).
func (inc *incident) number(c *ids) {
	c.incident++
	inc.id = c.incident
	for i := range inc.roles {
		c.role++
		inc.roles[i].id = c.role
	}
	for i := range inc.timeline {
		c.entry++
		inc.timeline[i].id = c.entry
	}
	for i := range inc.factors {
		c.factor++
		inc.factors[i].id = c.factor
	}
	for i := range inc.whys {
		c.why++
		inc.whys[i].id = c.why
	}
	for i := range inc.actions {
		c.action++
		inc.actions[i].id = c.action
	}
}

// version is the incident's version: one more per change of status.
func (inc *incident) version() int {
	v := 1
	for _, e := range inc.timeline {
		if e.kind == model.KindMilestone && strings.HasPrefix(e.body, "Status changed") {
			v++
		}
	}
	return v
}

// render assembles the numbered incident's store.Document as the store
// would load it, and renders its published revisions from it.
func (inc *incident) render(checker *lint.Checker) error {
	id := inc.id
	mi := &model.Incident{
		ID: id, Title: inc.title, Summary: inc.summary, Impact: inc.impact, Severity: inc.severity, Status: inc.status,
		StartedAt: &inc.started, DetectedAt: &inc.detected, AcknowledgedAt: &inc.acked, MitigatedAt: inc.mitigated,
		ResolvedAt: inc.resolved, Version: inc.version(), CreatedAt: inc.created, UpdatedAt: inc.updated,
		Tags: inc.tags, Roles: model.Roles{Responders: []string{}},
	}
	for _, k := range inc.services {
		mi.Services = append(mi.Services, services[k])
	}
	slices.SortFunc(mi.Services, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	for _, r := range inc.roles {
		switch r.role {
		case "commander":
			mi.Roles.Commander = r.name
		case "comms_lead":
			mi.Roles.CommsLead = r.name
		case "scribe":
			mi.Roles.Scribe = r.name
		default:
			mi.Roles.Responders = append(mi.Roles.Responders, r.name)
		}
	}
	doc := &store.Document{Incident: mi}
	inc.doc = doc
	for _, e := range inc.timeline {
		v := 1
		if e.before != "" {
			v = 2
		}
		doc.Timeline = append(doc.Timeline, model.TimelineEntry{ID: e.id, IncidentID: id, OccurredAt: e.at,
			Kind: e.kind, Body: e.body, EvidenceURL: e.evidence, Author: e.author, LearnedLater: e.learnedLater,
			Version: v, CreatedAt: e.created, UpdatedAt: e.updated})
	}
	slices.SortStableFunc(doc.Timeline, func(a, b model.TimelineEntry) int { return a.OccurredAt.Compare(b.OccurredAt) })
	at := inc.analysisAt
	for k, f := range inc.factors {
		doc.Factors = append(doc.Factors, model.Factor{ID: f.id, IncidentID: id, Title: f.title, Description: f.desc,
			Category: f.category, IsTrigger: f.trigger, Position: k, Version: 1, CreatedAt: at, UpdatedAt: at})
	}
	nodes := make([]model.WhyNode, 0, len(inc.whys))
	for _, n := range inc.whys {
		node := model.WhyNode{ID: n.id, IncidentID: id, Text: n.text, Position: n.position, Version: 1, CreatedAt: at, UpdatedAt: at}
		if n.parent >= 0 {
			node.ParentID = &inc.whys[n.parent].id
		}
		if n.factor >= 0 {
			node.FactorID = &inc.factors[n.factor].id
		}
		nodes = append(nodes, node)
	}
	doc.Whys = model.BuildWhyTrees(nodes)
	for _, a := range inc.actions {
		ma := model.ActionItem{ID: a.id, IncidentID: id, Title: a.title, Description: a.desc, Owner: a.owner,
			Due: a.due, Type: a.typ, Priority: a.priority, Status: a.status, ClosureNote: a.closure,
			EvidenceURL: a.evidence, Rationale: a.why, TrackerURL: a.tracker, ClosedAt: a.closed, Version: a.version,
			CreatedAt: a.created, UpdatedAt: a.updated, FactorIDs: []int64{}, WhyIDs: []int64{}}
		if a.factor >= 0 {
			ma.FactorIDs = append(ma.FactorIDs, inc.factors[a.factor].id)
		}
		if a.whyNode >= 0 {
			ma.WhyIDs = append(ma.WhyIDs, inc.whys[a.whyNode].id)
		}
		doc.Actions = append(doc.Actions, ma)
	}
	slices.SortStableFunc(doc.Actions, func(a, b model.ActionItem) int { return a.Due.Time().Compare(b.Due.Time()) })
	// Each why node lists the action items linked to it, as the store's
	// document does.
	nodeByID := make(map[int64]*model.WhyNode, len(nodes))
	for _, r := range doc.Whys {
		r.Walk(func(n *model.WhyNode) { nodeByID[n.ID] = n })
	}
	for _, a := range doc.Actions {
		for _, w := range a.WhyIDs {
			if n, ok := nodeByID[w]; ok {
				n.ActionIDs = append(n.ActionIDs, a.ID)
			}
		}
	}

	pm := inc.pm
	if pm == nil {
		return nil
	}
	mp := &model.Postmortem{IncidentID: id, Status: pm.status, Facilitator: pm.facilitator, Version: pm.version,
		CreatedAt: pm.created, UpdatedAt: pm.updated, Sections: map[model.SectionKey]model.PostmortemSection{},
		Authors: pm.authors, Reviewers: pm.reviewers, ResolvedAt: inc.resolved}
	for _, s := range pm.sections {
		mp.Sections[s.key] = model.PostmortemSection{IncidentID: id, Key: s.key, Body: s.body, Version: s.version,
			UpdatedAt: s.updated, UpdatedBy: s.updatedBy}
	}
	doc.Postmortem = mp
	for k, at := range pm.revisions {
		mp.Revisions = k + 1
		// A revision as a real publish writes it (postmortem.Publish, less
		// the gate): the same Markdown and the same Snapshot.
		md, data, err := postmortem.RenderRevision(doc, checker, postmortem.Options{Revision: k + 1, PublishedAt: &at})
		if err != nil {
			return err
		}
		pm.rendered = append(pm.rendered, revision{markdown: md, data: string(data)})
	}
	return nil
}

// writer writes numbered, rendered incidents. It collects a batch's rows
// per table and inserts them with multi-row INSERTs of up to chunk rows: a
// statement's fixed costs (the CHECK constraints' IN lists, the search
// triggers' programs) are paid per statement, not per row.
type writer struct {
	conn     *sql.Conn
	services []int64 // id of services[i]
	rows     [numStatements][]any
	stmts    map[[2]int]*sql.Stmt // by statement and number of rows
}

// chunk is how many rows one INSERT writes at most.
const chunk = 32

func newWriter(ctx context.Context, conn *sql.Conn, begin time.Time) (*writer, error) {
	w := &writer{conn: conn, stmts: map[[2]int]*sql.Stmt{}}
	// Services are looked up by name, as the store does (any case).
	w.services = make([]int64, len(services))
	for i, name := range services {
		err := conn.QueryRowContext(ctx, "SELECT id FROM services WHERE name = ?", name).Scan(&w.services[i])
		if errors.Is(err, sql.ErrNoRows) {
			err = conn.QueryRowContext(ctx, "INSERT INTO services (name, created_at) VALUES (?, ?) RETURNING id", name, begin).Scan(&w.services[i])
		}
		if err != nil {
			return nil, fmt.Errorf("synth: service %s: %w", name, err)
		}
	}
	return w, nil
}

// close closes the prepared statements.
func (w *writer) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

// stmt returns the prepared INSERT of n rows of statement t.
func (w *writer) stmt(ctx context.Context, t, n int) (*sql.Stmt, error) {
	if st := w.stmts[[2]int{t, n}]; st != nil {
		return st, nil
	}
	q := statements[t]
	i := strings.LastIndex(q, "VALUES")
	row := strings.TrimSpace(q[i+len("VALUES"):])
	var b strings.Builder
	b.WriteString(q[:i+len("VALUES")])
	for k := range n {
		if k > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
	st, err := w.conn.PrepareContext(ctx, b.String())
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", strings.Fields(q)[2], err)
	}
	w.stmts[[2]int{t, n}] = st
	return st, nil
}

// writeBatch writes incidents in one transaction.
func (w *writer) writeBatch(ctx context.Context, incs []*incident) (err error) {
	for _, inc := range incs {
		w.add(inc)
	}
	if _, err := w.conn.ExecContext(ctx, "BEGIN"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_, _ = w.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	// Tables in statement order: parents before children.
	for t := range numStatements {
		args := w.rows[t]
		cols := strings.Count(statements[t], "?")
		for len(args) > 0 {
			n := min(len(args)/cols, chunk)
			st, err := w.stmt(ctx, t, n)
			if err != nil {
				return err
			}
			if _, err := st.ExecContext(ctx, args[:n*cols]...); err != nil {
				return fmt.Errorf("%s: %w", strings.Fields(statements[t])[2], err)
			}
			args = args[n*cols:]
		}
		clear(w.rows[t])
		w.rows[t] = w.rows[t][:0]
	}
	_, err = w.conn.ExecContext(ctx, "COMMIT")
	return err
}

func (w *writer) row(t int, args ...any) {
	w.rows[t] = append(w.rows[t], args...)
}

// add adds the rows of a numbered, rendered incident to the batch.
func (w *writer) add(inc *incident) {
	id, mi := inc.id, inc.doc.Incident
	w.row(insIncident, id, mi.Title, mi.Summary, mi.Impact, mi.Severity, string(mi.Status),
		mi.StartedAt, mi.DetectedAt, mi.AcknowledgedAt, mi.MitigatedAt, mi.ResolvedAt, mi.Version, mi.CreatedAt, mi.UpdatedAt)
	for _, k := range inc.services {
		w.row(insService, id, w.services[k])
	}
	for _, t := range inc.tags {
		w.row(insTag, id, t)
	}
	for _, r := range inc.roles {
		w.row(insRole, r.id, id, r.role, r.name, r.position)
	}
	for _, e := range inc.timeline {
		v := 1
		if e.before != "" {
			v = 2
		}
		w.row(insEntry, e.id, id, e.at, string(e.kind), e.body, e.evidence, e.author,
			e.learnedLater, v, e.created, e.updated)
		if e.before != "" {
			w.row(insEntryRev, e.id, 1, e.at, string(e.kind), e.before, e.evidence, e.author,
				e.learnedLater, e.updated)
		}
	}
	at := inc.analysisAt
	for k, f := range inc.factors {
		w.row(insFactor, f.id, id, f.title, f.desc, f.category, f.trigger, k, 1, at, at)
	}
	for _, n := range inc.whys {
		var parent, factor any
		if n.parent >= 0 {
			parent = inc.whys[n.parent].id
		}
		if n.factor >= 0 {
			factor = inc.factors[n.factor].id
		}
		w.row(insWhy, n.id, id, parent, factor, n.text, n.position, 1, at, at)
	}
	for _, a := range inc.actions {
		w.row(insAction, a.id, id, a.title, a.desc, a.owner, a.due.String(), string(a.typ),
			string(a.priority), string(a.status), a.closure, a.evidence, a.why, a.tracker, a.closed, a.version,
			a.created, a.updated)
		if a.factor >= 0 {
			w.row(insActionFactor, a.id, inc.factors[a.factor].id)
		}
		if a.whyNode >= 0 {
			w.row(insActionWhy, a.id, inc.whys[a.whyNode].id)
		}
	}
	pm := inc.pm
	if pm == nil {
		return
	}
	w.row(insPostmortem, id, string(pm.status), pm.facilitator, pm.version, pm.created, pm.updated)
	for _, s := range pm.sections {
		w.row(insSection, id, string(s.key), s.body, s.version, s.updated, s.updatedBy)
	}
	for _, p := range []struct {
		role  string
		names []string
	}{{"author", pm.authors}, {"reviewer", pm.reviewers}} {
		for k, name := range p.names {
			w.row(insPerson, id, p.role, name, k)
		}
	}
	for k, rev := range pm.rendered {
		w.row(insRevision, id, k+1, rev.markdown, rev.data, pm.revisions[k], pm.publishedBy)
	}
}
