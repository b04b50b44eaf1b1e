package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func noEnv(string) string { return "" }

func TestMigrateAndDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "nested", "debrief.db")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"migrate", "--db", db}, noEnv, &out, io.Discard))
	assert.Contains(t, out.String(), "up to date (1 migrations applied now)")

	out.Reset()
	require.NoError(t, run(context.Background(), []string{"demo", "--db", db}, noEnv, &out, io.Discard))
	assert.Contains(t, out.String(), "loaded 2 sample incidents")

	err := run(context.Background(), []string{"demo", "--db", db}, noEnv, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already holds 2 incidents")
}

func TestRunRejectsBadInvocations(t *testing.T) {
	for _, args := range [][]string{
		{"explode"},
		{"serve", "--log-format", "xml"},
		{"serve", "--addr", "no-port"},
		{"migrate", "stray-argument"},
	} {
		err := run(context.Background(), args, noEnv, io.Discard, io.Discard)
		assert.Error(t, err, "%v", args)
	}
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

func TestServeAndShutDownGracefully(t *testing.T) {
	addr := freeAddr(t)
	env := map[string]string{"DEBRIEF_ADDR": addr, "DEBRIEF_DB": filepath.Join(t.TempDir(), "d.db"), "DEBRIEF_LOG_FORMAT": "json"}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, io.Discard, logs) }()

	url := fmt.Sprintf("http://%s/healthz", addr)
	require.Eventually(t, func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 20*time.Millisecond)

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
