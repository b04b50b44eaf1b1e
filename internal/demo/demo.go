// Package demo loads sample incidents so a newcomer sees Debrief with data.
package demo

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"

	"github.com/debrief-dev/debrief/internal/lint"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/postmortem"
	"github.com/debrief-dev/debrief/internal/store"
	"github.com/debrief-dev/debrief/internal/synth"
)

// Load adds two sample incidents — one resolved with a full timeline that
// crosses midnight UTC, one still being worked — to an empty database. It
// refuses a database that already holds incidents.
func Load(ctx context.Context, st *store.Store) (int, error) {
	n, err := st.IncidentCount(ctx)
	if err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, fmt.Errorf("the database already holds %d incidents; demo data loads only into an empty database", n)
	}
	now := st.Now().Truncate(time.Second)
	if err := loadResolved(ctx, st, now); err != nil {
		return 0, fmt.Errorf("load resolved sample: %w", err)
	}
	if err := loadOngoing(ctx, st, now); err != nil {
		return 0, fmt.Errorf("load ongoing sample: %w", err)
	}
	return 2, nil
}

// MaxHistory bounds Generation.History; MaxBigIncident the timeline of
// Generation.BigIncident. Both are sizes a large organisation reaches.
const (
	MaxHistory     = 200_000
	MaxBigIncident = 100_000
)

// Generation says what Generate writes.
type Generation struct {
	// History is how many past incidents to write (internal/synth:
	// timelines, analysis, postmortems, most published), spread over the
	// two years before the store's now.
	History int
	// BigIncident, when positive, adds one incident of the last week whose
	// timeline has this many free-form entries (with authors and kinds,
	// spread over a few days), for benchmarks of appends to a big incident.
	BigIncident int
}

// Generate writes g's incidents, then indexes them for search. Nothing it
// writes is stamped later than the store's now. It reports its progress
// to progress every 5% and ends with the rate.
func Generate(ctx context.Context, st *store.Store, g Generation, progress io.Writer) error {
	if g.History < 0 || g.History > MaxHistory {
		return fmt.Errorf("the history must be from 0 to %d incidents", MaxHistory)
	}
	if g.BigIncident < 0 || g.BigIncident > MaxBigIncident {
		return fmt.Errorf("the big incident must have from 0 to %d timeline entries", MaxBigIncident)
	}
	if progress == nil {
		progress = io.Discard
	}
	db, err := sql.Open("sqlite3", store.DSN(st.Path(), true))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	now := st.Now()
	start := time.Now()
	if g.History > 0 {
		opts := synth.Options{N: g.History, Seed: uint64(now.UnixNano()), Now: now, Years: 2}
		opts.Progress = reporter(progress, g.History, start)
		if err := synth.Generate(ctx, db, opts); err != nil {
			return fmt.Errorf("generate history: %w", err)
		}
	}
	if g.BigIncident > 0 {
		fmt.Fprintf(progress, "generating one incident with %d timeline entries\n", g.BigIncident)
		opts := synth.Options{N: 1, Seed: uint64(now.UnixNano()) + 1, Now: now, Years: 7 / 365.25, Entries: g.BigIncident}
		if err := synth.Generate(ctx, db, opts); err != nil {
			return fmt.Errorf("generate big incident: %w", err)
		}
	}
	written := time.Since(start)
	fmt.Fprintf(progress, "written in %s; indexing for search\n", written.Round(time.Millisecond))
	if _, err := st.Reindex(ctx); err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Fprintf(progress, "generated %d incidents in %s: %.0f incidents/s (written in %s, indexed in %s)\n",
		g.History+min(g.BigIncident, 1), elapsed.Round(time.Millisecond),
		float64(g.History+min(g.BigIncident, 1))/elapsed.Seconds(), written.Round(time.Millisecond),
		(elapsed - written).Round(time.Millisecond))
	return nil
}

// reporter returns a synth progress callback that writes a line every 5%.
func reporter(w io.Writer, total int, start time.Time) func(int) {
	step := max(total/20, 1)
	next := step
	return func(written int) {
		if written < next || written >= total {
			return
		}
		fmt.Fprintf(w, "generated %d of %d incidents (%d%%, %s)\n", written, total, 100*written/total, time.Since(start).Round(time.Second))
		next = (written/step + 1) * step
	}
}

type step struct {
	after        time.Duration // since the incident started
	kind         model.EntryKind
	author, body string
	evidence     string
	learnedLater bool
	status       model.Status // when set, the status moves at this step
}

func play(ctx context.Context, st *store.Store, inc *model.Incident, start time.Time, steps []step) error {
	for _, s := range steps {
		at := start.Add(s.after)
		if s.status != "" {
			cur, err := st.Incident(ctx, inc.ID)
			if err != nil {
				return err
			}
			status := s.status
			if _, err := st.At(at).UpdateIncident(ctx, inc.ID, model.IncidentPatch{Status: &status, Version: cur.Version, Author: s.author}); err != nil {
				return err
			}
		}
		if s.body == "" {
			continue
		}
		e := &model.TimelineEntry{IncidentID: inc.ID, OccurredAt: at, Kind: s.kind, Body: s.body,
			Author: s.author, EvidenceURL: s.evidence, LearnedLater: s.learnedLater}
		if err := st.At(at).AppendTimeline(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

func loadResolved(ctx context.Context, st *store.Store, now time.Time) error {
	// Late evening UTC three days ago, so the timeline crosses midnight.
	day := now.AddDate(0, 0, -3).Truncate(24 * time.Hour)
	start := day.Add(23*time.Hour + 12*time.Minute)
	detected := start.Add(7 * time.Minute)
	acked := detected.Add(3 * time.Minute)
	inc := &model.Incident{
		Title:    "Checkout requests failing after connection pool change",
		Severity: "SEV2",
		Summary: "A configuration change lowered the payments-api database connection pool from 50 to 5. " +
			"Under the evening peak, checkout requests queued for connections and timed out.",
		Impact: "For 58 minutes about **23%** of checkout attempts failed with HTTP 503 in eu-west-1; " +
			"roughly 4,100 customers saw an error, and 1,250 orders were retried successfully later.",
		Services:  []string{"checkout", "payments-api"},
		Tags:      []string{"database", "config-change", "eu-west-1"},
		Roles:     model.Roles{Commander: "Priya Raman", CommsLead: "Tom Becker", Scribe: "Lena Ortiz", Responders: []string{"Sam Okafor", "Jin Park"}},
		StartedAt: &start, DetectedAt: &detected, AcknowledgedAt: &acked,
	}
	if err := st.At(acked.Add(2*time.Minute)).CreateIncident(ctx, inc, "Lena Ortiz"); err != nil {
		return err
	}
	if err := playResolved(ctx, st, inc, start); err != nil {
		return err
	}
	if err := analyse(ctx, st.At(start.Add(28*time.Hour)), inc.ID); err != nil {
		return err
	}
	return writePostmortem(ctx, st.At(start.Add(40*time.Hour)), inc.ID)
}

// writePostmortem writes the resolved sample's postmortem and submits it
// for review.
func writePostmortem(ctx context.Context, st *store.Store, incidentID int64) error {
	sections := map[model.SectionKey]string{
		"trigger":    "A configuration change lowered `db.pool.max` for payments-api from 50 to 5 in eu-west-1.",
		"resolution": "The configuration change was reverted at 23:53 UTC; connection waits stopped within a minute and the error rate fell below 0.1%.",
		"detection":  "The checkout 5xx alert fired 7 minutes after the change. Nothing showed pool saturation directly.",
		"went_well":  "- The revert was tested and quick.\n- Status page updates went out within 10 minutes.",
		"went_wrong": "- Nothing in the config pipeline compares pool limits with the fleet size.\n- Finding the change took 29 minutes.",
		"got_lucky":  "The change reached only one region before the alert fired.",
		"lessons":    "Values reviewed against staging need a separate check against production's scale.",
	}
	edit := store.PostmortemEdit{Sections: map[model.SectionKey]store.SectionEdit{},
		People: &model.PostmortemPeople{Facilitator: "Dana Lee", Authors: []string{"Lena Ortiz"}, Reviewers: []string{"Tom Becker"}}}
	for k, body := range sections {
		edit.Sections[k] = store.SectionEdit{Body: body}
	}
	pm, err := st.SavePostmortem(ctx, incidentID, edit)
	if err != nil {
		return err
	}
	// Left in review, ready to publish: the newcomer presses Publish. The
	// gate is checked here so that the sample always can be published.
	checker, err := lint.Default()
	if err != nil {
		return err
	}
	doc, err := st.Document(ctx, incidentID)
	if err != nil {
		return err
	}
	if reasons := postmortem.Gate(doc, postmortem.Findings(doc, checker)); len(reasons) > 0 {
		return &model.GateError{Message: "the demo postmortem does not pass the publish gate", Reasons: reasons}
	}
	_, err = st.SetPostmortemStatus(ctx, incidentID, model.PostmortemInReview, pm.Version)
	return err
}

func playResolved(ctx context.Context, st *store.Store, inc *model.Incident, start time.Time) error {
	return play(ctx, st, inc, start, []step{
		{after: -6 * time.Minute, kind: model.KindDeploy, author: "Lena Ortiz", learnedLater: true,
			body:     "Config change `payments-api: db.pool.max 50 → 5` rolled out to eu-west-1 (part of a cost-reduction change reviewed for staging).",
			evidence: "https://git.example.com/infra/config/pull/4821"},
		{after: 7 * time.Minute, kind: model.KindAlert, author: "Lena Ortiz",
			body:     "PagerDuty: `checkout 5xx rate > 5% for 5m` fired.",
			evidence: "https://grafana.example.com/d/checkout/overview"},
		{after: 10 * time.Minute, kind: model.KindAction, author: "Lena Ortiz", body: "Priya acknowledged the page and opened the incident bridge."},
		{after: 16 * time.Minute, kind: model.KindObservation, author: "Sam Okafor",
			body: "payments-api p99 latency at 9.8 s; logs full of `timeout acquiring connection from pool`."},
		{after: 21 * time.Minute, kind: model.KindCommunication, author: "Tom Becker",
			body: "Status page updated: *Some customers may see errors at checkout. We are investigating.*"},
		{after: 29 * time.Minute, kind: model.KindObservation, author: "Jin Park", status: model.StatusIdentified,
			body: "The pool size in the running config is 5, not 50. Matches the config rollout at 23:06."},
		{after: 33 * time.Minute, kind: model.KindDecision, author: "Priya Raman",
			body: "Revert the config change rather than scale out: the revert is tested and quicker."},
		{after: 41 * time.Minute, kind: model.KindDeploy, author: "Jin Park", body: "Revert rolled out to eu-west-1.",
			evidence: "https://git.example.com/infra/config/pull/4822"},
		{after: 47 * time.Minute, kind: model.KindObservation, author: "Sam Okafor", status: model.StatusMonitoring,
			body: "Error rate back under 0.1%; connection waits gone."},
		{after: 58 * time.Minute, kind: model.KindCommunication, author: "Tom Becker",
			body: "Status page: *resolved*. Customer support briefed about the retried orders."},
		{after: 75 * time.Minute, kind: model.KindDecision, author: "Priya Raman", status: model.StatusResolved,
			body: "Closing the incident. Postmortem owner: Lena; review on Thursday."},
		{after: 26 * time.Hour, kind: model.KindObservation, author: "Lena Ortiz", learnedLater: true,
			body: "The staging environment runs 4 instances against 40 in production, so a pool of 5 looked ample there."},
	})
}

// analyse records the resolved sample's analysis, as a review would: the
// trigger and the latent conditions, a whys tree that forks, and action
// items linked to both.
func analyse(ctx context.Context, st *store.Store, incidentID int64) error {
	factors := []*model.Factor{
		{Title: "Pool size change rolled out to production with the staging review", Category: "change", IsTrigger: true,
			Description: "The change was reviewed for staging (4 instances) and the same value applied to production (40 instances)."},
		{Title: "Config validation does not compare limits with the fleet size", Category: "configuration",
			Description: "Nothing checks `db.pool.max` against the number of instances and the expected load."},
		{Title: "Staging load is a tenth of production", Category: "testing gap"},
		{Title: "No alert on connection pool saturation", Category: "monitoring gap",
			Description: "The first signal was the customer-facing 5xx alert, 7 minutes after the change."},
	}
	for _, f := range factors {
		f.IncidentID = incidentID
		if err := st.CreateFactor(ctx, f); err != nil {
			return err
		}
	}
	why := func(parent *model.WhyNode, factor *model.Factor, text string) (*model.WhyNode, error) {
		n := &model.WhyNode{IncidentID: incidentID, Text: text}
		if parent != nil {
			n.ParentID = &parent.ID
		}
		if factor != nil {
			n.FactorID = &factor.ID
		}
		return n, st.CreateWhy(ctx, n, nil)
	}
	root, err := why(nil, nil, "Checkout requests failed for 58 minutes in eu-west-1")
	if err != nil {
		return err
	}
	pool, err := why(root, nil, "Because payments-api ran out of database connections under the evening peak")
	if err != nil {
		return err
	}
	small, err := why(pool, factors[0], "Because the pool maximum was lowered from 50 to 5 in production")
	if err != nil {
		return err
	}
	reviewed, err := why(small, nil, "Because the change was reviewed against staging, where 5 connections were enough")
	if err != nil {
		return err
	}
	if _, err := why(reviewed, factors[2], "Because staging runs 4 instances and a tenth of production's load"); err != nil {
		return err
	}
	if _, err := why(small, factors[1], "Because config validation does not compare pool limits with fleet size"); err != nil {
		return err
	}
	late, err := why(root, nil, "Because it took 29 minutes to find the pool change")
	if err != nil {
		return err
	}
	if _, err := why(late, factors[3], "Because no alert or dashboard shows pool saturation"); err != nil {
		return err
	}
	today := model.DateOf(st.Now())
	actions := []*model.ActionItem{
		{Title: "Validate db.pool.max against instance count and peak load in the config pipeline", Owner: "Jin Park",
			Type: model.ActionPrevent, Priority: model.PriorityHigh, Due: today.AddDays(14),
			TrackerURL: "https://tracker.example.com/browse/PAY-311", FactorIDs: []int64{factors[1].ID}},
		{Title: "Alert on connection pool wait time above 100 ms", Owner: "Sam Okafor", Status: model.ActionInProgress,
			Type: model.ActionDetect, Priority: model.PriorityHigh, Due: today.AddDays(-1),
			FactorIDs: []int64{factors[3].ID}, WhyIDs: []int64{late.ID}},
		{Title: "Review production-only values separately from staging in config PRs", Owner: "Priya Raman",
			Type: model.ActionProcess, Priority: model.PriorityMedium, Due: today.AddDays(28), FactorIDs: []int64{factors[0].ID}},
		{Title: "Run a load test against staging scaled to production's per-instance load", Owner: "Lena Ortiz",
			Type: model.ActionPrevent, Priority: model.PriorityLow, Due: today.AddDays(-10), Status: model.ActionWontDo,
			Rationale: "Covered by the config validation item; a scaled staging environment costs more than the risk it removes.",
			FactorIDs: []int64{factors[2].ID}},
	}
	for _, a := range actions {
		a.IncidentID = incidentID
		if err := st.CreateAction(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

func loadOngoing(ctx context.Context, st *store.Store, now time.Time) error {
	start := now.Add(-42 * time.Minute)
	detected := start.Add(4 * time.Minute)
	inc := &model.Incident{
		Title:     "Search results stale for some customers",
		Severity:  "SEV3",
		Summary:   "Search index updates appear delayed; newly listed products do not show up in search.",
		Services:  []string{"search", "indexer"},
		Tags:      []string{"kafka"},
		Roles:     model.Roles{Commander: "Sam Okafor", Scribe: "Jin Park"},
		StartedAt: &start, DetectedAt: &detected,
	}
	if err := st.At(detected.Add(3*time.Minute)).CreateIncident(ctx, inc, "Jin Park"); err != nil {
		return err
	}
	return play(ctx, st, inc, start, []step{
		{after: 4 * time.Minute, kind: model.KindAlert, author: "Jin Park", body: "Alert: `indexer consumer lag > 100k messages`."},
		{after: 12 * time.Minute, kind: model.KindObservation, author: "Sam Okafor",
			body: "Consumer group `indexer-v2` has 3 of 12 partitions without an owner since a rebalance."},
		{after: 25 * time.Minute, kind: model.KindAction, author: "Sam Okafor", body: "Restarted two indexer pods to force a rebalance."},
		{after: 31 * time.Minute, kind: model.KindObservation, author: "Jin Park", status: model.StatusIdentified,
			body: "All partitions owned again; lag falling by ~8k messages/min."},
	})
}
