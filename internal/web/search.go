package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/search"
	"github.com/debrief-dev/debrief/internal/store"
)

const (
	searchPageSize    = 20
	archivePageSize   = 50
	searchMaxPageSize = 100
	// searchMaxOffset bounds paging: past it, narrow the search instead.
	searchMaxOffset = 10_000
	// maxFilterValues bounds how many values one filter may list.
	maxFilterValues = 20
)

// searchForm is a search as asked for: the page, the API and the archive
// read the same parameters.
type searchForm struct {
	Q                                    string
	Severities, Services, Tags, Statuses []string
	Categories                           []string
	From, To                             string
	Sort                                 string
	Limit, Offset                        int
	defaultLimit                         int
}

// Filtered reports whether any filter is set (for the page's "clear" link).
func (f searchForm) Filtered() bool {
	return len(f.Severities)+len(f.Services)+len(f.Tags)+len(f.Statuses)+len(f.Categories) > 0 || f.From != "" || f.To != ""
}

// Has reports whether filter field lists value (for checked boxes).
func (f searchForm) Has(field, value string) bool {
	var list []string
	switch field {
	case "severity":
		list = f.Severities
	case "status":
		list = f.Statuses
	case "service":
		list = f.Services
	case "tag":
		list = f.Tags
	case "category":
		list = f.Categories
	}
	for _, v := range list {
		if strings.EqualFold(v, value) {
			return true
		}
	}
	return false
}

// values is the form as query parameters, without paging.
func (f searchForm) values() url.Values {
	q := url.Values{}
	if f.Q != "" {
		q.Set("q", f.Q)
	}
	for k, list := range map[string][]string{"severity": f.Severities, "service": f.Services, "tag": f.Tags, "status": f.Statuses, "category": f.Categories} {
		for _, v := range list {
			q.Add(k, v)
		}
	}
	for k, v := range map[string]string{"from": f.From, "to": f.To, "sort": f.Sort} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// URL is the path with the form's parameters, at offset, with change
// applied (to add or drop a filter).
func (f searchForm) URL(path string, offset int, change func(url.Values)) string {
	q := f.values()
	if change != nil {
		change(q)
	}
	if f.Limit != f.defaultLimit && f.Limit != 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// readSearch reads and checks a search's parameters. It returns what was
// asked (to show again beside the errors), the parsed query and the store
// query; every problem is in the *model.ValidationError.
func readSearch(c echo.Context, defaultSort store.SearchSort, defaultLimit int) (searchForm, search.Query, store.SearchQuery, error) {
	v := model.NewValidationError()
	params := c.QueryParams()
	f := searchForm{Q: params.Get("q"), From: strings.TrimSpace(params.Get("from")), To: strings.TrimSpace(params.Get("to")),
		Sort: strings.TrimSpace(params.Get("sort")), Limit: defaultLimit, defaultLimit: defaultLimit}
	list := func(field string, maxLen int) []string {
		var out []string
		for _, raw := range params[field] {
			s := strings.TrimSpace(raw)
			switch {
			case s == "":
				continue
			case len([]rune(s)) > maxLen:
				v.Add(field, fmt.Sprintf("must be at most %d characters", maxLen))
				continue
			}
			out = append(out, s)
		}
		if len(out) > maxFilterValues {
			v.Add(field, fmt.Sprintf("may list at most %d values", maxFilterValues))
			out = out[:maxFilterValues]
		}
		return out
	}
	f.Severities, f.Services, f.Tags = list("severity", 20), list("service", model.MaxNameLen), list("tag", model.MaxTagLen)
	f.Statuses, f.Categories = list("status", 20), list("category", 50)
	for _, st := range f.Statuses {
		if !model.Status(st).Valid() {
			v.Add("status", fmt.Sprintf("unknown status %q; use investigating, identified, monitoring or resolved", model.Truncate(st, 30)))
		}
	}

	q, err := search.Parse(f.Q)
	v.Merge(err)
	sq := store.SearchQuery{Text: q, Severities: f.Severities, Services: f.Services, Tags: f.Tags, Statuses: f.Statuses,
		Categories: f.Categories}

	dates := map[string]*time.Time{}
	for field, s := range map[string]string{"from": f.From, "to": f.To} {
		if s == "" {
			continue
		}
		d, err := model.ParseDate(s)
		if err != nil {
			v.Add(field, err.Error())
			continue
		}
		t := d.Time()
		if field == "to" {
			t = d.End() // to is inclusive: the whole day
		}
		dates[field] = &t
	}
	sq.From, sq.To = dates["from"], dates["to"]
	if sq.From != nil && sq.To != nil && !sq.From.Before(*sq.To) {
		v.Add("to", "must not be before from")
	}

	sq.Sort = defaultSort
	if f.Sort != "" {
		sq.Sort = store.SearchSort(f.Sort)
		if !sq.Sort.Valid() {
			v.Add("sort", fmt.Sprintf("unknown sort %q; use relevance, newest, oldest or published", model.Truncate(f.Sort, 30)))
		}
	}
	if s := params.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > searchMaxPageSize {
			v.Add("limit", fmt.Sprintf("must be a whole number from 1 to %d", searchMaxPageSize))
		} else {
			f.Limit = n
		}
	}
	if s := params.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > searchMaxOffset {
			v.Add("offset", fmt.Sprintf("must be a whole number from 0 to %d", searchMaxOffset))
		} else {
			f.Offset = n
		}
	}
	sq.Limit, sq.Offset = f.Limit, f.Offset
	return f, q, sq, v.Err()
}

// hitView is a hit as pages and the API show it: the title and a snippet
// with the query's words marked, and which parts of the record matched.
type hitView struct {
	store.SearchMeta
	Rank        float64
	Title       string
	TitleHTML   template.HTML
	Snippet     template.HTML
	SnippetPart string   // label of the part the snippet is from
	Matched     []string // keys of the parts that matched
	Actions     *store.ActionCounts
}

// MatchedLabels are the labels of the matched parts.
func (h hitView) MatchedLabels() []string {
	var out []string
	for _, p := range store.SearchParts {
		for _, k := range h.Matched {
			if k == p.Key {
				out = append(out, p.Label)
			}
		}
	}
	return out
}

// snippetWords is about how long a snippet is.
const snippetWords = 32

// snippetOrder is where a snippet comes from, by preference: the first of
// these parts (indexes into store.SearchParts) that matched. The summary
// and the analysis say most about an incident in one line; the timeline,
// long and detailed, comes last.
var snippetOrder = []int{1, 2, 5, 6, 7, 3, 4, 8, 9}

// presentHits marks the query's words in each hit: the snippet comes from
// the first part in snippetOrder that matched (a title match alone shows
// the start of the summary).
func presentHits(hits []store.SearchHit, q search.Query) []hitView {
	hl := search.NewHighlighter(q)
	out := make([]hitView, len(hits))
	for i := range hits {
		h := &hits[i]
		parts := h.Doc.Parts()
		v := hitView{SearchMeta: h.SearchMeta, Rank: h.Rank, Title: h.Doc.Title, TitleHTML: hl.Mark(h.Doc.Title)}
		best := -1
		for p, text := range parts {
			if !hl.Has(text) {
				continue
			}
			v.Matched = append(v.Matched, store.SearchParts[p].Key)
		}
		for _, p := range snippetOrder {
			if slices.Contains(v.Matched, store.SearchParts[p].Key) {
				best = p
				break
			}
		}
		if best < 0 {
			best = 1 // the summary
			for p := 1; p < 4; p++ {
				if strings.TrimSpace(parts[p]) != "" {
					best = p
					break
				}
			}
		}
		if strings.TrimSpace(parts[best]) != "" {
			v.Snippet, v.SnippetPart = hl.Snippet(parts[best], snippetWords), store.SearchParts[best].Label
		}
		out[i] = v
	}
	return out
}

// searchPage is the search page's data.
type searchPage struct {
	Form     searchForm
	Errors   map[string]string
	Searched bool // a query or a filter was given
	Total    int
	Hits     []hitView
	Facets   store.Facets
	From, To int
	PrevURL  string
	NextURL  string
	Path     string
}

// FacetURL is the page's URL with value added to (or, when set, removed
// from) field's filter, back at the first page.
func (p searchPage) FacetURL(field, value string) string {
	on := p.Form.Has(field, value)
	return p.Form.URL(p.Path, 0, func(q url.Values) {
		var keep []string
		for _, v := range q[field] {
			if !strings.EqualFold(v, value) {
				keep = append(keep, v)
			}
		}
		q[field] = keep
		if !on {
			q.Add(field, value)
		}
	})
}

// YearURL is the page's URL restricted to one year (or back to all years).
func (p searchPage) YearURL(year string) string {
	from, to := year+"-01-01", year+"-12-31"
	on := p.Form.From == from && p.Form.To == to
	return p.Form.URL(p.Path, 0, func(q url.Values) {
		q.Del("from")
		q.Del("to")
		if !on {
			q.Set("from", from)
			q.Set("to", to)
		}
	})
}

// YearOn reports whether the page is restricted to year.
func (p searchPage) YearOn(year string) bool {
	return p.Form.From == year+"-01-01" && p.Form.To == year+"-12-31"
}

func (s *Server) searchResults(c echo.Context, path string, defaultSort store.SearchSort, published bool) (searchPage, error) {
	ctx := c.Request().Context()
	limit := searchPageSize
	if published {
		limit = archivePageSize
	}
	form, q, sq, err := readSearch(c, defaultSort, limit)
	p := searchPage{Form: form, Path: path, Searched: !q.Empty() || form.Filtered()}
	if err != nil {
		return p, err
	}
	sq.Published = published
	if !p.Searched && !published {
		return p, nil
	}
	sq.Viewer = viewerOf(c)
	res, err := s.store.Search(ctx, sq)
	if err != nil {
		return p, err
	}
	p.Total, p.Facets, p.Hits = res.Total, res.Facets, presentHits(res.Hits, q)
	p.From, p.To = form.Offset+1, form.Offset+len(res.Hits)
	if form.Offset > 0 {
		p.PrevURL = form.URL(path, max(0, form.Offset-form.Limit), nil)
	}
	if next := form.Offset + form.Limit; next < res.Total && next <= searchMaxOffset {
		p.NextURL = form.URL(path, next, nil)
	}
	return p, nil
}

// searchShow is the search page (GET /search): ranked hits with snippets,
// facets to narrow them, paging. Bad parameters show the page again with
// the reasons, as 422.
func (s *Server) searchShow(c echo.Context) error {
	p, err := s.searchResults(c, "/search", store.SortRelevance, false)
	if err != nil {
		return s.rerender(c, err, "search", func(fields map[string]string, _ *model.ConflictError) any {
			p.Errors = fields
			return p
		})
	}
	return c.Render(http.StatusOK, "search", s.pageData(c, p))
}

// apiSearch is GET /api/v1/search.
func (s *Server) apiSearch(c echo.Context) error {
	form, q, sq, err := readSearch(c, store.SortRelevance, searchPageSize)
	if err != nil {
		return err
	}
	sq.Viewer = viewerOf(c)
	res, err := s.store.Search(c.Request().Context(), sq)
	if err != nil {
		return err
	}
	hits := presentHits(res.Hits, q)
	out := searchJSON{Query: form.Q, Total: res.Total, Limit: sq.Limit, Offset: sq.Offset, Sort: string(sq.Sort),
		Hits: make([]searchHitJSON, len(hits)), Facets: res.Facets}
	for i, h := range hits {
		out.Hits[i] = searchHitJSON{SearchMeta: h.SearchMeta, Score: -h.Rank, URL: fmt.Sprintf("/incidents/%d", h.IncidentID),
			Title: h.Title, TitleHTML: string(h.TitleHTML), Snippet: string(h.Snippet), SnippetPart: h.SnippetPart, Matched: h.Matched}
		if out.Hits[i].Matched == nil {
			out.Hits[i].Matched = []string{}
		}
	}
	return c.JSON(http.StatusOK, out)
}

type searchJSON struct {
	Query  string          `json:"query"`
	Total  int             `json:"total"`
	Limit  int             `json:"limit"`
	Offset int             `json:"offset"`
	Sort   string          `json:"sort"`
	Hits   []searchHitJSON `json:"hits"`
	Facets store.Facets    `json:"facets"`
}

type searchHitJSON struct {
	store.SearchMeta
	URL   string `json:"url"`
	Title string `json:"title"`
	// TitleHTML and Snippet are HTML: the record's text escaped, with the
	// query's words in <mark>.
	TitleHTML   string   `json:"title_html"`
	Snippet     string   `json:"snippet_html"`
	SnippetPart string   `json:"snippet_part"`
	Matched     []string `json:"matched"`
	// Score is bm25 (higher is better); 0 without a query.
	Score float64 `json:"score"`
}

// PMLabel says where the hit's postmortem is.
func (h hitView) PMLabel() string { return model.PostmortemStatus(h.PMStatus).Label() }
