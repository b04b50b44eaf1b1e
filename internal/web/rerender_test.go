package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/debrief-dev/debrief/internal/model"
)

// rerender shows the form page again with a validation error's fields
// (422) or a conflict (409), wrapped or not; it hands back anything else.
func TestRerender(t *testing.T) {
	app := newTestApp(t)
	for _, tt := range []struct {
		name   string
		err    error
		status int
		body   string
	}{
		{"validation", fmt.Errorf("saving: %w", model.FieldError("file", "is not Markdown")), http.StatusUnprocessableEntity, "is not Markdown"},
		{"conflict", &model.ConflictError{Message: "changed meanwhile"}, http.StatusConflict, "changed meanwhile"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			c := app.srv.echo.NewContext(httptest.NewRequest(http.MethodPost, "/import", nil), rec)
			var gotFields map[string]string
			var gotConflict *model.ConflictError
			err := app.srv.rerender(c, tt.err, "import", func(fields map[string]string, ce *model.ConflictError) any {
				gotFields, gotConflict = fields, ce
				if ce != nil {
					return importPage{Error: ce.Error()}
				}
				return importPage{Errors: fields}
			})
			assert.NoError(t, err)
			assert.Equal(t, tt.status, rec.Code)
			assert.Contains(t, rec.Body.String(), tt.body)
			assert.True(t, (gotFields == nil) != (gotConflict == nil), "exactly one of fields and conflict")
		})
	}
	other := errors.New("disk full")
	c := app.srv.echo.NewContext(httptest.NewRequest(http.MethodPost, "/import", nil), httptest.NewRecorder())
	assert.Same(t, other, app.srv.rerender(c, other, "import", func(map[string]string, *model.ConflictError) any {
		t.Fatal("not a form error")
		return nil
	}))
	assert.NoError(t, app.srv.rerender(c, nil, "import", nil))
}
