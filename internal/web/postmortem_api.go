package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/postmortem"
	"github.com/debrief-dev/debrief/internal/store"
)

// The postmortem API: the document with its sections and people, the
// review workflow, the publish gate and the published revisions.

// postmortemDetailJSON is the postmortem with what the page shows beside
// it: the facilitator warning, the blameless findings and the gate.
type postmortemDetailJSON struct {
	postmortemJSON
	DueLabel           string             `json:"due_label"`
	FacilitatorWarning string             `json:"facilitator_warning"`
	Findings           []pmFindingJSON    `json:"findings"`
	Gate               []model.GateReason `json:"publish_blockers"`
	CanPublish         bool               `json:"can_publish"`
}

// postmortemView is a postmortem document with its findings and gate.
type postmortemView struct {
	Doc      *store.Document
	Findings []postmortem.Finding
	Gate     []model.GateReason
	Due      *time.Time
	DueLabel string
	Overdue  bool
	Warning  string
}

func (s *Server) postmortemView(c echo.Context, id int64) (*postmortemView, error) {
	doc, err := s.store.Document(c.Request().Context(), id)
	if err != nil {
		return nil, err
	}
	v := &postmortemView{Doc: doc, Findings: postmortem.Findings(doc, s.lint)}
	v.Gate = postmortem.Gate(doc, v.Findings)
	if v.Due = s.postmortemDue(doc.Postmortem); v.Due != nil {
		v.DueLabel = model.DueLabel(*v.Due, s.now())
		v.Overdue = s.now().After(*v.Due)
	}
	v.Warning = model.FacilitatorWarning(doc.Postmortem.Facilitator, doc.Incident.Roles)
	return v, nil
}

func (v *postmortemView) json() postmortemDetailJSON {
	out := postmortemDetailJSON{
		postmortemJSON: postmortemToJSON(v.Doc.Postmortem, v.Due), DueLabel: v.DueLabel,
		FacilitatorWarning: v.Warning, Findings: make([]pmFindingJSON, len(v.Findings)), Gate: v.Gate, CanPublish: len(v.Gate) == 0,
	}
	for i := range v.Findings {
		out.Findings[i] = pmFindingToJSON(&v.Findings[i])
	}
	if out.Gate == nil {
		out.Gate = []model.GateReason{}
	}
	return out
}

func (s *Server) apiPostmortemShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v, err := s.postmortemView(c, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v.json())
}

type sectionRequest struct {
	Body    *string `json:"body"`
	Version *int    `json:"version"`
}

type postmortemRequest struct {
	// Sections are decoded one by one (see sectionRequests) so that an
	// error names the section.
	Sections    map[string]json.RawMessage `json:"sections"`
	Facilitator *string                    `json:"facilitator"`
	Authors     *[]string                  `json:"authors"`
	Reviewers   *[]string                  `json:"reviewers"`
	Version     *int                       `json:"version"`
}

// sectionRequests decodes each section of a save, adding an error that
// names the section and its member ("sections.summary.body") for a member
// of the wrong type or an unknown one.
func sectionRequests(v *model.ValidationError, raw map[string]json.RawMessage) map[string]sectionRequest {
	out := make(map[string]sectionRequest, len(raw))
	for key, msg := range raw {
		field := "sections." + key
		dec := json.NewDecoder(bytes.NewReader(msg))
		dec.DisallowUnknownFields()
		var sec sectionRequest
		err := dec.Decode(&sec)
		var typ *json.UnmarshalTypeError
		switch {
		case err == nil:
			out[key] = sec
		case errors.As(err, &typ) && typ.Field != "":
			v.Add(field+"."+typ.Field, "must be "+jsonKind(typ.Type.Kind().String()))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			v.Add(field+"."+strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "is not a known field")
		default:
			v.Add(field, `must be an object: {"body": "…", "version": n}`)
		}
	}
	return out
}

// apiPostmortemSave writes sections (each with the version it was based
// on) and people, all or nothing.
func (s *Server) apiPostmortemSave(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req postmortemRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v := model.NewValidationError()
	edit := store.PostmortemEdit{Sections: map[model.SectionKey]store.SectionEdit{}}
	for key := range req.Sections {
		if _, ok := model.SectionByKey(key); !ok {
			v.Add("sections."+key, "is not a section of the postmortem")
			delete(req.Sections, key)
		}
	}
	for key, sec := range sectionRequests(v, req.Sections) {
		if sec.Body == nil {
			v.Add("sections."+key+".body", "is required")
			continue
		}
		if sec.Version == nil {
			v.Add("sections."+key+".version", "is required: the section's version you last read (0 for a section never saved)")
			continue
		}
		edit.Sections[model.SectionKey(key)] = store.SectionEdit{Body: *sec.Body, Version: *sec.Version}
	}
	if req.Facilitator != nil || req.Authors != nil || req.Reviewers != nil {
		cur, err := s.store.Postmortem(c.Request().Context(), id)
		if err != nil {
			return err
		}
		pp := &model.PostmortemPeople{Facilitator: cur.Facilitator, Authors: cur.Authors, Reviewers: cur.Reviewers}
		setString(&pp.Facilitator, req.Facilitator)
		if req.Authors != nil {
			pp.Authors = *req.Authors
		}
		if req.Reviewers != nil {
			pp.Reviewers = *req.Reviewers
		}
		pp.Version = requireVersion(v, req.Version)
		edit.People = pp
	}
	if err := v.Err(); err != nil {
		return err
	}
	if _, err := s.store.SavePostmortem(c.Request().Context(), id, edit); err != nil {
		return err
	}
	return s.apiPostmortemShow(c)
}

type versionRequest struct {
	Version *int `json:"version"`
}

func (s *Server) readVersion(c echo.Context) (int, error) {
	var req versionRequest
	if err := decodeJSON(c, &req); err != nil {
		return 0, err
	}
	v := model.NewValidationError()
	version := requireVersion(v, req.Version)
	return version, v.Err()
}

// apiPostmortemSubmit sends a draft for review.
func (s *Server) apiPostmortemSubmit(c echo.Context) error {
	return s.apiPostmortemMove(c, model.PostmortemInReview)
}

// apiPostmortemDraft takes a postmortem back to draft, or starts the next
// draft of a published one.
func (s *Server) apiPostmortemDraft(c echo.Context) error {
	return s.apiPostmortemMove(c, model.PostmortemDraft)
}

func (s *Server) apiPostmortemMove(c echo.Context, to model.PostmortemStatus) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	version, err := s.readVersion(c)
	if err != nil {
		return err
	}
	if _, err := s.store.SetPostmortemStatus(c.Request().Context(), id, to, version); err != nil {
		return err
	}
	return s.apiPostmortemShow(c)
}

// publishOptions are how this server renders a revision: links to the
// configured base URL only (see baseURL), findings by its checker.
func (s *Server) publishOptions() postmortem.PublishOptions {
	return postmortem.PublishOptions{BaseURL: s.opts.BaseURL, Lint: s.lint}
}

// baseURL is where links in an export point: the configured address,
// else the address this request came to. Published revisions, stored for
// good, hold only the configured address (links from Debrief's root
// without it), so an internal host name a proxy passed on is never frozen
// into them; every export of one sets its links again (revisionMarkdown).
func (s *Server) baseURL(c echo.Context) string {
	if s.opts.BaseURL != "" {
		return s.opts.BaseURL
	}
	return s.scheme(c) + "://" + s.host(c)
}

// revisionMarkdown is a published revision as exported now: its url and
// diagram links made from baseURL, its front matter in today's layout.
func (s *Server) revisionMarkdown(c echo.Context, rev *model.PostmortemRevision) []byte {
	return postmortem.Relink([]byte(rev.Markdown), s.baseURL(c))
}

// apiPostmortemPublish publishes the next revision, or answers 422 with
// every reason it cannot yet.
func (s *Server) apiPostmortemPublish(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	version, err := s.readVersion(c)
	if err != nil {
		return err
	}
	rev, err := postmortem.Publish(c.Request().Context(), s.store, id, version, s.publishOptions())
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/incidents/%d/postmortem/revisions/%d", id, rev.Number))
	return c.JSON(http.StatusCreated, pmRevisionToJSON(rev, false))
}

type ackRequest struct {
	Fingerprint *string `json:"fingerprint"`
	Reason      *string `json:"reason"`
}

// apiPostmortemAcknowledge keeps a blameless-language finding, with why.
func (s *Server) apiPostmortemAcknowledge(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req ackRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ack := &model.LintAck{IncidentID: id}
	setString(&ack.Fingerprint, req.Fingerprint)
	setString(&ack.Reason, req.Reason)
	if err := s.acknowledge(c, ack); err != nil {
		return err
	}
	return s.apiPostmortemShow(c)
}

// acknowledge keeps a finding that is in the postmortem now; a fingerprint
// of no current finding (reworded since, or made up) is refused.
func (s *Server) acknowledge(c echo.Context, ack *model.LintAck) error {
	ve := model.NewValidationError()
	if model.CheckAck(ve, ack); ve.Err() != nil {
		return ve
	}
	v, err := s.postmortemView(c, ack.IncidentID)
	if err != nil {
		return err
	}
	found := false
	for _, f := range v.Findings {
		found = found || f.Fingerprint == ack.Fingerprint
	}
	if !found {
		return model.FieldError("fingerprint", "is not a finding of this postmortem now (the text may have been reworded); reload and try again")
	}
	return s.store.AcknowledgeFinding(c.Request().Context(), ack)
}

type pmRevisionJSON struct {
	Number      int             `json:"number"`
	PublishedAt string          `json:"published_at"`
	PublishedBy string          `json:"published_by"`
	Markdown    string          `json:"markdown,omitempty"`
	Data        json.RawMessage `json:"data,omitempty"`
}

func pmRevisionToJSON(r *model.PostmortemRevision, content bool) pmRevisionJSON {
	out := pmRevisionJSON{Number: r.Number, PublishedAt: model.FormatAPI(r.PublishedAt), PublishedBy: r.PublishedBy}
	if content {
		out.Markdown, out.Data = r.Markdown, json.RawMessage(r.Data)
	}
	return out
}

func (s *Server) apiRevisionList(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	revs, err := s.store.Revisions(c.Request().Context(), id)
	if err != nil {
		return err
	}
	out := make([]pmRevisionJSON, len(revs))
	for i := range revs {
		out[i] = pmRevisionToJSON(&revs[i], false)
	}
	return c.JSON(http.StatusOK, map[string]any{"revisions": out})
}

// revisionNumber reads a revision number from the path or the query.
func revisionNumber(raw string) (int, error) {
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, model.ErrNotFound
	}
	return n, nil
}

func (s *Server) apiRevisionShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	n, err := revisionNumber(c.Param("n"))
	if err != nil {
		return err
	}
	rev, err := s.store.Revision(c.Request().Context(), id, n)
	if err != nil {
		return err
	}
	out := pmRevisionToJSON(rev, true)
	out.Markdown = string(s.revisionMarkdown(c, rev)) // as the .md export gives it
	return c.JSON(http.StatusOK, out)
}
