package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// insertPublished adds n incidents, each with one published revision and
// half of them with a service, in one transaction of set-based INSERTs:
// tens of thousands in well under a second.
func insertPublished(t *testing.T, s *Store, n int) {
	t.Helper()
	err := s.wdb.Transaction(func(tx *gorm.DB) error {
		for _, q := range []string{
			`INSERT INTO services (name, created_at) SELECT 'svc-bulk', '2024-01-01 00:00:00+00:00' WHERE NOT EXISTS (SELECT 1 FROM services WHERE name = 'svc-bulk')`,
			`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
			 INSERT INTO incidents (title, severity, status, started_at, created_at, updated_at)
			 SELECT 'Bulk outage ' || i, 'SEV2', 'resolved',
			        strftime('%Y-%m-%d %H:%M:%S+00:00', '2024-01-01', '+' || (i * 17) || ' minutes'),
			        '2024-01-01 00:00:00+00:00', '2024-01-01 00:00:00+00:00' FROM k`,
			`INSERT INTO incident_services (incident_id, service_id)
			 SELECT i.id, s.id FROM incidents i, services s WHERE s.name = 'svc-bulk' AND i.id % 2 = 0`,
			`INSERT INTO postmortem_revisions (incident_id, number, markdown, data, published_at)
			 SELECT id, 1, '# ' || title || char(10), '{}', '2025-01-01 00:00:00+00:00' FROM incidents`,
		} {
			var args []any
			if strings.Contains(q, "?") {
				args = []any{n}
			}
			if err := tx.Exec(q, args...).Error; err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
}

func TestPublishedBatchWalksAnArchivePastTheVariableLimit(t *testing.T) {
	const n = 33_000 // SQLite allows 32 766 variables in one statement
	ctx := context.Background()
	s := OpenTest(t)
	start := time.Now()
	insertPublished(t, s, n)
	t.Logf("inserted %d published postmortems in %s", n, time.Since(start).Round(time.Millisecond))

	seen, after := 0, int64(0)
	var chunk []int64
	for {
		batch, err := s.PublishedBatch(ctx, model.AllIncidents, after, 500)
		require.NoError(t, err)
		for _, p := range batch {
			require.Greater(t, p.Incident.ID, after, "by incident id, after the last one")
			require.NotNil(t, p.Incident.StartedAt)
			assert.Equal(t, p.Incident.ID%2 == 0, len(p.Incident.Services) == 1, "incident %d's services", p.Incident.ID)
			chunk = append(chunk, p.Incident.ID)
		}
		seen += len(batch)
		if len(batch) < 500 {
			break
		}
		after = batch[len(batch)-1].Incident.ID
	}
	assert.Equal(t, n, seen)

	md, err := s.LatestMarkdown(ctx, chunk[:200])
	require.NoError(t, err)
	assert.Len(t, md, 200)
	assert.Equal(t, "# Bulk outage 1\n", md[chunk[0]])
}
