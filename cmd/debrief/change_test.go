package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChangeRecordAgainstAServer(t *testing.T) {
	addr := freeAddr(t)
	env := map[string]string{"DEBRIEF_ADDR": addr, "DEBRIEF_DB": filepath.Join(t.TempDir(), "d.db"), "DEBRIEF_CHANGES_TOKEN": "ci-token-for-tests-123"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, nil, io.Discard, io.Discard) }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("server did not stop")
		}
	}()
	server := "http://" + addr
	waitHealthy(t, server+"/healthz")

	clientEnv := func(k string) string {
		return map[string]string{"DEBRIEF_URL": server, "DEBRIEF_TOKEN": "ci-token-for-tests-123"}[k]
	}
	var out bytes.Buffer
	args := []string{"change", "record", "--service", "checkout", "--summary", "v2.36.6", "--version", "v2.36.6",
		"--external-id", "deploy-42", "--started-at", "2026-11-20T10:00:00Z"}
	require.NoError(t, run(context.Background(), args, clientEnv, nil, &out, io.Discard))
	assert.Regexp(t, `^recorded change \d+ to checkout\n$`, out.String())
	out.Reset()
	require.NoError(t, run(context.Background(), append(args, "--status", "failure"), clientEnv, nil, &out, io.Discard))
	assert.Contains(t, out.String(), "updated change")

	// The server's refusals reach the script with the field and exit 1.
	err := run(context.Background(), []string{"change", "record", "--service", "checkout", "--summary", "x", "--kind", "rollout"}, clientEnv, nil, io.Discard, io.Discard)
	require.ErrorContains(t, err, "kind: unknown kind")
	assert.Equal(t, 1, exitCode(err))
	err = run(context.Background(), []string{"change", "record", "--service", "checkout", "--summary", "x", "--token", "wrong"}, clientEnv, nil, io.Discard, io.Discard)
	require.ErrorContains(t, err, "401")
	assert.Equal(t, 1, exitCode(err))
}

func TestChangeRecordUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"change"}, "debrief change record"},
		{[]string{"change", "list"}, "debrief change record"},
		{[]string{"change", "record", "--service", "a", "--summary", "b"}, "--server"},
		{[]string{"change", "record", "--server", "ftp://x", "--token", "t", "--service", "a", "--summary", "b"}, "not an http(s) URL"},
		{[]string{"change", "record", "--server", "http://127.0.0.1:1", "--token", "t", "--summary", "b"}, "--service is required"},
		{[]string{"change", "record", "--server", "http://127.0.0.1:1", "--token", "t", "--service", "a", "--summary", "b", "--started-at", "2026-11-20 10:00"}, "--started-at"},
		{[]string{"change", "record", "stray"}, "unexpected arguments"},
	} {
		t.Run(fmt.Sprint(tc.args), func(t *testing.T) {
			err := run(context.Background(), tc.args, noEnv, nil, io.Discard, io.Discard)
			require.ErrorContains(t, err, tc.want)
			assert.Equal(t, 2, exitCode(err))
		})
	}
}
