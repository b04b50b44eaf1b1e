package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

// fakeSnapshot renders a document as a line per section, enough to tell
// revisions apart.
func fakeSnapshot(doc *Document, rev int, _ time.Time) (string, []byte, error) {
	md := fmt.Sprintf("# %s (revision %d)\n", doc.Incident.Title, rev)
	for _, s := range model.Sections {
		md += fmt.Sprintf("%s: %s\n", s.Key, doc.Postmortem.Body(s.Key))
	}
	return md, []byte(`{"revision":` + fmt.Sprint(rev) + `}`), nil
}

func TestPostmortemStartsFromTheIncident(t *testing.T) {
	st := OpenTest(t)
	inc := &model.Incident{Title: "Pool exhausted", Severity: "SEV2", Summary: "Checkout failed.", Impact: "23% of checkouts."}
	require.NoError(t, st.CreateIncident(ctx, inc, ""))

	pm, err := st.Postmortem(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, 0, pm.Version, "nothing stored until someone writes")
	assert.Equal(t, model.PostmortemDraft, pm.Status)
	assert.Equal(t, "Checkout failed.", pm.Body("summary"))
	assert.Equal(t, "23% of checkouts.", pm.Body("impact"))

	_, err = st.Postmortem(ctx, inc.ID+100)
	assert.ErrorIs(t, err, model.ErrNotFound)
}

func TestSavePostmortemSectionsAndConflicts(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "Sections")

	pm, err := st.SavePostmortem(ctx, inc.ID, PostmortemEdit{Sections: map[model.SectionKey]SectionEdit{
		"summary": {Body: "  First summary.  "}, "trigger": {Body: "A config change."},
	}})
	require.NoError(t, err)
	assert.Equal(t, "First summary.", pm.Body("summary"), "trimmed")
	assert.Equal(t, 1, pm.Sections["summary"].Version)
	v := pm.Version

	// Alice and Bob both start from version 1 of the summary; Bob saves first.
	_, err = st.SavePostmortem(ctx, inc.ID, PostmortemEdit{Sections: map[model.SectionKey]SectionEdit{"summary": {Body: "Bob's summary.", Version: 1}}})
	require.NoError(t, err)
	_, err = st.SavePostmortem(ctx, inc.ID, PostmortemEdit{Sections: map[model.SectionKey]SectionEdit{
		"summary": {Body: "Alice's summary.", Version: 1}, "resolution": {Body: "Reverted."},
	}})
	var ce *model.ConflictError
	require.ErrorAs(t, err, &ce)
	pc, ok := ce.Current.(*PostmortemConflict)
	require.True(t, ok, "the conflict carries both texts")
	require.Len(t, pc.Sections, 1)
	assert.Equal(t, "Bob's summary.", pc.Sections[0].Current.Body)
	assert.Equal(t, "Alice's summary.", pc.Sections[0].Yours)

	pm, err = st.Postmortem(ctx, inc.ID)
	require.NoError(t, err)
	assert.Empty(t, pm.Body("resolution"), "a conflicting save writes nothing, not even the other section")
	assert.Equal(t, v+1, pm.Version)

	// Different sections at once do not clash.
	_, err = st.SavePostmortem(ctx, inc.ID, PostmortemEdit{Sections: map[model.SectionKey]SectionEdit{"resolution": {Body: "Reverted."}}})
	require.NoError(t, err)

	_, err = st.SavePostmortem(ctx, inc.ID, PostmortemEdit{Sections: map[model.SectionKey]SectionEdit{"nonsense": {Body: "x"}}})
	var ve *model.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Fields, "sections")
}

func TestPostmortemPeople(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "People")
	pm, err := st.SavePostmortem(ctx, inc.ID, PostmortemEdit{People: &model.PostmortemPeople{
		Facilitator: " Dana  Lee ", Authors: []string{"Lena", "lena", "", "Jin"}, Reviewers: []string{"Priya"},
	}})
	require.NoError(t, err)
	assert.Equal(t, "Dana Lee", pm.Facilitator)
	assert.Equal(t, []string{"Lena", "Jin"}, pm.Authors, "duplicates and blanks dropped, order kept")
	assert.Equal(t, []string{"Priya"}, pm.Reviewers)

	_, err = st.SavePostmortem(ctx, inc.ID, PostmortemEdit{People: &model.PostmortemPeople{Facilitator: "X", Version: pm.Version - 1}})
	assert.ErrorIs(t, err, model.ErrConflict)

	assert.Contains(t, model.FacilitatorWarning("priya", model.Roles{Commander: "Priya"}), "should not run it")
	assert.Empty(t, model.FacilitatorWarning("Dana", model.Roles{Commander: "Priya", Responders: []string{"Jin"}}))
}

func TestPublishRevisionsAreImmutable(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "Revisions")
	pm, err := st.SavePostmortem(ctx, inc.ID, PostmortemEdit{Sections: map[model.SectionKey]SectionEdit{"summary": {Body: "Version one."}}})
	require.NoError(t, err)

	pm, err = st.SetPostmortemStatus(ctx, inc.ID, model.PostmortemInReview, pm.Version)
	require.NoError(t, err)
	assert.Equal(t, model.PostmortemInReview, pm.Status)

	rev, err := st.Publish(ctx, inc.ID, pm.Version, fakeSnapshot)
	require.NoError(t, err)
	assert.Equal(t, 1, rev.Number)
	first, err := st.Revision(ctx, inc.ID, 1)
	require.NoError(t, err)

	// A published postmortem is not edited in place.
	_, err = st.SavePostmortem(ctx, inc.ID, PostmortemEdit{Sections: map[model.SectionKey]SectionEdit{"summary": {Body: "Sneaky.", Version: 1}}})
	assert.ErrorIs(t, err, model.ErrConflict)

	// A correction goes through a new draft and publishes as revision 2.
	pm, err = st.Postmortem(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, model.PostmortemPublished, pm.Status)
	pm, err = st.SetPostmortemStatus(ctx, inc.ID, model.PostmortemDraft, pm.Version)
	require.NoError(t, err)
	_, err = st.SavePostmortem(ctx, inc.ID, PostmortemEdit{Sections: map[model.SectionKey]SectionEdit{"summary": {Body: "Version two.", Version: 1}}})
	require.NoError(t, err)
	pm, err = st.Postmortem(ctx, inc.ID)
	require.NoError(t, err)
	rev2, err := st.Publish(ctx, inc.ID, pm.Version, fakeSnapshot)
	require.NoError(t, err)
	assert.Equal(t, 2, rev2.Number)

	again, err := st.Revision(ctx, inc.ID, 1)
	require.NoError(t, err)
	assert.Equal(t, first.Markdown, again.Markdown, "editing after publish leaves revision 1 unchanged")
	assert.Contains(t, again.Markdown, "Version one.")
	second, err := st.Revision(ctx, inc.ID, 2)
	require.NoError(t, err)
	assert.Contains(t, second.Markdown, "Version two.")

	// The database refuses to change a revision even if code tried.
	err = st.wdb.Exec("UPDATE postmortem_revisions SET markdown = 'x' WHERE incident_id = ?", inc.ID).Error
	assert.Error(t, err)

	revs, err := st.Revisions(ctx, inc.ID)
	require.NoError(t, err)
	require.Len(t, revs, 2)
	assert.Empty(t, revs[0].Markdown, "the list leaves the content out")

	_, err = st.Revision(ctx, inc.ID, 3)
	assert.ErrorIs(t, err, model.ErrNotFound)
}

func TestPublishTwiceAtOnceMakesOneRevision(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "Race")
	pm, err := st.SavePostmortem(ctx, inc.ID, PostmortemEdit{Sections: map[model.SectionKey]SectionEdit{"summary": {Body: "Once."}}})
	require.NoError(t, err)

	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = st.Publish(ctx, inc.ID, pm.Version, fakeSnapshot)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			assert.ErrorIs(t, err, model.ErrConflict)
		}
	}
	assert.Equal(t, 1, ok, "exactly one publish wins")
	revs, err := st.Revisions(ctx, inc.ID)
	require.NoError(t, err)
	assert.Len(t, revs, 1)
}

func TestPublishGateErrorWritesNothing(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "Gate")
	refuse := func(*Document, int, time.Time) (string, []byte, error) {
		return "", nil, &model.GateError{Message: "cannot publish yet", Reasons: []model.GateReason{{Code: "no_factor", Message: "no factor"}}}
	}
	_, err := st.Publish(ctx, inc.ID, 1, refuse)
	var ge *model.GateError
	require.True(t, errors.As(err, &ge))
	revs, err := st.Revisions(ctx, inc.ID)
	require.NoError(t, err)
	assert.Empty(t, revs)
}

func TestAcknowledgeFinding(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "Acks")
	require.NoError(t, st.AcknowledgeFinding(ctx, &model.LintAck{IncidentID: inc.ID, Fingerprint: "section:summary|fault|fault", Reason: "quoting the vendor's report"}))
	require.NoError(t, st.AcknowledgeFinding(ctx, &model.LintAck{IncidentID: inc.ID, Fingerprint: "section:summary|fault|fault", Reason: "updated reason"}))
	doc, err := st.Document(ctx, inc.ID)
	require.NoError(t, err)
	require.Len(t, doc.Acks, 1)
	assert.Equal(t, "updated reason", doc.Acks[0].Reason)

	err = st.AcknowledgeFinding(ctx, &model.LintAck{IncidentID: inc.ID, Fingerprint: "x", Reason: " "})
	var ve *model.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Fields, "reason")
	assert.ErrorIs(t, st.AcknowledgeFinding(ctx, &model.LintAck{IncidentID: 999, Fingerprint: "x", Reason: "y"}), model.ErrNotFound)
}

func TestActionLinkCountIsBounded(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "Links")
	ids := make([]int64, 40_000)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	a := &model.ActionItem{IncidentID: inc.ID, Title: "Too many links", Owner: "Jin", Due: model.NewDate(2030, 1, 1), Type: model.ActionPrevent, FactorIDs: ids, WhyIDs: ids}
	var ve *model.ValidationError
	require.ErrorAs(t, st.CreateAction(ctx, a), &ve, "a 422, not SQLite's variable limit")
	assert.Contains(t, ve.Fields, "factor_ids")
	assert.Contains(t, ve.Fields, "why_ids")
}

func TestImportRespectsTheActionLimit(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "Many actions")
	imp := &Import{IncidentID: inc.ID}
	for i := range model.MaxActionsPerIncident + 1 {
		imp.Actions = append(imp.Actions, model.ActionItem{Title: fmt.Sprintf("Item %d", i), Owner: "Jin", Due: model.NewDate(2030, 1, 1), Type: model.ActionPrevent})
	}
	_, err := st.ApplyImport(ctx, imp)
	var ve *model.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Fields, "actions")
	items, err := st.IncidentActions(ctx, inc.ID)
	require.NoError(t, err)
	assert.Empty(t, items)
}
