package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/store"
)

// apiBackup streams a consistent, checked copy of the database to an admin
// (POST /api/v1/admin/backup). The copy is made first, so a failure is still
// a clean error response; the headers go out with its first bytes.
func (s *Server) apiBackup(c echo.Context) error {
	// A big database takes longer to send than the server's write timeout.
	_ = http.NewResponseController(c.Response().Writer).SetWriteDeadline(time.Time{})
	w := &backupWriter{c: c}
	rep, err := s.store.BackupTo(c.Request().Context(), w)
	if errors.Is(err, store.ErrBackupRunning) {
		return echo.NewHTTPError(http.StatusConflict, err.Error())
	}
	if err != nil {
		if w.started { // the response is under way: it can only be cut short
			s.log.Error("backup download cut short", "request_id", requestIDOf(c), "error", err)
			return nil
		}
		return err
	}
	s.log.Info("backup downloaded", "request_id", requestIDOf(c), "bytes", rep.Size, "incidents", rep.Incidents,
		"entries", rep.Entries, "duration", rep.Duration.Round(time.Millisecond))
	return nil
}

// backupWriter writes the download's headers before its first bytes.
type backupWriter struct {
	c       echo.Context
	started bool
}

func (w *backupWriter) Write(p []byte) (int, error) {
	if !w.started {
		w.started = true
		h := w.c.Response().Header()
		h.Set(echo.HeaderContentType, "application/vnd.sqlite3")
		h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="debrief-%s.db"`, time.Now().UTC().Format("20060102T150405Z")))
		h.Set("Cache-Control", "no-store")
		w.c.Response().WriteHeader(http.StatusOK)
	}
	return w.c.Response().Write(p)
}
