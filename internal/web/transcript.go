package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
	"github.com/debrief-dev/debrief/internal/transcript"
)

// MaxTranscriptBytes is the largest transcript paste or upload (413
// beyond): a long incident's Slack export is several megabytes.
const MaxTranscriptBytes = 8 << 20

// transcriptInput is what the paste form and the API send to read a
// transcript.
type transcriptInput struct {
	Text     string `json:"text"`
	Format   string `json:"format"`
	Timezone string `json:"timezone"`
	Date     string `json:"date"`
}

// options checks the input's settings: a zone by its IANA name (default
// UTC), an optional YYYY-MM-DD date, a known format.
func (in transcriptInput) options(now time.Time) (transcript.Options, error) {
	v := model.NewValidationError()
	opt := transcript.Options{Format: strings.TrimSpace(in.Format), Now: now}
	if opt.Format == "" {
		opt.Format = transcript.FormatAuto
	}
	zone := strings.TrimSpace(in.Timezone)
	if zone == "" {
		zone = "UTC"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" || len(zone) > 64 {
		v.Add("timezone", fmt.Sprintf("unknown time zone %q; use an IANA name such as Europe/Berlin or America/New_York", clipText(zone, 64)))
	}
	opt.Location = loc
	if d := strings.TrimSpace(in.Date); d != "" {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			v.Add("date", "must be a date as YYYY-MM-DD")
		}
		opt.Date = t
	}
	return opt, v.Err()
}

func clipText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// previewEntry is one message of a preview, as the API shows it.
type previewEntry struct {
	OccurredAt string `json:"occurred_at"`
	Author     string `json:"author"`
	Body       string `json:"body"`
	Kind       string `json:"kind"`
	Line       int    `json:"line"`
	Ambiguous  bool   `json:"ambiguous,omitempty"`
	Note       string `json:"note,omitempty"`
	Duplicate  bool   `json:"duplicate,omitempty"` // already on the timeline: adding skips it

	At time.Time `json:"-"` // OccurredAt for the page's <time> tag
}

type skippedLine struct {
	Line   int    `json:"line"`
	Text   string `json:"text"`
	Reason string `json:"reason"`
}

type transcriptPreview struct {
	Format  string         `json:"format"`
	Entries []previewEntry `json:"entries"`
	Skipped []skippedLine  `json:"skipped"`
}

// readTranscript parses a transcript and marks what the incident's
// timeline already holds.
func (s *Server) readTranscript(c echo.Context, id int64, in transcriptInput) (*transcriptPreview, []model.TimelineEntry, error) {
	opt, err := in.options(s.now())
	if err != nil {
		return nil, nil, err
	}
	res, err := transcript.Parse(in.Text, opt)
	if err != nil {
		return nil, nil, err
	}
	entries := make([]model.TimelineEntry, len(res.Entries))
	out := &transcriptPreview{Format: res.Format, Entries: make([]previewEntry, len(res.Entries)), Skipped: make([]skippedLine, len(res.Skipped))}
	for i, e := range res.Entries {
		entries[i] = model.TimelineEntry{IncidentID: id, OccurredAt: e.OccurredAt.UTC().Truncate(time.Millisecond),
			Kind: model.EntryKind(e.Kind), Body: e.Body, Author: e.Author}
		out.Entries[i] = previewEntry{OccurredAt: model.FormatAPI(entries[i].OccurredAt), Author: e.Author, Body: e.Body,
			Kind: e.Kind, Line: e.Line, Ambiguous: e.Ambiguous, Note: e.Note, At: entries[i].OccurredAt}
	}
	for i, sk := range res.Skipped {
		out.Skipped[i] = skippedLine{Line: sk.Line, Text: sk.Text, Reason: sk.Reason}
	}
	dups, err := s.store.DuplicateEntries(c.Request().Context(), id, entries)
	if err != nil {
		return nil, nil, err
	}
	for _, i := range dups {
		out.Entries[i].Duplicate = true
	}
	return out, entries, nil
}

// transcriptRequest is the body of POST /api/v1/incidents/{id}/transcript.
type transcriptRequest struct {
	transcriptInput
	Commit  bool                 `json:"commit"`
	Entries *[]transcriptEntryIn `json:"entries"`
}

// transcriptEntryIn is one entry of an edited preview sent back to add.
type transcriptEntryIn struct {
	OccurredAt   string `json:"occurred_at"`
	Author       string `json:"author"`
	Body         string `json:"body"`
	Kind         string `json:"kind"`
	LearnedLater bool   `json:"learned_later"`
}

// apiTranscript is POST /api/v1/incidents/{id}/transcript: without commit
// a preview that writes nothing; with commit the same input (or the edited
// preview's entries) added in one transaction → 201 with the new ids.
func (s *Server) apiTranscript(c echo.Context) error {
	inc, err := s.pathIncident(c)
	if err != nil {
		return err
	}
	id := inc.ID
	var req transcriptRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var entries []model.TimelineEntry
	switch {
	case req.Entries != nil:
		if !req.Commit {
			return model.FieldError("commit", "must be true when entries are sent")
		}
		if entries, err = entriesFromJSON(*req.Entries); err != nil {
			return err
		}
	default:
		preview, parsed, err := s.readTranscript(c, id, req.transcriptInput)
		if err != nil {
			return err
		}
		if !req.Commit {
			return c.JSON(http.StatusOK, preview)
		}
		entries = parsed
	}
	created, dups, err := s.store.AppendTimelineBatch(c.Request().Context(), id, entries)
	if err != nil {
		return err
	}
	if created == nil {
		created = []int64{}
	}
	return c.JSON(http.StatusCreated, map[string]any{"created": created, "duplicates": len(dups)})
}

func entriesFromJSON(in []transcriptEntryIn) ([]model.TimelineEntry, error) {
	if len(in) > store.MaxBatchEntries {
		return nil, model.FieldError("entries", fmt.Sprintf("at most %d at once", store.MaxBatchEntries))
	}
	v := model.NewValidationError()
	out := make([]model.TimelineEntry, len(in))
	for i, e := range in {
		at, err := model.ParseTimestamp(e.OccurredAt)
		if err != nil {
			v.Add(fmt.Sprintf("entries[%d].occurred_at", i), err.Error())
		}
		kind := e.Kind
		if kind == "" {
			kind = string(model.KindObservation)
		}
		out[i] = model.TimelineEntry{OccurredAt: at, Author: e.Author, Body: e.Body, Kind: model.EntryKind(kind), LearnedLater: e.LearnedLater}
	}
	return out, v.Err()
}

// transcriptPage is the "Paste chat" page: the form, and after a preview
// the rows to keep, edit or drop before adding them.
type transcriptPage struct {
	Incident *model.Incident
	Input    transcriptInput
	Preview  *transcriptPreview
	Errors   map[string]string
	Formats  []string
}

// Kept is how many rows of the preview are ticked to be added (those not
// already on the timeline).
func (p transcriptPage) Kept() int {
	n := 0
	if p.Preview != nil {
		for _, e := range p.Preview.Entries {
			if !e.Duplicate {
				n++
			}
		}
	}
	return n
}

func (s *Server) transcriptForm(c echo.Context) error {
	inc, err := s.pathIncident(c)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "transcript", s.pageData(c, transcriptPage{Incident: inc, Formats: transcript.Formats,
		Input: transcriptInput{Format: transcript.FormatAuto, Timezone: "UTC"}}))
}

// transcriptPost previews a pasted transcript (action=preview) or adds the
// rows the user kept (action=add).
func (s *Server) transcriptPost(c echo.Context) error {
	inc, err := s.pathIncident(c)
	if err != nil {
		return err
	}
	ctx, id := c.Request().Context(), inc.ID
	if err := parseForm(c); err != nil {
		return err
	}
	data := transcriptPage{Incident: inc, Formats: transcript.Formats, Input: transcriptInput{
		Text: c.FormValue("text"), Format: c.FormValue("format"), Timezone: c.FormValue("timezone"), Date: c.FormValue("date"),
	}}
	var ve *model.ValidationError
	if c.FormValue("action") == "add" {
		entries, rows, err := keptRows(c)
		if err == nil {
			_, _, err = s.store.AppendTimelineBatch(ctx, id, entries)
			err = rowErrors(err, rows)
		}
		if err == nil {
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/incidents/%d#timeline", id))
		}
		if !errors.As(err, &ve) {
			return err
		}
		// Show the rows again, with the reasons.
	}
	preview, _, err := s.readTranscript(c, id, data.Input)
	switch {
	case errors.As(err, &ve):
		data.Errors = ve.Fields
		return c.Render(http.StatusUnprocessableEntity, "transcript", s.pageData(c, data))
	case err != nil:
		return err
	}
	data.Preview = preview
	status := http.StatusOK
	if ve != nil {
		data.Errors, status = ve.Fields, http.StatusUnprocessableEntity
	}
	return c.Render(status, "transcript", s.pageData(c, data))
}

// keptRows reads the preview table's rows that are still ticked "keep",
// with what the user edited (kind, text, learned later).
// It also returns each entry's row number in the table (from 1).
func keptRows(c echo.Context) ([]model.TimelineEntry, []int, error) {
	n, err := strconv.Atoi(c.FormValue("rows"))
	if err != nil || n < 0 || n > store.MaxBatchEntries {
		return nil, nil, model.FieldError("rows", "is missing or too large; preview the transcript again")
	}
	v := model.NewValidationError()
	var (
		out  []model.TimelineEntry
		rows []int
	)
	for i := range n {
		f := func(name string) string { return c.FormValue(fmt.Sprintf("%s_%d", name, i)) }
		if f("keep") == "" {
			continue
		}
		at, err := model.ParseTimestamp(f("occurred_at"))
		if err != nil {
			v.Add(fmt.Sprintf("row %d time", i+1), err.Error())
		}
		out = append(out, model.TimelineEntry{OccurredAt: at, Author: f("author"), Body: f("body"),
			Kind: model.EntryKind(f("kind")), LearnedLater: f("learned_later") != ""})
		rows = append(rows, i+1)
	}
	if len(out) == 0 && v.Err() == nil {
		return nil, nil, model.FieldError("rows", "no row is kept: nothing to add")
	}
	return out, rows, v.Err()
}

// rowErrors names a batch's field errors ("entries[2].body") by the rows
// of the table the person sees ("row 5 body").
func rowErrors(err error, rows []int) error {
	var ve *model.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := model.NewValidationError()
	for key, msg := range ve.Fields {
		var i int
		var field string
		if n, _ := fmt.Sscanf(key, "entries[%d].", &i); n == 1 && i >= 0 && i < len(rows) {
			field = key[strings.Index(key, "].")+2:]
			if field == "body" {
				field = "text"
			}
			out.Add(fmt.Sprintf("row %d %s", rows[i], field), msg)
			continue
		}
		out.Add(key, msg)
	}
	return out.Err()
}
