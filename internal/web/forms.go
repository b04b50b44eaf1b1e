package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
)

// view is what every page template gets: the page's own data under .Page.
type view struct {
	Title     string
	Nav       string
	RequestID string
	User      *model.User // nil when signed out
	CSRF      string      // for the _csrf field of every form
	Page      any
	Query     string // the search box's text, on the search and archive pages
}

func (s *Server) pageData(c echo.Context, page any) view {
	nav := ""
	switch p := c.Request().URL.Path; {
	case strings.HasPrefix(p, "/incidents"):
		nav = "incidents"
	case p == "/actions":
		nav = "actions"
	case strings.HasPrefix(p, "/services"):
		nav = "services"
	case strings.HasPrefix(p, "/admin"):
		nav = "admin"
	case strings.HasPrefix(p, "/settings"):
		nav = "settings"
	case p == "/archive":
		nav = "archive"
	case strings.HasPrefix(p, "/review"):
		nav = "review"
	}
	v := view{Nav: nav, RequestID: requestIDOf(c), User: currentUser(c), CSRF: csrfToken(c), Page: page}
	if p := c.Request().URL.Path; p == "/search" || p == "/archive" {
		v.Query = c.QueryParam("q")
	}
	return v
}

// can reports whether the signed-in user has role (for showing controls).
func (v view) Can(role string) bool { return v.User != nil && v.User.Role.Allows(model.Role(role)) }

// pathID reads a numeric id from the path; anything else is a 404, since
// no such record can exist.
func pathID(c echo.Context, name string) (int64, error) {
	raw := c.Param(name)
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != raw { // no "+1" or "01" aliases
		return 0, model.ErrNotFound
	}
	return id, nil
}

// pathIncident loads the incident a route's :id names: a 404 when there is
// none, or when it is private and the signed-in user is neither a member
// nor an admin. Routes about one incident read it through here; every
// route under /incidents/:id and /api/v1/incidents/:id passes incidentGate
// first, whatever its handler reads.
func (s *Server) pathIncident(c echo.Context) (*model.Incident, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.store.VisibleIncident(c.Request().Context(), viewerOf(c), id)
}

// viewerOf is who reads in this request, for the store's visibility rule.
func viewerOf(c echo.Context) model.Viewer { return model.ViewerOf(currentUser(c)) }

// incidentRoute reports whether a route of the table is about one
// incident, named by :id.
func incidentRoute(path string) bool {
	return strings.HasPrefix(path, "/incidents/:id") || strings.HasPrefix(path, "/api/v1/incidents/:id")
}

// incidentGate is the one door to an incident's routes (pages, API, the
// live stream, exports): a private incident the signed-in user may not
// see answers 404 exactly as a missing one does, before any handler
// reads it. An admin's read of a private incident they are not a member
// of is written to the audit log.
func (s *Server) incidentGate() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			id, err := pathID(c, "id")
			if err != nil {
				return err
			}
			ctx := c.Request().Context()
			a, err := s.store.Access(ctx, viewerOf(c), id)
			if err != nil {
				return err
			}
			if a.Private && !a.Member && c.Request().Method == http.MethodGet {
				if err := s.store.AuditRead(ctx, id, c.Request().URL.Path); err != nil {
					return err
				}
			}
			return next(c)
		}
	}
}

// parseForm parses a urlencoded or multipart body, reporting an oversized
// body as 413 instead of silently reading empty values.
func parseForm(c echo.Context) error {
	if err := parseBody(c); err != nil {
		return err
	}
	return validUTF8(c.Request().Form) // the query and the body
}

// parseBody parses a urlencoded or multipart body (once; later calls are
// free), within the request's body limit.
func parseBody(c echo.Context) error {
	r := c.Request()
	var err error
	if ct, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); ct == echo.MIMEMultipartForm {
		err = r.ParseMultipartForm(bodyLimitOf(c))
	} else {
		err = r.ParseForm()
	}
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return echo.ErrStatusRequestEntityTooLarge
	}
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "malformed form data")
	}
	return nil
}

// validUTF8 refuses a form or query whose names or values are not valid
// UTF-8: stored raw, they would break every export and import after.
func validUTF8(form url.Values) error {
	keys := slices.Sorted(maps.Keys(form)) // the same field named each time
	for _, k := range keys {
		if !utf8.ValidString(k) {
			return model.FieldError(strings.ToValidUTF8(k, "\uFFFD"), "is not a valid UTF-8 field name")
		}
		for _, v := range form[k] {
			if !utf8.ValidString(v) {
				return model.FieldError(k, "is not valid UTF-8 text")
			}
		}
	}
	return nil
}

// validInput checks every request's fields once, before any handler reads
// them: a form body (parsed here) and the query string must be valid UTF-8.
// JSON bodies are checked by decodeJSON; the chat integrations read their
// raw bodies (signatures) and check them themselves.
func (s *Server) validInput() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if strings.HasPrefix(r.URL.Path, "/integrations/") {
				return next(c)
			}
			switch ct, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); {
			case r.Body != nil && r.Body != http.NoBody && (ct == echo.MIMEApplicationForm || ct == echo.MIMEMultipartForm):
				if err := parseForm(c); err != nil {
					return err
				}
			default:
				if err := validUTF8(r.URL.Query()); err != nil {
					return err
				}
			}
			return next(c)
		}
	}
}

// formVersion parses the form and reads the hidden version field every
// edit form carries.
func formVersion(c echo.Context) (int, error) {
	if err := parseForm(c); err != nil {
		return 0, err
	}
	v, err := strconv.Atoi(c.FormValue("version"))
	if err != nil || v <= 0 {
		return 0, model.FieldError("version", "is required; reload the page and try again")
	}
	return v, nil
}

// quickTime resolves a milestone typed into a form: empty means not set.
func quickTime(v *model.ValidationError, field, raw string, now time.Time) *time.Time {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil
	}
	t, err := model.ParseQuickTime(raw, now)
	if err != nil {
		v.Add(field, err.Error())
		return nil
	}
	return &t
}

// decodeJSON decodes a JSON request body into dst, refusing unknown fields
// and trailing data. Syntax errors are 400; wrong types and unknown fields
// are 422 naming the field; an oversized body is 413.
func decodeJSON(c echo.Context, dst any) error {
	r := c.Request()
	if ct := r.Header.Get(echo.HeaderContentType); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != echo.MIMEApplicationJSON {
			return echo.NewHTTPError(http.StatusUnsupportedMediaType, "send the body as application/json")
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return echo.ErrStatusRequestEntityTooLarge
		}
		return echo.NewHTTPError(http.StatusBadRequest, "could not read the request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "malformed JSON: the body is empty")
	}
	nulls, err := checkJSON(body)
	if err != nil {
		return err
	}
	if err := refuseNulls(dst, nulls); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(dst)
	if err == nil {
		// Only whitespace may follow; dec.More alone misses a stray } or ].
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("unexpected data after the JSON value")
		}
	}
	if err == nil {
		return nil
	}
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &typ) && typ.Field != "":
		return model.FieldError(typ.Field, fmt.Sprintf("must be %s", jsonKind(typ.Type.Kind().String())))
	case errors.As(err, &typ):
		return echo.NewHTTPError(http.StatusBadRequest, "malformed JSON: the body must be a JSON object")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return model.FieldError(field, "is not a known field")
	case errors.As(err, &syn):
		return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("malformed JSON at byte %d: %v", syn.Offset, syn))
	}
	return echo.NewHTTPError(http.StatusBadRequest, "malformed JSON: "+err.Error())
}

// checkJSON walks a body once for what encoding/json accepts silently:
// invalid UTF-8 (decoded as U+FFFD) and a key given twice in one object
// (the last would win). It names the top-level field at fault, or "body".
// Syntax errors are left to the decoder, which reports them better. It
// returns the top-level fields given as null.
func checkJSON(body []byte) (nulls []string, err error) {
	bad := int64(-1) // offset of the first invalid byte
	if !utf8.Valid(body) {
		for i := 0; i < len(body); {
			r, n := utf8.DecodeRune(body[i:])
			if r == utf8.RuneError && n == 1 {
				bad = int64(i)
				break
			}
			i += n
		}
	}
	type frame struct {
		object, wantKey bool
		keys            map[string]bool
	}
	var stack []*frame
	field := "" // the current top-level field
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		key, isKey := tok.(string)
		isKey = isKey && top != nil && top.object && top.wantKey
		if bad >= 0 && dec.InputOffset() > bad {
			if field == "" || (isKey && len(stack) == 1) {
				break
			}
			return nil, model.FieldError(field, "is not valid UTF-8 text")
		}
		if tok == nil && len(stack) == 1 {
			nulls = append(nulls, field)
		}
		switch {
		case isKey:
			if len(stack) == 1 {
				field = key
			}
			if top.keys[key] {
				return nil, model.FieldError(key, "duplicate field: give it once")
			}
			top.keys[key] = true
			top.wantKey = false
			continue
		case tok == json.Delim('{') || tok == json.Delim('['):
			stack = append(stack, &frame{object: tok == json.Delim('{'), wantKey: true, keys: map[string]bool{}})
			continue
		case tok == json.Delim('}') || tok == json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				top = stack[len(stack)-1]
			} else {
				top = nil
			}
		}
		if top != nil && top.object { // a value ended: a key comes next
			top.wantKey = true
		}
	}
	if bad >= 0 {
		return nil, model.FieldError("body", "is not valid UTF-8 text")
	}
	return nulls, nil
}

// refuseNulls refuses null for a top-level field of dst that would decode
// it as "absent": only a field type with its own UnmarshalJSON (optTime,
// optID) gives null a meaning, such as clearing a milestone.
func refuseNulls(dst any, nulls []string) error {
	t := reflect.TypeOf(dst)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if len(nulls) == 0 || t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	unmarshaler := reflect.TypeFor[json.Unmarshaler]()
	v := model.NewValidationError()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || !slices.Contains(nulls, name) {
			continue
		}
		if !reflect.PointerTo(f.Type).Implements(unmarshaler) {
			v.Add(name, "cannot be null: leave it out, or give a value")
		}
	}
	return v.Err()
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int", "int64", "int32":
		return "an integer"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return "of another type"
}

// optTime is a JSON timestamp field that tells "absent" from "null" from a
// value, so PATCH can clear a milestone. It never fails to decode: the
// value is checked later, so the error names the field.
type optTime struct {
	Set bool
	Raw json.RawMessage
}

// UnmarshalJSON records the raw value.
func (o *optTime) UnmarshalJSON(b []byte) error {
	o.Set = true
	o.Raw = append(o.Raw[:0], b...)
	return nil
}

// parse returns (nil, true) for null, (&t, true) for a valid timestamp;
// on error it records the reason under field and returns ok=false.
func (o optTime) parse(v *model.ValidationError, field string, now time.Time) (*time.Time, bool) {
	if string(o.Raw) == "null" {
		return nil, true
	}
	var s string
	if err := json.Unmarshal(o.Raw, &s); err != nil {
		v.Add(field, "must be an RFC 3339 timestamp string or null")
		return nil, false
	}
	t, err := model.ParseTimestamp(s)
	if err == nil {
		err = model.CheckInstant(t, now)
	}
	if err != nil {
		v.Add(field, err.Error())
		return nil, false
	}
	return &t, true
}

// pagination reads limit and offset (API) with sane bounds.
func pagination(c echo.Context) (limit, offset int, err error) {
	v := model.NewValidationError()
	limit, offset = model.DefaultPageSize, 0
	if s := c.QueryParam("limit"); s != "" {
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 1 || n > model.MaxPageSize {
			v.Add("limit", fmt.Sprintf("must be a whole number from 1 to %d", model.MaxPageSize))
		}
		limit = n
	}
	if s := c.QueryParam("offset"); s != "" {
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 0 {
			v.Add("offset", "must be a whole number of 0 or more")
		}
		offset = n
	}
	return limit, offset, v.Err()
}
