package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

const foreignPostmortem = "# Cache stampede on the catalogue\n\n## Summary\n\nThe catalogue cache expired at once.\n"

func TestImportAPI(t *testing.T) {
	app := newTestApp(t).as(model.RoleEditor)

	t.Run("markdown body makes a new draft incident", func(t *testing.T) {
		rec := app.do(http.MethodPost, "/api/v1/import", "text/markdown", foreignPostmortem)
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
		m := decode(t, rec)
		assert.Equal(t, true, m["created"])
		id := int64(m["incident_id"].(float64))
		inc := app.getJSON("/api/v1/incidents/" + strconv.FormatInt(id, 10))
		assert.Equal(t, "Cache stampede on the catalogue", inc["title"])
	})
	t.Run("json body", func(t *testing.T) {
		rec := app.api(http.MethodPost, "/api/v1/import", `{"markdown": "# From JSON\n"}`)
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	})
	t.Run("a 50 MB upload is refused with the limit", func(t *testing.T) {
		big := strings.Repeat("x", 50<<20)
		rec := app.do(http.MethodPost, "/api/v1/import", "text/markdown", big)
		require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
		assert.Contains(t, rec.Body.String(), "request body is larger than")
	})
	t.Run("malformed front matter is a 422 on file", func(t *testing.T) {
		rec := app.do(http.MethodPost, "/api/v1/import", "text/markdown", "---\ndebrief_id: [\n---\n# x\n")
		require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
		assert.Contains(t, decode(t, rec)["fields"], "file")
	})
	t.Run("empty and wrong type", func(t *testing.T) {
		rec := app.do(http.MethodPost, "/api/v1/import", "text/markdown", "")
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
		rec = app.do(http.MethodPost, "/api/v1/import", "image/png", "x")
		assert.Equal(t, http.StatusUnsupportedMediaType, rec.Code)
	})
	t.Run("viewers cannot import", func(t *testing.T) {
		rec := app.as(model.RoleViewer).do(http.MethodPost, "/api/v1/import", "text/markdown", foreignPostmortem)
		assert.Equal(t, http.StatusForbidden, rec.Code)
	})
}

func TestImportPage(t *testing.T) {
	app := newTestApp(t).as(model.RoleEditor)
	rec := app.do(http.MethodGet, "/import", "", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), `enctype="multipart/form-data"`)

	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, err := w.CreateFormFile("file", "postmortem.md")
	require.NoError(t, err)
	_, _ = fw.Write([]byte(foreignPostmortem))
	require.NoError(t, w.WriteField("_csrf", testCSRF))
	require.NoError(t, w.Close())
	rec = app.do(http.MethodPost, "/import", w.FormDataContentType(), body.String())
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "Imported into")
	assert.Contains(t, rec.Body.String(), "created incident")
}
