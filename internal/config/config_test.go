package config

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadPrecedence(t *testing.T) {
	cfg, _, err := Load("serve", nil, env(nil), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, Defaults, cfg)

	cfg, _, err = Load("serve", nil, env(map[string]string{"DEBRIEF_ADDR": ":9000", "DEBRIEF_DB": "/tmp/x.db", "DEBRIEF_LOG_FORMAT": "json"}), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, Config{Addr: ":9000", DB: "/tmp/x.db", LogFormat: "json"}, cfg)

	cfg, rest, err := Load("serve", []string{"--addr", "127.0.0.1:1", "--db", "a.db", "extra"}, env(map[string]string{"DEBRIEF_ADDR": ":9000"}), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:1", cfg.Addr)
	assert.Equal(t, "a.db", cfg.DB)
	assert.Equal(t, []string{"extra"}, rest)
}

func TestLoadRejectsBadValues(t *testing.T) {
	for _, args := range [][]string{
		{"--addr", "nonsense"},
		{"--log-format", "xml"},
		{"--db", ""},
		{"--db", "x.db?mode=ro"},
		{"--unknown"},
	} {
		_, _, err := Load("serve", args, env(nil), io.Discard)
		assert.Error(t, err, "%v", args)
	}
}
