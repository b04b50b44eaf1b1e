package postmortem

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/lint"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

func codes(rs []model.GateReason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Code
	}
	return out
}

func gateDoc() *store.Document {
	resolved := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	return &store.Document{
		Incident: &model.Incident{ID: 1, Title: "Pool", Status: model.StatusResolved, ResolvedAt: &resolved,
			Roles: model.Roles{Commander: "Alice"}},
		Postmortem: &model.Postmortem{IncidentID: 1, Sections: map[model.SectionKey]model.PostmortemSection{
			"summary": {Body: "Checkout failed for 58 minutes."}, "impact": {Body: "23% of checkouts."},
		}},
		Timeline: []model.TimelineEntry{{ID: 1, Kind: model.KindMilestone, Body: "declared"}, {ID: 2, Kind: model.KindAlert, Body: "5xx"}},
		Factors:  []model.Factor{{ID: 3, Title: "Config validation ignores fleet size", Category: "configuration"}},
	}
}

func TestGateReady(t *testing.T) {
	c, err := lint.New(nil)
	require.NoError(t, err)
	doc := gateDoc()
	assert.Empty(t, Gate(doc, Findings(doc, c)))
}

func TestGateListsEveryReason(t *testing.T) {
	c, err := lint.New(nil)
	require.NoError(t, err)
	doc := gateDoc()
	doc.Incident.Status = model.StatusMonitoring
	doc.Factors = nil
	doc.Postmortem.Sections = map[model.SectionKey]model.PostmortemSection{"resolution": {Body: "Alice deployed the bad config. Human error."}}
	doc.Timeline = doc.Timeline[:1]
	doc.Actions = []model.ActionItem{{ID: 9, Title: "Add a check"}}
	fs := Findings(doc, c)
	require.Len(t, fs, 2, "a person as the cause and human error")
	assert.Equal(t, "Resolution", fs[0].Label)
	assert.Equal(t, []string{"incident_open", "no_factor", "action_owner", "action_due", "empty_summary", "empty_impact", "empty_timeline", "finding", "finding"},
		codes(Gate(doc, fs)))
}

func TestAcknowledgedFindingsPass(t *testing.T) {
	c, err := lint.New(nil)
	require.NoError(t, err)
	doc := gateDoc()
	doc.Factors[0].Description = "We should have caught it in review."
	fs := Findings(doc, c)
	require.Len(t, fs, 1)
	assert.Equal(t, "factor:3", fs[0].Source)
	assert.Equal(t, []string{"finding"}, codes(Gate(doc, fs)))

	doc.Acks = []model.LintAck{{IncidentID: 1, Fingerprint: fs[0].Fingerprint, Reason: "quoting the reviewer"}}
	fs = Findings(doc, c)
	require.NotNil(t, fs[0].Ack)
	assert.Empty(t, Gate(doc, fs))

	// The acknowledgement names the place and the phrase, not the offsets:
	// editing text around it keeps it.
	doc.Factors[0].Description = "Looking back, we should have caught it in review."
	assert.Empty(t, Gate(doc, Findings(doc, c)))
}
