package config

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadOIDC(t *testing.T) {
	cfg, _, err := Load("serve", []string{"--oidc-editor-groups", " sre, ,dev "}, env(map[string]string{
		"DEBRIEF_OIDC_ISSUER": "https://id.example.com", "DEBRIEF_OIDC_CLIENT_ID": "debrief",
		"DEBRIEF_OIDC_CLIENT_SECRET": "s3cret", "DEBRIEF_OIDC_ADMIN_GROUPS": "ops-admins",
		"DEBRIEF_OIDC_ALLOWED_DOMAINS": "Example.com,corp.example", "DEBRIEF_OIDC_ONLY": "true",
	}), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "https://id.example.com", cfg.OIDCIssuer)
	assert.Equal(t, "debrief", cfg.OIDCClientID)
	assert.Equal(t, "s3cret", cfg.OIDCClientSecret)
	assert.Equal(t, "groups", cfg.OIDCGroupsClaim, "the default")
	assert.Equal(t, []string{"ops-admins"}, cfg.OIDCAdminGroups)
	assert.Equal(t, []string{"sre", "dev"}, cfg.OIDCEditorGroups)
	assert.Equal(t, []string{"example.com", "corp.example"}, cfg.OIDCAllowedDomains)
	assert.True(t, cfg.OIDCOnly)
	assert.False(t, cfg.OIDCTrustUnverifiedEmail, "a missing email_verified is refused by default")
	cfg, _, err = Load("serve", []string{"--oidc-issuer", "https://id.example.com", "--oidc-client-id", "d"},
		env(map[string]string{"DEBRIEF_OIDC_TRUST_UNVERIFIED_EMAIL": "true"}), io.Discard)
	require.NoError(t, err)
	assert.True(t, cfg.OIDCTrustUnverifiedEmail)
	cfg, _, err = Load("serve", []string{"--oidc-issuer", "https://id.example.com", "--oidc-client-id", "d", "--oidc-trust-unverified-email"}, env(nil), io.Discard)
	require.NoError(t, err)
	assert.True(t, cfg.OIDCTrustUnverifiedEmail)

	for _, issuer := range []string{"http://127.0.0.1:5556/dex", "http://localhost:8080/realms/x", "http://[::1]:9000"} {
		_, _, err := Load("serve", []string{"--oidc-issuer", issuer, "--oidc-client-id", "d"}, env(nil), io.Discard)
		assert.NoError(t, err, "http on loopback: %s", issuer)
	}
}

func TestLoadRejectsBadOIDC(t *testing.T) {
	for _, args := range [][]string{
		{"--oidc-issuer", "http://id.example.com", "--oidc-client-id", "d"}, // http off loopback
		{"--oidc-issuer", "http://10.0.0.5", "--oidc-client-id", "d"},
		{"--oidc-issuer", "ftp://id.example.com", "--oidc-client-id", "d"},
		{"--oidc-issuer", "id.example.com", "--oidc-client-id", "d"},
		{"--oidc-issuer", "https://id.example.com"}, // no client id
		{"--oidc-issuer", "https://id.example.com", "--oidc-client-id", "d", "--oidc-groups-claim", ""},
		{"--oidc-only"}, // nobody could sign in
	} {
		_, _, err := Load("serve", args, env(nil), io.Discard)
		assert.Error(t, err, "%v", args)
	}
}
