package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/yuin/goldmark"

	"github.com/debrief-dev/debrief/internal/markdown"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/templates"
)

// renderer holds one parsed template set per page (layout + partials +
// page), all parsed at start-up.
type renderer struct {
	sets map[string]*template.Template
}

func newRenderer(funcs template.FuncMap) (*renderer, error) {
	pages, err := fs.Glob(templates.FS, "pages/*.html")
	if err != nil {
		return nil, err
	}
	// Layouts and partials are parsed once; each page set is a clone of
	// them with the page's own templates added.
	base, err := template.New("base-set").Funcs(funcs).ParseFS(templates.FS, "layouts/*.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layouts and partials: %w", err)
	}
	r := &renderer{sets: map[string]*template.Template{}}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		t, err := base.Clone()
		if err == nil {
			t, err = t.ParseFS(templates.FS, p)
		}
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", name, err)
		}
		r.sets[name] = t
	}
	return r, nil
}

// Render executes a page ("incident") through the layout, or one named
// template of a page set ("incident#timeline") for htmx fragments. It
// renders into a buffer first so a template error is still a clean 500.
func (r *renderer) Render(w io.Writer, name string, data any, _ echo.Context) error {
	page, fragment, _ := strings.Cut(name, "#")
	set, ok := r.sets[page]
	if !ok {
		return fmt.Errorf("no page %q", page)
	}
	if fragment == "" {
		fragment = "base"
	}
	var buf bytes.Buffer
	if err := set.ExecuteTemplate(&buf, fragment, data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// newMarkdown is the one Markdown renderer (internal/markdown).
func newMarkdown() goldmark.Markdown { return markdown.New() }

// markdown renders untrusted Markdown safely; only its output becomes
// template.HTML.
func (s *Server) markdown(src string) template.HTML {
	var buf bytes.Buffer
	if err := s.md.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(buf.String()) //nolint:gosec // goldmark in safe mode escapes raw HTML
}

// entryHTML is a timeline entry's body as HTML: the HTML stored when it
// was saved, or rendered now if the stored one is from an older renderer
// (or absent, as in an event's record).
func (s *Server) entryHTML(e *model.TimelineEntry) template.HTML {
	if e.RenderVersion == markdown.Version && e.BodyHTML != "" {
		return template.HTML(e.BodyHTML) //nolint:gosec // rendered by internal/markdown, which drops raw HTML
	}
	return s.markdown(e.Body)
}

// timeTag renders an instant the one way every page shows time.
func timeTag(t time.Time) template.HTML {
	return template.HTML(fmt.Sprintf(`<time datetime="%s">%s</time>`, model.FormatAttr(t), model.FormatHuman(t))) //nolint:gosec // fixed formats, no user text
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"markdown":  s.markdown,
		"entryHTML": s.entryHTML,
		"unixMilli": func(t time.Time) int64 { return t.UnixMilli() },
		"time":      timeTag,
		"timep": func(t *time.Time) template.HTML {
			if t == nil {
				return template.HTML(`<span class="muted">—</span>`)
			}
			return timeTag(*t)
		},
		"inputTime": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return model.FormatAttr(*t)
		},
		"duration": func(d *time.Duration) string {
			if d == nil {
				return "—"
			}
			return model.FormatDuration(*d)
		},
		"join":          strings.Join,
		"lower":         strings.ToLower,
		"add":           func(a, b int) int { return a + b },
		"sub":           func(a, b int) int { return a - b },
		"field":         func(fields map[string]string, name string) string { return pageReason(fields[name]) },
		"fieldError":    pageFieldError,
		"statuses":      func() []model.Status { return model.Statuses },
		"kinds":         func() []model.EntryKind { return model.EntryKinds },
		"milestones":    func() []model.Milestone { return model.Milestones },
		"sections":      func() []model.Section { return model.Sections },
		"milestoneTime": func(inc *model.Incident, m model.Milestone) *time.Time { return inc.MilestoneTime(m) },
		"findings":      s.findings,
		"truncate":      func(s string, n int) string { return truncateText(s, n) },
		"dict":          dict,
		"pathEscape":    url.PathEscape,
		"actionTypes":   func() []model.ActionType { return model.ActionTypes },
		"priorities":    func() []model.Priority { return model.Priorities },
		"actionStates":  func() []model.ActionStatus { return model.ActionStatuses },
	}
}

// dict builds a map from key, value pairs, to hand several values to a
// template: {{template "why_node" (dict "Node" . "View" $)}}.
func dict(pairs ...any) (map[string]any, error) {
	if len(pairs)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		k, ok := pairs[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", pairs[i])
		}
		m[k] = pairs[i+1]
	}
	return m, nil
}
