package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

func TestAPILint(t *testing.T) {
	app := newTestApp(t).as(model.RoleViewer)
	rec := app.api(http.MethodPost, "/api/v1/lint", `{"text":"Root cause: human error. Alice deployed the bad config.","people":["Alice Chen"]}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	findings := decode(t, rec)["findings"].([]any)
	require.Len(t, findings, 2)
	first := findings[0].(map[string]any)
	assert.Equal(t, "human-error", first["rule"])
	assert.Equal(t, "human error", first["phrase"])
	assert.EqualValues(t, 12, first["start"])
	assert.NotEmpty(t, first["why"])
	assert.NotEmpty(t, first["reframe"])
	assert.Equal(t, "person-as-cause", findings[1].(map[string]any)["rule"])

	rec = app.api(http.MethodPost, "/api/v1/lint", `{"text":"The error budget held; a fault-tolerant design."}`)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"findings":[]}`, rec.Body.String())
}

func TestAPILintBadInput(t *testing.T) {
	app := newTestApp(t)
	for _, tc := range []struct {
		body   string
		status int
	}{
		{`{}`, http.StatusUnprocessableEntity},
		{`{"text": 5}`, http.StatusUnprocessableEntity},
		{`{"text":"` + strings.Repeat("x", model.MaxMarkdownLen+1) + `"}`, http.StatusUnprocessableEntity},
		{`{"text":"x","people":"Alice"}`, http.StatusUnprocessableEntity},
		{`{"text":`, http.StatusBadRequest},
	} {
		rec := app.api(http.MethodPost, "/api/v1/lint", tc.body)
		assert.Equal(t, tc.status, rec.Code, "%.60s: %s", tc.body, rec.Body.String())
	}
	assert.Equal(t, http.StatusUnauthorized, app.as("").api(http.MethodPost, "/api/v1/lint", `{"text":"x"}`).Code)
}
