package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
)

// reminderSave is POST /settings/reminders: the user's own reminder
// settings (reminders=on, quiet_from and quiet_to as whole UTC hours or
// both empty).
func (s *Server) reminderSave(c echo.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	v := model.NewValidationError()
	hour := func(field string) *int {
		raw := strings.TrimSpace(c.FormValue(field))
		if raw == "" {
			return nil
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > 23 {
			v.Add(field, "must be an hour from 0 to 23 (UTC), or empty")
			return nil
		}
		return &n
	}
	from, to := hour("quiet_from"), hour("quiet_to")
	if (from == nil) != (to == nil) && len(v.Fields) == 0 {
		v.Add("quiet_to", "set both ends of the quiet hours, or neither")
	}
	if len(v.Fields) > 0 {
		p := tokensPage{Errors: v.Fields}
		if err := s.settingsLists(c, &p); err != nil {
			return err
		}
		return c.Render(http.StatusUnprocessableEntity, "settings", s.pageData(c, p))
	}
	u := currentUser(c)
	if u.ID == 0 {
		return echo.NewHTTPError(http.StatusForbidden, "this account is managed by the sign-in proxy")
	}
	if err := s.store.SetReminderPrefs(c.Request().Context(), u.ID, c.FormValue("reminders") != "on", from, to); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings?notice="+url.QueryEscape("Reminder settings saved."))
}
