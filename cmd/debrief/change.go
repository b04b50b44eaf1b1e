package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/debrief-dev/debrief/internal/model"
)

// changeFlags are the flags of debrief change record: a script's way to
// record a deploy or another change on a running Debrief server.
type changeFlags struct {
	server, token                                 string
	service, kind, summary, version, author, link string
	category, environment, externalID, status     string
	startedAt, finishedAt                         string
}

func (f *changeFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&f.server, "server", getenv("DEBRIEF_URL"), "the Debrief server, e.g. https://debrief.example.com (env DEBRIEF_URL)")
	fs.StringVar(&f.token, "token", getenv("DEBRIEF_TOKEN"), "the changes token or an editor's API token (env DEBRIEF_TOKEN)")
	fs.StringVar(&f.service, "service", "", "the service changed (required)")
	fs.StringVar(&f.kind, "kind", "deploy", "deploy, config, feature_flag, infrastructure, database or other")
	fs.StringVar(&f.summary, "summary", "", "what changed, in a line (required)")
	fs.StringVar(&f.version, "version", "", "the version deployed")
	fs.StringVar(&f.author, "author", "", "who or what made the change")
	fs.StringVar(&f.link, "url", "", "a link to the change (CI run, pull request)")
	fs.StringVar(&f.category, "category", "", "standard, normal (default) or emergency")
	fs.StringVar(&f.environment, "environment", "", "where it went (default production)")
	fs.StringVar(&f.externalID, "external-id", "", "an id of the change in CI: recording it again updates it")
	fs.StringVar(&f.status, "status", "", "success (default) or failure")
	fs.StringVar(&f.startedAt, "started-at", "", "when it began, RFC 3339 with an offset (default now)")
	fs.StringVar(&f.finishedAt, "finished-at", "", "when it finished, RFC 3339 with an offset")
}

// check refuses what cannot work before anything is sent.
func (f *changeFlags) check() error {
	switch {
	case f.server == "":
		return errors.New("--server (or DEBRIEF_URL) is required: the address of the Debrief server")
	case f.token == "":
		return errors.New("--token (or DEBRIEF_TOKEN) is required: the changes token or an editor's API token")
	case f.service == "":
		return errors.New("--service is required")
	case f.summary == "":
		return errors.New("--summary is required")
	}
	u, err := url.Parse(f.server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--server %q is not an http(s) URL", f.server)
	}
	for name, v := range map[string]string{"--started-at": f.startedAt, "--finished-at": f.finishedAt} {
		if v != "" {
			if _, err := model.ParseTimestamp(v); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	return nil
}

// record posts the change to the server's /integrations/changes and
// prints what was stored.
func (f *changeFlags) record(ctx context.Context, client *http.Client, stdout io.Writer) error {
	body := map[string]any{"service": f.service, "kind": f.kind, "summary": f.summary}
	for k, v := range map[string]string{
		"version": f.version, "author": f.author, "url": f.link, "category": f.category,
		"environment": f.environment, "external_id": f.externalID, "status": f.status,
		"started_at": f.startedAt, "finished_at": f.finishedAt,
	} {
		if v != "" {
			body[k] = v
		}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(f.server, "/")+"/integrations/changes", bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+f.token)
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("send the change: %w", err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	var answer struct {
		ID      int64             `json:"id"`
		Service string            `json:"service"`
		Error   string            `json:"error"`
		Fields  map[string]string `json:"fields"`
	}
	_ = json.Unmarshal(out, &answer)
	switch res.StatusCode {
	case http.StatusCreated, http.StatusOK:
		verb := "recorded"
		if res.StatusCode == http.StatusOK {
			verb = "updated"
		}
		fmt.Fprintf(stdout, "%s change %d to %s\n", verb, answer.ID, answer.Service)
		return nil
	}
	msg := answer.Error
	if msg == "" {
		msg = strings.TrimSpace(string(out))
	}
	for k, v := range answer.Fields {
		msg += fmt.Sprintf("; %s: %s", k, v)
	}
	return fmt.Errorf("the server refused the change (%s): %s", res.Status, msg)
}

// recordChange is debrief change record.
func recordChange(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("debrief change record", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: debrief change record [flags]\n\nRecords a change on a running Debrief server (POST /integrations/changes).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	var f changeFlags
	f.register(fs, getenv)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments: %v", fs.Args())
	}
	if err := f.check(); err != nil {
		return usageError{err}
	}
	return f.record(ctx, &http.Client{}, stdout)
}
