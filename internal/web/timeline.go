package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// entryForm is what the quick-entry and entry edit forms post. At is
// typed by a person: now, -5m, 14:32 or a timestamp with offset.
type entryForm struct {
	At           string
	Kind         string
	Body         string
	EvidenceURL  string
	Author       string
	LearnedLater bool
	PinKind      bool // keep Kind for the next entry instead of going back to observation
	Version      int
}

func readEntryForm(c echo.Context) entryForm {
	f := entryForm{
		At: c.FormValue("at"), Kind: c.FormValue("kind"), Body: c.FormValue("body"),
		EvidenceURL: c.FormValue("evidence_url"), Author: c.FormValue("author"),
		LearnedLater: c.FormValue("learned_later") != "", PinKind: c.FormValue("pin_kind") != "",
	}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	if f.Kind == "" {
		f.Kind = string(model.KindObservation)
	}
	return f
}

func entryFormFrom(e *model.TimelineEntry) entryForm {
	return entryForm{
		At: model.FormatAttr(e.OccurredAt), Kind: string(e.Kind), Body: e.Body, EvidenceURL: e.EvidenceURL,
		Author: e.Author, LearnedLater: e.LearnedLater, Version: e.Version,
	}
}

// formErrors renames the model's field names to the form's.
func formErrors(fields map[string]string) map[string]string {
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		if k == "occurred_at" {
			k = "at"
		}
		out[k] = v
	}
	return out
}

// timelineRow is one line of the rendered timeline: an entry, or a date
// separator where the UTC date changes.
type timelineRow struct {
	Date   time.Time
	Entry  *model.TimelineEntry
	Change *model.Change // the change lane, interleaved by time
}

func (r timelineRow) at() time.Time {
	if r.Change != nil {
		return r.Change.StartedAt
	}
	return r.Entry.OccurredAt
}

// timelineRows lays entries (in timeline order) and the change lane
// (oldest first) out together by time, oldest first or newest first, with
// a date separator above each UTC day's rows. An entry goes before a
// change at the same instant.
func timelineRows(entries []model.TimelineEntry, lane []model.Change, newestFirst bool) []timelineRow {
	merged := make([]timelineRow, 0, len(entries)+len(lane))
	i, j := 0, 0
	for i < len(entries) || j < len(lane) {
		if j == len(lane) || (i < len(entries) && !entries[i].OccurredAt.After(lane[j].StartedAt)) {
			merged = append(merged, timelineRow{Entry: &entries[i]})
			i++
		} else {
			merged = append(merged, timelineRow{Change: &lane[j]})
			j++
		}
	}
	rows := make([]timelineRow, 0, len(merged)+4)
	var last string
	for n := range merged {
		k := n
		if newestFirst {
			k = len(merged) - 1 - n
		}
		at := merged[k].at().UTC()
		if day := at.Format(time.DateOnly); day != last {
			rows = append(rows, timelineRow{Date: at.Truncate(24 * time.Hour)})
			last = day
		}
		rows = append(rows, merged[k])
	}
	return rows
}

// pageSuspects is how many suspect changes the incident page lists.
const pageSuspects = 10

type incidentPage struct {
	Incident     *model.Incident
	Severity     model.Severity
	Durations    []model.DurationFact
	Transitions  []model.Status
	Rows         []timelineRow
	EntryCount   int
	Entry        entryForm
	Errors       map[string]string
	Focus        bool
	People       []string
	Analysis     *analysisPage
	Postmortem   pmBadge
	Similar      *similarPanel // on the full page only
	LastEventID  int64         // the live stream starts after it
	Order        string        // "newest" or "oldest" first
	Saved        *model.TimelineEntry
	Conflict     string // why a save was refused, and what changed meanwhile
	ShowChanges  bool   // the change lane is shown in the timeline (?changes=hide hides it)
	LaneCount    int    // changes in the lane
	Suspects     []model.SuspectChange
	MoreSuspects bool // more than the page lists
	Linked       []model.ChangeLink
	ChatTokens   []model.ChatToken // the generic chat webhook's tokens (editors only)
	// TimelineHTML is the rendered timeline, shared by every viewer of
	// the same incident state (timelineCache); empty: render Rows.
	TimelineHTML template.HTML
}

// cacheTimeline renders the page's timeline into the shared cache and
// has the page use it.
func (p *incidentPage) cacheTimeline(s *Server, c echo.Context, key timelineKey) {
	var b bytes.Buffer
	if err := s.pages.Render(&b, "incident#timeline", s.pageData(c, p), c); err != nil {
		return // the page renders it itself, and reports the error
	}
	p.TimelineHTML = template.HTML(b.String()) //nolint:gosec // our own template's output
	s.timelines.put(key, p.TimelineHTML)
}

// IsSaved reports whether entry id is the one just saved (marked new).
func (p *incidentPage) IsSaved(id int64) bool { return p.Saved != nil && p.Saved.ID == id }

// timelineOrder is the order the timeline is shown in: ?order= if given,
// else newest first while the incident is open (the latest entries stay
// on screen under the entry box) and oldest first once it is resolved.
func timelineOrder(c echo.Context, inc *model.Incident) string {
	switch o := c.QueryParam("order"); o {
	case "newest", "oldest":
		return o
	}
	if inc.Status == model.StatusResolved {
		return "oldest"
	}
	return "newest"
}

// incidentPageData loads what the incident page shows. Unless the caller
// needs the timeline's rows (rows: to mark an entry just saved), the
// timeline may come rendered from the shared cache.
func (s *Server) incidentPageData(c echo.Context, id int64, rows bool) (*incidentPage, error) {
	// Not cancellable: the SQLite driver starts a goroutine per row for a
	// query whose context can be cancelled, which costs more than these
	// short reads of one incident (issue 22 fixes this for every read).
	ctx := context.WithoutCancel(c.Request().Context())
	// Read the event log's position first: whatever changes after it
	// reaches the page through its stream, even if the page shows it too.
	lastEvent, err := s.store.LastEventID(ctx, id)
	if err != nil {
		return nil, err
	}
	inc, err := s.store.Incident(ctx, id)
	if err != nil {
		return nil, err
	}
	order := timelineOrder(c, inc)
	p := &incidentPage{
		Incident: inc, Durations: inc.Durations(),
		Entry:       entryForm{Kind: string(model.KindObservation), Author: defaultAuthor(c)},
		LastEventID: lastEvent, Order: order,
	}
	// The timeline is the bulk of the page and the same for every viewer
	// with the same role until the next event: render it once per state.
	// The change lane is part of it: its state (one aggregate) is in the
	// key, its rows are read only to render.
	p.ShowChanges = c.QueryParam("changes") != "hide"
	n, laneState, err := s.store.LaneState(ctx, inc)
	if err != nil {
		return nil, err
	}
	p.LaneCount = n
	if !p.ShowChanges {
		laneState = "hidden"
	}
	key := timelineKey{incident: id, lastEvent: lastEvent, order: order, edit: currentUser(c).Role.Allows(model.RoleEditor),
		changes: laneState}
	if html, ok := s.timelines.get(key); ok && !rows && lastEvent > 0 {
		p.TimelineHTML = html
	} else {
		entries, err := s.store.Timeline(ctx, id)
		if err != nil {
			return nil, err
		}
		var lane []model.Change
		if p.ShowChanges && n > 0 {
			if lane, err = s.store.ChangesAround(ctx, inc); err != nil {
				return nil, err
			}
		}
		p.Rows, p.EntryCount = timelineRows(entries, lane, order == "newest"), len(entries)
		if lastEvent > 0 && !rows {
			defer func() { p.cacheTimeline(s, c, key) }()
		}
	}
	sevs, err := s.store.Severities(ctx)
	if err != nil {
		return nil, err
	}
	for _, sv := range sevs {
		if sv.Name == inc.Severity {
			p.Severity = sv
		}
	}
	if p.People, err = s.people(c); err != nil {
		return nil, err
	}
	if p.Analysis, err = s.loadAnalysis(ctx, inc); err != nil {
		return nil, err
	}
	badges, err := s.pmBadges(c.Request().Context(), []model.Incident{*inc})
	if err != nil {
		return nil, err
	}
	p.Postmortem = badges[inc.ID]
	p.Transitions = transitions(inc.Status)
	// The page lists the ten nearest suspects (?suspects=all: up to the
	// API's fifty).
	limit := pageSuspects
	if c.QueryParam("suspects") == "all" {
		limit = store.MaxSuspects
	}
	if p.Suspects, err = s.store.SuspectChanges(ctx, inc, model.DefaultSuspectWindow, limit+1); err != nil {
		return nil, err
	}
	if len(p.Suspects) > limit {
		p.Suspects, p.MoreSuspects = p.Suspects[:limit], true
	}
	if p.Linked, err = s.store.IncidentChanges(ctx, id); err != nil {
		return nil, err
	}
	if currentUser(c).Role.Allows(model.RoleEditor) {
		if p.ChatTokens, err = s.store.ChatTokens(ctx, id); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// defaultAuthor is who an entry is by unless the scribe types another name
// (a scribe often records what someone else did or said).
func defaultAuthor(c echo.Context) string {
	if u := currentUser(c); u != nil {
		return u.Name
	}
	return ""
}

func isHTMX(c echo.Context) bool { return c.Request().Header.Get("HX-Request") == "true" }

// timelineAppend adds an entry from the quick-entry box. With htmx it
// answers with the new timeline (or the form with its errors); without,
// it redirects back to the page, which puts focus back in the box.
func (s *Server) timelineAppend(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	f := readEntryForm(c)
	e := &model.TimelineEntry{
		IncidentID: id, Kind: model.EntryKind(f.Kind), Body: f.Body, EvidenceURL: f.EvidenceURL,
		Author: f.Author, LearnedLater: f.LearnedLater,
	}
	e.OccurredAt, err = model.ParseQuickTime(f.At, s.now())
	if err != nil {
		err = model.FieldError("at", err.Error())
	} else {
		err = s.store.AppendTimeline(ctx, e)
	}
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		data, derr := s.incidentPageData(c, id, false)
		if derr != nil {
			return derr
		}
		data.Entry, data.Errors, data.Focus = f, formErrors(ve.Fields), true
		if isHTMX(c) {
			c.Response().Header().Set("HX-Retarget", "#quick-entry")
			c.Response().Header().Set("HX-Reswap", "outerHTML")
			return c.Render(http.StatusUnprocessableEntity, "incident#quick_entry", s.pageData(c, data))
		}
		return c.Render(http.StatusUnprocessableEntity, "incident", s.pageData(c, data))
	}
	if err != nil {
		return err
	}
	if isHTMX(c) {
		data, err := s.incidentPageData(c, id, true)
		if err != nil {
			return err
		}
		data.Saved = e // confirmed in place, and marked new
		return c.Render(http.StatusOK, "incident#timeline", s.pageData(c, data))
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/incidents/%d?added=%d#quick-entry", id, e.ID))
}

type entryEditPage struct {
	Incident *model.Incident
	Entry    *model.TimelineEntry
	Form     entryForm
	Errors   map[string]string
	Conflict string
}

func (s *Server) entryPage(c echo.Context) (*entryEditPage, error) {
	id, entryID, err := entryPath(c)
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	inc, err := s.store.Incident(ctx, id)
	if err != nil {
		return nil, err
	}
	e, err := s.store.TimelineEntry(ctx, id, entryID)
	if err != nil {
		return nil, err
	}
	return &entryEditPage{Incident: inc, Entry: e, Form: entryFormFrom(e)}, nil
}

func (s *Server) timelineEdit(c echo.Context) error {
	data, err := s.entryPage(c)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "entry_edit", s.pageData(c, data))
}

func (s *Server) timelineUpdate(c echo.Context) error {
	data, err := s.entryPage(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	f := readEntryForm(c)
	p := model.EntryPatch{Body: &f.Body, EvidenceURL: &f.EvidenceURL, Author: &f.Author, LearnedLater: &f.LearnedLater, Version: f.Version}
	kind := model.EntryKind(f.Kind)
	p.Kind = &kind
	if strings.TrimSpace(f.At) == "" {
		err = model.FieldError("at", "is required")
	} else if at, perr := model.ParseQuickTime(f.At, s.now()); perr != nil {
		err = model.FieldError("at", perr.Error())
	} else {
		p.OccurredAt = &at
		_, err = s.store.UpdateTimelineEntry(c.Request().Context(), data.Incident.ID, data.Entry.ID, p)
	}
	if err == nil {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/incidents/%d#entry-%d", data.Incident.ID, data.Entry.ID))
	}
	return s.rerender(c, err, "entry_edit", func(fields map[string]string, ce *model.ConflictError) any {
		if ce == nil {
			data.Form, data.Errors = f, formErrors(fields)
			return data
		}
		if cur, ok := ce.Current.(*model.TimelineEntry); ok {
			data.Entry = cur
			f.Version = cur.Version
		}
		data.Form, data.Conflict = f, ce.Error()
		return data
	})
}

func (s *Server) timelineDelete(c echo.Context) error {
	data, err := s.entryPage(c)
	if err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	err = s.store.DeleteTimelineEntry(c.Request().Context(), data.Incident.ID, data.Entry.ID, version)
	var ce *model.ConflictError
	if errors.As(err, &ce) {
		// Edited since the page was loaded: show the entry as it is now and
		// let them decide again.
		who, _ := s.changedBy(c.Request().Context(), data.Incident.ID, "timeline_entry", data.Entry.ID)
		data.Conflict = ce.Error() + ". Not deleted. " + who + "; it is shown below as it is now."
		data.Form = entryFormFrom(data.Entry)
		return c.Render(http.StatusConflict, "entry_edit", s.pageData(c, data))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/incidents/%d#timeline", data.Incident.ID))
}

type timePreview struct {
	Empty bool
	Time  time.Time
	Error string
}

// timePreview shows what the time box will resolve to, before saving.
func (s *Server) timePreview(c echo.Context) error {
	raw := c.QueryParam("at")
	var p timePreview
	if strings.TrimSpace(raw) == "" || strings.EqualFold(strings.TrimSpace(raw), "now") {
		p.Empty = true
	}
	t, err := model.ParseQuickTime(raw, s.now())
	if err != nil {
		p.Error = err.Error()
	}
	p.Time = t
	return c.Render(http.StatusOK, "incident#time_preview", p)
}

// entryRequest is the JSON body of timeline POST and PATCH.
type entryRequest struct {
	OccurredAt   optTime `json:"occurred_at"`
	Kind         *string `json:"kind"`
	Body         *string `json:"body"`
	EvidenceURL  *string `json:"evidence_url"`
	Author       *string `json:"author"`
	LearnedLater *bool   `json:"learned_later"`
	Version      *int    `json:"version"`
}

func (s *Server) apiTimelineList(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	entries, err := s.store.Timeline(c.Request().Context(), id)
	if err != nil {
		return err
	}
	out := make([]entryJSON, len(entries))
	for i := range entries {
		out[i] = entryToJSON(&entries[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": out})
}

func (s *Server) apiTimelineAppend(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req entryRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	now := s.now()
	v := model.NewValidationError()
	e := &model.TimelineEntry{IncidentID: id, OccurredAt: now, Kind: model.KindObservation, Author: defaultAuthor(c)}
	if req.OccurredAt.Set {
		if t, ok := req.OccurredAt.parse(v, "occurred_at", now); ok && t != nil {
			e.OccurredAt = *t
		}
	}
	if req.Kind != nil {
		e.Kind = model.EntryKind(*req.Kind)
	}
	if req.Body != nil {
		e.Body = *req.Body
	}
	if req.EvidenceURL != nil {
		e.EvidenceURL = *req.EvidenceURL
	}
	if req.Author != nil {
		e.Author = *req.Author
	}
	if req.LearnedLater != nil {
		e.LearnedLater = *req.LearnedLater
	}
	if err := v.Err(); err != nil {
		if !v.Merge(e.Validate(now)) {
			return err
		}
		return v
	}
	if err := s.store.AppendTimeline(c.Request().Context(), e); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/incidents/%d/timeline/%d", id, e.ID))
	return c.JSON(http.StatusCreated, entryToJSON(e))
}

func (s *Server) apiTimelineShow(c echo.Context) error {
	id, entryID, err := entryPath(c)
	if err != nil {
		return err
	}
	e, err := s.store.TimelineEntry(c.Request().Context(), id, entryID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, entryToJSON(e))
}

func (s *Server) apiTimelineUpdate(c echo.Context) error {
	id, entryID, err := entryPath(c)
	if err != nil {
		return err
	}
	var req entryRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v := model.NewValidationError()
	p := model.EntryPatch{Body: req.Body, EvidenceURL: req.EvidenceURL, Author: req.Author, LearnedLater: req.LearnedLater}
	if req.Kind != nil {
		k := model.EntryKind(*req.Kind)
		p.Kind = &k
	}
	if req.OccurredAt.Set {
		t, ok := req.OccurredAt.parse(v, "occurred_at", s.now())
		if ok && t == nil {
			v.Add("occurred_at", "cannot be null")
		}
		p.OccurredAt = t
	}
	p.Version = recordVersion(v, req.Version)
	if err := v.Err(); err != nil {
		return err
	}
	e, err := s.store.UpdateTimelineEntry(c.Request().Context(), id, entryID, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, entryToJSON(e))
}

// apiTimelineDelete deletes an entry; ?version=N makes the delete refuse
// (409) an entry changed since it was read.
func (s *Server) apiTimelineDelete(c echo.Context) error {
	id, entryID, err := entryPath(c)
	if err != nil {
		return err
	}
	version, err := queryVersion(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteTimelineEntry(c.Request().Context(), id, entryID, version); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// entryPath reads the incident and entry ids of a timeline entry route.
func entryPath(c echo.Context) (id, entryID int64, err error) { return subPath(c, "entryID") }

func contextWithTimeout(c echo.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Request().Context(), d)
}
