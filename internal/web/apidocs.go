package web

import (
	"cmp"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// The API's readable page, GET /docs/api: the OpenAPI document rendered
// on the server, operations grouped by tag with their parameters and the
// fields of their requests and responses. No script, no CDN.

type apiDocsPage struct {
	Tags    []docTag
	Schemas []docSchema
	Errors  []docError
}

type docTag struct {
	Name, Desc string
	Ops        []docOp
}

type docOp struct {
	ID, Method, Path, Summary, Auth string
	Params                          []docField
	Request                         *docBody
	Responses                       []docBody
	Errors                          []int
}

type docBody struct {
	Status int
	Text   string
	Type   docType
	Fields []docField
}

type docField struct {
	Name     string
	In       string // path or query, for parameters
	Type     docType
	Required bool
	Desc     string
}

// docType is a schema written short: "array of Incident", with the
// component it names (linked on the page).
type docType struct {
	Text, Ref string
}

type docSchema struct {
	Name   string
	Fields []docField
}

type docError struct {
	Status int
	Name   string
	Desc   string
}

// apiDocs builds the page's data from the document.
func (s *Server) apiDocs(doc map[string]any) apiDocsPage {
	paths := doc["paths"].(map[string]sch)
	comps := doc["components"].(sch)
	var p apiDocsPage
	byTag := map[string]int{}
	for _, t := range tagInfo {
		byTag[t.name] = len(p.Tags)
		p.Tags = append(p.Tags, docTag{Name: t.name, Desc: t.desc})
	}
	for _, op := range apiOps {
		path, _ := openAPIPath(op.path)
		o := paths[path][strings.ToLower(op.method)].(sch)
		d := docOp{ID: o["operationId"].(string), Method: op.method, Path: path, Summary: op.summary, Auth: o["description"].(string)}
		if params, ok := o["parameters"].([]any); ok {
			for _, x := range params {
				prm := x.(sch)
				d.Params = append(d.Params, docField{Name: prm["name"].(string), In: prm["in"].(string),
					Type: typeOf(prm["schema"].(sch)), Required: prm["required"] == true, Desc: prm["description"].(string)})
			}
		}
		if rb, ok := o["requestBody"].(sch); ok {
			b := bodyOf(rb["content"].(sch)["application/json"].(sch)["schema"].(sch))
			d.Request = &b
		}
		for code, x := range o["responses"].(sch) {
			st, _ := strconv.Atoi(code)
			r := x.(sch)
			if _, isErr := r["$ref"]; isErr {
				d.Errors = append(d.Errors, st)
				continue
			}
			b := docBody{Status: st, Text: r["description"].(string)}
			if c, ok := r["content"].(sch); ok {
				if js, ok := c["application/json"].(sch); ok {
					full := bodyOf(js["schema"].(sch))
					b.Type, b.Fields = full.Type, full.Fields
				} else {
					for media := range c {
						b.Type = docType{Text: media}
					}
				}
			}
			d.Responses = append(d.Responses, b)
		}
		slices.Sort(d.Errors)
		slices.SortFunc(d.Responses, func(a, b docBody) int { return a.Status - b.Status })
		t := &p.Tags[byTag[op.tag]]
		t.Ops = append(t.Ops, d)
	}
	schemas := comps["schemas"].(map[string]any)
	names := make([]string, 0, len(schemas))
	for n := range schemas {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		p.Schemas = append(p.Schemas, docSchema{Name: n, Fields: fieldsOf(schemas[n].(sch))})
	}
	for _, st := range slices.Sorted(maps.Keys(errorText)) {
		p.Errors = append(p.Errors, docError{Status: st, Name: http.StatusText(st), Desc: errorText[st]})
	}
	return p
}

// bodyOf is a body's type and, for an object, its fields.
func bodyOf(s sch) docBody {
	return docBody{Type: typeOf(s), Fields: fieldsOf(s)}
}

// fieldsOf lists an inline object's fields, required first as written.
func fieldsOf(s sch) []docField {
	props, ok := s["properties"].(sch)
	if !ok {
		return nil
	}
	req := map[string]bool{}
	if r, ok := s["required"].([]string); ok {
		for _, n := range r {
			req[n] = true
		}
	}
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]docField, 0, len(names))
	for _, n := range names {
		ps := props[n].(sch)
		desc, _ := ps["description"].(string)
		out = append(out, docField{Name: n, Type: typeOf(ps), Required: req[n], Desc: desc})
	}
	return out
}

// typeOf writes a schema short.
func typeOf(s sch) docType {
	if ref, ok := s["$ref"].(string); ok {
		n := ref[strings.LastIndex(ref, "/")+1:]
		return docType{Text: n, Ref: n}
	}
	if alts, ok := s["anyOf"].([]any); ok {
		var parts []string
		var ref string
		for _, x := range alts {
			t := typeOf(x.(sch))
			parts = append(parts, t.Text)
			ref = cmp.Or(ref, t.Ref)
		}
		return docType{Text: strings.Join(parts, " | "), Ref: ref}
	}
	var types []string
	switch t := s["type"].(type) {
	case string:
		types = []string{t}
	case []any:
		for _, x := range t {
			types = append(types, x.(string))
		}
	}
	if len(types) == 0 || len(types) >= 6 {
		return docType{Text: "any JSON"}
	}
	for i, t := range types {
		switch t {
		case "array":
			it := typeOf(s["items"].(sch))
			types[i] = "array of " + it.Text
			if it.Ref != "" {
				return docType{Text: strings.Join(types, " | "), Ref: it.Ref}
			}
		case "object":
			if ap, ok := s["additionalProperties"].(sch); ok {
				types[i] = "map of " + typeOf(ap).Text
			} else if props, ok := s["properties"].(sch); ok && len(props) > 0 {
				keys := make([]string, 0, len(props))
				for k := range props {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				types[i] = "object {" + strings.Join(keys, ", ") + "}"
			}
		case "string":
			if f, ok := s["format"].(string); ok {
				types[i] = "string (" + f + ")"
			}
		}
	}
	return docType{Text: strings.Join(types, " | ")}
}

// apiDocsShow is GET /docs/api.
func (s *Server) apiDocsShow(c echo.Context) error {
	return c.Render(http.StatusOK, "apidocs", s.pageData(c, s.apiDocsData))
}
