package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

func TestBackupRestoreCheckCommands(t *testing.T) {
	st, db := migratedStore(t)
	ctx := context.Background()
	require.NoError(t, st.CreateIncident(ctx, &model.Incident{Title: "Certificate expired", Severity: "SEV2"}, ""))
	require.NoError(t, st.Close())

	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"check", "--db", db}, noEnv, nil, &out, io.Discard))
	assert.Equal(t, "integrity:    ok\nforeign keys: ok\nsearch index: ok\n", out.String())

	to := filepath.Join(t.TempDir(), "b.db")
	out.Reset()
	require.NoError(t, run(ctx, []string{"backup", "--db", db, "--to", to}, noEnv, nil, &out, io.Discard))
	assert.Regexp(t, `^backup .*b\.db: \d+ bytes, 1 incidents, 1 timeline entries, integrity ok, in \S+\n$`, out.String())

	err := run(ctx, []string{"backup", "--db", db, "--to", filepath.Join(t.TempDir(), "missing", "b.db")}, noEnv, nil, io.Discard, io.Discard)
	require.ErrorContains(t, err, "does not exist (create it first)")
	assert.Equal(t, 1, exitCode(err))

	missing := filepath.Join(t.TempDir(), "none", "debrief.db")
	err = run(ctx, []string{"backup", "--db", missing, "--to", filepath.Join(t.TempDir(), "x.db")}, noEnv, nil, io.Discard, io.Discard)
	require.ErrorContains(t, err, "no such file")
	assert.NoFileExists(t, missing, "a backup never creates the database")

	out.Reset()
	require.NoError(t, run(ctx, []string{"restore", "--db", db, "--from", to}, noEnv, nil, &out, io.Discard))
	assert.Contains(t, out.String(), "1 incidents, 1 timeline entries")
	assert.Regexp(t, `the database it replaced is kept as .*debrief\.db\.replaced-\d{8}T\d{6}Z`, out.String())

	// A problem: check says which and exits 1.
	st2, err := sql.Open("sqlite3", db)
	require.NoError(t, err)
	_, err = st2.Exec("DELETE FROM search_docs")
	require.NoError(t, err)
	require.NoError(t, st2.Close())
	out.Reset()
	err = run(ctx, []string{"check", "--db", db}, noEnv, nil, &out, io.Discard)
	require.ErrorContains(t, err, "1 of 3 checks found a problem")
	assert.Equal(t, 1, exitCode(err))
	assert.Contains(t, out.String(), "search index: PROBLEM: the search index has drifted from the records")
}

func TestRestoreRefusedWhileServing(t *testing.T) {
	st, db := migratedStore(t)
	to := filepath.Join(t.TempDir(), "b.db")
	_, err := st.Backup(context.Background(), to)
	require.NoError(t, err)
	unlock, err := st.LockServe() // as serve holds it
	require.NoError(t, err)
	defer unlock()
	err = run(context.Background(), []string{"restore", "--db", db, "--from", to}, noEnv, nil, io.Discard, io.Discard)
	require.ErrorContains(t, err, "is being served by a running Debrief")
}

func TestScheduledBackupsRotate(t *testing.T) {
	st, _ := migratedStore(t)
	dir := t.TempDir()
	// Three older backups are there already.
	for _, d := range []time.Duration{3, 2, 1} {
		name := time.Now().UTC().Add(-d * time.Hour).Format(backupLayout)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("old"), 0o600))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o600))
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	runBackup(context.Background(), st, dir, 2, log)
	names := backupNames(dir)
	require.Len(t, names, 2)
	assert.Equal(t, time.Now().UTC().Add(-time.Hour).Format(backupLayout), names[0])
	assert.FileExists(t, filepath.Join(dir, "notes.txt"), "other files are left alone")
	assert.Contains(t, logs.String(), "scheduled backup")
	assert.Contains(t, logs.String(), "deleted an old backup")

	// The schedule: the newest is recent, so the next is not due yet.
	stop := scheduleBackups(context.Background(), st, dir, time.Hour, 2, log)
	time.Sleep(100 * time.Millisecond)
	stop()
	assert.Len(t, backupNames(dir), 2)
}
