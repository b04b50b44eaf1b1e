package web

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/debrief-dev/debrief/internal/review"
)

// The OpenAPI document's schemas are made from the very Go types the
// handlers encode and decode (see openapi.go), so a field renamed in a
// response struct changes the document with it. Response schemas are
// strict: every field without omitempty is required, a pointer may be
// null, and no other field may appear. Request schemas list what the
// decoder accepts (it refuses unknown fields); which fields an operation
// requires is the handler's to say, with a 422 naming the field.

// sch is a schema written by hand, used as is.
type sch map[string]any

// obj is an object written by hand (the handlers' map[string]any
// responses): each value is a Go value whose type gives the field's
// schema, or a sch. Every field is required unless wrapped in optional.
type obj map[string]any

// optional marks a field of an obj that may be left out.
type optional struct{ v any }

// nullable is a field of an obj that may be null.
type nullable struct{ v any }

// schemaGen turns Go types into JSON Schema (OpenAPI 3.1), keeping named
// response structs as components.
type schemaGen struct {
	components map[string]any
	names      map[reflect.Type]string
	taken      map[string]reflect.Type
}

func newSchemaGen() *schemaGen {
	return &schemaGen{components: map[string]any{}, names: map[reflect.Type]string{}, taken: map[string]reflect.Type{}}
}

var (
	timeType        = reflect.TypeFor[time.Time]()
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	marshalerType   = reflect.TypeFor[json.Marshaler]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
)

// customJSON are the types that encode or decode themselves: what they
// look like on the wire, as a sch or as a Go value of the same shape.
var customJSON = map[string]any{
	"model.Date":  sch{"type": []any{"string", "null"}, "format": "date", "description": "YYYY-MM-DD, or null for no date"},
	"web.optTime": sch{"type": []any{"string", "null"}, "description": "RFC 3339 time with an offset; null clears it"},
	"web.optID":   sch{"type": []any{"integer", "null"}, "description": "an id; null clears it"},
	"review.PostmortemLists": struct {
		DueSoon   []review.PostmortemRef `json:"due_soon"`
		Overdue   []review.PostmortemRef `json:"overdue"`
		InReview  []review.PostmortemRef `json:"in_review"`
		Published []review.PostmortemRef `json:"published"`
		Lists     struct {
			DueSoon   review.List[review.PostmortemRef] `json:"due_soon"`
			Overdue   review.List[review.PostmortemRef] `json:"overdue"`
			InReview  review.List[review.PostmortemRef] `json:"in_review"`
			Published review.List[review.PostmortemRef] `json:"published"`
		} `json:"lists"`
	}{},
	"review.ActionLists": struct {
		Overdue        []review.ActionRef  `json:"overdue"`
		DueSoon        []review.ActionRef  `json:"due_soon"`
		Done           []review.ActionRef  `json:"done"`
		WontDo         []review.ActionRef  `json:"wont_do"`
		NoOwner        []review.ActionRef  `json:"no_owner"`
		OverdueByOwner []review.OwnerGroup `json:"overdue_by_owner"`
		Lists          struct {
			Overdue review.List[review.ActionRef] `json:"overdue"`
			DueSoon review.List[review.ActionRef] `json:"due_soon"`
			Done    review.List[review.ActionRef] `json:"done"`
			WontDo  review.List[review.ActionRef] `json:"wont_do"`
			NoOwner review.List[review.ActionRef] `json:"no_owner"`
		} `json:"lists"`
	}{},
}

// value is the schema of a Go value given in the operation table.
func (g *schemaGen) value(v any, response bool) sch {
	switch v := v.(type) {
	case nil:
		return sch{}
	case sch:
		return v
	case obj:
		props, req := sch{}, []string{}
		for name, fv := range v {
			opt := false
			if o, ok := fv.(optional); ok {
				fv, opt = o.v, true
			}
			if n, ok := fv.(nullable); ok {
				props[name] = orNull(g.value(n.v, response))
			} else {
				props[name] = g.value(fv, response)
			}
			if !opt {
				req = append(req, name)
			}
		}
		out := sch{"type": "object", "properties": props, "additionalProperties": false}
		if len(req) > 0 {
			slices.Sort(req)
			out["required"] = req
		}
		return out
	case []obj: // an array of the object written as its one element
		return sch{"type": "array", "items": g.value(v[0], response)}
	case reflect.Type:
		return g.typ(v, response)
	}
	return g.typ(reflect.TypeOf(v), response)
}

// typ is the schema of a Go type as encoding/json writes (response) or
// reads (request) it.
func (g *schemaGen) typ(t reflect.Type, response bool) sch {
	if t.Kind() == reflect.Pointer {
		s := g.typ(t.Elem(), response)
		if response {
			return orNull(s)
		}
		return s
	}
	name := t.String()
	if c, ok := customJSON[name]; ok {
		return g.value(c, response)
	}
	switch {
	case t == timeType:
		return sch{"type": "string", "format": "date-time"}
	case t == rawMessageType:
		return anyJSON()
	case t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) ||
		(!response && (t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType))):
		panic(fmt.Sprintf("openapi: %s encodes itself: describe it in customJSON", name))
	case t.Implements(textMarshaler):
		return sch{"type": "string"}
	}
	switch t.Kind() {
	case reflect.String:
		return sch{"type": "string"}
	case reflect.Bool:
		return sch{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return sch{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return sch{"type": "number"}
	case reflect.Interface:
		return anyJSON()
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return sch{"type": "string", "contentEncoding": "base64"}
		}
		return sch{"type": "array", "items": g.typ(t.Elem(), response)}
	case reflect.Map:
		return sch{"type": "object", "additionalProperties": g.typ(t.Elem(), response)}
	case reflect.Struct:
		if !response || t.Name() == "" {
			return g.structSchema(t, response)
		}
		return sch{"$ref": "#/components/schemas/" + g.component(t)}
	}
	panic(fmt.Sprintf("openapi: no schema for %s", name))
}

// component registers a named response struct once and names it.
func (g *schemaGen) component(t reflect.Type) string {
	if n, ok := g.names[t]; ok {
		return n
	}
	n := t.Name()
	if base, arg, ok := strings.Cut(n, "["); ok { // List[…/review.ActionRef] → ListActionRef
		arg = strings.TrimSuffix(arg, "]")
		n = base + arg[strings.LastIndex(arg, ".")+1:]
	}
	n = strings.TrimSuffix(n, "JSON")
	n = strings.ToUpper(n[:1]) + n[1:]
	if other, ok := g.taken[n]; ok && other != t {
		pkg := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:]
		n = strings.ToUpper(pkg[:1]) + pkg[1:] + n
	}
	g.names[t], g.taken[n] = n, t
	g.components[n] = sch{} // a placeholder stops recursion
	g.components[n] = g.structSchema(t, true)
	return n
}

// structSchema lists a struct's fields as encoding/json sees them:
// embedded structs flattened, "-" left out, omitempty optional.
func (g *schemaGen) structSchema(t reflect.Type, response bool) sch {
	props, req := sch{}, []string{}
	g.fields(t, response, props, &req)
	out := sch{"type": "object", "properties": props, "additionalProperties": false}
	if response && len(req) > 0 {
		slices.Sort(req)
		out["required"] = req
	}
	return out
}

func (g *schemaGen) fields(t reflect.Type, response bool, props sch, req *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				g.fields(et, response, props, req)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := g.typ(ft, response)
		if strings.Contains(opts, "string") && ft.Kind() != reflect.String {
			s = sch{"type": "string"}
		}
		props[name] = s
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			*req = append(*req, name)
		}
	}
}

// anyJSON is any JSON value, null included (spelled out: kin-openapi's
// 3.0-style validator takes a schema without a type as not nullable).
func anyJSON() sch {
	return sch{"type": []any{"object", "array", "string", "number", "boolean", "null"}}
}

// orNull lets a schema be null too.
func orNull(s sch) sch {
	if _, ok := s["$ref"]; ok {
		return sch{"anyOf": []any{s, sch{"type": "null"}}}
	}
	typ, ok := s["type"]
	if !ok {
		return s // any value already
	}
	out := sch{}
	for k, v := range s {
		out[k] = v
	}
	switch typ := typ.(type) {
	case string:
		out["type"] = []any{typ, "null"}
	case []any:
		for _, x := range typ {
			if x == "null" {
				return s
			}
		}
		out["type"] = append(append([]any{}, typ...), "null")
	}
	return out
}

// pathParams turns Echo's /incidents/:id into OpenAPI's /incidents/{id}
// and names the parameters.
func openAPIPath(p string) (string, []string) {
	parts := strings.Split(p, "/")
	var names []string
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			names = append(names, s[1:])
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/"), names
}

// title is "incidents" → "Incidents".
func title(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
