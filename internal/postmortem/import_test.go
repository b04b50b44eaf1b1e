package postmortem

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

var bg = context.Background()

// storedIncident is a resolved incident with an analysis and a written
// postmortem, stored through the store as the app would.
func storedIncident(t *testing.T, st *store.Store) *model.Incident {
	t.Helper()
	started := time.Date(2026, 11, 20, 23, 41, 0, 0, time.UTC)
	resolved := started.Add(94 * time.Minute)
	inc := &model.Incident{Title: "Checkout failures after a pool change", Severity: "SEV2", Status: model.StatusResolved,
		StartedAt: &started, ResolvedAt: &resolved, Services: []string{"checkout"}, Roles: model.Roles{Commander: "Priya"}}
	require.NoError(t, st.CreateIncident(bg, inc, "tester"))
	require.NoError(t, st.AppendTimeline(bg, &model.TimelineEntry{IncidentID: inc.ID, OccurredAt: started.Add(7 * time.Minute), Kind: model.KindAlert, Body: "5xx | above 5%"}))
	f := &model.Factor{IncidentID: inc.ID, Title: "Config validation ignores fleet size", Category: "configuration"}
	require.NoError(t, st.CreateFactor(bg, f))
	require.NoError(t, st.CreateAction(bg, &model.ActionItem{IncidentID: inc.ID, Title: "Validate pool size", Owner: "Jin",
		Due: model.NewDate(2026, 12, 15), Type: model.ActionPrevent, FactorIDs: []int64{f.ID}}))
	_, err := st.SavePostmortem(bg, inc.ID, store.PostmortemEdit{Sections: map[model.SectionKey]store.SectionEdit{
		"summary": {Body: "Checkout failed for 58 minutes.\n\n## A sub-heading\n\n- a list"}, "impact": {Body: "23% of checkouts."},
	}})
	require.NoError(t, err)
	return inc
}

func exportStored(t *testing.T, st *store.Store, id int64) string {
	t.Helper()
	doc, err := st.Document(bg, id)
	require.NoError(t, err)
	return string(Render(doc, Options{BaseURL: "https://debrief.example.com"}))
}

func TestRoundTripThroughTheDatabaseIsByteIdentical(t *testing.T) {
	st := store.OpenTest(t)
	inc := storedIncident(t, st)
	first := exportStored(t, st, inc.ID)

	rep, err := Import(bg, st, model.AllIncidents, []byte(first))
	require.NoError(t, err)
	assert.Empty(t, rep.Changes, "an unchanged file changes nothing")
	assert.Equal(t, first, exportStored(t, st, inc.ID), "export → import → export is byte-identical")
}

// v1Export rewrites an export's front matter as Debrief wrote it before
// the debrief key: debrief_id first, and debrief_versions, one line per
// part, last.
func v1Export(t *testing.T, md string) string {
	t.Helper()
	p, err := Parse([]byte(md))
	require.NoError(t, err)
	head, rest, ok := strings.Cut(md, "\ndebrief:\n")
	require.True(t, ok, "an export has the debrief key")
	_, body, ok := strings.Cut(rest, "\n\n---\n")
	require.True(t, ok)
	keys := make([]string, 0, len(p.Versions))
	for k := range p.Versions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(strings.Replace(head, "---\n", "---\ndebrief_id: "+strconv.FormatInt(p.DebriefID, 10)+"\n", 1))
	b.WriteString("\ndebrief_versions:\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s: %d\n", k, p.Versions[k])
	}
	b.WriteString("---\n" + body)
	return b.String()
}

// Files exported before the debrief key (debrief_id, debrief_versions) are
// still imported, and their versions still guard against lost updates.
func TestImportOfAnEarlierExport(t *testing.T) {
	st := store.OpenTest(t)
	inc := storedIncident(t, st)
	md := exportStored(t, st, inc.ID)
	old := v1Export(t, md)
	require.Contains(t, old, "\ndebrief_versions:\n  action.")
	require.NotContains(t, old, "\ndebrief:")

	rep, err := Import(bg, st, model.AllIncidents, []byte(old))
	require.NoError(t, err)
	assert.Empty(t, rep.Changes, "an unchanged file changes nothing")

	edited := strings.Replace(old, "23% of checkouts.", "23% of checkouts; 4,100 customers.", 1)
	rep, err = Import(bg, st, model.AllIncidents, []byte(edited))
	require.NoError(t, err)
	assert.Equal(t, []string{"updated section impact"}, rep.Changes)
	pm, err := st.Postmortem(bg, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, "23% of checkouts; 4,100 customers.", pm.Body("impact"))

	// The old file's versions are now behind: the same edit made again
	// elsewhere is refused, as with a current export.
	stale := strings.Replace(old, "23% of checkouts.", "Changed in the wiki.", 1)
	_, err = Import(bg, st, model.AllIncidents, []byte(stale))
	var ce *model.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, ce.Error(), "section impact")
}

func TestImportAppliesWikiEdits(t *testing.T) {
	st := store.OpenTest(t)
	inc := storedIncident(t, st)
	md := exportStored(t, st, inc.ID)
	md = strings.Replace(md, "23% of checkouts.", "23% of checkouts; 4,100 customers.", 1)
	md = strings.Replace(md, "| Jin |", "| Lena Ortiz |", 1)
	require.Contains(t, md, "| Lena Ortiz |")

	rep, err := Import(bg, st, model.AllIncidents, []byte(md))
	require.NoError(t, err)
	assert.Contains(t, rep.Notes, "the whys and the timeline are read but not imported: change them in Debrief")
	assert.Contains(t, rep.Changes, "updated section impact")
	assert.Len(t, rep.Changes, 2)
	pm, err := st.Postmortem(bg, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, "23% of checkouts; 4,100 customers.", pm.Body("impact"))
	actions, err := st.IncidentActions(bg, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, "Lena Ortiz", actions[0].Owner)
	assert.NotEmpty(t, actions[0].FactorIDs, "links survive an import")

	// Importing the same file again is a no-op; the next export matches it.
	rep, err = Import(bg, st, model.AllIncidents, []byte(md))
	require.NoError(t, err)
	assert.Empty(t, rep.Changes)
}

func TestImportRefusesWhatChangedInDebriefMeanwhile(t *testing.T) {
	st := store.OpenTest(t)
	inc := storedIncident(t, st)
	md := exportStored(t, st, inc.ID)
	pm, err := st.Postmortem(bg, inc.ID)
	require.NoError(t, err)
	_, err = st.SavePostmortem(bg, inc.ID, store.PostmortemEdit{Sections: map[model.SectionKey]store.SectionEdit{
		"impact": {Body: "Changed in Debrief.", Version: pm.Sections["impact"].Version}}})
	require.NoError(t, err)

	edited := strings.Replace(md, "23% of checkouts.", "Changed in the wiki.", 1)
	edited = strings.Replace(edited, "| Jin |", "| Lena |", 1)
	_, err = Import(bg, st, model.AllIncidents, []byte(edited))
	var ce *model.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, ce.Error(), "section impact")
	actions, err := st.IncidentActions(bg, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, "Jin", actions[0].Owner, "a refused import writes nothing, not even the parts without a clash")
}

func TestImportBadFiles(t *testing.T) {
	st := store.OpenTest(t)
	inc := storedIncident(t, st)
	other := storedIncident(t, st)
	md := exportStored(t, st, inc.ID)
	otherActions, err := st.IncidentActions(bg, other.ID)
	require.NoError(t, err)
	mine, err := st.IncidentActions(bg, inc.ID)
	require.NoError(t, err)
	cell := func(id int64) string { return "| A" + strconv.FormatInt(id, 10) + " |" }
	require.Contains(t, md, cell(mine[0].ID))

	cases := map[string]struct {
		src   string
		field string
	}{
		"malformed front matter": {"---\ndebrief_id: [1\n---\n# x\n", "file"},
		"unknown action id":      {strings.Replace(md, cell(mine[0].ID), cell(999), 1), "actions"},
		"foreign action id":      {strings.Replace(md, cell(mine[0].ID), cell(otherActions[0].ID), 1), "actions"},
		"deleted incident":       {strings.Replace(md, "\n  id: "+strconv.FormatInt(inc.ID, 10)+"\n", "\n  id: 9999\n", 1), "debrief_id"},
		"deleted incident, in the layout of earlier versions": {
			strings.Replace(v1Export(t, md), "debrief_id: "+strconv.FormatInt(inc.ID, 10), "debrief_id: 9999", 1), "debrief_id"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := exportStored(t, st, inc.ID)
			_, err := Import(bg, st, model.AllIncidents, []byte(tc.src))
			var ve *model.ValidationError
			require.ErrorAs(t, err, &ve, "%v", err)
			assert.Contains(t, ve.Fields, tc.field)
			assert.Equal(t, before, exportStored(t, st, inc.ID), "nothing written")
		})
	}
}

func TestImportIntoPublishedStartsADraft(t *testing.T) {
	st := store.OpenTest(t)
	inc := storedIncident(t, st)
	pm, err := st.Postmortem(bg, inc.ID)
	require.NoError(t, err)
	_, err = st.Publish(bg, inc.ID, pm.Version, func(doc *store.Document, rev int, at time.Time) (string, []byte, error) {
		return string(Render(doc, Options{Revision: rev, PublishedAt: &at})), []byte("{}"), nil
	})
	require.NoError(t, err)
	rev, err := st.Revision(bg, inc.ID, 1)
	require.NoError(t, err)

	edited := strings.Replace(rev.Markdown, "23% of checkouts.", "23% of checkouts (corrected).", 1)
	rep, err := Import(bg, st, model.AllIncidents, []byte(edited))
	require.NoError(t, err)
	assert.Contains(t, strings.Join(rep.Changes, "\n"), "started a new draft")
	pm, err = st.Postmortem(bg, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, model.PostmortemDraft, pm.Status)
	assert.Equal(t, "23% of checkouts (corrected).", pm.Body("impact"))
	again, err := st.Revision(bg, inc.ID, 1)
	require.NoError(t, err)
	assert.Equal(t, rev.Markdown, again.Markdown, "the published revision never changes")
}

func TestImportForeignMarkdownMakesADraftIncident(t *testing.T) {
	st := store.OpenTest(t)
	src := `# Search index stale for two hours

## Summary
Newly listed products did not show up in search.

## Impact
About 3% of searches missed new products.

## Timeline
| Time | Event |
|---|---|
| 2026-11-18T09:00:00Z | Indexer consumer lag alert |
| 2026-11-18 09:30 | No offset, skipped |

## Action items
| Action | Owner | Due |
|---|---|---|
| Alert on partitions without an owner | Sam | 2026-12-01 |
`
	rep, err := Import(bg, st, model.AllIncidents, []byte(src))
	require.NoError(t, err)
	require.True(t, rep.Created)
	inc, err := st.Incident(bg, rep.IncidentID)
	require.NoError(t, err)
	assert.Equal(t, "Search index stale for two hours", inc.Title)
	pm, err := st.Postmortem(bg, inc.ID)
	require.NoError(t, err)
	assert.Contains(t, pm.Body("summary"), "did not show up in search")
	tl, err := st.Timeline(bg, inc.ID)
	require.NoError(t, err)
	var bodies []string
	for _, e := range tl {
		bodies = append(bodies, e.Body)
	}
	assert.Contains(t, bodies, "Indexer consumer lag alert")
	assert.NotEmpty(t, rep.Notes, "what was skipped is reported")
}

// Found in review: the cases an import must get right beyond the happy path.
func TestImportReviewCases(t *testing.T) {
	t.Run("editing a summary nobody saved yet", func(t *testing.T) {
		st := store.OpenTest(t)
		inc := &model.Incident{Title: "Fresh", Severity: "SEV3", Summary: "From the incident."}
		require.NoError(t, st.CreateIncident(bg, inc, ""))
		md := exportStored(t, st, inc.ID)
		rep, err := Import(bg, st, model.AllIncidents, []byte(strings.Replace(md, "From the incident.", "Edited in the wiki.", 1)))
		require.NoError(t, err)
		assert.Contains(t, rep.Changes, "updated section summary")
		pm, err := st.Postmortem(bg, inc.ID)
		require.NoError(t, err)
		assert.Equal(t, "Edited in the wiki.", pm.Body("summary"))
	})
	t.Run("an unchanged file stores nothing, so the next export is the same", func(t *testing.T) {
		st := store.OpenTest(t)
		inc := &model.Incident{Title: "Untouched", Severity: "SEV3", Summary: "Text."}
		require.NoError(t, st.CreateIncident(bg, inc, ""))
		md := exportStored(t, st, inc.ID)
		_, err := Import(bg, st, model.AllIncidents, []byte(md))
		require.NoError(t, err)
		assert.Equal(t, md, exportStored(t, st, inc.ID))
	})
	t.Run("a stale file does not revert people changed in Debrief", func(t *testing.T) {
		st := store.OpenTest(t)
		inc := storedIncident(t, st)
		pm, err := st.Postmortem(bg, inc.ID)
		require.NoError(t, err)
		pm, err = st.SavePostmortem(bg, inc.ID, store.PostmortemEdit{People: &model.PostmortemPeople{Facilitator: "Old Fac", Version: pm.Version}})
		require.NoError(t, err)
		md := exportStored(t, st, inc.ID)
		_, err = st.SavePostmortem(bg, inc.ID, store.PostmortemEdit{People: &model.PostmortemPeople{Facilitator: "New Fac", Version: pm.Version}})
		require.NoError(t, err)
		_, err = Import(bg, st, model.AllIncidents, []byte(md))
		assert.ErrorIs(t, err, model.ErrConflict)
		pm, err = st.Postmortem(bg, inc.ID)
		require.NoError(t, err)
		assert.Equal(t, "New Fac", pm.Facilitator)
	})
	t.Run("blank cells leave an action item's fields alone", func(t *testing.T) {
		st := store.OpenTest(t)
		inc := storedIncident(t, st)
		actions, err := st.IncidentActions(bg, inc.ID)
		require.NoError(t, err)
		md := exportStored(t, st, inc.ID)
		row := "| A" + strconv.FormatInt(actions[0].ID, 10) + " | Validate pool size | prevent | Jin | 2026-12-15 | open | medium |"
		require.Contains(t, md, row)
		md = strings.Replace(md, row, "| A"+strconv.FormatInt(actions[0].ID, 10)+" | Validate pool size |  | Jin | 2026-12-15 |  |  |", 1)
		rep, err := Import(bg, st, model.AllIncidents, []byte(md))
		require.NoError(t, err)
		assert.Empty(t, rep.Changes)
		after, err := st.IncidentActions(bg, inc.ID)
		require.NoError(t, err)
		assert.Equal(t, actions[0].Type, after[0].Type)
		assert.Equal(t, actions[0].Version, after[0].Version)
	})
	t.Run("an export without its Debrief id becomes a new incident with new items", func(t *testing.T) {
		st := store.OpenTest(t)
		inc := storedIncident(t, st)
		md := exportStored(t, st, inc.ID)
		md = strings.Replace(md, "\n  id: "+strconv.FormatInt(inc.ID, 10)+"\n", "\n", 1)
		rep, err := Import(bg, st, model.AllIncidents, []byte(md))
		require.NoError(t, err)
		require.True(t, rep.Created)
		actions, err := st.IncidentActions(bg, rep.IncidentID)
		require.NoError(t, err)
		assert.Len(t, actions, 1)
		factors, err := st.Factors(bg, rep.IncidentID)
		require.NoError(t, err)
		assert.Len(t, factors, 1)
	})
}
