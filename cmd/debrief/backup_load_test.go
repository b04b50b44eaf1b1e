package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestBackupUnderLoad measures timeline appends per second from 64 HTTP
// clients with and without a backup running (debrief backup, another
// process, as an operator's cron would run it). It needs a big database:
//
//	debrief demo --db /tmp/demo.db --history 20000
//	DEBRIEF_BACKUP_LOAD_DB=/tmp/demo.db go test -tags sqlite_fts5 ./cmd/debrief -run TestBackupUnderLoad -v
//
// It prints the figures; it asserts only that the backups succeed.
func TestBackupUnderLoad(t *testing.T) {
	db := os.Getenv("DEBRIEF_BACKUP_LOAD_DB")
	if db == "" {
		t.Skip("set DEBRIEF_BACKUP_LOAD_DB to a big database (debrief demo --history 20000)")
	}
	ctx := context.Background()
	email := fmt.Sprintf("load-%d@example.com", time.Now().UnixNano())
	require.NoError(t, run(ctx, []string{"user", "add", "--db", db, "--email", email, "--name", "Load", "--role", "editor", "--password-stdin"},
		noEnv, strings.NewReader("a long enough password for the load\n"), io.Discard, io.Discard))
	var tok bytes.Buffer
	require.NoError(t, run(ctx, []string{"token", "create", "--db", db, "--email", email, "--name", "load"}, noEnv, nil, &tok, io.Discard))
	token := strings.TrimSpace(tok.String())
	srv := startServer(t, db)
	defer srv.stop(t)

	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: crashWriters}}
	post := func(ctx context.Context, path, body string) (int, map[string]any) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.url+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	status, inc := post(ctx, "/api/v1/incidents", `{"title":"Backup load","severity":"SEV2"}`)
	require.Equal(t, http.StatusCreated, status)
	timeline := fmt.Sprintf("/api/v1/incidents/%v/timeline", inc["id"])

	// load runs 64 writers while during runs, and returns appends/s.
	load := func(during func()) float64 {
		wctx, stop := context.WithCancel(ctx)
		var n atomic.Int64
		var wg sync.WaitGroup
		for w := range crashWriters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; wctx.Err() == nil; i++ {
					if s, _ := post(wctx, timeline, fmt.Sprintf(`{"body":"writer %d entry %d"}`, w, i)); s == http.StatusCreated {
						n.Add(1)
					}
				}
			}()
		}
		time.Sleep(time.Second) // warm up
		start, before := time.Now(), n.Load()
		during()
		rate := float64(n.Load()-before) / time.Since(start).Seconds()
		stop()
		wg.Wait()
		return rate
	}
	window := 20 * time.Second
	base := load(func() { time.Sleep(window) })
	dir := t.TempDir()
	var reports []string
	during := load(func() {
		for i := 0; i < 2; i++ {
			to := filepath.Join(dir, fmt.Sprintf("b%d.db", i))
			cmd := exec.Command(os.Args[0], "backup", "--db", db, "--to", to)
			cmd.Env = append(os.Environ(), "DEBRIEF_CRASH_CHILD=1")
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
			reports = append(reports, strings.TrimSpace(string(out)))
			_ = os.Remove(to)
		}
	})
	after := load(func() { time.Sleep(window) })
	for _, r := range reports {
		t.Log(r)
	}
	t.Logf("appends/s from %d clients: %.0f without a backup, %.0f during backups, %.0f after: ratio %.2f (during / mean of without and after)",
		crashWriters, base, during, after, during/((base+after)/2))
}
