package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aymanbagabas/go-udiff"
	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/postmortem"
	"github.com/debrief-dev/debrief/internal/store"
)

// The postmortem pages: the document as people read and print it, the
// editor with its review workflow, the revisions and their diffs, and the
// Markdown export.

// postmortemPage is the reading view of a postmortem.
type postmortemPage struct {
	*postmortemView
	Incident  *model.Incident
	HTML      template.HTML
	Revision  *model.PostmortemRevision // the revision shown; nil for the draft
	Revisions []model.PostmortemRevision
	Draft     bool // showing the current draft
	Similar   *similarPanel
}

// stripFrontMatter drops the YAML front matter from an export, for the
// HTML view (the same facts are in the page header).
func stripFrontMatter(md []byte) []byte {
	if !bytes.HasPrefix(md, []byte("---\n")) {
		return md
	}
	if i := bytes.Index(md[4:], []byte("\n---\n")); i >= 0 {
		return md[4+i+5:]
	}
	return md
}

// exportMarkdown is the Markdown of the postmortem: the latest published
// revision, revision N, or the current draft.
func (s *Server) exportMarkdown(c echo.Context, v *postmortemView, revision int, draft bool) ([]byte, *model.PostmortemRevision, error) {
	id := v.Doc.Incident.ID
	if draft {
		return postmortem.Render(v.Doc, postmortem.Options{BaseURL: s.baseURL(c)}), nil, nil
	}
	if revision == 0 {
		revision = v.Doc.Postmortem.Revisions
	}
	if revision == 0 {
		return nil, nil, &notPublished{id: id}
	}
	rev, err := s.store.Revision(c.Request().Context(), id, revision)
	if err != nil {
		return nil, nil, err
	}
	return s.revisionMarkdown(c, rev), rev, nil
}

// notPublished is the 404 of a postmortem export before its first publish.
type notPublished struct{ id int64 }

func (e *notPublished) Error() string { return "not published yet" }

func (e *notPublished) Unwrap() error { return model.ErrNotFound }

// exportQuery reads ?revision=N and ?draft=1.
func exportQuery(c echo.Context) (revision int, draft bool, err error) {
	draft = c.QueryParam("draft") == "1" || c.QueryParam("draft") == "true"
	if raw := c.QueryParam("revision"); raw != "" {
		if revision, err = strconv.Atoi(raw); err != nil || revision < 1 {
			return 0, false, model.FieldError("revision", "must be a revision number from 1")
		}
	}
	return revision, draft, nil
}

// exportRequest reads the incident, ?revision=N and ?draft=1 of a reading
// view or an export, and loads the postmortem.
func (s *Server) exportRequest(c echo.Context) (*postmortemView, int, bool, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, 0, false, err
	}
	revision, draft, err := exportQuery(c)
	if err != nil {
		return nil, 0, false, err
	}
	v, err := s.postmortemView(c, id)
	return v, revision, draft, err
}

// postmortemShow renders the postmortem for reading, projecting and
// printing: the same content as the Markdown export.
func (s *Server) postmortemShow(c echo.Context) error {
	v, revision, draft, err := s.exportRequest(c)
	if err != nil {
		return err
	}
	id := v.Doc.Incident.ID
	if v.Doc.Postmortem.Revisions == 0 && revision == 0 {
		draft = true // nothing published yet: the draft is all there is
	}
	md, rev, err := s.exportMarkdown(c, v, revision, draft)
	if err != nil {
		return err
	}
	revs, err := s.store.Revisions(c.Request().Context(), id)
	if err != nil {
		return err
	}
	page := postmortemPage{postmortemView: v, Incident: v.Doc.Incident, Revision: rev, Revisions: revs, Draft: draft,
		HTML: s.markdown(string(stripFrontMatter(md)))}
	if page.Similar, err = s.similarPanel(c, id); err != nil {
		return err
	}
	return c.Render(http.StatusOK, "postmortem", s.pageData(c, page))
}

// postmortemMarkdown serves the export: GET /incidents/{id}/postmortem.md
// (latest published; ?revision=N; ?draft=1).
func (s *Server) postmortemMarkdown(c echo.Context) error {
	v, revision, draft, err := s.exportRequest(c)
	if err != nil {
		return err
	}
	md, _, err := s.exportMarkdown(c, v, revision, draft)
	var np *notPublished
	if errors.As(err, &np) {
		return echo.NewHTTPError(http.StatusNotFound, "this postmortem is not published yet; add ?draft=1 for the current draft")
	}
	if err != nil {
		return err
	}
	name := postmortem.FileName(v.Doc.Incident)
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`inline; filename="%s"`, name))
	return c.Blob(http.StatusOK, "text/markdown; charset=utf-8", md)
}

// postmortemEditPage is the editor: sections, people, findings, workflow.
type postmortemEditPage struct {
	*postmortemView
	Incident *model.Incident
	People   []string
	Errors   map[string]string
	// Clash is a section two people saved at once: both texts.
	Clash *store.SectionConflict
	// Unsaved is the text of a section that was refused, with the version
	// it was based on, shown again so that nothing typed is lost.
	Unsaved map[model.SectionKey]*store.SectionEdit
	Notice  string
	Failed  bool // the notice says why a change was refused
	// Sections is every narrative section as the one-form editor shows it.
	Sections map[model.SectionKey]*sectionEditor
}

func (s *Server) postmortemEditData(c echo.Context) (*postmortemEditPage, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	v, err := s.postmortemView(c, id)
	if err != nil {
		return nil, err
	}
	people, err := s.people(c)
	if err != nil {
		return nil, err
	}
	return &postmortemEditPage{postmortemView: v, Incident: v.Doc.Incident, People: people, Notice: c.QueryParam("notice"),
		Sections: editorSections(v.Doc.Postmortem, nil)}, nil
}

func (s *Server) postmortemEdit(c echo.Context) error {
	data, err := s.postmortemEditData(c)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "postmortem_edit", s.pageData(c, data))
}

// postmortemFail re-renders the editor for an error it can show: a
// validation error beside the fields (with the text that was refused), a
// clash with both texts, the publish gate's reasons. Other errors go to
// the error handler.
func (s *Server) postmortemFail(c echo.Context, err error, unsaved map[model.SectionKey]*store.SectionEdit) error {
	var (
		ve *model.ValidationError
		ce *model.ConflictError
		ge *model.GateError
	)
	var (
		status int
		fields map[string]string
	)
	switch {
	case errors.As(err, &ve):
		status, fields = http.StatusUnprocessableEntity, ve.Fields
	case errors.As(err, &ge):
		status = http.StatusUnprocessableEntity
	case errors.As(err, &ce):
		status = http.StatusConflict
	default:
		return err
	}
	data, derr := s.postmortemEditData(c)
	if derr != nil {
		return derr
	}
	data.Errors, data.Failed = fields, true
	// The editor shows what was refused, and both texts of a clash.
	res := &postmortem.SaveResult{Invalid: map[model.SectionKey]string{}, Unsaved: map[model.SectionKey]postmortem.SectionSave{}}
	if ve != nil {
		data.Unsaved = unsaved
		for k, u := range unsaved {
			res.Unsaved[k] = postmortem.SectionSave{Key: k, Body: u.Body, Version: u.Version}
			res.Invalid[k] = fields["sections."+string(k)]
		}
	}
	if ce != nil {
		if pc, ok := ce.Current.(*store.PostmortemConflict); ok && len(pc.Sections) > 0 {
			data.Clash = &pc.Sections[0]
			res.Clashes = pc.Sections
			for _, cl := range pc.Sections {
				res.Unsaved[cl.Key] = postmortem.SectionSave{Key: cl.Key, Body: cl.Yours}
			}
		}
		data.Notice = ce.Error()
	}
	data.Sections = editorSections(data.Doc.Postmortem, res)
	if ge != nil {
		data.Gate, data.Notice = ge.Reasons, ge.Message
	}
	return c.Render(status, "postmortem_edit", s.pageData(c, data))
}

func (s *Server) redirectEdit(c echo.Context, id int64, notice, anchor string) error {
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/incidents/%d/postmortem/edit?notice=%s%s", id, url.QueryEscape(notice), anchor))
}

// postmortemSection saves one narrative section from the editor.
func (s *Server) postmortemSection(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	key := model.SectionKey(c.Param("key"))
	sec, ok := model.SectionByKey(string(key))
	if !ok {
		return model.ErrNotFound
	}
	if err := parseForm(c); err != nil {
		return err
	}
	version, err := strconv.Atoi(c.FormValue("version"))
	if err != nil || version < 0 {
		return model.FieldError("version", "is required; reload the page and try again")
	}
	sent := store.SectionEdit{Body: c.FormValue("body"), Version: version}
	edit := store.PostmortemEdit{Sections: map[model.SectionKey]store.SectionEdit{key: sent}}
	if _, err := s.store.SavePostmortem(c.Request().Context(), id, edit); err != nil {
		return s.postmortemFail(c, err, map[model.SectionKey]*store.SectionEdit{key: &sent})
	}
	return s.redirectEdit(c, id, "Saved "+sec.Title, "#section-"+string(key))
}

// postmortemPeople saves the facilitator, authors and reviewers.
func (s *Server) postmortemPeople(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	version, err := formVersionOrZero(c)
	if err != nil {
		return err
	}
	pp := &model.PostmortemPeople{
		Facilitator: c.FormValue("facilitator"), Authors: model.SplitList(c.FormValue("authors")),
		Reviewers: model.SplitList(c.FormValue("reviewers")), Version: version,
	}
	if _, err := s.store.SavePostmortem(c.Request().Context(), id, store.PostmortemEdit{People: pp}); err != nil {
		return s.postmortemFail(c, err, nil)
	}
	return s.redirectEdit(c, id, "Saved the people", "#people")
}

// formVersionOrZero reads the version of a form that may act on a
// postmortem not stored yet (version 0).
func formVersionOrZero(c echo.Context) (int, error) {
	if err := parseForm(c); err != nil {
		return 0, err
	}
	v, err := strconv.Atoi(c.FormValue("version"))
	if err != nil || v < 0 {
		return 0, model.FieldError("version", "is required; reload the page and try again")
	}
	return v, nil
}

// postmortemStatus submits a draft for review, takes it back to draft, or
// starts the next draft of a published postmortem.
func (s *Server) postmortemStatus(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	version, err := formVersionOrZero(c)
	if err != nil {
		return err
	}
	to := model.PostmortemStatus(c.FormValue("status"))
	if _, err := s.store.SetPostmortemStatus(c.Request().Context(), id, to, version); err != nil {
		return s.postmortemFail(c, err, nil)
	}
	return s.redirectEdit(c, id, "Moved to "+to.Label(), "")
}

// postmortemPublish publishes the next revision, or shows every reason it
// cannot yet.
func (s *Server) postmortemPublish(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	version, err := formVersionOrZero(c)
	if err != nil {
		return err
	}
	rev, err := postmortem.Publish(c.Request().Context(), s.store, id, version, s.publishOptions())
	if err != nil {
		return s.postmortemFail(c, err, nil)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/incidents/%d/postmortem?revision=%d", id, rev.Number))
}

// postmortemAcknowledge keeps a finding, with the reason.
func (s *Server) postmortemAcknowledge(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	ack := &model.LintAck{IncidentID: id, Fingerprint: c.FormValue("fingerprint"), Reason: c.FormValue("reason")}
	if err := s.acknowledge(c, ack); err != nil {
		return s.postmortemFail(c, err, nil)
	}
	return s.redirectEdit(c, id, "Acknowledged", "#findings")
}

// diffLine is one line of a rendered diff.
type diffLine struct {
	Kind string // "add", "del", "same", "gap"
	Text string
}

type revisionsPage struct {
	Incident  *model.Incident
	Revisions []model.PostmortemRevision
	From, To  int
	Diff      []diffLine
	Same      bool
}

// postmortemRevisions lists the published revisions and shows a line diff
// between any two (?from=1&to=2).
func (s *Server) postmortemRevisions(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	inc, err := s.store.Incident(ctx, id)
	if err != nil {
		return err
	}
	revs, err := s.store.Revisions(ctx, id)
	if err != nil {
		return err
	}
	p := revisionsPage{Incident: inc, Revisions: revs}
	if len(revs) >= 2 {
		p.From, p.To = revs[len(revs)-2].Number, revs[len(revs)-1].Number
	}
	v := model.NewValidationError()
	for name, dst := range map[string]*int{"from": &p.From, "to": &p.To} {
		if raw := c.QueryParam(name); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 1 || n > len(revs) {
				v.Add(name, fmt.Sprintf("must be a revision number from 1 to %d", len(revs)))
				continue
			}
			*dst = n
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	if p.From > 0 && p.To > 0 {
		a, err := s.store.Revision(ctx, id, p.From)
		if err != nil {
			return err
		}
		b, err := s.store.Revision(ctx, id, p.To)
		if err != nil {
			return err
		}
		p.Diff, p.Same = lineDiff(a.Markdown, b.Markdown)
	}
	return c.Render(http.StatusOK, "revisions", s.pageData(c, p))
}

// lineDiff is a line diff of two texts with three lines of context.
func lineDiff(a, b string) ([]diffLine, bool) {
	if a == b {
		return nil, true
	}
	u, err := udiff.ToUnifiedDiff("a", "b", a, udiff.Lines(a, b), 3)
	if err != nil {
		return []diffLine{{Kind: "gap", Text: "the diff could not be computed"}}, false
	}
	var out []diffLine
	for i, h := range u.Hunks {
		if i > 0 || h.FromLine > 1 {
			out = append(out, diffLine{Kind: "gap", Text: fmt.Sprintf("… line %d", h.FromLine)})
		}
		for _, l := range h.Lines {
			kind := "same"
			switch l.Kind {
			case udiff.Insert:
				kind = "add"
			case udiff.Delete:
				kind = "del"
			}
			out = append(out, diffLine{Kind: kind, Text: strings.TrimSuffix(l.Content, "\n")})
		}
	}
	return out, false
}

// exportZip is the bulk export: every published postmortem (its latest
// revision) and an index.md, zipped, ready for a wiki or a static site.
// The same archive always gives the same bytes. The zip streams to the
// client as it is written; one export runs at a time per server, so
// viewers cannot pile them up.
func (s *Server) exportZip(c echo.Context) error {
	select {
	case s.exporting <- struct{}{}:
		defer func() { <-s.exporting }()
	default:
		c.Response().Header().Set("Retry-After", "30")
		return echo.NewHTTPError(http.StatusTooManyRequests, "another export is running; try again in a moment")
	}
	res := c.Response()
	out := &deadlineWriter{w: res, rc: http.NewResponseController(res)}
	var z *postmortem.Zip
	// A bulk export leaves a building: only organisation incidents are in
	// it, even for their members; admins export everything.
	var viewer model.Viewer
	if currentUser(c).Role == model.RoleAdmin {
		viewer = model.AllIncidents
	}
	err := postmortem.Export(c.Request().Context(), s.store, postmortem.ExportOptions{BaseURL: s.baseURL(c), Viewer: viewer}, func(f postmortem.File) error {
		if z == nil { // index.md, after the first pass: from here on an error can no longer be a clean 500
			res.Header().Set(echo.HeaderContentType, "application/zip")
			res.Header().Set(echo.HeaderContentDisposition, `attachment; filename="postmortems.zip"`)
			res.WriteHeader(http.StatusOK)
			z = postmortem.NewZip(out, "postmortems")
		}
		return z.Add(f)
	})
	if err == nil && z != nil {
		err = z.Close()
	}
	if err != nil && res.Committed {
		// The status is sent: the client gets a truncated archive, the log
		// says why.
		s.log.Error("export stopped mid-stream", "request_id", requestIDOf(c), "error", err)
		return nil
	}
	return err
}

// deadlineWriter pushes the connection's write deadline 30 s ahead before
// each write: the server's WriteTimeout bounds a whole response, and a
// big archive to a slow client needs longer, as long as bytes flow.
type deadlineWriter struct {
	w  io.Writer
	rc *http.ResponseController
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	if err := d.rc.SetWriteDeadline(time.Now().Add(30 * time.Second)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return 0, err
	}
	return d.w.Write(p)
}

// pmBadge is what a list or an incident shows of its postmortem: where it
// stands and, until it is published, when it is due.
type pmBadge struct {
	IncidentID int64
	Status     model.PostmortemStatus
	Revisions  int
	DueLabel   string
	Overdue    bool
	Started    bool // someone has written any of it
}

// pmBadges returns the postmortem badge of each incident.
func (s *Server) pmBadges(ctx context.Context, incs []model.Incident) (map[int64]pmBadge, error) {
	ids := make([]int64, len(incs))
	for i := range incs {
		ids[i] = incs[i].ID
	}
	states, err := s.store.PostmortemStates(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make(map[int64]pmBadge, len(incs))
	for _, inc := range incs {
		st, started := states[inc.ID]
		b := pmBadge{IncidentID: inc.ID, Status: st.Status, Revisions: st.Revisions, Started: started}
		if b.Status == "" {
			b.Status = model.PostmortemDraft
		}
		pm := model.Postmortem{Revisions: st.Revisions, ResolvedAt: inc.ResolvedAt}
		if due := s.postmortemDue(&pm); due != nil {
			b.DueLabel, b.Overdue = model.DueLabel(*due, now), now.After(*due)
		}
		out[inc.ID] = b
	}
	return out, nil
}
