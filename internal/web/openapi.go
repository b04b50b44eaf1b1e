package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/lint"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/review"
	"github.com/debrief-dev/debrief/internal/store"
)

// apiOp is one operation of the JSON API as the OpenAPI document
// (GET /api/v1/openapi.json) and the page (GET /docs/api) describe it.
// Request and response schemas come from the Go types the handler uses
// (openapi_schema.go); a test checks that every /api/v1 route of the
// route table has its operation here and that real responses match.
type apiOp struct {
	method, path string // as in routes.go (Echo's :param)
	tag, summary string
	query        []apiParam
	body         any         // the request body's Go type (a value of it); nil: none
	status       int         // the success status
	resp         any         // the success body; nil: no content
	also         map[int]any // other success statuses and their bodies
	media        string      // the success body's media type when it is not JSON
	errs         []int       // error statuses beyond the ones every operation of its kind may answer
}

// apiParam is a query parameter.
type apiParam struct {
	name, typ, desc string
}

var (
	pageParams = []apiParam{
		{"limit", "integer", fmt.Sprintf("page size, 1–%d (default %d)", model.MaxPageSize, model.DefaultPageSize)},
		{"offset", "integer", "records to skip (default 0)"},
	}
	versionParam = []apiParam{{"version", "integer", "the version you last read (required): a stale delete is a 409"}}
)

// listOf is {"<key>": [T]}.
func listOf(key string, v any) obj { return obj{key: v} }

// apiOps is the whole JSON API, in the order of the page.
var apiOps = []apiOp{
	// Incidents.
	{method: "GET", path: "/api/v1/incidents", tag: "incidents", summary: "List incidents, newest first",
		query: append([]apiParam{{"status", "string", "status filter"}, {"severity", "string", "severity filter"},
			{"service", "string", "service filter"}}, pageParams...), status: 200, resp: incidentListJSON{}},
	{method: "POST", path: "/api/v1/incidents", tag: "incidents", summary: "Declare an incident (title and severity required)",
		body: incidentRequest{}, status: 201, resp: incidentJSON{}},
	{method: "GET", path: "/api/v1/incidents/:id", tag: "incidents", summary: "Show an incident", status: 200, resp: incidentJSON{}},
	{method: "PATCH", path: "/api/v1/incidents/:id", tag: "incidents", summary: "Change an incident's fields (version required)",
		body: incidentRequest{}, status: 200, resp: incidentJSON{}, errs: []int{409}},
	{method: "GET", path: "/api/v1/incidents/:id/history", tag: "incidents", summary: "The incident's audit trail",
		query: pageParams, status: 200, resp: obj{"entries": []auditJSON{}, "total": int64(0), "limit": 0, "offset": 0}},
	{method: "GET", path: "/api/v1/severities", tag: "incidents", summary: "The severity scale",
		status: 200, resp: listOf("severities", []severityJSON{})},
	{method: "GET", path: "/api/v1/incidents/:id/similar", tag: "incidents", summary: "Similar past incidents",
		status: 200, resp: obj{"incident_id": int64(0), "similar": []store.SimilarIncident{}}},

	// Timeline.
	{method: "GET", path: "/api/v1/incidents/:id/timeline", tag: "timeline", summary: "The timeline, oldest first",
		status: 200, resp: listOf("entries", []entryJSON{})},
	{method: "POST", path: "/api/v1/incidents/:id/timeline", tag: "timeline", summary: "Append an entry",
		body: entryRequest{}, status: 201, resp: entryJSON{}},
	{method: "GET", path: "/api/v1/incidents/:id/timeline/:entryID", tag: "timeline", summary: "Show an entry with its revisions",
		status: 200, resp: entryJSON{}},
	{method: "PATCH", path: "/api/v1/incidents/:id/timeline/:entryID", tag: "timeline", summary: "Edit an entry (version required)",
		body: entryRequest{}, status: 200, resp: entryJSON{}, errs: []int{409}},
	{method: "DELETE", path: "/api/v1/incidents/:id/timeline/:entryID", tag: "timeline", summary: "Delete an entry",
		query: versionParam, status: 204, errs: []int{409}},
	{method: "POST", path: "/api/v1/incidents/:id/transcript", tag: "timeline",
		summary: "Read a chat transcript: a preview (200), or with commit the entries added (201)",
		body:    transcriptRequest{}, status: 201, resp: obj{"created": []int64{}, "duplicates": 0},
		also: map[int]any{200: transcriptPreview{}}},

	// Analysis.
	{method: "GET", path: "/api/v1/factor-categories", tag: "analysis", summary: "The categories a factor can have",
		status: 200, resp: listOf("categories", []struct {
			Name        string `json:"name"`
			Description string `json:"description"`
			Position    int    `json:"position"`
		}{})},
	{method: "GET", path: "/api/v1/incidents/:id/factors", tag: "analysis", summary: "Contributing factors",
		status: 200, resp: listOf("factors", []factorJSON{})},
	{method: "POST", path: "/api/v1/incidents/:id/factors", tag: "analysis", summary: "Add a contributing factor",
		body: factorRequest{}, status: 201, resp: factorJSON{}},
	{method: "GET", path: "/api/v1/incidents/:id/factors/:factorID", tag: "analysis", summary: "Show a factor",
		status: 200, resp: factorJSON{}},
	{method: "PATCH", path: "/api/v1/incidents/:id/factors/:factorID", tag: "analysis", summary: "Edit a factor (version required)",
		body: factorRequest{}, status: 200, resp: factorJSON{}, errs: []int{409}},
	{method: "DELETE", path: "/api/v1/incidents/:id/factors/:factorID", tag: "analysis", summary: "Delete a factor",
		query: versionParam, status: 204, errs: []int{409}},
	{method: "GET", path: "/api/v1/incidents/:id/whys", tag: "analysis", summary: "The five-whys trees",
		status: 200, resp: obj{"trees": []whyJSON{}, "count": 0}},
	{method: "POST", path: "/api/v1/incidents/:id/whys", tag: "analysis", summary: "Add a why (a root, or under parent_id)",
		body: whyRequest{}, status: 201, resp: whyJSON{}},
	{method: "GET", path: "/api/v1/incidents/:id/whys/:whyID", tag: "analysis", summary: "Show a why and its subtree",
		status: 200, resp: whyJSON{}},
	{method: "PATCH", path: "/api/v1/incidents/:id/whys/:whyID", tag: "analysis", summary: "Edit a why (version required)",
		body: whyRequest{}, status: 200, resp: whyJSON{}, errs: []int{409}},
	{method: "DELETE", path: "/api/v1/incidents/:id/whys/:whyID", tag: "analysis", summary: "Delete a why and its subtree",
		query: versionParam, status: 200, resp: obj{"deleted": 0}, errs: []int{409}},
	{method: "POST", path: "/api/v1/incidents/:id/whys/:whyID/promote", tag: "analysis", summary: "Make a why a contributing factor",
		body: promoteRequest{}, status: 201, resp: obj{"why": whyJSON{}, "factor": factorJSON{}}, errs: []int{409}},
	{method: "GET", path: "/api/v1/incidents/:id/actions", tag: "actions", summary: "The incident's action items",
		status: 200, resp: listOf("actions", []actionJSON{})},
	{method: "POST", path: "/api/v1/incidents/:id/actions", tag: "actions", summary: "Add an action item",
		body: actionRequest{}, status: 201, resp: actionJSON{}},
	{method: "GET", path: "/api/v1/incidents/:id/actions/:actionID", tag: "actions", summary: "Show an action item",
		status: 200, resp: actionJSON{}},
	{method: "PATCH", path: "/api/v1/incidents/:id/actions/:actionID", tag: "actions", summary: "Edit an action item (version required)",
		body: actionRequest{}, status: 200, resp: actionJSON{}, errs: []int{409}},
	{method: "DELETE", path: "/api/v1/incidents/:id/actions/:actionID", tag: "actions", summary: "Delete an action item",
		query: versionParam, status: 204, errs: []int{409}},
	{method: "GET", path: "/api/v1/actions", tag: "actions", summary: "Action items across incidents",
		query: append([]apiParam{{"owner", "string", "owner filter"}, {"status", "string", "status filter"},
			{"overdue", "boolean", "only overdue (true) or only not overdue (false)"}, {"incident", "integer", "incident id"},
			{"service", "string", "service filter"}}, pageParams...),
		status: 200, resp: obj{"actions": []actionJSON{}, "total": int64(0), "limit": 0, "offset": 0}},
	{method: "POST", path: "/api/v1/lint", tag: "analysis", summary: "Check text for blame and hindsight wording (writes nothing)",
		body: lintRequest{}, status: 200, resp: listOf("findings", []lint.Finding{})},

	// Postmortem.
	{method: "GET", path: "/api/v1/incidents/:id/postmortem", tag: "postmortem", summary: "The postmortem, its findings and what blocks publishing",
		status: 200, resp: postmortemDetailJSON{}},
	{method: "PUT", path: "/api/v1/incidents/:id/postmortem", tag: "postmortem",
		summary: "Save sections ({key: {body, version}}) and people (version required)",
		body:    postmortemRequest{}, status: 200, resp: postmortemDetailJSON{}, errs: []int{409}},
	{method: "POST", path: "/api/v1/incidents/:id/postmortem/submit", tag: "postmortem", summary: "Send the draft for review",
		body: versionRequest{}, status: 200, resp: postmortemDetailJSON{}, errs: []int{409}},
	{method: "POST", path: "/api/v1/incidents/:id/postmortem/draft", tag: "postmortem", summary: "Back to draft",
		body: versionRequest{}, status: 200, resp: postmortemDetailJSON{}, errs: []int{409}},
	{method: "POST", path: "/api/v1/incidents/:id/postmortem/publish", tag: "postmortem",
		summary: "Publish the next revision, or 422 with every reason it cannot yet",
		body:    versionRequest{}, status: 201, resp: pmRevisionJSON{}, errs: []int{409}},
	{method: "POST", path: "/api/v1/incidents/:id/postmortem/acknowledgements", tag: "postmortem",
		summary: "Acknowledge a finding with a reason", body: ackRequest{}, status: 200, resp: postmortemDetailJSON{}},
	{method: "GET", path: "/api/v1/incidents/:id/postmortem/revisions", tag: "postmortem", summary: "Published revisions",
		status: 200, resp: listOf("revisions", []pmRevisionJSON{})},
	{method: "GET", path: "/api/v1/incidents/:id/postmortem/revisions/:n", tag: "postmortem", summary: "A published revision with its Markdown and data",
		status: 200, resp: pmRevisionJSON{}},
	{method: "POST", path: "/api/v1/import", tag: "postmortem",
		summary: "Import a postmortem Markdown file (text/markdown body, multipart \"file\", or {\"markdown\"}): 201 new, 200 updated",
		body: struct {
			Markdown string `json:"markdown"`
		}{}, status: 201, resp: model.ImportReport{}, also: map[int]any{200: model.ImportReport{}}},

	// Search and review.
	{method: "GET", path: "/api/v1/search", tag: "search", summary: "Full-text search over incidents and postmortems",
		query: []apiParam{{"q", "string", "the query"}, {"sort", "string", "relevance or newest"},
			{"severity", "string", "facet filter"}, {"service", "string", "facet filter"}, {"status", "string", "facet filter"},
			{"tag", "string", "facet filter"}, {"from", "string", "YYYY-MM-DD"}, {"to", "string", "YYYY-MM-DD"},
			{"limit", "integer", "page size"}, {"offset", "integer", "records to skip"}},
		status: 200, resp: searchJSON{}},
	{method: "GET", path: "/api/v1/review", tag: "review", summary: "The weekly review report with its minutes",
		query:  []apiParam{{"week", "string", "ISO week, 2026-W47 (default: this week)"}, {"from", "string", "YYYY-MM-DD"}, {"to", "string", "YYYY-MM-DD"}},
		status: 200, resp: reviewJSON{}},
	{method: "GET", path: "/api/v1/review/:week/minutes", tag: "review", summary: "A week's minutes",
		status: 200, resp: review.Minutes{}},
	{method: "PUT", path: "/api/v1/review/:week/minutes", tag: "review", summary: "Replace a week's attendees and notes (version required)",
		body: minutesRequest{}, status: 200, resp: review.Minutes{}, errs: []int{409}},

	// Changes and services.
	{method: "GET", path: "/api/v1/changes", tag: "changes", summary: "Deploys, flag flips and config changes, newest first",
		query: append([]apiParam{{"service", "string", "service filter"}, {"kind", "string", "deploy, config, feature_flag, infrastructure, database or other"},
			{"from", "string", "RFC 3339"}, {"to", "string", "RFC 3339"}}, pageParams...),
		status: 200, resp: obj{"changes": []changeJSON{}, "limit": 0, "offset": 0, "next_offset": (*int)(nil)}},
	{method: "POST", path: "/api/v1/changes", tag: "changes", summary: "Record a change: 201 new, 200 when its external_id was seen",
		body: changeRequest{}, status: 201, resp: changeJSON{}, also: map[int]any{200: changeJSON{}}},
	{method: "GET", path: "/api/v1/changes/:changeID", tag: "changes", summary: "Show a change", status: 200, resp: changeJSON{}},
	{method: "GET", path: "/api/v1/incidents/:id/suspect-changes", tag: "changes", summary: "Changes shortly before the impact began",
		query:  []apiParam{{"window", "string", "how far back, a duration like 2h (default 2h)"}},
		status: 200, resp: obj{"impact_started_at": "", "window_seconds": int64(0), "changes": []suspectJSON{}}},
	{method: "GET", path: "/api/v1/incidents/:id/changes", tag: "changes", summary: "Changes linked to the incident",
		status: 200, resp: listOf("changes", []changeLinkJSON{})},
	{method: "POST", path: "/api/v1/incidents/:id/changes", tag: "changes", summary: "Link a change to the incident",
		body: linkRequest{}, status: 201, resp: changeLinkJSON{}, errs: []int{409}},
	{method: "DELETE", path: "/api/v1/incidents/:id/changes/:changeID", tag: "changes", summary: "Unlink a change", status: 204},
	{method: "GET", path: "/api/v1/services", tag: "services", summary: "The service catalog",
		query:  pageParams,
		status: 200, resp: obj{"services": []serviceJSON{}, "limit": 0, "offset": 0, "next_offset": (*int)(nil)}},
	{method: "GET", path: "/api/v1/services/:service", tag: "services", summary: "Show a service", status: 200, resp: serviceJSON{}},
	{method: "PUT", path: "/api/v1/services/:service", tag: "services", summary: "Create (201) or update (200, version required) a service",
		body: serviceRequest{}, status: 201, resp: serviceJSON{}, also: map[int]any{200: serviceJSON{}}, errs: []int{409}},
	{method: "GET", path: "/api/v1/services/:service/error-budget", tag: "services",
		summary: "The SLO error budget over the service's window (a private incident is counted with a null id)",
		status:  200, resp: obj{"service": "", "slo_target": float64(0), "from": "", "to": "", "window_minutes": 0,
			"budget_minutes": float64(0), "spent_minutes": float64(0), "remaining_minutes": float64(0),
			"incidents": []obj{{"id": nullable{int64(0)}, "minutes": float64(0), "open": false}}}},

	// Webhooks (admins).
	{method: "GET", path: "/api/v1/webhooks", tag: "webhooks", summary: "Outgoing webhooks",
		status: 200, resp: listOf("webhooks", []webhookJSON{})},
	{method: "POST", path: "/api/v1/webhooks", tag: "webhooks", summary: "Add a webhook; the 201 carries its secret, once",
		body: webhookRequest{}, status: 201, resp: webhookJSON{}},
	{method: "GET", path: "/api/v1/webhooks/:webhookID", tag: "webhooks", summary: "Show a webhook and its queue depth",
		status: 200, resp: obj{"webhook": webhookJSON{}, "pending": int64(0)}},
	{method: "PATCH", path: "/api/v1/webhooks/:webhookID", tag: "webhooks", summary: "Turn a webhook off or on (lifts a pause)",
		body: struct {
			Active bool `json:"active"`
		}{}, status: 200, resp: webhookJSON{}},
	{method: "DELETE", path: "/api/v1/webhooks/:webhookID", tag: "webhooks", summary: "Delete a webhook", status: 204},
	{method: "GET", path: "/api/v1/webhooks/:webhookID/deliveries", tag: "webhooks", summary: "The delivery log, newest first",
		query:  []apiParam{{"before", "integer", "a delivery id: older ones only"}, {"limit", "integer", "1–200 (default 50)"}},
		status: 200, resp: listOf("deliveries", []deliveryJSON{})},
	{method: "POST", path: "/api/v1/webhooks/:webhookID/deliveries/:deliveryID/redeliver", tag: "webhooks",
		summary: "Send a delivery again", status: 202},

	// Administration.
	{method: "POST", path: "/api/v1/admin/backup", tag: "meta",
		summary: "Download a consistent, checked copy of the database (409 while another runs)",
		status:  200, media: "application/vnd.sqlite3", errs: []int{409}},

	// The document itself.
	{method: "GET", path: "/api/v1/openapi.json", tag: "meta", summary: "This OpenAPI 3.1 document",
		status: 200, resp: sch{"type": "object", "description": "an OpenAPI 3.1 document"}},
}

// tagInfo orders and describes the tags.
var tagInfo = []struct{ name, desc string }{
	{"incidents", "Declare, list and change incidents"},
	{"timeline", "What happened when"},
	{"analysis", "Contributing factors, five whys and wording checks"},
	{"actions", "Action items"},
	{"postmortem", "The postmortem document, its review and published revisions"},
	{"search", "Full-text search"},
	{"review", "The weekly incident review"},
	{"changes", "Deploys and other changes, and the ones suspected of an incident"},
	{"services", "The service catalog and error budgets"},
	{"webhooks", "Outgoing webhooks (admins)"},
	{"meta", "About the API, and administration"},
}

// paramDesc describes the path parameters.
var paramDesc = map[string]string{
	"id": "incident id", "entryID": "timeline entry id", "factorID": "factor id", "whyID": "why id",
	"actionID": "action item id", "changeID": "change id", "webhookID": "webhook id", "deliveryID": "delivery id",
	"n": "revision number", "service": "service name", "week": "ISO week, 2026-W47",
}

var errorText = map[int]string{
	400: "Malformed JSON", 401: "Not signed in: send Authorization: Bearer TOKEN", 403: "The role is too low",
	404: "Not found (or private to others)", 409: "Changed by someone else since the version you sent; current holds the record as it is now",
	413: "The body is too large", 415: "The body is not application/json", 422: "Invalid input: fields names each field at fault and why",
	429: "Too many requests", 503: "Storage is full or read-only: nothing was saved",
}

// openAPIDocument builds the document from apiOps and the route table
// (for each operation's role).
func (s *Server) openAPIDocument() map[string]any {
	roles := map[string]model.Role{}
	for _, r := range s.table {
		roles[r.Method+" "+r.Path] = r.Role
	}
	g := newSchemaGen()
	g.value(errorJSON{}, true) // the component "Error"
	paths := map[string]sch{}
	for _, op := range apiOps {
		p, names := openAPIPath(op.path)
		var params []any
		for _, n := range names {
			typ := "integer"
			if n == "service" || n == "week" {
				typ = "string"
			}
			params = append(params, sch{"name": n, "in": "path", "required": true, "description": paramDesc[n], "schema": sch{"type": typ}})
		}
		for _, q := range op.query {
			params = append(params, sch{"name": q.name, "in": "query", "description": q.desc, "schema": sch{"type": q.typ}})
		}
		role := roles[op.method+" "+op.path]
		responses := sch{}
		success := map[int]any{op.status: op.resp}
		for st, body := range op.also {
			success[st] = body
		}
		for st, body := range success {
			ok := sch{"description": http.StatusText(st)}
			switch {
			case op.media != "" && st == op.status:
				ok["content"] = sch{op.media: sch{"schema": sch{"type": "string", "contentMediaType": op.media}}}
			case body != nil:
				ok["content"] = sch{"application/json": sch{"schema": g.value(body, true)}}
			}
			responses[strconv.Itoa(st)] = ok
		}
		errs := []int{401, 503}
		if role != model.RoleViewer {
			errs = append(errs, 403)
		}
		if len(names) > 0 {
			errs = append(errs, 404)
		}
		if len(names) > 0 || len(op.query) > 0 || op.body != nil {
			errs = append(errs, 422)
		}
		if op.body != nil {
			errs = append(errs, 400, 413, 415)
		}
		errs = append(errs, op.errs...)
		slices.Sort(errs)
		for _, st := range slices.Compact(errs) {
			responses[strconv.Itoa(st)] = sch{"$ref": "#/components/responses/" + errorName(st)}
		}
		o := sch{
			"operationId": operationID(op), "tags": []string{op.tag}, "summary": op.summary,
			"description": fmt.Sprintf("Requires the %s role.", role), "responses": responses,
			"security": []any{sch{"bearer": []string{}}},
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.body != nil {
			o["requestBody"] = sch{"required": true, "content": sch{"application/json": sch{"schema": g.value(op.body, false)}}}
		}
		if paths[p] == nil {
			paths[p] = sch{}
		}
		paths[p][strings.ToLower(op.method)] = o
	}
	errResponses := sch{}
	for st, text := range errorText {
		errResponses[errorName(st)] = sch{"description": text,
			"content": sch{"application/json": sch{"schema": sch{"$ref": "#/components/schemas/Error"}}}}
	}
	tags := make([]any, len(tagInfo))
	for i, t := range tagInfo {
		tags[i] = sch{"name": t.name, "description": t.desc}
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": sch{"title": "Debrief API", "version": "1",
			"description": "The JSON API of Debrief. Every time is UTC (RFC 3339 with Z). Errors are " +
				"{\"error\": string, \"fields\": {field: reason}} with the status telling what went wrong."},
		"servers":    []any{sch{"url": "/"}},
		"tags":       tags,
		"paths":      paths,
		"components": sch{"schemas": g.components, "responses": errResponses, "securitySchemes": sch{"bearer": sch{"type": "http", "scheme": "bearer", "description": "an API token from Settings"}}},
	}
}

func errorName(status int) string {
	return strings.ReplaceAll(http.StatusText(status), " ", "")
}

// operationID is "GET /api/v1/incidents/:id/timeline" → "getIncidentsIdTimeline".
func operationID(op apiOp) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(op.method))
	for _, part := range strings.Split(strings.TrimPrefix(op.path, "/api/v1/"), "/") {
		part = strings.TrimPrefix(part, ":")
		for _, w := range strings.FieldsFunc(part, func(r rune) bool { return r == '-' || r == '.' }) {
			b.WriteString(title(w))
		}
	}
	return b.String()
}

// buildOpenAPI makes the document once, at start-up, after the routes.
func (s *Server) buildOpenAPI() (err error) {
	defer func() {
		if r := recover(); r != nil { // a Go type the schema maker cannot describe
			err = fmt.Errorf("openapi document: %v", r)
		}
	}()
	doc := s.openAPIDocument()
	raw, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("openapi document: %w", err)
	}
	s.openAPI, s.apiDocsData = raw, s.apiDocs(doc)
	return nil
}

// apiOpenAPI is GET /api/v1/openapi.json.
func (s *Server) apiOpenAPI(c echo.Context) error {
	return c.JSONBlob(http.StatusOK, s.openAPI)
}
