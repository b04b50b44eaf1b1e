package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

// seeded is a migrated store with an incident and n timeline entries.
func seeded(t *testing.T, n int) (*Store, *model.Incident) {
	t.Helper()
	st := OpenTest(t)
	inc := &model.Incident{Title: "Heron queue stalled", Severity: "SEV2"}
	require.NoError(t, st.CreateIncident(ctx, inc, ""))
	for i := range n {
		require.NoError(t, st.AppendTimeline(ctx, &model.TimelineEntry{IncidentID: inc.ID, OccurredAt: st.Now(), Kind: model.KindAction, Body: fmt.Sprintf("step %d", i)}))
	}
	return st, inc
}

func TestBackupIsACheckedCopy(t *testing.T) {
	st, _ := seeded(t, 3)
	target := filepath.Join(t.TempDir(), "copy.db")
	rep, err := st.Backup(ctx, target)
	require.NoError(t, err)
	assert.Equal(t, int64(1), rep.Incidents)
	assert.Equal(t, int64(4), rep.Entries, "the three and the incident's declaration")
	info, err := os.Stat(target)
	require.NoError(t, err)
	assert.Equal(t, info.Size(), rep.Size)
	assert.Regexp(t, `^backup .*copy.db: \d+ bytes, 1 incidents, 4 timeline entries, integrity ok, in \S+$`, rep.String())
	entries, err := os.ReadDir(filepath.Dir(target))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left beside the backup")

	cp, err := Open(target)
	require.NoError(t, err)
	defer cp.Close()
	results, err := cp.Check(ctx)
	require.NoError(t, err)
	for _, r := range results {
		assert.NoError(t, r.Err, r.Name)
	}

	_, err = st.Backup(ctx, target)
	assert.ErrorContains(t, err, "already exists", "a backup never overwrites a file")
}

func TestBackupToMissingFolderLeavesNothing(t *testing.T) {
	st, _ := seeded(t, 1)
	parent := t.TempDir()
	_, err := st.Backup(ctx, filepath.Join(parent, "nope", "copy.db"))
	require.ErrorContains(t, err, "folder "+filepath.Join(parent, "nope")+" does not exist")
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestBackupFailureLeavesNoPartialFile(t *testing.T) {
	st, _ := seeded(t, 1)
	dir := t.TempDir()
	cctx, cancel := context.WithCancel(ctx)
	cancel() // the copy fails part-way: here, before it starts
	_, err := st.Backup(cctx, filepath.Join(dir, "copy.db"))
	require.Error(t, err)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "the temporary file is removed")
}

func TestTwoBackupsAtOnce(t *testing.T) {
	st, _ := seeded(t, 1)
	dir := t.TempDir()
	// A backup is running (it holds the backup lock, as Backup does while
	// it copies): a second one is refused at once rather than queued.
	unlock, err := flockFile(st.Path()+".backup-lock", false)
	require.NoError(t, err)
	_, err = st.Backup(ctx, filepath.Join(dir, "second.db"))
	require.ErrorIs(t, err, ErrBackupRunning)
	unlock()

	// Started together, one or both succeed and every refusal is the clear one.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = st.Backup(ctx, filepath.Join(dir, fmt.Sprintf("b%d.db", i)))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			assert.ErrorIs(t, err, ErrBackupRunning)
		}
	}
	assert.GreaterOrEqual(t, ok, 1)
}

// backupFile makes a backup of a seeded store and returns its path.
func backupFile(t *testing.T) string {
	t.Helper()
	st, _ := seeded(t, 2)
	path := filepath.Join(t.TempDir(), "backup.db")
	_, err := st.Backup(ctx, path)
	require.NoError(t, err)
	return path
}

func TestRestoreReplacesAndKeepsTheOldFile(t *testing.T) {
	from := backupFile(t)
	// The target holds another database (with one incident, no entries).
	other := OpenTest(t)
	require.NoError(t, other.CreateIncident(ctx, &model.Incident{Title: "Other", Severity: "SEV3"}, ""))
	to := other.Path()
	require.NoError(t, other.Close())
	require.NoError(t, os.WriteFile(to+"-shm", []byte("stale"), 0o600))

	rep, err := Restore(ctx, from, to, other.Now())
	require.NoError(t, err)
	assert.Equal(t, int64(1), rep.Incidents)
	assert.Equal(t, int64(3), rep.Entries)
	assert.False(t, rep.Reindexed, "a backup's index matches its records")
	require.FileExists(t, rep.Replaced)
	assert.True(t, strings.HasPrefix(rep.Replaced, to+".replaced-"))

	st, err := Open(to)
	require.NoError(t, err)
	defer st.Close()
	incs, err := st.IncidentCount(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(1), incs)
	var title string
	require.NoError(t, st.db.Raw("SELECT title FROM incidents").Scan(&title).Error)
	assert.Equal(t, "Heron queue stalled", title)
}

func TestRestoreRebuildsADriftedIndex(t *testing.T) {
	from := backupFile(t)
	raw, err := sql.Open("sqlite3", from)
	require.NoError(t, err)
	_, err = raw.Exec("INSERT INTO search_entry_fts (search_entry_fts) VALUES ('delete-all'); DELETE FROM search_docs")
	require.NoError(t, err)
	require.NoError(t, raw.Close())

	to := filepath.Join(t.TempDir(), "debrief.db")
	rep, err := Restore(ctx, from, to, OpenTest(t).Now())
	require.NoError(t, err)
	assert.True(t, rep.Reindexed)
	assert.Empty(t, rep.Replaced, "nothing was there to keep")
	st, err := Open(to)
	require.NoError(t, err)
	defer st.Close()
	assert.NoError(t, st.SearchDrift(ctx))
}

func TestRestoreRefusesBadFiles(t *testing.T) {
	good := backupFile(t)
	data, err := os.ReadFile(good)
	require.NoError(t, err)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o600))
		return p
	}
	newer := write("newer.db", data)
	raw, err := sql.Open("sqlite3", newer)
	require.NoError(t, err)
	_, err = raw.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)", latestMigration()+1)
	require.NoError(t, err)
	require.NoError(t, raw.Close())
	corrupt := append([]byte(nil), data...)
	for i := 4096 + 200; i < len(corrupt) && i < 4096*3; i++ { // the pages after the header's
		corrupt[i] ^= 0x5a
	}

	for name, tc := range map[string]struct {
		from, reason string
	}{
		"truncated":   {write("truncated.db", data[:len(data)/2+100]), "is truncated"},
		"not sqlite":  {write("notes.txt", []byte(strings.Repeat("not a database\n", 100))), "is not an SQLite database"},
		"empty":       {write("empty.db", nil), "is not an SQLite database"},
		"newer":       {newer, fmt.Sprintf("is newer than this binary's (%d)", latestMigration())},
		"corrupt":     {write("corrupt.db", corrupt), "restore refused"},
		"missing":     {filepath.Join(dir, "absent.db"), "no such file"},
		"not debrief": {write("plain.db", plainSQLite(t)), "not a Debrief database"},
	} {
		t.Run(name, func(t *testing.T) {
			target := filepath.Join(t.TempDir(), "debrief.db")
			require.NoError(t, os.WriteFile(target, []byte("the current database"), 0o600))
			_, err := Restore(ctx, tc.from, target, OpenTest(t).Now())
			require.ErrorContains(t, err, tc.reason)
			b, err := os.ReadFile(target)
			require.NoError(t, err)
			assert.Equal(t, "the current database", string(b), "the database is untouched")
			entries, err := os.ReadDir(filepath.Dir(target))
			require.NoError(t, err)
			assert.Len(t, entries, 2, "only the database and its lock file: %v", entries)
		})
	}
}

// plainSQLite is an SQLite database that is not Debrief's.
func plainSQLite(t *testing.T) []byte {
	p := filepath.Join(t.TempDir(), "plain.db")
	raw, err := sql.Open("sqlite3", p)
	require.NoError(t, err)
	_, err = raw.Exec("CREATE TABLE x (a); INSERT INTO x VALUES (1)")
	require.NoError(t, err)
	require.NoError(t, raw.Close())
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return b
}

func TestRestoreRefusedWhileServed(t *testing.T) {
	from := backupFile(t)
	st := OpenTest(t)
	unlock, err := st.LockServe()
	require.NoError(t, err)
	defer unlock()
	_, err = Restore(ctx, from, st.Path(), st.Now())
	require.ErrorContains(t, err, "is being served by a running Debrief")
	require.ErrorContains(t, err, "stop the server first")
}

func TestCheckFindsProblems(t *testing.T) {
	st, inc := seeded(t, 2)
	results, err := st.Check(ctx)
	require.NoError(t, err)
	require.Len(t, results, 3)
	for _, r := range results {
		assert.NoError(t, r.Err, r.Name)
	}
	require.NoError(t, st.wdb.Exec("PRAGMA foreign_keys = OFF").Error)
	require.NoError(t, st.wdb.Exec("DELETE FROM incidents WHERE id = ?", inc.ID).Error)
	require.NoError(t, st.wdb.Exec("PRAGMA foreign_keys = ON").Error)
	results, err = st.Check(ctx)
	require.NoError(t, err)
	assert.NoError(t, results[0].Err, "integrity")
	assert.ErrorContains(t, results[1].Err, "rows refer to missing rows")
	assert.ErrorContains(t, results[2].Err, "the search index has drifted from the records")
}
