package store

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/review"
)

func recordChange(t *testing.T, st *Store, service string, started time.Time, edit ...func(*model.Change)) *model.Change {
	t.Helper()
	c := &model.Change{Service: service, Kind: model.ChangeDeploy, Summary: "deploy " + service, StartedAt: started}
	for _, e := range edit {
		e(c)
	}
	_, err := st.RecordChange(ctx, c)
	require.NoError(t, err)
	return c
}

func TestRecordChangeIsIdempotentByExternalID(t *testing.T) {
	st := OpenTest(t)
	at := mustTime(t, "2026-11-20T10:00:00Z")
	c := &model.Change{Service: "Checkout", Summary: "v2.36.6", Version: "v2.36.6", StartedAt: at, ExternalID: ptr("gh-deploy-991")}
	created, err := st.RecordChange(ctx, c)
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, model.ChangeDeploy, c.Kind, "deploy is the default kind")
	assert.Equal(t, model.ChangeNormal, c.Category)
	assert.Equal(t, "production", c.Environment)

	// The CI retries, now with the finish and a failure.
	fin := at.Add(3 * time.Minute)
	again := &model.Change{Service: "checkout", Summary: "v2.36.6", StartedAt: at, FinishedAt: &fin, Status: "failure", ExternalID: ptr("gh-deploy-991")}
	created, err = st.RecordChange(ctx, again)
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, c.ID, again.ID)
	assert.Equal(t, "Checkout", again.Service, "the catalogue's spelling")

	list, more, err := st.Changes(ctx, ChangeFilter{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.False(t, more)
	assert.Equal(t, "failure", list[0].Status)
	require.NotNil(t, list[0].FinishedAt)
	assert.True(t, fin.Equal(*list[0].FinishedAt))
	assert.Equal(t, c.CreatedAt.Unix(), list[0].CreatedAt.Unix(), "an update keeps when it was first recorded")
}

func TestRecordChangeRefusesBadInputAndWritesNothing(t *testing.T) {
	st := OpenTest(t)
	at := mustTime(t, "2026-11-20T10:00:00Z")
	before := at.Add(-time.Minute)
	cases := map[string]*model.Change{
		"finished_at": {Service: "api", Summary: "x", StartedAt: at, FinishedAt: &before},
		"kind":        {Service: "api", Summary: "x", StartedAt: at, Kind: "rollout"},
		"category":    {Service: "api", Summary: "x", StartedAt: at, Category: "urgent"},
		"service":     {Summary: "x", StartedAt: at},
		"summary":     {Service: "api", StartedAt: at},
		"started_at":  {Service: "api", Summary: "x"},
		"url":         {Service: "api", Summary: "x", StartedAt: at, URL: "javascript:alert(1)"},
		"status":      {Service: "api", Summary: "x", StartedAt: at, Status: "pending"},
	}
	for field, c := range cases {
		t.Run(field, func(t *testing.T) {
			_, err := st.RecordChange(ctx, c)
			var ve *model.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Contains(t, ve.Fields, field)
		})
	}
	list, _, err := st.Changes(ctx, ChangeFilter{})
	require.NoError(t, err)
	assert.Empty(t, list)
}

func TestChangesFilterAndPage(t *testing.T) {
	st := OpenTest(t)
	base := mustTime(t, "2026-11-20T00:00:00Z")
	for i := range 5 {
		recordChange(t, st, "api", base.Add(time.Duration(i)*time.Hour))
		recordChange(t, st, "web", base.Add(time.Duration(i)*time.Hour), func(c *model.Change) { c.Kind = model.ChangeConfig })
	}
	list, more, err := st.Changes(ctx, ChangeFilter{Service: "API", Limit: 3})
	require.NoError(t, err)
	assert.True(t, more)
	require.Len(t, list, 3)
	for _, c := range list {
		assert.Equal(t, "api", c.Service)
	}
	assert.True(t, list[0].StartedAt.After(list[1].StartedAt), "newest first")

	list, more, err = st.Changes(ctx, ChangeFilter{Service: "api", Limit: 3, Offset: 3})
	require.NoError(t, err)
	assert.False(t, more)
	assert.Len(t, list, 2)

	from, to := base.Add(time.Hour), base.Add(3*time.Hour)
	list, _, err = st.Changes(ctx, ChangeFilter{Kind: model.ChangeConfig, From: &from, To: &to})
	require.NoError(t, err)
	require.Len(t, list, 2, "from is inclusive, to exclusive")
	assert.Equal(t, "web", list[0].Service)

	list, _, err = st.Changes(ctx, ChangeFilter{Service: "nope"})
	require.NoError(t, err)
	assert.Empty(t, list)
}

func TestSuspectChangesOwnServicesFirstNewestFirst(t *testing.T) {
	st := OpenTest(t)
	impact := mustTime(t, "2026-11-20T12:00:00Z")
	inc := &model.Incident{Title: "Checkout errors", Severity: "SEV2", Services: []string{"checkout"}, StartedAt: &impact}
	require.NoError(t, st.CreateIncident(ctx, inc, "tester"))

	old := recordChange(t, st, "checkout", impact.Add(-25*time.Hour))    // outside a 24 h window
	own1 := recordChange(t, st, "checkout", impact.Add(-5*time.Hour))    // own, older
	own2 := recordChange(t, st, "Checkout", impact.Add(-30*time.Minute)) // own, newest
	other := recordChange(t, st, "search", impact.Add(-10*time.Minute))
	recordChange(t, st, "checkout", impact.Add(time.Minute)) // after impact: not a suspect

	got, err := st.SuspectChanges(ctx, inc, 24*time.Hour, 0)
	require.NoError(t, err)
	ids := make([]int64, len(got))
	for i, s := range got {
		ids[i] = s.ID
	}
	assert.Equal(t, []int64{own2.ID, own1.ID, other.ID}, ids)
	assert.True(t, got[0].SameService)
	assert.False(t, got[2].SameService)
	assert.Equal(t, 30*time.Minute, got[0].Before)

	got, err = st.SuspectChanges(ctx, inc, 48*time.Hour, 0)
	require.NoError(t, err)
	assert.Len(t, got, 4)
	assert.Equal(t, old.ID, got[2].ID)
}

func TestSuspectChangesUseDeclarationWithoutImpactAndAllServicesWithoutServices(t *testing.T) {
	now := mustTime(t, "2026-11-20T12:00:00Z")
	st := OpenTest(t, WithClock(func() time.Time { return now }))
	inc := newIncident(t, st, "No services, no start")
	a := recordChange(t, st, "a", now.Add(-time.Hour))
	b := recordChange(t, st, "b", now.Add(-2*time.Hour))
	got, err := st.SuspectChanges(ctx, inc, 24*time.Hour, 0)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, a.ID, got[0].ID)
	assert.Equal(t, b.ID, got[1].ID)
}

func TestLinkChangeCausedAddsTriggerFactorOnce(t *testing.T) {
	st := OpenTest(t)
	inc := incidentWith(t, st, "Checkout down", "SEV1", "checkout")
	c := recordChange(t, st, "checkout", mustTime(t, "2026-11-20T10:00:00Z"), func(c *model.Change) {
		c.Version, c.Author, c.URL = "v2.36.6", "ci-bot", "https://ci.example.com/run/1"
	})
	link, err := st.LinkChange(ctx, inc.ID, c.ID, model.RelationCaused)
	require.NoError(t, err)
	require.NotNil(t, link.FactorID)
	f, err := st.Factor(ctx, inc.ID, *link.FactorID)
	require.NoError(t, err)
	assert.Equal(t, "change", f.Category)
	assert.True(t, f.IsTrigger)
	assert.Contains(t, f.Title, "v2.36.6")
	assert.Contains(t, f.Description, "https://ci.example.com/run/1")

	// Again, as related, then as caused: still one factor.
	link, err = st.LinkChange(ctx, inc.ID, c.ID, model.RelationRelated)
	require.NoError(t, err)
	assert.Equal(t, model.RelationRelated, link.Relation)
	_, err = st.LinkChange(ctx, inc.ID, c.ID, model.RelationCaused)
	require.NoError(t, err)
	factors, err := st.Factors(ctx, inc.ID)
	require.NoError(t, err)
	assert.Len(t, factors, 1)

	// A second cause is a factor, not a second trigger.
	c2 := recordChange(t, st, "checkout", mustTime(t, "2026-11-20T11:00:00Z"))
	link2, err := st.LinkChange(ctx, inc.ID, c2.ID, model.RelationCaused)
	require.NoError(t, err)
	f2, err := st.Factor(ctx, inc.ID, *link2.FactorID)
	require.NoError(t, err)
	assert.False(t, f2.IsTrigger)

	links, err := st.IncidentChanges(ctx, inc.ID)
	require.NoError(t, err)
	require.Len(t, links, 2)
	assert.Equal(t, c2.ID, links[0].ID, "newest first")
	assert.Equal(t, "checkout", links[0].Service)

	require.NoError(t, st.UnlinkChange(ctx, inc.ID, c.ID))
	links, err = st.IncidentChanges(ctx, inc.ID)
	require.NoError(t, err)
	assert.Len(t, links, 1)
	factors, err = st.Factors(ctx, inc.ID)
	require.NoError(t, err)
	assert.Len(t, factors, 2, "the analysis keeps its factors")
	assert.ErrorIs(t, st.UnlinkChange(ctx, inc.ID, c.ID), model.ErrNotFound)
}

func TestLinkChangeRefusesUnknownOnes(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "x")
	_, err := st.LinkChange(ctx, inc.ID, 999, model.RelationCaused)
	var ve *model.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Fields, "change_id")
	c := recordChange(t, st, "api", mustTime(t, "2026-11-20T10:00:00Z"))
	_, err = st.LinkChange(ctx, 999, c.ID, model.RelationCaused)
	assert.ErrorIs(t, err, model.ErrNotFound)
	_, err = st.LinkChange(ctx, inc.ID, c.ID, "blamed")
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Fields, "relation")
}

func TestThousandChangesInAMinute(t *testing.T) {
	st := OpenTest(t)
	at := mustTime(t, "2026-11-20T10:00:00Z")
	for i := range 1000 {
		_, err := st.RecordChange(ctx, &model.Change{Service: fmt.Sprintf("svc-%d", i%20), Summary: fmt.Sprintf("flag %d", i),
			Kind: model.ChangeFeatureFlag, StartedAt: at.Add(time.Duration(i) * 50 * time.Millisecond)})
		require.NoError(t, err)
	}
	inc := &model.Incident{Title: "x", Severity: "SEV2", Services: []string{"svc-3"}, StartedAt: ptr(at.Add(time.Minute))}
	require.NoError(t, st.CreateIncident(ctx, inc, "tester"))
	got, err := st.SuspectChanges(ctx, inc, time.Hour, 0)
	require.NoError(t, err)
	require.Len(t, got, MaxSuspects, "bounded")
	for _, s := range got {
		assert.Equal(t, "svc-3", s.Service, "the incident's own service fills the list first")
	}
	lane, err := st.ChangesAround(ctx, inc)
	require.NoError(t, err)
	assert.Len(t, lane, 50, "the lane shows the incident's service only")
	assert.True(t, lane[0].StartedAt.Before(lane[1].StartedAt), "oldest first")
}

func TestReviewCountsChangesToProduction(t *testing.T) {
	now := mustTime(t, "2026-11-25T12:00:00Z")
	st := OpenTest(t, WithClock(func() time.Time { return now }))
	week, err := review.ParseWeek("2026-W47") // 16–22 November
	require.NoError(t, err)
	inc := incidentWith(t, st, "Checkout down", "SEV1", "checkout")
	bad := recordChange(t, st, "checkout", mustTime(t, "2026-11-17T10:00:00Z"))
	recordChange(t, st, "checkout", mustTime(t, "2026-11-18T10:00:00Z"))
	recordChange(t, st, "api", mustTime(t, "2026-11-22T23:59:59Z"))
	recordChange(t, st, "api", mustTime(t, "2026-11-23T00:00:00Z"))                                                      // next week
	recordChange(t, st, "api", mustTime(t, "2026-11-19T10:00:00Z"), func(c *model.Change) { c.Environment = "staging" }) // not production
	recordChange(t, st, "api", mustTime(t, "2026-11-10T10:00:00Z"))                                                      // the week before
	_, err = st.LinkChange(ctx, inc.ID, bad.ID, model.RelationCaused)
	require.NoError(t, err)

	in, err := st.ReviewInput(ctx, review.NewQuery(week, now, review.Options{}))
	require.NoError(t, err)
	assert.Equal(t, []review.ServiceChanges{{Service: "checkout", Total: 2, Caused: 1}, {Service: "api", Total: 1}}, in.Changes[week].Services)
	assert.Equal(t, []review.ServiceChanges{{Service: "api", Total: 1}}, in.Changes[week.Previous()].Services)
	m := review.ChangeFailureRate{}.Measure(in, week)
	assert.Equal(t, "33.3% (1 of 3)", m.Display)
}

func TestServiceCatalogueAndRename(t *testing.T) {
	st := OpenTest(t)
	inc := incidentWith(t, st, "Cart down", "SEV2", "cart")
	c := recordChange(t, st, "cart", mustTime(t, "2026-11-20T10:00:00Z"))
	svc := &model.Service{OwnerTeam: "Team Cart", Tier: "1", SLOTarget: ptr(99.9)}
	created, err := st.SaveService(ctx, "Cart", svc, nil)
	require.NoError(t, err)
	assert.False(t, created, "the service exists: incidents named it")
	assert.Equal(t, 2, svc.Version)

	got, err := st.Service(ctx, "CART")
	require.NoError(t, err)
	assert.Equal(t, "Team Cart", got.OwnerTeam)
	require.NotNil(t, got.SLOTarget)
	assert.Equal(t, 99.9, *got.SLOTarget)
	assert.Equal(t, 30, got.SLOWindowDays)

	// A stale version is refused.
	_, err = st.SaveService(ctx, "cart", &model.Service{OwnerTeam: "x"}, ptr(1))
	assert.ErrorIs(t, err, model.ErrConflict)

	// Renamed: its incident and change follow.
	_, err = st.SaveService(ctx, "cart", &model.Service{Name: "basket", OwnerTeam: "Team Cart"}, ptr(2))
	require.NoError(t, err)
	back, err := st.Incident(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"basket"}, back.Services)
	ch, err := st.Change(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, "basket", ch.Service)
	_, err = st.Service(ctx, "cart")
	assert.ErrorIs(t, err, model.ErrNotFound)

	created, err = st.SaveService(ctx, "search", &model.Service{}, nil)
	require.NoError(t, err)
	assert.True(t, created)
	_, err = st.SaveService(ctx, "search", &model.Service{Name: "Basket"}, nil)
	var ve *model.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Fields, "name")
	_, err = st.SaveService(ctx, "search", &model.Service{SLOTarget: ptr(100.0)}, nil)
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Fields, "slo_target")

	list, more, err := st.ServiceList(ctx, 1, 0)
	require.NoError(t, err)
	assert.True(t, more)
	assert.Equal(t, "basket", list[0].Name)
}

func TestServiceOutagesOverlapTheWindow(t *testing.T) {
	now := mustTime(t, "2026-11-30T12:00:00Z")
	st := OpenTest(t, WithClock(func() time.Time { return now }))
	add := func(start, mitigated string) int64 {
		inc := &model.Incident{Title: "x " + start, Severity: "SEV2", Services: []string{"api"}, StartedAt: ptr(mustTime(t, start))}
		if mitigated != "" {
			inc.MitigatedAt = ptr(mustTime(t, mitigated))
		}
		require.NoError(t, st.CreateIncident(ctx, inc, "tester"))
		return inc.ID
	}
	before := add("2026-10-01T00:00:00Z", "2026-10-01T01:00:00Z")
	edge := add("2026-10-31T23:00:00Z", "2026-11-01T01:00:00Z")
	open := add("2026-11-30T11:00:00Z", "")
	other := &model.Incident{Title: "other service", Severity: "SEV2", Services: []string{"web"}, StartedAt: ptr(mustTime(t, "2026-11-10T00:00:00Z"))}
	require.NoError(t, st.CreateIncident(ctx, other, "tester"))
	svc, err := st.Service(ctx, "api")
	require.NoError(t, err)
	outs, err := st.ServiceOutages(ctx, model.AllIncidents, svc.ID, mustTime(t, "2026-11-01T00:00:00Z"), now)
	require.NoError(t, err)
	ids := []int64{}
	for _, o := range outs {
		ids = append(ids, o.IncidentID)
	}
	assert.Equal(t, []int64{edge, open}, ids)
	assert.NotContains(t, ids, before)
	assert.True(t, outs[1].Open)
	assert.Equal(t, now, outs[1].End)
}

func TestPrivateIncidentEventsOnlyToHooksThatAskForThem(t *testing.T) {
	st := OpenTest(t)
	hook := func(private bool) *model.Webhook {
		h := &model.Webhook{URL: "https://hooks.example.com/x", Events: []string{model.EventIncidentDeclared}, Secret: "whsec_x", Private: private}
		require.NoError(t, h.Validate(false))
		require.NoError(t, st.CreateWebhook(ctx, h))
		return h
	}
	open, all := hook(false), hook(true)
	require.NoError(t, st.CreateIncident(ctx, &model.Incident{Title: "Secret", Severity: "SEV1", Visibility: model.VisibilityPrivate}, "tester"))
	require.NoError(t, st.CreateIncident(ctx, &model.Incident{Title: "Open", Severity: "SEV2"}, "tester"))
	count := func(h *model.Webhook) int {
		ds, err := st.Deliveries(ctx, h.ID, 0, 10)
		require.NoError(t, err)
		return len(ds)
	}
	assert.Equal(t, 1, count(open), "only the organisation incident")
	assert.Equal(t, 2, count(all))
}

func TestErrorBudgetCountsPrivateIncidentsWithoutNamingThem(t *testing.T) {
	now := mustTime(t, "2026-11-30T12:00:00Z")
	st := OpenTest(t, WithClock(func() time.Time { return now }))
	start := mustTime(t, "2026-11-30T10:00:00Z")
	require.NoError(t, st.CreateIncident(ctx, &model.Incident{Title: "Secret", Severity: "SEV1", Services: []string{"api"},
		StartedAt: &start, MitigatedAt: ptr(start.Add(time.Hour)), Visibility: model.VisibilityPrivate}, "tester"))
	svc, err := st.Service(ctx, "api")
	require.NoError(t, err)
	outs, err := st.ServiceOutages(ctx, model.Viewer{UserID: 999}, svc.ID, now.Add(-24*time.Hour), now)
	require.NoError(t, err)
	require.Len(t, outs, 1, "its minutes count")
	assert.True(t, outs[0].Hidden)
	assert.Zero(t, outs[0].IncidentID, "but it is not named")
	outs, err = st.ServiceOutages(ctx, model.AllIncidents, svc.ID, now.Add(-24*time.Hour), now)
	require.NoError(t, err)
	assert.False(t, outs[0].Hidden)
}

func TestSearchFindsLinkedChanges(t *testing.T) {
	st := OpenTest(t)
	inc := incidentWith(t, st, "Checkout down", "SEV1", "checkout")
	c := recordChange(t, st, "checkout", mustTime(t, "2026-11-20T10:00:00Z"), func(c *model.Change) {
		c.Summary, c.Version = "Raise connection pool", "cfgquokka"
	})
	assert.Empty(t, find(t, st, "cfgquokka"), "not linked: not the incident's")
	_, err := st.LinkChange(ctx, inc.ID, c.ID, model.RelationRelated)
	require.NoError(t, err)
	assert.Equal(t, []int64{inc.ID}, find(t, st, "cfgquokka"))

	// The change is updated (a CI retry with another summary): re-indexed.
	require.NoError(t, st.wdb.Exec("UPDATE changes SET external_id = 'ext-c' WHERE id = ?", c.ID).Error)
	_, err = st.RecordChange(ctx, &model.Change{Service: "checkout", Summary: "Raise pool to marmoset", StartedAt: c.StartedAt, ExternalID: ptr("ext-c")})
	require.NoError(t, err)
	assert.Equal(t, []int64{inc.ID}, find(t, st, "marmoset"))

	require.NoError(t, st.UnlinkChange(ctx, inc.ID, c.ID))
	assert.Empty(t, find(t, st, "marmoset"))
	n, err := st.Reindex(ctx)
	require.NoError(t, err)
	assert.Positive(t, n)
	assert.Empty(t, find(t, st, "marmoset"), "a rebuild agrees")
}

// TestChangeReadsUseIndexes: the change list (each filter), the suspects,
// the lane and the webhook queue and log read through an index: no plain
// SCAN of changes or webhook_deliveries, no sort of the list in a temporary
// b-tree.
func TestChangeReadsUseIndexes(t *testing.T) {
	st := OpenTest(t)
	inc := incidentWith(t, st, "x", "SEV2", "api")
	recordChange(t, st, "api", mustTime(t, "2026-11-20T10:00:00Z"))
	h := &model.Webhook{URL: "https://hooks.example.com/x", Events: []string{model.EventIncidentDeclared}, Secret: "whsec_x"}
	require.NoError(t, h.Validate(false))
	require.NoError(t, st.CreateWebhook(ctx, h))
	log := &sqlLog{Interface: logger.Discard}
	st.db = st.db.Session(&gorm.Session{Logger: log})
	from, to := mustTime(t, "2026-11-01T00:00:00Z"), mustTime(t, "2026-12-01T00:00:00Z")
	reads := map[string]func() error{
		"changes":         func() error { _, _, err := st.Changes(ctx, ChangeFilter{}); return err },
		"changes+service": func() error { _, _, err := st.Changes(ctx, ChangeFilter{Service: "api"}); return err },
		"changes+window":  func() error { _, _, err := st.Changes(ctx, ChangeFilter{From: &from, To: &to}); return err },
		"suspects":        func() error { _, err := st.SuspectChanges(ctx, inc, 24*time.Hour, 0); return err },
		"lane":            func() error { _, err := st.ChangesAround(ctx, inc); return err },
		"lane state":      func() error { _, _, err := st.LaneState(ctx, inc); return err },
		"deliveries":      func() error { _, err := st.Deliveries(ctx, h.ID, 0, 50); return err },
		"due":             func() error { _, err := st.DueDeliveries(ctx, st.Now()); return err },
	}
	for name, read := range reads {
		log.stmts = nil
		require.NoError(t, read(), name)
		require.NotEmpty(t, log.stmts, name)
		for _, sql := range log.stmts {
			plan := strings.Join(queryPlan(t, st, sql), "\n")
			for _, table := range []string{"changes", "webhook_deliveries"} {
				for _, step := range strings.Split(plan, "\n") {
					if (step == "SCAN "+table || strings.HasPrefix(step, "SCAN "+table+" ")) && !strings.Contains(step, "INDEX") {
						t.Errorf("%s scans %s:\n%s\n%s", name, table, sql, plan)
					}
				}
			}
			if strings.HasPrefix(name, "changes") && strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") {
				t.Errorf("%s sorts in a temporary b-tree:\n%s\n%s", name, sql, plan)
			}
		}
	}
}
