// Package changes turns what CI systems send into recorded changes: it
// checks GitHub's webhook signature and maps its deployment_status and push
// events to model.Change. The web layer reads the request and stores the
// result; what an event means is decided here.
package changes

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/debrief-dev/debrief/internal/model"
)

// ErrUnsigned is a GitHub request whose signature is missing or wrong.
var ErrUnsigned = errors.New("GitHub webhook signature (X-Hub-Signature-256) missing or invalid")

// VerifyGitHub checks X-Hub-Signature-256 the way GitHub signs deliveries:
// "sha256=" and the hex HMAC-SHA256 of the raw body keyed with the
// webhook's secret, compared in constant time.
func VerifyGitHub(secret, header string, body []byte) error {
	if secret == "" {
		return ErrUnsigned
	}
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return ErrUnsigned
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || !hmac.Equal(got, GitHubSignature(secret, body)) {
		return ErrUnsigned
	}
	return nil
}

// GitHubSignature is the HMAC GitHub sends for body (tests sign with it).
func GitHubSignature(secret string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}

// Ignored explains why an event was accepted but recorded nothing (a
// deployment still running, a push to another branch, an event type
// Debrief does not read).
type Ignored struct{ Reason string }

func (i *Ignored) Error() string { return i.Reason }

type ghRepo struct {
	Name          string `json:"name"`
	FullName      string `json:"full_name"`
	DefaultBranch string `json:"default_branch"`
	HTMLURL       string `json:"html_url"`
}

type ghDeploymentStatusEvent struct {
	DeploymentStatus struct {
		ID             int64  `json:"id"`
		State          string `json:"state"`
		Environment    string `json:"environment"`
		TargetURL      string `json:"target_url"`
		LogURL         string `json:"log_url"`
		EnvironmentURL string `json:"environment_url"`
		CreatedAt      string `json:"created_at"`
	} `json:"deployment_status"`
	Deployment struct {
		ID          int64  `json:"id"`
		SHA         string `json:"sha"`
		Ref         string `json:"ref"`
		Environment string `json:"environment"`
		Description string `json:"description"`
		Creator     struct {
			Login string `json:"login"`
		} `json:"creator"`
		CreatedAt string `json:"created_at"`
	} `json:"deployment"`
	Repository ghRepo `json:"repository"`
}

type ghPushEvent struct {
	Ref     string `json:"ref"`
	After   string `json:"after"`
	Deleted bool   `json:"deleted"`
	Compare string `json:"compare"`
	Pusher  struct {
		Name string `json:"name"`
	} `json:"pusher"`
	HeadCommit *struct {
		ID        string `json:"id"`
		Message   string `json:"message"`
		Timestamp string `json:"timestamp"`
		URL       string `json:"url"`
	} `json:"head_commit"`
	Repository ghRepo `json:"repository"`
}

// FromGitHub maps one GitHub webhook delivery (its X-GitHub-Event and raw
// body) to a change. A delivery that records nothing returns *Ignored; a
// malformed one a *model.ValidationError naming the payload's field.
//
//   - deployment_status in state success, failure or error: a deploy of the
//     repository (the service is the repository's name) to the deployment's
//     environment, from the deployment's creation to the status, keyed by
//     the deployment's id so a later status updates the same change;
//   - push to the repository's default branch: a change of kind "other" to
//     production (what continuous delivery ships), keyed by the head commit.
func FromGitHub(event string, body []byte) (*model.Change, error) {
	switch event {
	case "deployment_status":
		var e ghDeploymentStatusEvent
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, model.FieldError("body", "is not a GitHub deployment_status payload: "+err.Error())
		}
		return fromDeploymentStatus(&e)
	case "push":
		var e ghPushEvent
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, model.FieldError("body", "is not a GitHub push payload: "+err.Error())
		}
		return fromPush(&e)
	case "":
		return nil, model.FieldError("X-GitHub-Event", "is required")
	}
	return nil, &Ignored{Reason: fmt.Sprintf("GitHub event %q is not recorded (only deployment_status and push)", model.Truncate(event, 40))}
}

func fromDeploymentStatus(e *ghDeploymentStatusEvent) (*model.Change, error) {
	st, d := e.DeploymentStatus, e.Deployment
	var status string
	switch st.State {
	case "success":
		status = "success"
	case "failure", "error":
		status = "failure"
	default:
		return nil, &Ignored{Reason: fmt.Sprintf("deployment status %q is not final; success, failure and error are recorded", model.Truncate(st.State, 40))}
	}
	v := model.NewValidationError()
	if e.Repository.Name == "" {
		v.Add("repository.name", "is required")
	}
	if d.ID == 0 {
		v.Add("deployment.id", "is required")
	}
	started := parseTime(v, "deployment.created_at", d.CreatedAt)
	finished := parseTime(v, "deployment_status.created_at", st.CreatedAt)
	if err := v.Err(); err != nil {
		return nil, err
	}
	env := firstOf(st.Environment, d.Environment, "production")
	version := d.Ref
	if version == "" || version == d.SHA {
		version = short(d.SHA)
	}
	summary := d.Description
	if summary == "" {
		summary = fmt.Sprintf("Deploy %s to %s", version, env)
	}
	id := fmt.Sprintf("gh-deployment-%d", d.ID)
	c := &model.Change{
		Service: e.Repository.Name, Kind: model.ChangeDeploy, Environment: env, Summary: summary,
		Version: version, Author: d.Creator.Login, Status: status, Source: "github", ExternalID: &id,
		URL: firstOf(st.TargetURL, st.LogURL, st.EnvironmentURL, e.Repository.HTMLURL), StartedAt: started,
	}
	if !finished.Before(started) {
		c.FinishedAt = &finished
	}
	return c, nil
}

func fromPush(e *ghPushEvent) (*model.Change, error) {
	branch, isBranch := strings.CutPrefix(e.Ref, "refs/heads/")
	if !isBranch || e.Repository.DefaultBranch == "" || branch != e.Repository.DefaultBranch {
		return nil, &Ignored{Reason: fmt.Sprintf("push to %q is not to the default branch", model.Truncate(e.Ref, 80))}
	}
	if e.Deleted || e.HeadCommit == nil {
		return nil, &Ignored{Reason: "push without a head commit (a deleted branch)"}
	}
	v := model.NewValidationError()
	if e.Repository.Name == "" {
		v.Add("repository.name", "is required")
	}
	sha := firstOf(e.After, e.HeadCommit.ID)
	if sha == "" {
		v.Add("after", "is required")
	}
	at := parseTime(v, "head_commit.timestamp", e.HeadCommit.Timestamp)
	if err := v.Err(); err != nil {
		return nil, err
	}
	subject, _, _ := strings.Cut(strings.TrimSpace(e.HeadCommit.Message), "\n")
	if subject == "" {
		subject = "Push " + short(sha)
	}
	id := "gh-push-" + sha
	return &model.Change{
		Service: e.Repository.Name, Kind: model.ChangeOther, Environment: "production",
		Summary: model.Truncate(fmt.Sprintf("Push to %s: %s", branch, subject), model.MaxChangeSummary),
		Version: short(sha), Author: e.Pusher.Name, Source: "github", ExternalID: &id,
		URL: firstOf(e.Compare, e.HeadCommit.URL), StartedAt: at,
	}, nil
}

func parseTime(v *model.ValidationError, field, s string) (t time.Time) {
	if s == "" {
		v.Add(field, "is required")
		return t
	}
	ts, err := model.ParseTimestamp(s)
	if err != nil {
		v.Add(field, err.Error())
	}
	return ts
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
