package config

import (
	"flag"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadPrecedence(t *testing.T) {
	cfg, _, err := Load("serve", nil, env(nil), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, Defaults, cfg)

	cfg, _, err = Load("serve", nil, env(map[string]string{
		"DEBRIEF_ADDR": ":9000", "DEBRIEF_DB": "/tmp/x.db", "DEBRIEF_LOG_FORMAT": "json",
		"DEBRIEF_SECURE_COOKIES": "true", "DEBRIEF_SESSION_IDLE": "30m",
		"DEBRIEF_AUTH_PROXY_HEADER": "X-Forwarded-Email", "DEBRIEF_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1",
	}), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, ":9000", cfg.Addr)
	assert.Equal(t, "/tmp/x.db", cfg.DB)
	assert.Equal(t, "json", cfg.LogFormat)
	assert.True(t, cfg.SecureCookies)
	assert.Equal(t, 30*time.Minute, cfg.SessionIdle)
	assert.Equal(t, "X-Forwarded-Email", cfg.AuthProxyHeader)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}, cfg.TrustedProxies)

	cfg, rest, err := Load("serve", []string{"--addr", "127.0.0.1:1", "--db", "a.db", "--secure-cookies=false", "extra"},
		env(map[string]string{"DEBRIEF_ADDR": ":9000", "DEBRIEF_SECURE_COOKIES": "1"}), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:1", cfg.Addr)
	assert.Equal(t, "a.db", cfg.DB)
	assert.False(t, cfg.SecureCookies, "a flag beats its environment variable")
	assert.Equal(t, []string{"extra"}, rest)
}

func TestLoadRejectsBadValues(t *testing.T) {
	for _, args := range [][]string{
		{"--addr", "nonsense"},
		{"--log-format", "xml"},
		{"--db", ""},
		{"--db", "x.db?mode=ro"},
		{"--unknown"},
		{"--session-idle", "5s"},
		{"--auth-proxy-header", "X-Forwarded-Email"}, // without trusted proxies
		{"--trusted-proxies", "10.0.0.0/33"},
		{"--trusted-proxies", "example.com"},
		{"--metrics-allow", "10.0.0.0/8,nonsense"},
	} {
		_, _, err := Load("serve", args, env(nil), io.Discard)
		assert.Error(t, err, "%v", args)
	}
	for _, e := range []map[string]string{
		{"DEBRIEF_SECURE_COOKIES": "yes please"},
		{"DEBRIEF_SESSION_LIFETIME": "forever"},
	} {
		_, _, err := Load("serve", nil, env(e), io.Discard)
		assert.Error(t, err, "%v", e)
	}
}

func TestMetricsSettings(t *testing.T) {
	cfg, _, err := Load("serve", nil, env(nil), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}, cfg.MetricsAllow, "loopback by default")
	assert.Empty(t, cfg.MetricsToken)

	cfg, _, err = Load("serve", nil, env(map[string]string{"DEBRIEF_METRICS_ALLOW": "10.2.0.0/16, 192.0.2.7", "DEBRIEF_METRICS_TOKEN": "tok"}), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.2.0.0/16"), netip.MustParsePrefix("192.0.2.7/32")}, cfg.MetricsAllow)
	assert.Equal(t, "tok", cfg.MetricsToken)

	cfg, _, err = Load("serve", []string{"--metrics-allow", "::1/128"}, env(map[string]string{"DEBRIEF_METRICS_ALLOW": "10.2.0.0/16"}), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("::1/128")}, cfg.MetricsAllow, "a flag beats its environment variable")

	_, _, err = Load("serve", []string{"--metrics-allow", "10.0.0.0/33"}, env(nil), io.Discard)
	assert.ErrorContains(t, err, "metrics-allow")
}

func TestPostmortemSettings(t *testing.T) {
	cfg, _, err := Load("serve", []string{"--postmortem-due", "72h", "--base-url", "https://debrief.example.com/"}, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 72*time.Hour, cfg.PostmortemDue)
	assert.Equal(t, "https://debrief.example.com", cfg.BaseURL)

	for _, args := range [][]string{
		{"--postmortem-due", "10m"},
		{"--base-url", "ftp://x"},
		{"--base-url", "https://x.example/debrief"},
	} {
		_, _, err := Load("serve", args, func(string) string { return "" }, io.Discard)
		assert.Error(t, err, "%v", args)
	}
}

func TestLoadHelpNamesTheCommand(t *testing.T) {
	var out strings.Builder
	_, _, err := Load("export", []string{"--help"}, env(nil), &out, func(fs *flag.FlagSet) {
		fs.String("dir", "", "the folder to write into")
	})
	require.ErrorIs(t, err, flag.ErrHelp)
	assert.True(t, strings.HasPrefix(out.String(), "Usage: debrief export [flags]\n"), out.String())
	assert.Contains(t, out.String(), "-dir")
	assert.Contains(t, out.String(), "(env DEBRIEF_DB)")
}
