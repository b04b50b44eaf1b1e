package web

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

// The severity scale and the factor categories are one page with the
// kind's own words; only severities have the action items' due time.
func TestAdminListsShareOnePage(t *testing.T) {
	app := newTestApp(t).as(model.RoleAdmin)
	sevs := app.page("/admin/severities")
	assert.Contains(t, sevs, "<h1>Severities</h1>")
	assert.Contains(t, sevs, `name="action_due_weeks"`)
	assert.Contains(t, sevs, `maxlength="20"`)
	assert.Contains(t, sevs, `data-confirm="Delete the severity SEV1?"`)
	cats := app.page("/admin/categories")
	assert.Contains(t, cats, "<h1>Factor categories</h1>")
	assert.NotContains(t, cats, `name="action_due_weeks"`)
	assert.Contains(t, cats, `maxlength="50"`)

	// A refused save shows the form again as normalised, with the reason.
	rec := app.form("/admin/categories", url.Values{"name": {"  Code   DEFECT "}, "position": {"30"}})
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, rec.Body.String(), model.CategoryList.Duplicate)
	assert.Contains(t, rec.Body.String(), `value="code defect"`)
	rec = app.form("/admin/severities", url.Values{"name": {"SEV9"}, "position": {"9"}, "action_due_weeks": {"0"}})
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, rec.Body.String(), "must be a whole number of weeks from 1 to 104")
}
