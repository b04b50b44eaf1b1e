package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/store"
)

// TestShutdownKeepsAcknowledgedWrites serves a database, appends from 16
// clients while the server is told to stop, and checks after it has that
// every entry it acknowledged (201) is in the database. On the way, the
// served /metrics counts the appends the store committed.
func TestShutdownKeepsAcknowledgedWrites(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.db")
	ctx := context.Background()
	require.NoError(t, run(ctx, []string{"user", "add", "--db", db, "--email", "ed@example.com", "--name", "Ed", "--role", "editor", "--password-stdin"},
		noEnv, strings.NewReader("a long enough password\n"), io.Discard, io.Discard))
	var tok bytes.Buffer
	require.NoError(t, run(ctx, []string{"token", "create", "--db", db, "--email", "ed@example.com", "--name", "load"}, noEnv, nil, &tok, io.Discard))
	token := strings.TrimSpace(tok.String())

	addr := freeAddr(t)
	env := map[string]string{"DEBRIEF_ADDR": addr, "DEBRIEF_DB": db}
	serveCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- run(serveCtx, nil, func(k string) string { return env[k] }, nil, io.Discard, io.Discard)
	}()
	base := "http://" + addr
	waitHealthy(t, base+"/healthz")

	post := func(path, body string) (int, error) {
		req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	code, err := post("/api/v1/incidents", `{"title":"Checkout down","severity":"SEV1"}`)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, code)

	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
	)
	for c := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				body := fmt.Sprintf("client %d entry %d", c, i)
				code, err := post("/api/v1/incidents/1/timeline", `{"occurred_at":"2026-12-01T10:00:00Z","kind":"action","body":"`+body+`"}`)
				if err != nil || code != http.StatusCreated {
					return // the server is going (or gone): nothing more is acknowledged
				}
				mu.Lock()
				acked = append(acked, body)
				mu.Unlock()
			}
		}()
	}
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 50 }, 10*time.Second, 5*time.Millisecond)

	resp, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(metrics), "debrief_timeline_append_batch_size_count ")
	assert.Contains(t, string(metrics), `debrief_http_requests_total{method="POST",route="/api/v1/incidents/:id/timeline",status="2xx"}`)

	stop()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("server did not shut down")
	}
	wg.Wait()

	st, err := store.Open(db)
	require.NoError(t, err)
	defer st.Close()
	entries, err := st.Timeline(ctx, 1)
	require.NoError(t, err)
	stored := map[string]bool{}
	for _, e := range entries {
		stored[e.Body] = true
	}
	missing := 0
	for _, body := range acked {
		if !stored[body] {
			missing++
		}
	}
	assert.Zero(t, missing, "acknowledged entries lost at shutdown (of %d)", len(acked))
	t.Logf("%d entries acknowledged before the shutdown, all stored", len(acked))
}
