package changes

import (
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

func TestVerifyGitHub(t *testing.T) {
	body := []byte(`{"zen":"Keep it logically awesome."}`)
	good := "sha256=" + hex.EncodeToString(GitHubSignature("s3cret", body))
	assert.NoError(t, VerifyGitHub("s3cret", good, body))
	for name, h := range map[string]string{
		"missing":      "",
		"sha1 scheme":  "sha1=" + hex.EncodeToString(GitHubSignature("s3cret", body)),
		"other secret": "sha256=" + hex.EncodeToString(GitHubSignature("other", body)),
		"not hex":      "sha256=zz",
		"truncated":    good[:len(good)-2],
	} {
		assert.ErrorIs(t, VerifyGitHub("s3cret", h, body), ErrUnsigned, name)
	}
	assert.ErrorIs(t, VerifyGitHub("s3cret", good, append(body, ' ')), ErrUnsigned, "a changed body")
	assert.ErrorIs(t, VerifyGitHub("", good, body), ErrUnsigned, "no secret configured")
}

const deploymentStatus = `{
  "action": "created",
  "deployment_status": {"id": 5, "state": "%s", "environment": "production",
    "target_url": "https://ci.example.com/run/1", "created_at": "2026-11-20T10:04:00Z"},
  "deployment": {"id": 991, "sha": "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39", "ref": "v2.36.6",
    "environment": "production", "description": "", "creator": {"login": "ci-bot"},
    "created_at": "2026-11-20T10:00:00Z"},
  "repository": {"name": "checkout", "full_name": "acme/checkout", "default_branch": "main",
    "html_url": "https://github.com/acme/checkout"}
}`

func TestFromGitHubDeploymentStatus(t *testing.T) {
	c, err := FromGitHub("deployment_status", []byte(sprintf(deploymentStatus, "success")))
	require.NoError(t, err)
	assert.Equal(t, "checkout", c.Service)
	assert.Equal(t, model.ChangeDeploy, c.Kind)
	assert.Equal(t, "v2.36.6", c.Version)
	assert.Equal(t, "Deploy v2.36.6 to production", c.Summary)
	assert.Equal(t, "ci-bot", c.Author)
	assert.Equal(t, "success", c.Status)
	assert.Equal(t, "https://ci.example.com/run/1", c.URL)
	require.NotNil(t, c.ExternalID)
	assert.Equal(t, "gh-deployment-991", *c.ExternalID)
	assert.Equal(t, "2026-11-20T10:00:00.000Z", model.FormatAPI(c.StartedAt))
	require.NotNil(t, c.FinishedAt)
	assert.Equal(t, "2026-11-20T10:04:00.000Z", model.FormatAPI(*c.FinishedAt))

	c, err = FromGitHub("deployment_status", []byte(sprintf(deploymentStatus, "error")))
	require.NoError(t, err)
	assert.Equal(t, "failure", c.Status)

	for _, state := range []string{"pending", "queued", "in_progress", "inactive"} {
		_, err = FromGitHub("deployment_status", []byte(sprintf(deploymentStatus, state)))
		var ig *Ignored
		require.ErrorAs(t, err, &ig, state)
	}
}

func TestFromGitHubPush(t *testing.T) {
	push := `{"ref": "refs/heads/%s", "after": "9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c", "deleted": false,
	  "compare": "https://github.com/acme/checkout/compare/a...b", "pusher": {"name": "dana"},
	  "head_commit": {"id": "9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c", "message": "Raise pool size\n\nBecause.",
	    "timestamp": "2026-11-20T11:00:00+01:00", "url": "https://github.com/acme/checkout/commit/9d8c"},
	  "repository": {"name": "checkout", "default_branch": "main"}}`
	c, err := FromGitHub("push", []byte(sprintf(push, "main")))
	require.NoError(t, err)
	assert.Equal(t, "Push to main: Raise pool size", c.Summary)
	assert.Equal(t, "9d8c7b6a5f4e", c.Version)
	assert.Equal(t, "dana", c.Author)
	assert.Equal(t, "2026-11-20T10:00:00.000Z", model.FormatAPI(c.StartedAt), "in UTC")
	assert.Equal(t, "gh-push-9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c", *c.ExternalID)

	_, err = FromGitHub("push", []byte(sprintf(push, "feature/x")))
	var ig *Ignored
	require.ErrorAs(t, err, &ig)
	assert.Contains(t, ig.Reason, "default branch")
}

func TestFromGitHubRefusesOrIgnores(t *testing.T) {
	var ig *Ignored
	_, err := FromGitHub("issues", []byte(`{}`))
	require.ErrorAs(t, err, &ig)

	var ve *model.ValidationError
	_, err = FromGitHub("deployment_status", []byte(`{"deployment_status": {"state": "success"}}`))
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Fields, "repository.name")
	assert.Contains(t, ve.Fields, "deployment.created_at")

	_, err = FromGitHub("deployment_status", []byte(sprintf(deploymentStatus, "success")[:40]))
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Fields, "body")

	_, err = FromGitHub("", []byte(`{}`))
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Fields, "X-GitHub-Event")
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// FuzzFromGitHub: any delivery body maps to a change that passes
// validation, an Ignored, or a field error; never a panic.
func FuzzFromGitHub(f *testing.F) {
	f.Add("deployment_status", sprintf(deploymentStatus, "success"))
	f.Add("deployment_status", sprintf(deploymentStatus, "error"))
	f.Add("deployment_status", `{"deployment_status":{"state":"success"},"deployment":{"id":1,"created_at":"2026-11-20T10:00:00+14:00"},"repository":{"name":"x"}}`)
	f.Add("push", `{"ref":"refs/heads/main","after":"abc","head_commit":{"id":"abc","message":"","timestamp":"2026-11-20T11:00:00Z"},"repository":{"name":"r","default_branch":"main"}}`)
	f.Add("push", `{"ref":"refs/tags/v1","repository":{"default_branch":"main"}}`)
	f.Add("ping", `{}`)
	f.Add("", `null`)
	f.Fuzz(func(t *testing.T, event, body string) {
		c, err := FromGitHub(event, []byte(body))
		if err != nil {
			var ig *Ignored
			var ve *model.ValidationError
			if !errors.As(err, &ig) && !errors.As(err, &ve) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		if c.Service == "" || c.ExternalID == nil || c.StartedAt.IsZero() {
			t.Fatalf("incomplete change %+v", c)
		}
	})
}
