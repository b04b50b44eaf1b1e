package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/review"
)

// reviewForm is the period the review page was asked for, kept as typed so
// a bad one is shown again beside its message.
type reviewForm struct {
	Week, From, To string
	Present        bool
}

func readReviewForm(c echo.Context) reviewForm {
	return reviewForm{Week: c.QueryParam("week"), From: c.QueryParam("from"), To: c.QueryParam("to"),
		Present: c.QueryParam("present") == "1"}
}

// reviewPage is the weekly review, on screen, in print and in meeting mode.
type reviewPage struct {
	Form    reviewForm
	Errors  map[string]string
	Report  *review.Report // nil when the period was refused
	Minutes *review.Minutes
	// Theirs, after a clash, is the minutes as someone else saved them
	// meanwhile: shown beside what was typed, which is not saved.
	Theirs      *review.Minutes
	Conflict    string
	Saved       bool
	Charts      reviewCharts
	Definitions []review.Definition
	Sections    []review.Section
	// Links to the neighbouring periods and the exports.
	PrevURL, NextURL, CurrentURL, PresentURL, PageURL, MarkdownURL, MinutesURL string
	// NotesWeek is the ISO week whose minutes the page edits: the period's
	// own, or on the default page (the last seven days) the current week,
	// so a meeting run from /review keeps its notes; "" for other periods.
	NotesWeek string
	// Default is the default period (no week or dates asked for).
	Default bool
}

type reviewCharts struct {
	Incidents, MTTR, Actions template.HTML
}

// SectionTitle returns the title of section key.
func (p reviewPage) SectionTitle(key string) string {
	for _, s := range p.Sections {
		if s.Key == key {
			return s.Title
		}
	}
	return key
}

// SectionHint returns the placeholder of section key's notes.
func (p reviewPage) SectionHint(key string) string {
	for _, s := range p.Sections {
		if s.Key == key {
			return s.Hint
		}
	}
	return ""
}

// Version is the version the minutes form is based on: after a clash,
// the version saved meanwhile, so that the merged text can be saved.
func (p reviewPage) Version() int {
	if p.Theirs != nil {
		return p.Theirs.Version
	}
	if p.Minutes == nil {
		return 0
	}
	return p.Minutes.Version
}

// TheirNote is what someone else saved in section key meanwhile, when it
// differs from what was typed ("" otherwise).
func (p reviewPage) TheirNote(key string) string {
	if p.Theirs == nil || p.Minutes == nil || p.Theirs.Note(key) == p.Minutes.Note(key) {
		return ""
	}
	return p.Theirs.Note(key)
}

// TheirAttendees is the attendee list someone else saved meanwhile, when it
// differs from what was typed ("" otherwise).
func (p reviewPage) TheirAttendees() string {
	if p.Theirs == nil || p.Minutes == nil || strings.Join(p.Theirs.Attendees, ", ") == strings.Join(p.Minutes.Attendees, ", ") {
		return ""
	}
	return strings.Join(p.Theirs.Attendees, ", ")
}

// AttendeesText is the attendee list as the form shows it, one a line.
func (p reviewPage) AttendeesText() string {
	if p.Minutes == nil {
		return ""
	}
	return strings.Join(p.Minutes.Attendees, "\n")
}

// reviewReport parses the period of a request and builds its report: the
// one path by which the page, the API and the Markdown get their numbers.
func (s *Server) reviewReport(ctx context.Context, v model.Viewer, week, from, to string) (*review.Report, error) {
	p, err := review.ParsePeriod(week, from, to, model.DateOf(s.now()))
	if err != nil {
		return nil, err
	}
	now, opts := s.now(), review.Options{PostmortemDue: s.opts.PostmortemDue}
	q := review.NewQuery(p, now, opts)
	q.Viewer = v
	in, err := s.store.ReviewInput(ctx, q)
	if err != nil {
		return nil, err
	}
	return review.Build(in, p, now, opts), nil
}

// reviewShow is the review page: /review for the last seven days,
// ?week=2026-W47 or ?from=&to= for another period, and &present=1 for
// meeting mode. A bad period is shown again with its message (422).
func (s *Server) reviewShow(c echo.Context) error {
	f := readReviewForm(c)
	r, err := s.reviewReport(c.Request().Context(), viewerOf(c), f.Week, f.From, f.To)
	if err != nil {
		return s.rerender(c, err, "review", func(fields map[string]string, _ *model.ConflictError) any {
			return reviewPage{Form: f, Errors: fields}
		})
	}
	m, err := s.store.Minutes(c.Request().Context(), r.MinutesWeek)
	if err != nil {
		return err
	}
	p := s.newReviewPage(f, r, m)
	p.Saved = c.QueryParam("saved") == "1"
	return c.Render(http.StatusOK, "review", s.pageData(c, p))
}

func (s *Server) newReviewPage(f reviewForm, r *review.Report, m *review.Minutes) reviewPage {
	p := reviewPage{Form: f, Report: r, Minutes: m, Definitions: review.Definitions(r), Sections: review.Sections,
		Charts: reviewCharts{
			Incidents: template.HTML(review.IncidentsChart(r)), //nolint:gosec // SVG built from escaped text
			MTTR:      template.HTML(review.MTTRChart(r)),      //nolint:gosec // SVG built from escaped text
			Actions:   template.HTML(review.ActionsChart(r)),   //nolint:gosec // SVG built from escaped text
		}}
	period := func(per review.Period, present bool) string {
		q := url.Values{}
		if w, ok := per.Week(); ok {
			q.Set("week", w)
		} else {
			q.Set("from", per.From.String())
			q.Set("to", per.To.String())
		}
		if present {
			q.Set("present", "1")
		}
		return "/review?" + q.Encode()
	}
	n := r.Period.Days()
	p.PrevURL = period(r.Previous, f.Present)
	p.NextURL = period(review.Period{From: r.Period.To.AddDays(1), To: r.Period.To.AddDays(n)}, f.Present)
	p.CurrentURL = "/review"
	if f.Present {
		p.CurrentURL += "?present=1"
	}
	p.PageURL = period(r.Period, false)
	p.PresentURL = period(r.Period, true)
	p.MarkdownURL = "/review/" + r.MinutesWeek + ".md"
	p.MinutesURL = "/review?week=" + r.MinutesWeek
	p.Default = f.Week == "" && f.From == "" && f.To == ""
	if w, ok := r.Period.Week(); ok {
		p.NotesWeek = w
	} else if p.Default {
		p.NotesWeek = r.MinutesWeek
	}
	return p
}

// weekParam reads the :week path parameter, "2026-W47" or "2026-W47.md";
// a week that does not exist is a 404.
func weekParam(c echo.Context) (week string, md bool, err error) {
	week = c.Param("week")
	week, md = strings.CutSuffix(week, ".md")
	// Only the canonical spelling: " 2026-W47" would be another row.
	if p, perr := review.ParseWeek(week); perr != nil || review.WeekOf(p.From) != week {
		return "", false, echo.NewHTTPError(http.StatusNotFound, "no such week: "+week)
	}
	return week, md, nil
}

// reviewWeek serves /review/2026-W47.md, the minutes of a week as
// Markdown, and sends /review/2026-W47 to that week's page.
func (s *Server) reviewWeek(c echo.Context) error {
	week, md, err := weekParam(c)
	if err != nil {
		return err
	}
	if !md {
		return c.Redirect(http.StatusFound, "/review?week="+week)
	}
	ctx := c.Request().Context()
	r, err := s.reviewReport(ctx, viewerOf(c), week, "", "")
	if err != nil {
		return err
	}
	m, err := s.store.Minutes(ctx, week)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`inline; filename="review-%s.md"`, week))
	return c.Blob(http.StatusOK, "text/markdown; charset=utf-8", review.Markdown(r, m, s.baseURL(c)))
}

// readMinutesForm reads the posted minutes: the attendees (one a line),
// each section's notes and the version they were based on.
func readMinutesForm(c echo.Context, week string, v *model.ValidationError) *review.Minutes {
	m := &review.Minutes{Week: week, Attendees: review.SplitAttendees(c.FormValue("attendees")), Notes: map[string]string{}}
	for _, sec := range review.Sections {
		if body := c.FormValue("notes_" + sec.Key); body != "" {
			m.Notes[sec.Key] = body
		}
	}
	raw := strings.TrimSpace(c.FormValue("version"))
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		v.Add("version", "is required: the version of the minutes you last read (0 for new minutes)")
	}
	m.Version = n
	return m
}

// minutesSave stores the minutes of a week from the review page (or
// meeting mode, which it returns to at the section saved from). A stale
// version is a 409 that keeps what was typed.
func (s *Server) minutesSave(c echo.Context) error {
	week, md, err := weekParam(c)
	if err != nil || md {
		return echo.ErrNotFound
	}
	if err := parseForm(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	v := model.NewValidationError()
	m := readMinutesForm(c, week, v)
	present := c.FormValue("present") == "1"
	section := c.FormValue("section")
	if err := v.Err(); err == nil {
		_, err = s.store.SaveMinutes(ctx, m)
		if err == nil {
			to := "/review?week=" + week + "&saved=1"
			if c.FormValue("back") == "default" {
				to = "/review?saved=1" // the default page, which shows this week's minutes
			}
			if present {
				to = strings.Replace(to, "saved=1", "present=1&saved=1", 1)
			}
			for _, sec := range review.Sections {
				if sec.Key == section {
					to += "#section-" + sec.Key
				}
			}
			return c.Redirect(http.StatusSeeOther, to)
		}
		var ce *model.ConflictError
		switch {
		case v.Merge(err):
		case errors.As(err, &ce):
		default:
			return err
		}
	}
	// Show the page again with what was typed, its messages or the clash.
	status := http.StatusUnprocessableEntity
	r, rerr := s.reviewReport(ctx, viewerOf(c), week, "", "")
	if rerr != nil {
		return rerr
	}
	cur, rerr := s.store.Minutes(ctx, week)
	if rerr != nil {
		return rerr
	}
	p := s.newReviewPage(reviewForm{Week: week, Present: present}, r, m)
	p.Errors = v.Fields
	if len(v.Fields) == 0 {
		status = http.StatusConflict
		who := cur.UpdatedBy
		if who == "" {
			who = "someone"
		}
		p.Theirs = cur
		p.Conflict = fmt.Sprintf("%s saved these minutes while you were editing (you started from version %d; they are now at version %d). "+
			"Your text is in the boxes, not saved; what they saved is shown beside it where it differs. Merge them and save again.", who, m.Version, cur.Version)
	}
	return c.Render(status, "review", s.pageData(c, p))
}

// apiReview is GET /api/v1/review: the report of a period (week=, or from=
// and to=, or the last seven days), with the week's minutes.
func (s *Server) apiReview(c echo.Context) error {
	ctx := c.Request().Context()
	r, err := s.reviewReport(ctx, viewerOf(c), c.QueryParam("week"), c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	m, err := s.store.Minutes(ctx, r.MinutesWeek)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, reviewJSON{Report: r, Minutes: m})
}

// reviewJSON is the report with the minutes of its week.
type reviewJSON struct {
	*review.Report
	Minutes *review.Minutes `json:"minutes"`
}

// minutesRequest is the body of PUT /api/v1/review/:week/minutes.
type minutesRequest struct {
	Attendees []string          `json:"attendees"`
	Notes     map[string]string `json:"notes"`
	Version   *int              `json:"version"`
}

// apiMinutes is GET /api/v1/review/:week/minutes.
func (s *Server) apiMinutes(c echo.Context) error {
	week, md, err := weekParam(c)
	if err != nil || md {
		return echo.ErrNotFound
	}
	m, err := s.store.Minutes(c.Request().Context(), week)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

// apiMinutesSave is PUT /api/v1/review/:week/minutes: it replaces the
// attendees and notes of a week's minutes.
func (s *Server) apiMinutesSave(c echo.Context) error {
	week, md, err := weekParam(c)
	if err != nil || md {
		return echo.ErrNotFound
	}
	var req minutesRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Version == nil {
		return model.FieldError("version", "is required: the version of the minutes you last read (0 for new minutes)")
	}
	m := &review.Minutes{Week: week, Attendees: req.Attendees, Notes: req.Notes, Version: *req.Version}
	if m.Notes == nil {
		m.Notes = map[string]string{}
	}
	out, err := s.store.SaveMinutes(c.Request().Context(), m)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
