package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/search"
	"github.com/debrief-dev/debrief/internal/store"
)

func noEnv(string) string { return "" }

func TestMigrateAndDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "nested", "debrief.db")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"migrate", "--db", db}, noEnv, nil, &out, io.Discard))
	assert.Regexp(t, `up to date \(\d+ migrations applied now\)`, out.String())

	out.Reset()
	require.NoError(t, run(context.Background(), []string{"demo", "--db", db}, noEnv, nil, &out, io.Discard))
	assert.Contains(t, out.String(), "loaded 2 sample incidents")
	st, err := store.Open(db)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	ctx := context.Background()
	incs, _, err := st.Incidents(ctx, store.IncidentFilter{Status: string(model.StatusResolved)})
	require.NoError(t, err)
	require.Len(t, incs, 1)
	factors, err := st.Factors(ctx, incs[0].ID)
	require.NoError(t, err)
	assert.Len(t, factors, 4, "the resolved sample has its analysis")
	roots, err := st.Whys(ctx, incs[0].ID)
	require.NoError(t, err)
	require.Len(t, roots, 1)
	assert.Len(t, roots[0].Children, 2, "the sample whys tree forks")
	actions, err := st.IncidentActions(ctx, incs[0].ID)
	require.NoError(t, err)
	assert.Len(t, actions, 4)
	pm, err := st.Postmortem(ctx, incs[0].ID)
	require.NoError(t, err)
	assert.Equal(t, model.PostmortemInReview, pm.Status, "the sample postmortem waits for review, ready to publish")

	err = run(context.Background(), []string{"demo", "--db", db}, noEnv, nil, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already holds 2 incidents")
}

func TestHelpListsEverySubcommand(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, noEnv, nil, &out, &errOut)
		assert.Equal(t, 0, exitCode(err), "%v: %v", args, err)
		assertListsCommands(t, out.String(), strings.Join(args, " "))
		assert.Contains(t, out.String(), "--db ", "%v: the shared flags", args)
		assert.Empty(t, errOut.String(), "%v", args)
	}

	// Every listed command is one run knows: its own --help works.
	for _, c := range commands {
		args := append(strings.Fields(c.name), "--help")
		var errOut bytes.Buffer
		err := run(context.Background(), args, noEnv, nil, io.Discard, &errOut)
		assert.Equal(t, 0, exitCode(err), "%v: %v", args, err)
		if c.name != "help" {
			assert.Contains(t, errOut.String(), "Usage: debrief "+c.name+" [flags]", "%v", args)
		}
	}
	var errOut bytes.Buffer
	err := run(context.Background(), []string{"help", "export"}, noEnv, nil, io.Discard, &errOut)
	assert.Equal(t, 0, exitCode(err))
	assert.Contains(t, errOut.String(), "-dir", "debrief help export shows export's flags")

	errOut.Reset()
	err = run(context.Background(), []string{"explode"}, noEnv, nil, io.Discard, &errOut)
	require.ErrorContains(t, err, `unknown command "explode"`)
	assert.Equal(t, 2, exitCode(err))
	assertListsCommands(t, errOut.String(), "an unknown command")
}

// assertListsCommands checks that help lists every subcommand on a line
// of its own, with what it does.
func assertListsCommands(t *testing.T, help, what string) {
	t.Helper()
	require.NotEmpty(t, commands)
	for _, c := range commands {
		line := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(c.name) + ` +(\S.*)$`).FindStringSubmatch(help)
		if assert.NotNil(t, line, "%s: command %q in:\n%s", what, c.name, help) {
			assert.Equal(t, c.summary, line[1], what)
		}
	}
}

// TestBadInvocationsCreateNoDatabase: a command line that cannot work
// exits 2 with a message, before the database (or its folder) exists.
func TestBadInvocationsCreateNoDatabase(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"export"}, "--dir is required"},
		{[]string{"export", "--folder", "x"}, "flag provided but not defined: -folder"},
		{[]string{"explode"}, `unknown command "explode"`},
		{[]string{"serve", "--log-format", "xml"}, "log-format"},
		{[]string{"serve", "--addr", "no-port"}, "must be host:port"},
		{[]string{"migrate", "stray-argument"}, "unexpected arguments"},
		{[]string{"import"}, "name the Markdown files"},
		{[]string{"demo", "--history", "200001"}, "--history must be from 0 to 200000"},
		{[]string{"demo", "--history", "-1"}, "--history must be from 0 to 200000"},
		{[]string{"demo", "--big-incident", "-1"}, "--big-incident must be from 0 to 100000"},
		{[]string{"demo", "--big-incident", "100001"}, "--big-incident must be from 0 to 100000"},
		{[]string{"user"}, "usage: debrief user add"},
		{[]string{"user", "delete"}, "usage: debrief user add"},
		{[]string{"token", "list"}, "usage: debrief user add"},
		{[]string{"user", "add", "--email", "a@example.com", "--name", "A", "--role", "admin"}, "--password-stdin is required"},
		{[]string{"user", "add", "--email", "a@example.com", "--name", "A", "--role", "root", "--password-stdin"}, "unknown role"},
		{[]string{"user", "add", "--email", "nope", "--name", "A", "--role", "admin", "--password-stdin"}, "email"},
		{[]string{"token", "create", "--email", "nope", "--name", "ci"}, "--email"},
		{[]string{"token", "create", "--email", "a@example.com", "--name", "ci", "--expires-in", "-1h"}, "--expires-in must be positive"},
		{[]string{"backup"}, "--to is required"},
		{[]string{"restore"}, "--from is required"},
		{[]string{"serve", "--backup-dir", "b", "--backup-every", "10s"}, "backup-every must be at least 1m"},
		{[]string{"serve", "--backup-dir", "b", "--backup-keep", "0"}, "backup-keep must be at least 1"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			db := filepath.Join(dir, "debrief.db")
			args := tc.args
			if args[0] != "explode" {
				args = append(slices.Clone(args), "--db", db)
			}
			err := run(context.Background(), args, noEnv, strings.NewReader("a long enough password\n"), io.Discard, io.Discard)
			require.ErrorContains(t, err, tc.want)
			assert.Equal(t, 2, exitCode(err), "a usage error")
			assert.NoDirExists(t, dir, "nothing is created before the flags are valid")
			assert.NoFileExists(t, db)
		})
	}
	// Without --db, export must not create the default database either.
	t.Chdir(t.TempDir())
	err := run(context.Background(), []string{"export"}, noEnv, nil, io.Discard, io.Discard)
	assert.Equal(t, 2, exitCode(err))
	assert.NoDirExists(t, "data")
}

func TestExitCode(t *testing.T) {
	assert.Equal(t, 0, exitCode(nil))
	assert.Equal(t, 0, exitCode(flag.ErrHelp), "help that was asked for")
	assert.Equal(t, 2, exitCode(usagef("unknown command %q", "x")))
	assert.Equal(t, 1, exitCode(errors.New("database is locked")))
}

// syncBuffer is a bytes.Buffer safe for the server's log goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// waitHealthy waits until url (a /healthz) answers 200.
func waitHealthy(t *testing.T, url string) {
	t.Helper()
	require.Eventually(t, func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 20*time.Millisecond)
}

func TestServeAndShutDownGracefully(t *testing.T) {
	addr := freeAddr(t)
	env := map[string]string{"DEBRIEF_ADDR": addr, "DEBRIEF_DB": filepath.Join(t.TempDir(), "d.db"), "DEBRIEF_LOG_FORMAT": "json"}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, nil, io.Discard, logs) }()

	url := fmt.Sprintf("http://%s/healthz", addr)
	waitHealthy(t, url)

	resp, err := http.Get(url)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.JSONEq(t, `{"status":"ok"}`, string(body))
	assert.NotEmpty(t, resp.Header.Get("X-Request-Id"))

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("server did not shut down")
	}
	assert.Contains(t, logs.String(), `"msg":"request"`)
	assert.Contains(t, logs.String(), `"request_id"`)
	assert.True(t, strings.Contains(logs.String(), `"msg":"stopped"`), logs.String())
}

func TestUserAddAndTokenCreate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.db")
	ctx := context.Background()
	add := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"user", "add", "--db", db}, args...), noEnv, strings.NewReader(stdin), &out, io.Discard)
		return out.String(), err
	}
	out, err := add("a long enough password\n", "--email", "Ada@Example.com", "--name", "Ada", "--role", "admin", "--password-stdin")
	require.NoError(t, err)
	assert.Contains(t, out, "created ada@example.com (Ada) as admin")

	for name, tc := range map[string]struct {
		stdin string
		args  []string
		want  string
	}{
		"no --password-stdin": {"a long enough password\n", []string{"--email", "b@example.com", "--name", "B", "--role", "viewer"}, "--password-stdin is required"},
		"short password":      {"short\n", []string{"--email", "b@example.com", "--name", "B", "--role", "viewer", "--password-stdin"}, "at least 10"},
		"unknown role":        {"a long enough password\n", []string{"--email", "b@example.com", "--name", "B", "--role", "root", "--password-stdin"}, "unknown role"},
		"bad email":           {"a long enough password\n", []string{"--email", "nope", "--name", "B", "--role", "viewer", "--password-stdin"}, "email"},
		"taken email":         {"a long enough password\n", []string{"--email", "ada@example.com", "--name", "B", "--role", "viewer", "--password-stdin"}, "already used"},
	} {
		_, err := add(tc.stdin, tc.args...)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), tc.want, name)
	}

	var tok bytes.Buffer
	require.NoError(t, run(ctx, []string{"token", "create", "--db", db, "--email", "ada@example.com", "--name", "ci-bot"}, noEnv, nil, &tok, io.Discard))
	secret := strings.TrimSpace(tok.String())
	assert.Regexp(t, `^dbf_[A-Za-z0-9_-]{43}$`, secret, "the token alone on stdout")
	assert.Equal(t, secret+"\n", tok.String())

	err = run(ctx, []string{"token", "create", "--db", db, "--email", "nobody@example.com", "--name", "x"}, noEnv, nil, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no account")
	err = run(ctx, []string{"token", "create", "--db", db, "--email", "ada@example.com", "--name", ""}, noEnv, nil, io.Discard, io.Discard)
	require.Error(t, err)
}

func TestServeLogsSetupLinkOnlyWithoutAccounts(t *testing.T) {
	addr := freeAddr(t)
	db := filepath.Join(t.TempDir(), "d.db")
	env := map[string]string{"DEBRIEF_ADDR": addr, "DEBRIEF_DB": db}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, nil, io.Discard, logs) }()
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "/setup/") }, 10*time.Second, 20*time.Millisecond)
	cancel()
	require.NoError(t, <-done)
	assert.Contains(t, logs.String(), "setup_link=http://"+addr+"/setup/")

	// Once an account exists, no link is printed.
	_, err := func() (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), []string{"user", "add", "--db", db, "--email", "a@example.com", "--name", "A", "--role", "admin", "--password-stdin"},
			noEnv, strings.NewReader("a long enough password"), &out, io.Discard)
		return out.String(), err
	}()
	require.NoError(t, err)
	ctx, cancel = context.WithCancel(context.Background())
	logs = &syncBuffer{}
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, nil, io.Discard, logs) }()
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "msg=serving") }, 10*time.Second, 20*time.Millisecond)
	cancel()
	require.NoError(t, <-done)
	assert.NotContains(t, logs.String(), "/setup/")
}

func TestExportWritesPublishedPostmortems(t *testing.T) {
	db := filepath.Join(t.TempDir(), "debrief.db")
	dir := filepath.Join(t.TempDir(), "wiki")
	ctx := context.Background()
	st, err := store.Open(db)
	require.NoError(t, err)
	_, err = st.Migrate(ctx)
	require.NoError(t, err)
	inc := &model.Incident{Title: "Pool exhausted", Severity: "SEV2"}
	require.NoError(t, st.CreateIncident(ctx, inc, ""))
	_, err = st.Publish(ctx, inc.ID, 1, func(*store.Document, int, time.Time) (string, []byte, error) {
		return "# Pool exhausted\n", []byte("{}"), nil
	})
	require.NoError(t, err)
	require.NoError(t, st.Close())

	err = run(ctx, []string{"export", "--db", db}, noEnv, nil, io.Discard, io.Discard)
	require.ErrorContains(t, err, "--dir is required")

	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"export", "--db", db, "--dir", dir}, noEnv, nil, &out, io.Discard))
	assert.Contains(t, out.String(), "wrote 1 postmortems and index.md")
	name := inc.CreatedAt.UTC().Format("2006-01-02") + "-pool-exhausted.md"
	got, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	assert.Equal(t, "# Pool exhausted\n", string(got))
	index, err := os.ReadFile(filepath.Join(dir, "index.md"))
	require.NoError(t, err)
	assert.Contains(t, string(index), "[Pool exhausted]("+name+")")
}

func TestImportFilesAndFolders(t *testing.T) {
	db := filepath.Join(t.TempDir(), "debrief.db")
	dir := t.TempDir()
	good := filepath.Join(dir, "2026-11-18-cache.md")
	require.NoError(t, os.WriteFile(good, []byte("# Cache stampede\n\n## Summary\n\nThe cache expired at once.\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.md"), []byte("# Postmortems\n"), 0o644))
	ctx := context.Background()

	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"import", "--db", db, dir}, noEnv, nil, &out, io.Discard))
	assert.Contains(t, out.String(), good+": incident 1 (new)")
	assert.NotContains(t, out.String(), "index.md", "the export's index is not a postmortem")

	bad := filepath.Join(dir, "bad.md")
	require.NoError(t, os.WriteFile(bad, []byte("---\ndebrief_id: [\n---\n"), 0o644))
	out.Reset()
	err := run(ctx, []string{"import", "--db", db, bad}, noEnv, nil, &out, io.Discard)
	require.ErrorContains(t, err, "1 of 1 files not imported")
	assert.Contains(t, out.String(), "bad.md: not imported")

	require.ErrorContains(t, run(ctx, []string{"import", "--db", db}, noEnv, nil, io.Discard, io.Discard), "name the Markdown files")
}

// migratedStore opens a migrated database at a new path in t's temp folder.
func migratedStore(t *testing.T) (st *store.Store, path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "debrief.db")
	st, err := store.Open(path)
	require.NoError(t, err)
	_, err = st.Migrate(context.Background())
	require.NoError(t, err)
	return st, path
}

func TestReindexRebuildsTheSearchIndex(t *testing.T) {
	st, db := migratedStore(t)
	ctx := context.Background()
	inc := &model.Incident{Title: "Certificate expired on the gateway", Severity: "SEV2"}
	require.NoError(t, st.CreateIncident(ctx, inc, ""))
	require.NoError(t, st.Close())

	// A restore or a hand edit leaves the index behind the records.
	raw, err := sql.Open("sqlite3", db)
	require.NoError(t, err)
	_, err = raw.Exec("INSERT INTO search_fts (search_fts) VALUES ('delete-all'); DELETE FROM search_docs; DELETE FROM search_meta")
	require.NoError(t, err)
	require.NoError(t, raw.Close())

	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"reindex", "--db", db}, noEnv, nil, &out, io.Discard))
	assert.Regexp(t, `^indexed 1 incidents in \S+\n$`, out.String())
	st, err = store.Open(db)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	res, err := st.Search(ctx, store.SearchQuery{Text: search.Query{Groups: []search.Group{{{Text: "certificate"}}}}, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, 1, res.Total)
	assert.Equal(t, inc.ID, res.Hits[0].IncidentID)
}

func TestDemoHistory(t *testing.T) {
	db := filepath.Join(t.TempDir(), "debrief.db")
	ctx := context.Background()
	var out, progress bytes.Buffer
	require.NoError(t, run(ctx, []string{"demo", "--db", db, "--history", "30"}, noEnv, nil, &out, &progress))
	assert.Contains(t, out.String(), "and 30 generated past incidents")
	assert.Regexp(t, `generated 30 incidents in \S+: \d+ incidents/s`, progress.String(), "the rate line, on stderr")
	st, err := store.Open(db)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	n, err := st.IncidentCount(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(32), n)
	res, err := st.Search(ctx, store.SearchQuery{Published: true, Limit: 5})
	require.NoError(t, err)
	assert.NotZero(t, res.Total, "the history has published postmortems, indexed for the archive")

	err = run(ctx, []string{"demo", "--db", filepath.Join(t.TempDir(), "x.db"), "--history", "200001"}, noEnv, nil, io.Discard, io.Discard)
	require.ErrorContains(t, err, "--history must be from 0 to 200000")
}

func TestDemoBigIncident(t *testing.T) {
	db := filepath.Join(t.TempDir(), "debrief.db")
	ctx := context.Background()
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"demo", "--db", db, "--big-incident", "500"}, noEnv, nil, &out, io.Discard))
	assert.Contains(t, out.String(), "and one incident with 500 generated timeline entries")
	st, err := store.Open(db)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	entries, err := st.Timeline(ctx, 3) // after the two samples
	require.NoError(t, err)
	assert.Greater(t, len(entries), 500, "500 free-form entries besides the milestones")
}

// A second server on the same SQLite file is refused, naming the file;
// once the first stops, the file can be served again.
func TestSecondServerOnTheSameFileRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.db")
	env := map[string]string{"DEBRIEF_ADDR": freeAddr(t), "DEBRIEF_DB": db}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, nil, io.Discard, io.Discard) }()
	url := fmt.Sprintf("http://%s/healthz", env["DEBRIEF_ADDR"])
	waitHealthy(t, url)

	second := map[string]string{"DEBRIEF_ADDR": freeAddr(t), "DEBRIEF_DB": db}
	err := run(context.Background(), nil, func(k string) string { return second[k] }, nil, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already being served by another Debrief process")
	assert.Contains(t, err.Error(), db)

	cancel()
	require.NoError(t, <-done)
	ctx2, cancel2 := context.WithCancel(context.Background())
	done2 := make(chan error, 1)
	go func() {
		done2 <- run(ctx2, nil, func(k string) string { return second[k] }, nil, io.Discard, io.Discard)
	}()
	url2 := fmt.Sprintf("http://%s/healthz", second["DEBRIEF_ADDR"])
	waitHealthy(t, url2) // served again once the first stopped
	cancel2()
	require.NoError(t, <-done2)
}
