package store

import (
	"time"

	"github.com/alexedwards/scs/sqlite3store"
)

// SessionStore returns the server-side session store (github.com/alexedwards/scs)
// over the sessions table, on the write connection. Expired sessions are
// swept every 30 minutes until Close.
func (s *Store) SessionStore() (*sqlite3store.SQLite3Store, error) {
	if s.sessions != nil {
		return s.sessions, nil
	}
	sqlDB, err := s.wdb.DB()
	if err != nil {
		return nil, err
	}
	s.sessions = sqlite3store.NewWithCleanupInterval(sqlDB, 30*time.Minute)
	return s.sessions, nil
}
