package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/store"
)

var crashRounds = flag.Int("crash-rounds", 0, "rounds of TestCrashKeepsAcknowledgedEntries (default 5, or DEBRIEF_CRASH_ROUNDS)")

// TestMain lets the crash test run this test binary as the real server: with
// DEBRIEF_CRASH_CHILD=1 it is debrief's main, with the arguments it was given.
func TestMain(m *testing.M) {
	if os.Getenv("DEBRIEF_CRASH_CHILD") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// crashWriters is how many clients append at once.
const crashWriters = 64

// TestCrashKeepsAcknowledgedEntries runs the server as a separate process,
// appends timeline entries from 64 clients over HTTP, kills the server with
// SIGKILL at a random moment, starts it again, and checks that every entry
// answered 201 is there, that integrity_check passes and that the search
// index matches the records. Five rounds; -crash-rounds N (or
// DEBRIEF_CRASH_ROUNDS) for more.
func TestCrashKeepsAcknowledgedEntries(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a server several times")
	}
	rounds := 5
	if n, err := strconv.Atoi(os.Getenv("DEBRIEF_CRASH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	if *crashRounds > 0 {
		rounds = *crashRounds
	}
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "debrief.db")
	require.NoError(t, run(ctx, []string{"user", "add", "--db", db, "--email", "scribe@example.com", "--name", "Scribe", "--role", "editor", "--password-stdin"},
		noEnv, strings.NewReader("a long enough password for the scribe\n"), io.Discard, io.Discard))
	var tok bytes.Buffer
	require.NoError(t, run(ctx, []string{"token", "create", "--db", db, "--email", "scribe@example.com", "--name", "crash"}, noEnv, nil, &tok, io.Discard))
	token := strings.TrimSpace(tok.String())

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: crashWriters}}
	call := func(ctx context.Context, url, body string) (int, map[string]any, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return resp.StatusCode, nil, err // cut off mid-body: not acknowledged
		}
		return resp.StatusCode, out, nil
	}

	start := time.Now()
	srv := startServer(t, db)
	totalAcked, lost := 0, 0
	for round := 1; round <= rounds; round++ {
		status, inc, err := call(ctx, srv.url+"/api/v1/incidents", fmt.Sprintf(`{"title":"Crash round %d","severity":"SEV2"}`, round))
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, status, "%v", inc)
		incID := int64(inc["id"].(float64))

		// 64 writers until the kill; each keeps what was acknowledged.
		wctx, stopWriters := context.WithCancel(ctx)
		var mu sync.Mutex
		acked := map[int64]string{}
		var attempts atomic.Int64
		var wg sync.WaitGroup
		for w := range crashWriters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; wctx.Err() == nil; n++ {
					body := fmt.Sprintf("round %d writer %d entry %d", round, w, n)
					attempts.Add(1)
					status, e, err := call(wctx, fmt.Sprintf("%s/api/v1/incidents/%d/timeline", srv.url, incID), `{"body":"`+body+`"}`)
					if err != nil {
						return // the server is gone
					}
					if status == http.StatusCreated {
						mu.Lock()
						acked[int64(e["id"].(float64))] = body
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(200+rand.IntN(1000)) * time.Millisecond)
		srv.kill(t)
		stopWriters()
		wg.Wait()

		srv = startServer(t, db) // recovers the WAL on its first connection
		st, err := store.Open(db)
		require.NoError(t, err)
		entries, err := st.Timeline(ctx, incID)
		require.NoError(t, err)
		found := map[int64]string{}
		for _, e := range entries {
			found[e.ID] = e.Body
		}
		missing := 0
		for id, body := range acked {
			if found[id] != body {
				missing++
			}
		}
		results, err := st.Check(ctx)
		require.NoError(t, err)
		for _, r := range results {
			assert.NoError(t, r.Err, "round %d: %s", round, r.Name)
		}
		_ = st.Close()
		t.Logf("round %d: %d appends tried, %d acknowledged, %d lost; %d entries after the restart", round, attempts.Load(), len(acked), missing, len(entries))
		assert.Zero(t, missing, "round %d: acknowledged entries lost", round)
		totalAcked += len(acked)
		lost += missing
	}
	srv.stop(t)
	t.Logf("%d rounds in %s: %d acknowledged entries, %d lost", rounds, time.Since(start).Round(time.Millisecond), totalAcked, lost)
}

// server is a debrief serve process.
type server struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{}
}

// startServer starts this test binary as debrief serve on db and waits until
// it listens.
func startServer(t *testing.T, db string) *server {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--db", db, "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "DEBRIEF_CRASH_CHILD=1")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	s := &server{cmd: cmd, done: make(chan struct{})}
	urls := make(chan string, 1)
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if _, after, ok := strings.Cut(line, "msg=serving url="); ok {
				url, _, _ := strings.Cut(after, " ")
				urls <- url
			}
		}
		_ = cmd.Wait()
	}()
	select {
	case s.url = <-urls:
	case <-s.done:
		t.Fatal("the server exited before it listened")
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the server did not start in 30 s")
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-s.done })
	return s
}

// kill ends the server with SIGKILL: no shutdown, no checkpoint.
func (s *server) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, s.cmd.Process.Kill())
	<-s.done
}

// stop ends the server as an operator would (SIGTERM).
func (s *server) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, s.cmd.Process.Signal(os.Interrupt))
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		t.Error("the server did not stop in 20 s")
	}
}
