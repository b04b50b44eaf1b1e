package model

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var now = time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)

func at(s string) *time.Time {
	t, err := ParseTimestamp(s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestIncidentValidate(t *testing.T) {
	ok := func() Incident {
		return Incident{Title: "Checkout down", Severity: "SEV1", Status: StatusInvestigating}
	}
	cases := []struct {
		name   string
		edit   func(*Incident)
		fields []string
	}{
		{"valid", func(*Incident) {}, nil},
		{"missing title", func(i *Incident) { i.Title = "   " }, []string{"title"}},
		{"200-char title", func(i *Incident) { i.Title = strings.Repeat("é", 200) }, nil},
		{"201-char title", func(i *Incident) { i.Title = strings.Repeat("é", 201) }, []string{"title"}},
		{"missing severity", func(i *Incident) { i.Severity = "" }, []string{"severity"}},
		{"unknown status", func(i *Incident) { i.Status = "exploded" }, []string{"status"}},
		{"detected before started", func(i *Incident) {
			i.StartedAt, i.DetectedAt = at("2026-11-22T14:00:00Z"), at("2026-11-22T13:59:59Z")
		}, []string{"detected_at", "started_at"}},
		{"acknowledged before detected", func(i *Incident) {
			i.DetectedAt, i.AcknowledgedAt = at("2026-11-22T14:00:00Z"), at("2026-11-22T13:00:00Z")
		}, []string{"acknowledged_at", "detected_at"}},
		{"resolved before mitigated", func(i *Incident) {
			i.Status, i.MitigatedAt, i.ResolvedAt = StatusResolved, at("2026-11-22T14:00:00Z"), at("2026-11-22T13:00:00Z")
		}, []string{"mitigated_at", "resolved_at"}},
		{"mitigated before started", func(i *Incident) {
			i.StartedAt, i.MitigatedAt = at("2026-11-22T14:00:00Z"), at("2026-11-22T13:00:00Z")
		}, []string{"mitigated_at", "started_at"}},
		{"equal milestones are fine", func(i *Incident) {
			i.StartedAt, i.DetectedAt = at("2026-11-22T14:00:00Z"), at("2026-11-22T14:00:00Z")
		}, nil},
		{"mitigated before detected is fine (auto-mitigation)", func(i *Incident) {
			i.StartedAt, i.MitigatedAt, i.DetectedAt = at("2026-11-22T14:00:00Z"), at("2026-11-22T14:01:00Z"), at("2026-11-22T14:05:00Z")
		}, nil},
		{"resolved_at while open", func(i *Incident) { i.ResolvedAt = at("2026-11-22T14:00:00Z") }, []string{"resolved_at", "status"}},
		{"resolved without resolved_at", func(i *Incident) { i.Status = StatusResolved }, []string{"resolved_at"}},
		{"far future milestone", func(i *Incident) { i.StartedAt = at("2026-11-24T15:00:00Z") }, []string{"started_at"}},
		{"bad tag", func(i *Incident) { i.Tags = []string{"<script>"} }, []string{"tags"}},
		{"bad service", func(i *Incident) { i.Services = []string{"a,b"} }, []string{"services"}},
		{"long responder", func(i *Incident) { i.Roles.Responders = []string{strings.Repeat("x", 101)} }, []string{"roles.responders"}},
		{"long commander", func(i *Incident) { i.Roles.Commander = strings.Repeat("x", 101) }, []string{"roles.commander"}},
		{"huge summary", func(i *Incident) { i.Summary = strings.Repeat("x", MaxMarkdownLen+1) }, []string{"summary"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inc := ok()
			tc.edit(&inc)
			err := inc.Validate(now)
			if tc.fields == nil {
				assert.NoError(t, err)
				return
			}
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			for _, f := range tc.fields {
				assert.Contains(t, ve.Fields, f)
			}
		})
	}
}

func TestMilestoneOrderMessageNamesBothFields(t *testing.T) {
	inc := Incident{Title: "t", Severity: "SEV1", Status: StatusInvestigating,
		StartedAt: at("2026-11-22T14:00:00Z"), DetectedAt: at("2026-11-22T13:00:00Z")}
	var ve *ValidationError
	require.ErrorAs(t, inc.Validate(now), &ve)
	assert.Equal(t, "must not be before started_at (2026-11-22 14:00:00 UTC)", ve.Fields["detected_at"])
	assert.Equal(t, "must not be after detected_at (2026-11-22 13:00:00 UTC)", ve.Fields["started_at"])
}

func TestCanTransition(t *testing.T) {
	for _, from := range Statuses {
		for _, to := range Statuses {
			want := from != StatusResolved || to == StatusInvestigating || to == StatusResolved
			assert.Equal(t, want, CanTransition(from, to), "%s → %s", from, to)
		}
	}
	assert.False(t, CanTransition(StatusInvestigating, "exploded"))
}

func TestApplyStatusFillsMilestones(t *testing.T) {
	inc := Incident{Title: "t", Severity: "SEV2", Status: StatusInvestigating, StartedAt: at("2026-11-22T14:00:00Z")}
	resolved := StatusResolved
	entries, err := inc.Apply(IncidentPatch{Status: &resolved}, now)
	require.NoError(t, err)
	assert.Equal(t, now, *inc.ResolvedAt)
	assert.Equal(t, now, *inc.MitigatedAt, "resolving outright implies mitigation")
	var texts []string
	for _, e := range entries {
		assert.Equal(t, KindMilestone, e.Kind)
		assert.Equal(t, SystemAuthor, e.Author)
		texts = append(texts, e.Body)
	}
	assert.Equal(t, []string{"Status changed: investigating → resolved.", "Mitigated.", "Resolved."}, texts)
}

func TestApplyGivenMilestoneWinsOverNow(t *testing.T) {
	inc := Incident{Title: "t", Severity: "SEV2", Status: StatusIdentified, StartedAt: at("2026-11-22T14:00:00Z")}
	monitoring := StatusMonitoring
	given := at("2026-11-22T14:30:00Z")
	_, err := inc.Apply(IncidentPatch{Status: &monitoring, Milestones: map[Milestone]*time.Time{MilestoneMitigated: given}}, now)
	require.NoError(t, err)
	assert.Equal(t, *given, *inc.MitigatedAt)
}

func TestApplyRejectsOrderViolationFromPartialPatch(t *testing.T) {
	inc := Incident{Title: "t", Severity: "SEV2", Status: StatusInvestigating, StartedAt: at("2026-11-22T14:00:00Z")}
	_, err := inc.Apply(IncidentPatch{Milestones: map[Milestone]*time.Time{MilestoneDetected: at("2026-11-22T13:00:00Z")}}, now)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Fields, "detected_at")
	assert.Contains(t, ve.Fields, "started_at")
}

func TestApplyRecordsMilestoneCorrections(t *testing.T) {
	inc := Incident{Title: "t", Severity: "SEV2", Status: StatusInvestigating, StartedAt: at("2026-11-22T14:00:00Z")}
	entries, err := inc.Apply(IncidentPatch{Milestones: map[Milestone]*time.Time{
		MilestoneStarted:  at("2026-11-22T13:55:00Z"),
		MilestoneDetected: at("2026-11-22T14:02:00Z"),
	}, Author: "Lena"}, now)
	require.NoError(t, err)
	require.Len(t, entries, 2)
	assert.Equal(t, "Impact started (time corrected from 2026-11-22 14:00:00 UTC).", entries[0].Body)
	assert.Equal(t, *at("2026-11-22T13:55:00Z"), entries[0].OccurredAt)
	assert.Equal(t, "Detected.", entries[1].Body)
	assert.Equal(t, "Lena", entries[1].Author)
}

func TestDurations(t *testing.T) {
	inc := Incident{
		StartedAt: at("2026-11-22T14:00:00Z"), DetectedAt: at("2026-11-22T14:07:00Z"),
		AcknowledgedAt: at("2026-11-22T14:10:00Z"), ResolvedAt: at("2026-11-22T16:00:00Z"),
	}
	ds := inc.Durations()
	require.Len(t, ds, 4)
	assert.Equal(t, 7*time.Minute, *ds[0].Value)
	assert.Equal(t, 3*time.Minute, *ds[1].Value)
	assert.Nil(t, ds[2].Value, "no mitigation time, no time to mitigate")
	assert.Equal(t, 2*time.Hour, *ds[3].Value)
}

func TestNormalizeTagsAndServices(t *testing.T) {
	tags, err := NormalizeTags([]string{" DB ", "#db", "eu-west-1", "", "k8s/ingress", "café"})
	require.NoError(t, err)
	assert.Equal(t, []string{"db", "eu-west-1", "k8s/ingress", "café"}, tags)
	_, err = NormalizeTags([]string{"two words"})
	assert.Error(t, err)
	_, err = NormalizeTags([]string{strings.Repeat("a", 51)})
	assert.Error(t, err)

	services, err := NormalizeServices([]string{" Checkout ", "checkout", "payments  api"})
	require.NoError(t, err)
	assert.Equal(t, []string{"Checkout", "payments api"}, services)
	_, err = NormalizeServices([]string{"<b>"})
	assert.Error(t, err)
}

func TestTimelineEntryValidate(t *testing.T) {
	ok := func() TimelineEntry {
		return TimelineEntry{OccurredAt: now.Add(-time.Minute), Kind: KindAction, Body: "restarted the pods"}
	}
	cases := []struct {
		name  string
		edit  func(*TimelineEntry)
		field string
	}{
		{"valid", func(*TimelineEntry) {}, ""},
		{"unknown kind", func(e *TimelineEntry) { e.Kind = "rumour" }, "kind"},
		{"empty body", func(e *TimelineEntry) { e.Body = " \n " }, "body"},
		{"10000-char body", func(e *TimelineEntry) { e.Body = strings.Repeat("ü", 10_000) }, ""},
		{"10001-char body", func(e *TimelineEntry) { e.Body = strings.Repeat("ü", 10_001) }, "body"},
		{"javascript URL", func(e *TimelineEntry) { e.EvidenceURL = "javascript:alert(1)" }, "evidence_url"},
		{"ftp URL", func(e *TimelineEntry) { e.EvidenceURL = "ftp://example.com/x" }, "evidence_url"},
		{"hostless URL", func(e *TimelineEntry) { e.EvidenceURL = "https://" }, "evidence_url"},
		{"https URL", func(e *TimelineEntry) { e.EvidenceURL = " https://grafana.example.com/d/x?from=now-1h " }, ""},
		{"zero time", func(e *TimelineEntry) { e.OccurredAt = time.Time{} }, "occurred_at"},
		{"year 9999", func(e *TimelineEntry) { e.OccurredAt = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) }, "occurred_at"},
		{"invalid UTF-8", func(e *TimelineEntry) { e.Body = "bad \xff byte" }, "body"},
		{"long author", func(e *TimelineEntry) { e.Author = strings.Repeat("x", 101) }, "author"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := ok()
			tc.edit(&e)
			err := e.Validate(now)
			if tc.field == "" {
				assert.NoError(t, err)
				return
			}
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Contains(t, ve.Fields, tc.field)
		})
	}
}

func TestEntryApplyReportsChange(t *testing.T) {
	e := TimelineEntry{OccurredAt: now.Add(-time.Minute), Kind: KindAction, Body: "x"}
	same := "x"
	changed, err := e.Apply(EntryPatch{Body: &same}, now)
	require.NoError(t, err)
	assert.False(t, changed)
	other := "y"
	changed, err = e.Apply(EntryPatch{Body: &other}, now)
	require.NoError(t, err)
	assert.True(t, changed)
}

func TestValidationErrorMessage(t *testing.T) {
	v := NewValidationError()
	assert.NoError(t, v.Err())
	v.Add("title", "is required")
	v.Add("title", "second reason is ignored")
	v.Add("body", "is required")
	assert.Equal(t, "invalid input: body: is required; title: is required", v.Error())
}
