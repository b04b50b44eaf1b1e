package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/postmortem"
	"github.com/debrief-dev/debrief/internal/store"
)

// sectionEditor is one narrative section as the editor shows it: the text
// in the box, the version and text-hash it is based on, and why it was not
// saved, if it was not.
type sectionEditor struct {
	Body    string
	Version int
	Loaded  string
	Clash   *store.SectionConflict
	Error   string
}

// editorSections lays out every section for the one-form editor: as
// stored, or, for those a save did not take, as the writer left them.
func editorSections(pm *model.Postmortem, res *postmortem.SaveResult) map[model.SectionKey]*sectionEditor {
	out := make(map[model.SectionKey]*sectionEditor, len(model.Sections))
	for _, sec := range model.Sections {
		cur := pm.Sections[sec.Key]
		out[sec.Key] = &sectionEditor{Body: cur.Body, Version: cur.Version, Loaded: postmortem.TextHash(cur.Body)}
	}
	if res == nil {
		return out
	}
	for key, u := range res.Unsaved {
		e := out[key]
		if e == nil {
			continue
		}
		e.Body, e.Version, e.Loaded, e.Error = u.Body, u.Version, u.Loaded, res.Invalid[key]
	}
	for i := range res.Clashes {
		cl := &res.Clashes[i]
		if e := out[cl.Key]; e != nil {
			// Their text is the base now: saving again knowingly replaces it
			// with what is in the box (the writer's, to merge).
			e.Clash, e.Version, e.Loaded = cl, cl.Current.Version, postmortem.TextHash(cl.Current.Body)
		}
	}
	return out
}

// postmortemSections is POST /incidents/{id}/postmortem/sections: the
// editor's one form saves every section the writer changed, each on its
// own version. A clash or a refused text in one section is shown with
// what was typed; the others are saved.
func (s *Server) postmortemSections(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	var edits []postmortem.SectionSave
	for _, sec := range model.Sections {
		k := string(sec.Key)
		if _, sent := c.Request().PostForm["body_"+k]; !sent {
			continue
		}
		v, err := strconv.Atoi(c.FormValue("version_" + k))
		if err != nil || v < 0 {
			return model.FieldError("version_"+k, "is required; reload the page and try again")
		}
		edits = append(edits, postmortem.SectionSave{Key: sec.Key, Body: c.FormValue("body_" + k), Version: v, Loaded: c.FormValue("loaded_" + k)})
	}
	res, err := postmortem.SaveChanged(c.Request().Context(), s.store, id, edits)
	if err != nil {
		return s.postmortemFail(c, err, nil)
	}
	if len(res.Clashes) == 0 && len(res.Invalid) == 0 {
		notice := "Nothing changed"
		if n := len(res.Saved); n > 0 {
			notice = fmt.Sprintf("Saved %d section%s", n, map[bool]string{true: "", false: "s"}[n == 1])
		}
		return s.redirectEdit(c, id, notice, "#sections")
	}
	data, err := s.postmortemEditData(c)
	if err != nil {
		return err
	}
	data.Sections, data.Failed = editorSections(data.Doc.Postmortem, res), true
	status := http.StatusUnprocessableEntity
	var parts []string
	if n := len(res.Saved); n > 0 {
		parts = append(parts, fmt.Sprintf("%d section%s saved", n, map[bool]string{true: "", false: "s"}[n == 1]))
	}
	if len(res.Clashes) > 0 {
		status = http.StatusConflict
		parts = append(parts, fmt.Sprintf("%d changed by someone else meanwhile: both texts are shown below, merge and save again", len(res.Clashes)))
	}
	if len(res.Invalid) > 0 {
		parts = append(parts, fmt.Sprintf("%d not saved: see the reason under each", len(res.Invalid)))
	}
	data.Notice = strings.Join(parts, "; ") + "."
	return c.Render(status, "postmortem_edit", s.pageData(c, data))
}

// postmortemPreview renders a section's Markdown as the published
// postmortem will show it (the Preview tab).
func (s *Server) postmortemPreview(c echo.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	key := c.FormValue("key")
	if _, ok := model.SectionByKey(key); !ok {
		return model.FieldError("key", "is not a postmortem section")
	}
	body := c.FormValue("body_" + key)
	if n := utf8.RuneCountInString(body); n > model.MaxMarkdownLen*10 {
		return model.FieldError("body_"+key, fmt.Sprintf("is too long to preview (%d characters)", n))
	}
	html := s.markdown(body)
	if strings.TrimSpace(body) == "" {
		html = template.HTML(`<p class="muted">Nothing to preview yet.</p>`)
	}
	return c.HTML(http.StatusOK, `<div class="markdown">`+string(html)+`</div>`)
}
