package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/review"
)

// privateFixture is an organisation incident and a private one, with a
// listed member, a commander named by their account's name, a stranger
// and an admin.
type privateFixture struct {
	st                                *Store
	public, secret                    *model.Incident
	member, commander, stranger, boss model.Viewer
}

func newPrivateFixture(t *testing.T) privateFixture {
	t.Helper()
	now := time.Date(2026, time.December, 8, 12, 0, 0, 0, time.UTC)
	st := OpenTest(t, WithClock(func() time.Time { return now }))
	ctx := context.Background()
	user := func(email, name string, role model.Role) model.Viewer {
		u := &model.User{Email: email, Name: name, Role: role, PasswordHash: "x"}
		require.NoError(t, st.CreateUser(ctx, u))
		return model.ViewerOf(u)
	}
	f := privateFixture{st: st,
		member:    user("mia@example.com", "Mia Member", model.RoleViewer),
		commander: user("cy@example.com", "Cy Commander", model.RoleEditor),
		stranger:  user("sam@example.com", "Sam Stranger", model.RoleEditor),
		boss:      user("ada@example.com", "Ada Admin", model.RoleAdmin),
	}
	started := now.Add(-2 * time.Hour)
	f.public = &model.Incident{Title: "Checkout zebra errors", Severity: "SEV2", StartedAt: &started, Services: []string{"checkout"}}
	require.NoError(t, st.CreateIncident(ctx, f.public, ""))
	f.secret = &model.Incident{Title: "Payroll quokka leak", Severity: "SEV1", StartedAt: &started, Services: []string{"payroll"},
		Summary: "quokka", Visibility: model.VisibilityPrivate, Members: []string{"MIA@example.com"},
		Roles: model.Roles{Commander: "cy commander"}}
	require.NoError(t, st.CreateIncident(ctx, f.secret, ""))
	for _, id := range []int64{f.public.ID, f.secret.ID} {
		require.NoError(t, st.At(now.Add(-time.Hour)).CreateAction(ctx, &model.ActionItem{IncidentID: id, Title: "fix it", Owner: "Mia Member",
			Due: model.DateOf(now).AddDays(3), Type: model.ActionPrevent, Priority: model.PriorityHigh}))
	}
	return f
}

func TestPrivateIncidentAccess(t *testing.T) {
	f := newPrivateFixture(t)
	ctx := context.Background()
	assert.Equal(t, []string{"mia@example.com"}, f.secret.Members, "members are stored by account, lower-cased")
	for name, v := range map[string]model.Viewer{"member": f.member, "commander by name": f.commander, "admin": f.boss} {
		a, err := f.st.Access(ctx, v, f.secret.ID)
		require.NoError(t, err, name)
		assert.True(t, a.Private, name)
		assert.Equal(t, name != "admin", a.Member, name)
	}
	for name, v := range map[string]model.Viewer{"stranger": f.stranger, "nobody": {}} {
		_, err := f.st.Access(ctx, v, f.secret.ID)
		assert.ErrorIs(t, err, model.ErrNotFound, name)
		_, err = f.st.VisibleIncident(ctx, v, f.secret.ID)
		assert.ErrorIs(t, err, model.ErrNotFound, name)
		_, err = f.st.Access(ctx, v, f.public.ID)
		assert.NoError(t, err, name)
	}
	_, err := f.st.Access(ctx, f.boss, 999)
	assert.ErrorIs(t, err, model.ErrNotFound, "a missing id is missing to admins too")
}

func TestPrivateIncidentLeftOutOfLists(t *testing.T) {
	f := newPrivateFixture(t)
	ctx := context.Background()
	ids := func(v model.Viewer) ([]int64, int64) {
		incs, total, err := f.st.Incidents(ctx, IncidentFilter{Viewer: v})
		require.NoError(t, err)
		var out []int64
		for _, inc := range incs {
			out = append(out, inc.ID)
		}
		return out, total
	}
	got, total := ids(f.stranger)
	assert.Equal(t, []int64{f.public.ID}, got)
	assert.EqualValues(t, 1, total)
	for _, v := range []model.Viewer{f.member, f.commander, f.boss} {
		got, total = ids(v)
		assert.ElementsMatch(t, []int64{f.public.ID, f.secret.ID}, got)
		assert.EqualValues(t, 2, total)
	}
	items, n, err := f.st.Actions(ctx, ActionFilter{Viewer: f.stranger})
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.Equal(t, f.public.ID, items[0].IncidentID)
	assert.EqualValues(t, 1, n)
	_, n, err = f.st.Actions(ctx, ActionFilter{Viewer: f.member})
	require.NoError(t, err)
	assert.EqualValues(t, 2, n)
}

// TestSearchOnlyHitPrivate: a search whose only hit is private finds
// nothing for a stranger: no hits, a zero total, no facet values from it.
func TestSearchOnlyHitPrivate(t *testing.T) {
	f := newPrivateFixture(t)
	res := runSearch(t, f.st, "quokka", func(q *SearchQuery) { q.Viewer = f.stranger })
	assert.Empty(t, res.Hits)
	assert.Zero(t, res.Total)
	assert.Empty(t, res.Facets.Severity)
	assert.Empty(t, res.Facets.Year)
	assert.Empty(t, res.Facets.Service)
	assert.Empty(t, res.Facets.Category)
	// Without a query (filters only), the private one is not counted either.
	res = runSearch(t, f.st, "", func(q *SearchQuery) { q.Viewer = f.stranger })
	assert.Equal(t, 1, res.Total)
	assert.Equal(t, []FacetCount{{"checkout", 1}}, res.Facets.Service)

	res = runSearch(t, f.st, "quokka", func(q *SearchQuery) { q.Viewer = f.member })
	require.Len(t, res.Hits, 1)
	assert.Equal(t, f.secret.ID, res.Hits[0].IncidentID)
	assert.Equal(t, []FacetCount{{"payroll", 1}}, res.Facets.Service)
}

func TestPrivateIncidentInReview(t *testing.T) {
	f := newPrivateFixture(t)
	p, err := review.ParsePeriod("", "2026-12-02", "2026-12-08", model.DateOf(f.st.Now()))
	require.NoError(t, err)
	q := review.NewQuery(p, f.st.Now(), review.Options{})
	q.Viewer = f.stranger
	in, err := f.st.ReviewInput(context.Background(), q)
	require.NoError(t, err)
	require.Len(t, in.Incidents, 2, "the metrics count it")
	for _, inc := range in.Incidents {
		assert.Equal(t, inc.ID == f.secret.ID, inc.Hidden)
		if inc.Hidden {
			assert.Empty(t, inc.Title, "numbers only")
		}
	}
	for _, a := range in.Lists.ActionsDueSoon.Items {
		assert.NotEqual(t, f.secret.ID, a.IncidentID)
	}
	assert.Equal(t, 1, in.Lists.ActionsDueSoon.Total)
	r := review.Build(in, p, f.st.Now(), review.Options{})
	for _, l := range [][]review.IncidentRef{r.Incidents.Opened.Items, r.Incidents.StillOpen.Items} {
		for _, ref := range l {
			assert.NotEqual(t, f.secret.ID, ref.ID)
		}
	}
}

func TestPrivateIncidentMembersAndAudit(t *testing.T) {
	f := newPrivateFixture(t)
	ctx := context.Background()
	bad := []string{"nobody@example.com"}
	_, err := f.st.UpdateIncident(ctx, f.secret.ID, model.IncidentPatch{Members: &bad, Version: f.secret.Version})
	var ve *model.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Fields["members"], "nobody@example.com")

	org := model.VisibilityOrganisation
	inc, err := f.st.UpdateIncident(ctx, f.secret.ID, model.IncidentPatch{Visibility: &org, Version: f.secret.Version})
	require.NoError(t, err)
	assert.Equal(t, f.secret.Version+1, inc.Version)
	_, err = f.st.Access(ctx, f.stranger, f.secret.ID)
	require.NoError(t, err, "public again")

	entries, _, err := f.st.AuditLog(ctx, AuditFilter{IncidentID: f.secret.ID, Entity: "incident_access"})
	require.NoError(t, err)
	require.Len(t, entries, 2, "made private at creation, then public")
	assert.Contains(t, entries[0].Before, `"private"`)
	assert.Contains(t, entries[0].After, `"organisation"`)

	require.NoError(t, f.st.AuditRead(ctx, f.secret.ID, "/incidents/2"))
	entries, _, err = f.st.AuditLog(ctx, AuditFilter{IncidentID: f.secret.ID, Entity: "incident"})
	require.NoError(t, err)
	assert.Equal(t, model.AuditRead, entries[0].Action)
}
