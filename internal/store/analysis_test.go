package store

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/migrations"
)

// Helpers for the analysis of an incident: contributing factors, whys
// trees and action items.

func ptr[T any](v T) *T { return &v }

func newFactor(t *testing.T, st *Store, incID int64, title, category string, trigger bool) *model.Factor {
	t.Helper()
	f := &model.Factor{IncidentID: incID, Title: title, Category: category, IsTrigger: trigger}
	require.NoError(t, st.CreateFactor(ctx, f))
	return f
}

func newWhy(t *testing.T, st *Store, incID int64, parent *model.WhyNode, text string) *model.WhyNode {
	t.Helper()
	n := &model.WhyNode{IncidentID: incID, Text: text}
	if parent != nil {
		n.ParentID = &parent.ID
	}
	require.NoError(t, st.CreateWhy(ctx, n, nil))
	return n
}

func newAction(t *testing.T, st *Store, incID int64, title, owner, due string, edit ...func(*model.ActionItem)) *model.ActionItem {
	t.Helper()
	d, err := model.ParseDate(due)
	require.NoError(t, err)
	a := &model.ActionItem{IncidentID: incID, Title: title, Owner: owner, Due: d, Type: model.ActionPrevent}
	for _, e := range edit {
		e(a)
	}
	require.NoError(t, st.CreateAction(ctx, a))
	return a
}

func incidentWith(t *testing.T, st *Store, title, severity string, services ...string) *model.Incident {
	t.Helper()
	inc := &model.Incident{Title: title, Severity: severity, Services: services}
	require.NoError(t, st.CreateIncident(ctx, inc, "tester"))
	return inc
}

func mustDate(t *testing.T, s string) model.Date {
	t.Helper()
	d, err := model.ParseDate(s)
	require.NoError(t, err)
	return d
}

// auditCount counts the audit rows about entity.
func auditCount(t *testing.T, st *Store, entity string) int64 {
	t.Helper()
	_, n, err := st.AuditLog(ctx, AuditFilter{Entity: entity})
	require.NoError(t, err)
	return n
}

// allAudit counts every audit row.
func allAudit(t *testing.T, st *Store) int64 {
	t.Helper()
	_, n, err := st.AuditLog(ctx, AuditFilter{})
	require.NoError(t, err)
	return n
}

// rowCount counts the rows of table (a literal of the test, never input).
func rowCount(t *testing.T, st *Store, table string) int64 {
	t.Helper()
	var n int64
	require.NoError(t, st.db.Table(table).Count(&n).Error)
	return n
}

func requireFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	var ve *model.ValidationError
	require.ErrorAs(t, err, &ve)
	got := make([]string, 0, len(ve.Fields))
	for f := range ve.Fields {
		got = append(got, f)
	}
	assert.ElementsMatch(t, fields, got, "fields of %v", err)
}

// factorTitles lists an incident's factors in order, checking on the way
// that their positions are exactly 0..n-1.
func factorTitles(t *testing.T, st *Store, incID int64) []string {
	t.Helper()
	fs, err := st.Factors(ctx, incID)
	require.NoError(t, err)
	out := make([]string, len(fs))
	for i, f := range fs {
		assert.Equal(t, i, f.Position, "position of %q", f.Title)
		out[i] = f.Title
	}
	return out
}

// forest renders an incident's whys trees as "a(b c(d)) e", checking on the
// way that every list of siblings has positions exactly 0..n-1 and that
// depths match the nesting.
func forest(t *testing.T, st *Store, incID int64) string {
	t.Helper()
	roots, err := st.Whys(ctx, incID)
	require.NoError(t, err)
	var render func(ns []*model.WhyNode, depth int) string
	render = func(ns []*model.WhyNode, depth int) string {
		parts := make([]string, len(ns))
		for i, n := range ns {
			assert.Equal(t, i, n.Position, "position of %q", n.Text)
			assert.Equal(t, depth, n.Depth, "depth of %q", n.Text)
			parts[i] = n.Text
			if len(n.Children) > 0 {
				parts[i] += "(" + render(n.Children, depth+1) + ")"
			}
		}
		return strings.Join(parts, " ")
	}
	return render(roots, 0)
}

func why(t *testing.T, st *Store, incID, id int64) *model.WhyNode {
	t.Helper()
	n, err := st.WhyNode(ctx, incID, id)
	require.NoError(t, err)
	return n
}

// --- factor categories ---

func TestFactorCategories(t *testing.T) {
	st := OpenTest(t)
	cats, err := st.FactorCategories(ctx)
	require.NoError(t, err)
	require.Len(t, cats, 12)
	assert.Equal(t, "change", cats[0].Name)
	assert.Equal(t, "other", cats[11].Name)

	inc := newIncident(t, st, "categories")
	f := newFactor(t, st, inc.ID, "rollout skipped canary", "change", false)

	// Create, with the name normalised.
	require.NoError(t, st.CreateFactorCategory(ctx, &model.FactorCategory{Name: "  Vendor   Outage ", Position: 13}))
	cats, err = st.FactorCategories(ctx)
	require.NoError(t, err)
	assert.Equal(t, "vendor outage", cats[12].Name)
	assert.EqualValues(t, 1, auditCount(t, st, "factor_category"))

	// Duplicates and bad input are 422 and write nothing.
	requireFields(t, st.CreateFactorCategory(ctx, &model.FactorCategory{Name: "Change", Position: 14}), "name")
	requireFields(t, st.CreateFactorCategory(ctx, &model.FactorCategory{Name: "new", Position: 13}), "name")
	requireFields(t, st.CreateFactorCategory(ctx, &model.FactorCategory{Name: "", Position: 14}), "name")
	requireFields(t, st.UpdateFactorCategory(ctx, "vendor outage", &model.FactorCategory{Name: "process", Position: 13}), "name")
	assert.EqualValues(t, 1, auditCount(t, st, "factor_category"))

	// Renaming carries over to every factor in the category.
	require.NoError(t, st.UpdateFactorCategory(ctx, "change", &model.FactorCategory{Name: "Rollout", Description: "d", Position: 1}))
	got, err := st.Factor(ctx, inc.ID, f.ID)
	require.NoError(t, err)
	assert.Equal(t, "rollout", got.Category)
	assert.EqualValues(t, 2, auditCount(t, st, "factor_category"))
	assert.ErrorIs(t, st.UpdateFactorCategory(ctx, "change", &model.FactorCategory{Name: "x", Position: 1}), model.ErrNotFound)

	// A category in use cannot go; an unused one can.
	var ce *model.ConflictError
	require.ErrorAs(t, st.DeleteFactorCategory(ctx, "rollout"), &ce)
	assert.ErrorIs(t, ce, model.ErrConflict)
	require.NoError(t, st.DeleteFactorCategory(ctx, "vendor outage"))
	assert.ErrorIs(t, st.DeleteFactorCategory(ctx, "vendor outage"), model.ErrNotFound)
	assert.EqualValues(t, 3, auditCount(t, st, "factor_category"))

	cats, err = st.FactorCategories(ctx)
	require.NoError(t, err)
	assert.Len(t, cats, 12)
	assert.Equal(t, "rollout", cats[0].Name)
}

// --- contributing factors ---

func TestFactorsCreateOrderAndReorder(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "factors")
	a := newFactor(t, st, inc.ID, "a", "change", true)
	b := newFactor(t, st, inc.ID, "b", "Configuration", false)
	c := newFactor(t, st, inc.ID, "c", "monitoring gap", false)
	d := newFactor(t, st, inc.ID, "d", "process", false)
	assert.Equal(t, "configuration", b.Category, "category normalised")
	for i, f := range []*model.Factor{a, b, c, d} {
		assert.Equal(t, i, f.Position)
		assert.Equal(t, 1, f.Version)
		assert.NotZero(t, f.ID)
	}
	assert.Equal(t, []string{"a", "b", "c", "d"}, factorTitles(t, st, inc.ID))

	got, err := st.UpdateFactor(ctx, inc.ID, d.ID, model.FactorPatch{Position: ptr(0), Version: 1})
	require.NoError(t, err)
	assert.Equal(t, 0, got.Position)
	assert.Equal(t, 2, got.Version)
	assert.Equal(t, []string{"d", "a", "b", "c"}, factorTitles(t, st, inc.ID))

	got, err = st.UpdateFactor(ctx, inc.ID, a.ID, model.FactorPatch{Position: ptr(2), Title: ptr("a2"), Version: 1})
	require.NoError(t, err)
	assert.Equal(t, 2, got.Position)
	assert.Equal(t, "a2", got.Title)
	assert.Equal(t, []string{"d", "b", "a2", "c"}, factorTitles(t, st, inc.ID))

	// Out of range positions are clamped to the ends.
	_, err = st.UpdateFactor(ctx, inc.ID, d.ID, model.FactorPatch{Position: ptr(99), Version: 2})
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "a2", "c", "d"}, factorTitles(t, st, inc.ID))
	_, err = st.UpdateFactor(ctx, inc.ID, c.ID, model.FactorPatch{Position: ptr(-5), Version: 1})
	require.NoError(t, err)
	assert.Equal(t, []string{"c", "b", "a2", "d"}, factorTitles(t, st, inc.ID))

	// Moving to where it already is, or repeating values, is not a change.
	audits := auditCount(t, st, "factor")
	got, err = st.UpdateFactor(ctx, inc.ID, b.ID, model.FactorPatch{Position: ptr(1), Title: ptr(" b "), Category: ptr("CONFIGURATION"), Version: 1})
	require.NoError(t, err)
	assert.Equal(t, 1, got.Version, "a no-op keeps the version")
	assert.Equal(t, audits, auditCount(t, st, "factor"), "a no-op writes no audit row")

	// Another incident's list is separate.
	other := newIncident(t, st, "other")
	o := newFactor(t, st, other.ID, "o", "other", true)
	assert.Equal(t, 0, o.Position)
	assert.Equal(t, []string{"c", "b", "a2", "d"}, factorTitles(t, st, inc.ID))

	_, err = st.Factors(ctx, 999)
	assert.ErrorIs(t, err, model.ErrNotFound)
	assert.ErrorIs(t, st.CreateFactor(ctx, &model.Factor{IncidentID: 999, Title: "x", Category: "other"}), model.ErrNotFound)
}

func TestFactorsAtMostOneTrigger(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "trigger")
	a := newFactor(t, st, inc.ID, "bad config push", "configuration", true)
	b := newFactor(t, st, inc.ID, "no canary", "process", false)

	requireFields(t, st.CreateFactor(ctx, &model.Factor{IncidentID: inc.ID, Title: "second", Category: "other", IsTrigger: true}), "is_trigger")
	_, err := st.UpdateFactor(ctx, inc.ID, b.ID, model.FactorPatch{IsTrigger: ptr(true), Version: 1})
	requireFields(t, err, "is_trigger")
	assert.Equal(t, []string{"bad config push", "no canary"}, factorTitles(t, st, inc.ID))

	// Unmark, then mark the other: the trigger moves.
	got, err := st.UpdateFactor(ctx, inc.ID, a.ID, model.FactorPatch{IsTrigger: ptr(false), Version: 1})
	require.NoError(t, err)
	assert.False(t, got.IsTrigger)
	assert.Equal(t, "latent condition", got.Kind())
	got, err = st.UpdateFactor(ctx, inc.ID, b.ID, model.FactorPatch{IsTrigger: ptr(true), Version: 1})
	require.NoError(t, err)
	assert.True(t, got.IsTrigger)
	assert.Equal(t, 2, got.Version)

	// Saving the trigger as a trigger again is fine.
	_, err = st.UpdateFactor(ctx, inc.ID, b.ID, model.FactorPatch{IsTrigger: ptr(true), Title: ptr("no canary stage"), Version: 2})
	require.NoError(t, err)

	// Each incident has its own trigger.
	other := newIncident(t, st, "other")
	newFactor(t, st, other.ID, "its own trigger", "change", true)

	fs, err := st.Factors(ctx, inc.ID)
	require.NoError(t, err)
	triggers := 0
	for _, f := range fs {
		if f.IsTrigger {
			triggers++
		}
	}
	assert.Equal(t, 1, triggers)
}

func TestFactorValidationAndScope(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "scope")
	other := newIncident(t, st, "other")
	f := newFactor(t, st, inc.ID, "f", "change", false)
	audits := allAudit(t, st)

	requireFields(t, st.CreateFactor(ctx, &model.Factor{IncidentID: inc.ID, Title: "x", Category: "weather"}), "category")
	requireFields(t, st.CreateFactor(ctx, &model.Factor{IncidentID: inc.ID, Title: "", Category: ""}), "title", "category")
	requireFields(t, st.CreateFactor(ctx, &model.Factor{IncidentID: inc.ID, Title: "x\x00", Category: "other"}), "title")
	requireFields(t, st.CreateFactor(ctx, &model.Factor{IncidentID: inc.ID, Title: strings.Repeat("x", 201), Category: "other"}), "title")
	_, err := st.UpdateFactor(ctx, inc.ID, f.ID, model.FactorPatch{Category: ptr("weather"), Version: 1})
	requireFields(t, err, "category")
	_, err = st.UpdateFactor(ctx, inc.ID, f.ID, model.FactorPatch{Title: ptr("  "), Version: 1})
	requireFields(t, err, "title")

	// A factor is only reachable through its own incident.
	_, err = st.Factor(ctx, other.ID, f.ID)
	assert.ErrorIs(t, err, model.ErrNotFound)
	_, err = st.UpdateFactor(ctx, other.ID, f.ID, model.FactorPatch{Title: ptr("hijack"), Version: 1})
	assert.ErrorIs(t, err, model.ErrNotFound)
	assert.ErrorIs(t, st.DeleteFactor(ctx, other.ID, f.ID, 0), model.ErrNotFound)
	_, err = st.Factor(ctx, inc.ID, 999)
	assert.ErrorIs(t, err, model.ErrNotFound)

	got, err := st.Factor(ctx, inc.ID, f.ID)
	require.NoError(t, err)
	assert.Equal(t, "f", got.Title)
	assert.Equal(t, 1, got.Version)
	assert.Equal(t, audits, allAudit(t, st), "failed writes leave no audit row")
	assert.EqualValues(t, 1, rowCount(t, st, "contributing_factors"))
}

func TestFactorVersionConflict(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "conflict")
	f := newFactor(t, st, inc.ID, "original", "change", false)
	_, err := st.UpdateFactor(ctx, inc.ID, f.ID, model.FactorPatch{Title: ptr("first writer"), Version: 1})
	require.NoError(t, err)

	_, err = st.UpdateFactor(ctx, inc.ID, f.ID, model.FactorPatch{Title: ptr("second writer"), Version: 1})
	var ce *model.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.ErrorIs(t, err, model.ErrConflict)
	cur, ok := ce.Current.(*model.Factor)
	require.True(t, ok, "Current is %T", ce.Current)
	assert.Equal(t, "first writer", cur.Title)
	assert.Equal(t, 2, cur.Version)

	require.ErrorAs(t, st.DeleteFactor(ctx, inc.ID, f.ID, 1), &ce)
	got, err := st.Factor(ctx, inc.ID, f.ID)
	require.NoError(t, err)
	assert.Equal(t, "first writer", got.Title)
	require.NoError(t, st.DeleteFactor(ctx, inc.ID, f.ID, 2))
}

func TestDeleteFactorKeepsActionsAndWhys(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "delete factor")
	a := newFactor(t, st, inc.ID, "a", "change", true)
	b := newFactor(t, st, inc.ID, "b", "process", false)
	c := newFactor(t, st, inc.ID, "c", "other", false)
	root := &model.WhyNode{IncidentID: inc.ID, Text: "stands for b", FactorID: &b.ID}
	require.NoError(t, st.CreateWhy(ctx, root, nil))
	child := newWhy(t, st, inc.ID, root, "answer")
	keep := &model.WhyNode{IncidentID: inc.ID, Text: "stands for c", FactorID: &c.ID}
	require.NoError(t, st.CreateWhy(ctx, keep, nil))
	only := newAction(t, st, inc.ID, "only linked to b", "Sam", "2026-12-01", func(x *model.ActionItem) { x.FactorIDs = []int64{b.ID} })
	both := newAction(t, st, inc.ID, "linked to a and b", "Sam", "2026-12-02", func(x *model.ActionItem) {
		x.FactorIDs, x.WhyIDs = []int64{a.ID, b.ID}, []int64{root.ID}
	})

	require.NoError(t, st.DeleteFactor(ctx, inc.ID, b.ID, 1))

	assert.Equal(t, []string{"a", "c"}, factorTitles(t, st, inc.ID), "positions renumbered")
	_, err := st.Factor(ctx, inc.ID, b.ID)
	assert.ErrorIs(t, err, model.ErrNotFound)

	// The action items stay, without the link.
	got, err := st.Action(ctx, inc.ID, only.ID)
	require.NoError(t, err)
	assert.Empty(t, got.FactorIDs)
	got, err = st.Action(ctx, inc.ID, both.ID)
	require.NoError(t, err)
	assert.Equal(t, []int64{a.ID}, got.FactorIDs)
	assert.Equal(t, []int64{root.ID}, got.WhyIDs)
	assert.EqualValues(t, 2, rowCount(t, st, "action_items"))
	assert.EqualValues(t, 1, rowCount(t, st, "action_item_factors"))

	// The why nodes stay, unlinked; others keep their link.
	n := why(t, st, inc.ID, root.ID)
	assert.Nil(t, n.FactorID)
	assert.Equal(t, "stands for b(answer) stands for c", forest(t, st, inc.ID))
	assert.Equal(t, &c.ID, why(t, st, inc.ID, keep.ID).FactorID)
	assert.Equal(t, root.ID, *why(t, st, inc.ID, child.ID).ParentID)

	entries, _, err := st.AuditLog(ctx, AuditFilter{Entity: "factor"})
	require.NoError(t, err)
	assert.Equal(t, model.AuditDelete, entries[0].Action)
	assert.Equal(t, b.ID, entries[0].EntityID)
	assert.Contains(t, entries[0].Before, `"Title":"b"`)
	assert.Empty(t, entries[0].After)
}

// --- whys trees ---

func TestWhysTreeOperations(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "whys")
	r := newWhy(t, st, inc.ID, nil, "R")
	a := newWhy(t, st, inc.ID, r, "A")
	b := newWhy(t, st, inc.ID, r, "B")
	c := newWhy(t, st, inc.ID, r, "C") // a fork: three answers to one why
	a1 := newWhy(t, st, inc.ID, a, "A1")
	newWhy(t, st, inc.ID, a, "A2")
	s := newWhy(t, st, inc.ID, nil, "S")
	assert.Equal(t, "R(A(A1 A2) B C) S", forest(t, st, inc.ID))
	assert.Equal(t, 2, c.Position)
	assert.Equal(t, 1, s.Position)

	// Add a sibling at a position.
	x := &model.WhyNode{IncidentID: inc.ID, ParentID: &r.ID, Text: "X"}
	require.NoError(t, st.CreateWhy(ctx, x, ptr(1)))
	assert.Equal(t, 1, x.Position)
	assert.Equal(t, "R(A(A1 A2) X B C) S", forest(t, st, inc.ID))
	first := &model.WhyNode{IncidentID: inc.ID, Text: "Q"}
	require.NoError(t, st.CreateWhy(ctx, first, ptr(0)))
	assert.Equal(t, "Q R(A(A1 A2) X B C) S", forest(t, st, inc.ID))
	last := &model.WhyNode{IncidentID: inc.ID, ParentID: &a.ID, Text: "A3"}
	require.NoError(t, st.CreateWhy(ctx, last, ptr(42)))
	assert.Equal(t, 2, last.Position)
	assert.Equal(t, "Q R(A(A1 A2 A3) X B C) S", forest(t, st, inc.ID))

	// Move a subtree to another parent: both sibling lists stay dense.
	got, err := st.UpdateWhy(ctx, inc.ID, a.ID, model.WhyPatch{SetParent: true, ParentID: &b.ID, Version: 1})
	require.NoError(t, err)
	assert.Equal(t, b.ID, *got.ParentID)
	assert.Equal(t, 2, got.Version)
	assert.Equal(t, 0, got.Position)
	assert.Equal(t, "Q R(X B(A(A1 A2 A3)) C) S", forest(t, st, inc.ID))

	// Move to a position among the new siblings.
	_, err = st.UpdateWhy(ctx, inc.ID, c.ID, model.WhyPatch{SetParent: true, ParentID: &b.ID, Position: ptr(0), Version: 1})
	require.NoError(t, err)
	assert.Equal(t, "Q R(X B(C A(A1 A2 A3))) S", forest(t, st, inc.ID))

	// Reorder siblings.
	got, err = st.UpdateWhy(ctx, inc.ID, a1.ID, model.WhyPatch{Position: ptr(2), Version: 1})
	require.NoError(t, err)
	assert.Equal(t, 2, got.Position)
	assert.Equal(t, "Q R(X B(C A(A2 A3 A1))) S", forest(t, st, inc.ID))
	_, err = st.UpdateWhy(ctx, inc.ID, s.ID, model.WhyPatch{Position: ptr(0), Version: 1})
	require.NoError(t, err)
	assert.Equal(t, "S Q R(X B(C A(A2 A3 A1)))", forest(t, st, inc.ID))

	// Make a node a root: it goes last among the roots, its subtree with it.
	got, err = st.UpdateWhy(ctx, inc.ID, a.ID, model.WhyPatch{SetParent: true, ParentID: nil, Version: 2})
	require.NoError(t, err)
	assert.Nil(t, got.ParentID)
	assert.Equal(t, "S Q R(X B(C)) A(A2 A3 A1)", forest(t, st, inc.ID))

	// Edit text and link a factor in one patch.
	f := newFactor(t, st, inc.ID, "f", "other", false)
	got, err = st.UpdateWhy(ctx, inc.ID, x.ID, model.WhyPatch{Text: ptr("  X2 "), SetFactor: true, FactorID: &f.ID, Version: 1})
	require.NoError(t, err)
	assert.Equal(t, "X2", got.Text)
	assert.Equal(t, &f.ID, got.FactorID)
	got, err = st.UpdateWhy(ctx, inc.ID, x.ID, model.WhyPatch{SetFactor: true, FactorID: nil, Version: 2})
	require.NoError(t, err)
	assert.Nil(t, got.FactorID)
	assert.Equal(t, 3, got.Version)

	// Patches that change nothing keep the version.
	got, err = st.UpdateWhy(ctx, inc.ID, x.ID, model.WhyPatch{Text: ptr("X2"), SetParent: true, ParentID: &r.ID, SetFactor: true, Position: ptr(0), Version: 3})
	require.NoError(t, err)
	assert.Equal(t, 3, got.Version)

	// Make a root at a position; delete a root in the middle.
	_, err = st.UpdateWhy(ctx, inc.ID, c.ID, model.WhyPatch{SetParent: true, Position: ptr(1), Version: 2})
	require.NoError(t, err)
	assert.Equal(t, "S C Q R(X2 B) A(A2 A3 A1)", forest(t, st, inc.ID))
	removed, err := st.DeleteWhy(ctx, inc.ID, first.ID, 1)
	require.NoError(t, err)
	assert.Equal(t, 1, removed)
	assert.Equal(t, "S C R(X2 B) A(A2 A3 A1)", forest(t, st, inc.ID))
	under := &model.WhyNode{IncidentID: inc.ID, ParentID: &b.ID, Text: "B1"}
	require.NoError(t, st.CreateWhy(ctx, under, ptr(-3)))
	assert.Equal(t, "S C R(X2 B(B1)) A(A2 A3 A1)", forest(t, st, inc.ID))

	_, err = st.Whys(ctx, 999)
	assert.ErrorIs(t, err, model.ErrNotFound)
	assert.ErrorIs(t, st.CreateWhy(ctx, &model.WhyNode{IncidentID: 999, Text: "x"}, nil), model.ErrNotFound)
	_, err = st.WhyNode(ctx, inc.ID, 999)
	assert.ErrorIs(t, err, model.ErrNotFound)
}

func TestDeleteWhySubtree(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "delete why")
	r := newWhy(t, st, inc.ID, nil, "R")
	a := newWhy(t, st, inc.ID, r, "A")
	a1 := newWhy(t, st, inc.ID, a, "A1")
	a11 := newWhy(t, st, inc.ID, a1, "A11")
	newWhy(t, st, inc.ID, a, "A2")
	newWhy(t, st, inc.ID, r, "B")
	newWhy(t, st, inc.ID, r, "C")
	act := newAction(t, st, inc.ID, "linked deep", "Sam", "2026-12-01", func(x *model.ActionItem) { x.WhyIDs = []int64{a11.ID, r.ID} })
	assert.Equal(t, "R(A(A1(A11) A2) B C)", forest(t, st, inc.ID))

	roots, err := st.Whys(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, []int64{act.ID}, roots[0].ActionIDs)
	assert.Equal(t, []int64{act.ID}, roots[0].Children[0].Children[0].Children[0].ActionIDs)

	_, err = st.DeleteWhy(ctx, inc.ID, a.ID, 99)
	var ce *model.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.IsType(t, &model.WhyNode{}, ce.Current)

	n, err := st.DeleteWhy(ctx, inc.ID, a.ID, 1)
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	assert.Equal(t, "R(B C)", forest(t, st, inc.ID), "siblings renumbered")
	for _, id := range []int64{a.ID, a1.ID, a11.ID} {
		_, err := st.WhyNode(ctx, inc.ID, id)
		assert.ErrorIs(t, err, model.ErrNotFound)
	}
	got, err := st.Action(ctx, inc.ID, act.ID)
	require.NoError(t, err, "the action item stays")
	assert.Equal(t, []int64{r.ID}, got.WhyIDs, "only the link to the deleted node goes")

	entries, _, err := st.AuditLog(ctx, AuditFilter{Entity: "why_node"})
	require.NoError(t, err)
	assert.Equal(t, model.AuditDelete, entries[0].Action)
	assert.JSONEq(t, `{"nodes_removed":4}`, entries[0].After)

	// Deleting a root takes the whole tree; version 0 skips the check.
	n, err = st.DeleteWhy(ctx, inc.ID, r.ID, 0)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	assert.Equal(t, "", forest(t, st, inc.ID))
	assert.EqualValues(t, 0, rowCount(t, st, "why_nodes"))
	assert.EqualValues(t, 0, rowCount(t, st, "action_item_whys"))
	assert.EqualValues(t, 1, rowCount(t, st, "action_items"))

	_, err = st.DeleteWhy(ctx, inc.ID, r.ID, 0)
	assert.ErrorIs(t, err, model.ErrNotFound)
}

func TestWhyMoveRejectsCycles(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "cycles")
	r := newWhy(t, st, inc.ID, nil, "R")
	a := newWhy(t, st, inc.ID, r, "A")
	a1 := newWhy(t, st, inc.ID, a, "A1")
	a11 := newWhy(t, st, inc.ID, a1, "A11")
	newWhy(t, st, inc.ID, r, "B")
	before := forest(t, st, inc.ID)
	audits := allAudit(t, st)

	cases := []struct {
		name   string
		node   *model.WhyNode
		parent *model.WhyNode
	}{
		{"under itself", a, a},
		{"under its child", a, a1},
		{"under its grandchild", a, a11},
		{"a root under its deepest node", r, a11},
		{"a root under itself", r, r},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := st.UpdateWhy(ctx, inc.ID, tc.node.ID, model.WhyPatch{
				SetParent: true, ParentID: &tc.parent.ID, Position: ptr(0), Text: ptr("changed"), Version: 1,
			})
			requireFields(t, err, "parent_id")
			assert.Equal(t, before, forest(t, st, inc.ID), "nothing changed")
			assert.Equal(t, 1, why(t, st, inc.ID, tc.node.ID).Version)
		})
	}
	assert.Equal(t, audits, allAudit(t, st), "no audit rows for refused moves")

	// Moving down into a sibling's subtree is no cycle.
	_, err := st.UpdateWhy(ctx, inc.ID, a11.ID, model.WhyPatch{SetParent: true, ParentID: &r.ID, Version: 1})
	require.NoError(t, err)
	assert.Equal(t, "R(A(A1) B A11)", forest(t, st, inc.ID))
}

func TestWhyLinksStayInTheIncident(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "mine")
	other := newIncident(t, st, "theirs")
	r := newWhy(t, st, inc.ID, nil, "R")
	theirs := newWhy(t, st, other.ID, nil, "their root")
	theirFactor := newFactor(t, st, other.ID, "their factor", "other", false)
	audits := allAudit(t, st)

	requireFields(t, st.CreateWhy(ctx, &model.WhyNode{IncidentID: inc.ID, ParentID: &theirs.ID, Text: "x"}, nil), "parent_id")
	requireFields(t, st.CreateWhy(ctx, &model.WhyNode{IncidentID: inc.ID, ParentID: ptr(int64(999)), Text: "x"}, nil), "parent_id")
	requireFields(t, st.CreateWhy(ctx, &model.WhyNode{IncidentID: inc.ID, FactorID: &theirFactor.ID, Text: "x"}, nil), "factor_id")
	requireFields(t, st.CreateWhy(ctx, &model.WhyNode{IncidentID: inc.ID, Text: " "}, nil), "text")
	requireFields(t, st.CreateWhy(ctx, &model.WhyNode{IncidentID: inc.ID, Text: strings.Repeat("w", model.MaxWhyTextLen+1)}, nil), "text")
	_, err := st.UpdateWhy(ctx, inc.ID, r.ID, model.WhyPatch{SetParent: true, ParentID: &theirs.ID, Version: 1})
	requireFields(t, err, "parent_id")
	_, err = st.UpdateWhy(ctx, inc.ID, r.ID, model.WhyPatch{SetFactor: true, FactorID: &theirFactor.ID, Version: 1})
	requireFields(t, err, "factor_id")
	_, err = st.UpdateWhy(ctx, inc.ID, r.ID, model.WhyPatch{Text: ptr("\x00"), Version: 1})
	requireFields(t, err, "text")

	// A node is only reachable through its own incident.
	_, err = st.WhyNode(ctx, other.ID, r.ID)
	assert.ErrorIs(t, err, model.ErrNotFound)
	_, err = st.UpdateWhy(ctx, other.ID, r.ID, model.WhyPatch{Text: ptr("hijack"), Version: 1})
	assert.ErrorIs(t, err, model.ErrNotFound)
	_, err = st.DeleteWhy(ctx, other.ID, r.ID, 0)
	assert.ErrorIs(t, err, model.ErrNotFound)
	_, err = st.PromoteWhy(ctx, other.ID, r.ID, 1, &model.Factor{Title: "x", Category: "other"})
	assert.ErrorIs(t, err, model.ErrNotFound)

	assert.Equal(t, "R", forest(t, st, inc.ID))
	assert.Equal(t, "their root", forest(t, st, other.ID))
	assert.Equal(t, audits, allAudit(t, st))
}

func TestWhyVersionConflict(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "conflict")
	r := newWhy(t, st, inc.ID, nil, "R")
	_, err := st.UpdateWhy(ctx, inc.ID, r.ID, model.WhyPatch{Text: ptr("first"), Version: 1})
	require.NoError(t, err)
	_, err = st.UpdateWhy(ctx, inc.ID, r.ID, model.WhyPatch{Text: ptr("second"), Version: 1})
	var ce *model.ConflictError
	require.ErrorAs(t, err, &ce)
	cur, ok := ce.Current.(*model.WhyNode)
	require.True(t, ok, "Current is %T", ce.Current)
	assert.Equal(t, "first", cur.Text)
	assert.Equal(t, 2, cur.Version)
	_, err = st.PromoteWhy(ctx, inc.ID, r.ID, 1, &model.Factor{Title: "x", Category: "other"})
	assert.ErrorIs(t, err, model.ErrConflict)
	assert.EqualValues(t, 0, rowCount(t, st, "contributing_factors"))
	assert.Equal(t, "first", forest(t, st, inc.ID))
}

func TestWhyDepthLimit(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "deep")
	chain := []*model.WhyNode{newWhy(t, st, inc.ID, nil, "level 1")}
	for i := 2; i <= model.MaxWhyDepth; i++ {
		chain = append(chain, newWhy(t, st, inc.ID, chain[len(chain)-1], fmt.Sprintf("level %d", i)))
	}
	deepest := chain[len(chain)-1]
	roots, err := st.Whys(ctx, inc.ID)
	require.NoError(t, err)
	require.Len(t, roots, 1)
	assert.Equal(t, model.MaxWhyDepth, roots[0].Height())

	requireFields(t, st.CreateWhy(ctx, &model.WhyNode{IncidentID: inc.ID, ParentID: &deepest.ID, Text: "one too deep"}, nil), "parent_id")

	// A subtree two levels tall fits under level 18, not under level 19.
	s := newWhy(t, st, inc.ID, nil, "S")
	newWhy(t, st, inc.ID, s, "S1")
	level19 := chain[model.MaxWhyDepth-2]
	_, err = st.UpdateWhy(ctx, inc.ID, s.ID, model.WhyPatch{SetParent: true, ParentID: &level19.ID, Version: 1})
	requireFields(t, err, "parent_id")
	assert.Nil(t, why(t, st, inc.ID, s.ID).ParentID, "nothing moved")
	level18 := chain[model.MaxWhyDepth-3]
	_, err = st.UpdateWhy(ctx, inc.ID, s.ID, model.WhyPatch{SetParent: true, ParentID: &level18.ID, Version: 1})
	require.NoError(t, err)

	// A leaf moved within the tall tree: it fits at the last level, not below it.
	n, err := st.DeleteWhy(ctx, inc.ID, s.ID, 0)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	leaf := newWhy(t, st, inc.ID, chain[0], "short branch")
	_, err = st.UpdateWhy(ctx, inc.ID, leaf.ID, model.WhyPatch{SetParent: true, ParentID: &deepest.ID, Version: 1})
	requireFields(t, err, "parent_id")
	_, err = st.UpdateWhy(ctx, inc.ID, leaf.ID, model.WhyPatch{SetParent: true, ParentID: &chain[model.MaxWhyDepth-2].ID, Version: 1})
	require.NoError(t, err, "a leaf fits at the last level")
}

func TestWhyNodeLimit(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "many")
	other := newIncident(t, st, "other")
	var root *model.WhyNode
	for i := range model.MaxWhyNodes {
		n := &model.WhyNode{IncidentID: inc.ID, Text: fmt.Sprintf("node %d", i)}
		if root != nil {
			n.ParentID = &root.ID
		}
		require.NoError(t, st.CreateWhy(ctx, n, nil))
		if root == nil {
			root = n
		}
	}
	requireFields(t, st.CreateWhy(ctx, &model.WhyNode{IncidentID: inc.ID, Text: "one too many"}, nil), "incident")
	requireFields(t, st.CreateWhy(ctx, &model.WhyNode{IncidentID: inc.ID, ParentID: &root.ID, Text: "one too many"}, nil), "incident")
	newWhy(t, st, other.ID, nil, "another incident has its own budget")

	n, err := st.DeleteWhy(ctx, inc.ID, root.ID, 0)
	require.NoError(t, err)
	assert.Equal(t, model.MaxWhyNodes, n)
	newWhy(t, st, inc.ID, nil, "room again")
}

func TestPromoteWhy(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "promote")
	r := newWhy(t, st, inc.ID, nil, "R")
	a := newWhy(t, st, inc.ID, r, "no canary for config pushes")
	newFactor(t, st, inc.ID, "existing trigger", "change", true)
	factorAudits, whyAudits := auditCount(t, st, "factor"), auditCount(t, st, "why_node")

	// Failures leave nothing half-written: no factor, no link, no audit row.
	for name, f := range map[string]*model.Factor{
		"unknown category": {Title: "x", Category: "weather"},
		"second trigger":   {Title: "x", Category: "process", IsTrigger: true},
		"empty title":      {Title: " ", Category: "process"},
	} {
		_, err := st.PromoteWhy(ctx, inc.ID, a.ID, 1, f)
		var ve *model.ValidationError
		assert.ErrorAs(t, err, &ve, name)
	}
	assert.Equal(t, []string{"existing trigger"}, factorTitles(t, st, inc.ID))
	n := why(t, st, inc.ID, a.ID)
	assert.Nil(t, n.FactorID)
	assert.Equal(t, 1, n.Version)
	assert.Equal(t, factorAudits, auditCount(t, st, "factor"))
	assert.Equal(t, whyAudits, auditCount(t, st, "why_node"))

	f := &model.Factor{Title: "Config pushes skip the canary", Category: "Process"}
	got, err := st.PromoteWhy(ctx, inc.ID, a.ID, 1, f)
	require.NoError(t, err)
	require.NotZero(t, f.ID)
	assert.Equal(t, inc.ID, f.IncidentID)
	assert.Equal(t, 1, f.Position)
	assert.Equal(t, "process", f.Category)
	require.NotNil(t, got.FactorID)
	assert.Equal(t, f.ID, *got.FactorID)
	assert.Equal(t, 2, got.Version)
	assert.Equal(t, f.ID, *why(t, st, inc.ID, a.ID).FactorID)
	assert.Equal(t, []string{"existing trigger", "Config pushes skip the canary"}, factorTitles(t, st, inc.ID))
	assert.Equal(t, factorAudits+1, auditCount(t, st, "factor"))
	assert.Equal(t, whyAudits+1, auditCount(t, st, "why_node"))
}

// --- action items ---

func TestActionCreateWithLinks(t *testing.T) {
	clock := mustTime(t, "2026-11-22T15:00:00Z")
	st := OpenTest(t, WithClock(func() time.Time { return clock }))
	inc := incidentWith(t, st, "checkout down", "SEV1", "checkout", "payments")
	other := newIncident(t, st, "other")
	f1 := newFactor(t, st, inc.ID, "f1", "change", true)
	f2 := newFactor(t, st, inc.ID, "f2", "process", false)
	w := newWhy(t, st, inc.ID, nil, "w")
	theirF := newFactor(t, st, other.ID, "theirs", "other", false)
	theirW := newWhy(t, st, other.ID, nil, "theirs")

	a := &model.ActionItem{
		IncidentID: inc.ID, Title: " Add  canary ", Owner: " Priya ", Due: mustDate(t, "2026-12-06"),
		Type: model.ActionPrevent, TrackerURL: "https://jira.example.com/browse/OPS-1",
		FactorIDs: []int64{f2.ID, f1.ID, f2.ID}, WhyIDs: []int64{w.ID},
	}
	require.NoError(t, st.CreateAction(ctx, a))
	assert.NotZero(t, a.ID)
	assert.Equal(t, 1, a.Version)
	assert.Equal(t, []int64{f1.ID, f2.ID}, a.FactorIDs, "sorted, without duplicates")

	got, err := st.Action(ctx, inc.ID, a.ID)
	require.NoError(t, err)
	assert.Equal(t, "Add canary", got.Title)
	assert.Equal(t, "Priya", got.Owner)
	assert.Equal(t, mustDate(t, "2026-12-06"), got.Due)
	assert.Equal(t, model.PriorityMedium, got.Priority)
	assert.Equal(t, model.ActionOpen, got.Status)
	assert.Nil(t, got.ClosedAt)
	assert.Equal(t, []int64{f1.ID, f2.ID}, got.FactorIDs)
	assert.Equal(t, []int64{w.ID}, got.WhyIDs)
	assert.Equal(t, "checkout down", got.IncidentTitle)
	assert.Equal(t, "SEV1", got.IncidentSeverity)
	assert.Equal(t, []string{"checkout", "payments"}, got.IncidentServices)
	assert.True(t, got.CreatedAt.Equal(clock))

	var dueText string
	require.NoError(t, st.db.Raw("SELECT due_date FROM action_items WHERE id = ?", a.ID).Scan(&dueText).Error)
	assert.Equal(t, "2026-12-06", dueText, "a due date is stored as a plain day")

	_, err = st.Action(ctx, other.ID, a.ID)
	assert.ErrorIs(t, err, model.ErrNotFound, "reachable only through its incident")

	// Links to another incident's factors or whys are refused, and nothing is written.
	actions, audits := rowCount(t, st, "action_items"), allAudit(t, st)
	cases := []struct {
		name          string
		factors, whys []int64
		wantFields    []string
	}{
		{"their factor", []int64{f1.ID, theirF.ID}, nil, []string{"factor_ids"}},
		{"their why", nil, []int64{theirW.ID}, []string{"why_ids"}},
		{"unknown ids", []int64{999}, []int64{998}, []string{"factor_ids", "why_ids"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad := &model.ActionItem{IncidentID: inc.ID, Title: "x", Owner: "Sam", Due: mustDate(t, "2026-12-06"),
				Type: model.ActionDetect, FactorIDs: tc.factors, WhyIDs: tc.whys}
			requireFields(t, st.CreateAction(ctx, bad), tc.wantFields...)
		})
	}
	assert.Equal(t, actions, rowCount(t, st, "action_items"))
	assert.EqualValues(t, 2, rowCount(t, st, "action_item_factors"))
	assert.EqualValues(t, 1, rowCount(t, st, "action_item_whys"))
	assert.Equal(t, audits, allAudit(t, st))

	assert.ErrorIs(t, st.CreateAction(ctx, &model.ActionItem{IncidentID: 999, Title: "x", Owner: "Sam",
		Due: mustDate(t, "2026-12-06"), Type: model.ActionDetect}), model.ErrNotFound)
	_, err = st.UpdateAction(ctx, other.ID, a.ID, model.ActionPatch{Title: ptr("hijack"), Version: 1})
	assert.ErrorIs(t, err, model.ErrNotFound)
	assert.ErrorIs(t, st.DeleteAction(ctx, other.ID, a.ID, 0), model.ErrNotFound)
}

func TestAnalysisLimitsPerIncident(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "limits")
	for i := range model.MaxFactorsPerIncident {
		newFactor(t, st, inc.ID, fmt.Sprintf("factor %d", i), "other", false)
	}
	requireFields(t, st.CreateFactor(ctx, &model.Factor{IncidentID: inc.ID, Title: "one too many", Category: "other"}), "incident")
	for i := range model.MaxActionsPerIncident {
		newAction(t, st, inc.ID, fmt.Sprintf("action %d", i), "Sam", "2026-12-01")
	}
	requireFields(t, st.CreateAction(ctx, &model.ActionItem{IncidentID: inc.ID, Title: "one too many", Owner: "Sam",
		Due: mustDate(t, "2026-12-01"), Type: model.ActionDetect}), "incident")

	// A page is at most model.MaxPageSize items; the total counts them all.
	items, total, err := st.Actions(ctx, ActionFilter{Limit: 10_000})
	require.NoError(t, err)
	assert.EqualValues(t, model.MaxActionsPerIncident, total)
	assert.Len(t, items, min(model.MaxPageSize, model.MaxActionsPerIncident))
}

func TestActionCreateRefusesBadInput(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "bad input")
	ok := func() *model.ActionItem {
		return &model.ActionItem{IncidentID: inc.ID, Title: "t", Owner: "Sam", Due: mustDate(t, "2026-12-06"), Type: model.ActionMitigate}
	}
	cases := []struct {
		name  string
		edit  func(*model.ActionItem)
		field string
	}{
		{"no owner", func(a *model.ActionItem) { a.Owner = "" }, "owner"},
		{"no due date", func(a *model.ActionItem) { a.Due = model.Date{} }, "due_date"},
		{"unknown type", func(a *model.ActionItem) { a.Type = "hope" }, "type"},
		{"unknown priority", func(a *model.ActionItem) { a.Priority = "p0" }, "priority"},
		{"unknown status", func(a *model.ActionItem) { a.Status = "closed" }, "status"},
		{"done without closure", func(a *model.ActionItem) { a.Status = model.ActionDone }, "closure_note"},
		{"won't do without rationale", func(a *model.ActionItem) { a.Status = model.ActionWontDo }, "rationale"},
		{"javascript tracker", func(a *model.ActionItem) { a.TrackerURL = "javascript:alert(1)" }, "tracker_url"},
		{"ftp tracker", func(a *model.ActionItem) { a.TrackerURL = "ftp://x" }, "tracker_url"},
		{"NUL in description", func(a *model.ActionItem) { a.Description = "a\x00b" }, "description"},
		{"over-long title", func(a *model.ActionItem) { a.Title = strings.Repeat("t", model.MaxTitleLen+1) }, "title"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := ok()
			tc.edit(a)
			requireFields(t, st.CreateAction(ctx, a), tc.field)
		})
	}
	assert.EqualValues(t, 0, rowCount(t, st, "action_items"))
	assert.EqualValues(t, 0, auditCount(t, st, "action_item"))

	// Created closed: stamped with the closing time.
	a := ok()
	a.Status, a.EvidenceURL = model.ActionDone, "https://git.example.com/pr/1"
	require.NoError(t, st.CreateAction(ctx, a))
	require.NotNil(t, a.ClosedAt)
	got, err := st.Action(ctx, inc.ID, a.ID)
	require.NoError(t, err)
	require.NotNil(t, got.ClosedAt)
}

func TestActionStatusThroughTheStore(t *testing.T) {
	clock := mustTime(t, "2026-11-22T15:00:00Z")
	st := OpenTest(t, WithClock(func() time.Time { return clock }))
	inc := newIncident(t, st, "status")
	a := newAction(t, st, inc.ID, "add canary", "Priya", "2026-12-06")
	status := func(s model.ActionStatus) *model.ActionStatus { return &s }

	_, err := st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{Status: status(model.ActionDone), Version: 1})
	requireFields(t, err, "closure_note")
	_, err = st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{Status: status(model.ActionWontDo), Version: 1})
	requireFields(t, err, "rationale")
	_, err = st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{Status: status("finished"), Version: 1})
	requireFields(t, err, "status")
	_, err = st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{TrackerURL: ptr("javascript:alert(1)"), Version: 1})
	requireFields(t, err, "tracker_url")
	_, err = st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{Owner: ptr(" "), Version: 1})
	requireFields(t, err, "owner")

	clock = clock.Add(time.Hour)
	got, err := st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{Status: status(model.ActionInProgress), Version: 1})
	require.NoError(t, err)
	assert.Equal(t, 2, got.Version)
	assert.Nil(t, got.ClosedAt)

	clock = clock.Add(time.Hour)
	got, err = st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{
		Status: status(model.ActionDone), ClosureNote: ptr("canary in place"), Version: 2,
	})
	require.NoError(t, err)
	require.NotNil(t, got.ClosedAt)
	assert.True(t, got.ClosedAt.Equal(clock))
	stored, err := st.Action(ctx, inc.ID, a.ID)
	require.NoError(t, err)
	require.NotNil(t, stored.ClosedAt)
	assert.True(t, stored.ClosedAt.Equal(clock))
	assert.Equal(t, model.ActionDone, stored.Status)
	closedAt := clock

	// Closed items keep their closing time through edits; done → won't do is no move.
	clock = clock.Add(time.Hour)
	got, err = st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{ClosureNote: ptr("canary in place, see PR 42"), Version: 3})
	require.NoError(t, err)
	assert.True(t, got.ClosedAt.Equal(closedAt))
	_, err = st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{Status: status(model.ActionWontDo), Rationale: ptr("r"), Version: 4})
	requireFields(t, err, "status")
	_, err = st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{ClosureNote: ptr(""), Version: 4})
	requireFields(t, err, "closure_note")

	// Re-opening clears it.
	got, err = st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{Status: status(model.ActionOpen), Version: 4})
	require.NoError(t, err)
	assert.Nil(t, got.ClosedAt)
	stored, err = st.Action(ctx, inc.ID, a.ID)
	require.NoError(t, err)
	assert.Nil(t, stored.ClosedAt)

	got, err = st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{Status: status(model.ActionWontDo), Rationale: ptr("superseded"), Version: 5})
	require.NoError(t, err)
	require.NotNil(t, got.ClosedAt)
	assert.True(t, got.ClosedAt.Equal(clock))

	// Stale versions conflict and carry the current item.
	_, err = st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{Title: ptr("late"), Version: 5})
	var ce *model.ConflictError
	require.ErrorAs(t, err, &ce)
	cur, ok := ce.Current.(*model.ActionItem)
	require.True(t, ok, "Current is %T", ce.Current)
	assert.Equal(t, 6, cur.Version)
	assert.Equal(t, model.ActionWontDo, cur.Status)
	require.ErrorAs(t, st.DeleteAction(ctx, inc.ID, a.ID, 5), &ce)
	require.NoError(t, st.DeleteAction(ctx, inc.ID, a.ID, 6))
	_, err = st.Action(ctx, inc.ID, a.ID)
	assert.ErrorIs(t, err, model.ErrNotFound)
	assert.ErrorIs(t, st.DeleteAction(ctx, inc.ID, a.ID, 0), model.ErrNotFound)
}

func TestActionUpdateLinks(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "links")
	other := newIncident(t, st, "other")
	f1 := newFactor(t, st, inc.ID, "f1", "change", false)
	f2 := newFactor(t, st, inc.ID, "f2", "process", false)
	w1 := newWhy(t, st, inc.ID, nil, "w1")
	w2 := newWhy(t, st, inc.ID, w1, "w2")
	theirF := newFactor(t, st, other.ID, "theirs", "other", false)
	theirW := newWhy(t, st, other.ID, nil, "theirs")
	a := newAction(t, st, inc.ID, "a", "Sam", "2026-12-01", func(x *model.ActionItem) { x.FactorIDs = []int64{f1.ID} })

	got, err := st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{FactorIDs: &[]int64{f2.ID}, WhyIDs: &[]int64{w2.ID, w1.ID}, Version: 1})
	require.NoError(t, err)
	assert.Equal(t, 2, got.Version, "a change of links alone is a new version")
	assert.Equal(t, []int64{f2.ID}, got.FactorIDs)
	assert.Equal(t, []int64{w1.ID, w2.ID}, got.WhyIDs)

	// The same links in another order are no change.
	got, err = st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{WhyIDs: &[]int64{w2.ID, w1.ID, w2.ID}, Version: 2})
	require.NoError(t, err)
	assert.Equal(t, 2, got.Version)

	// Refused links leave the old ones.
	audits := allAudit(t, st)
	_, err = st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{FactorIDs: &[]int64{theirF.ID}, Title: ptr("changed"), Version: 2})
	requireFields(t, err, "factor_ids")
	_, err = st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{WhyIDs: &[]int64{w1.ID, theirW.ID}, Version: 2})
	requireFields(t, err, "why_ids")
	assert.Equal(t, audits, allAudit(t, st))
	stored, err := st.Action(ctx, inc.ID, a.ID)
	require.NoError(t, err)
	assert.Equal(t, "a", stored.Title)
	assert.Equal(t, []int64{f2.ID}, stored.FactorIDs)
	assert.Equal(t, []int64{w1.ID, w2.ID}, stored.WhyIDs)

	// Links not in the patch stay; an empty list clears.
	got, err = st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{FactorIDs: &[]int64{}, Version: 2})
	require.NoError(t, err)
	assert.Empty(t, got.FactorIDs)
	assert.Equal(t, []int64{w1.ID, w2.ID}, got.WhyIDs)
	stored, err = st.Action(ctx, inc.ID, a.ID)
	require.NoError(t, err)
	assert.Empty(t, stored.FactorIDs)
	assert.Equal(t, []int64{w1.ID, w2.ID}, stored.WhyIDs)

	// Deleting the item takes its links, never the factors or whys.
	require.NoError(t, st.DeleteAction(ctx, inc.ID, a.ID, 0))
	assert.EqualValues(t, 0, rowCount(t, st, "action_item_whys"))
	assert.Equal(t, "w1(w2)", forest(t, st, inc.ID))
	assert.Equal(t, []string{"f1", "f2"}, factorTitles(t, st, inc.ID))
}

func TestActionsAcrossIncidents(t *testing.T) {
	clock := mustTime(t, "2026-11-22T12:00:00Z")
	st := OpenTest(t, WithClock(func() time.Time { return clock }))
	checkout := incidentWith(t, st, "checkout down", "SEV1", "Checkout")
	search := incidentWith(t, st, "search slow", "SEV3", "search")
	prio := func(p model.Priority) func(*model.ActionItem) {
		return func(a *model.ActionItem) { a.Priority = p }
	}
	done := func(a *model.ActionItem) { a.Status, a.ClosureNote = model.ActionDone, "done" }

	// Named by what the filters must find.
	late := newAction(t, st, checkout.ID, "late", "Priya", "2026-11-21", prio(model.PriorityLow))
	dueToday := newAction(t, st, checkout.ID, "due today", "priya", "2026-11-22", prio(model.PriorityLow))
	todayHigh := newAction(t, st, search.ID, "due today, high", "Sam", "2026-11-22", prio(model.PriorityHigh))
	lateDone := newAction(t, st, search.ID, "late but done", "PRIYA", "2026-11-01", done)
	lateWontDo := newAction(t, st, checkout.ID, "late, won't do", "Sam", "2026-11-02", func(a *model.ActionItem) {
		a.Status, a.Rationale = model.ActionWontDo, "superseded"
	})
	lateInProgress := newAction(t, st, search.ID, "late, in progress", "Jin", "2026-11-20", func(a *model.ActionItem) {
		a.Status = model.ActionInProgress
	})
	todayMedium := newAction(t, st, checkout.ID, "due today, medium", "Jin", "2026-11-22")
	later := newAction(t, st, search.ID, "later", "Priya Rao", "2026-12-24")

	titles := func(items []model.ActionItem) []string {
		out := make([]string, len(items))
		for i, a := range items {
			out[i] = a.Title
		}
		return out
	}
	list := func(f ActionFilter) []string {
		t.Helper()
		items, total, err := st.Actions(ctx, f)
		require.NoError(t, err)
		assert.EqualValues(t, len(items), total, "total of %+v", f)
		return titles(items)
	}

	// By due date, then priority (high first), then creation.
	assert.Equal(t, []string{lateDone.Title, lateWontDo.Title, lateInProgress.Title, late.Title,
		todayHigh.Title, todayMedium.Title, dueToday.Title, later.Title}, list(ActionFilter{}))

	assert.Equal(t, []string{lateDone.Title, late.Title, dueToday.Title}, list(ActionFilter{Owner: "pRiYa"}), "owner in any case, exact name")
	assert.Equal(t, []string{lateWontDo.Title, late.Title, todayMedium.Title, dueToday.Title},
		list(ActionFilter{IncidentID: checkout.ID}))
	assert.Equal(t, []string{lateWontDo.Title, late.Title, todayMedium.Title, dueToday.Title},
		list(ActionFilter{Service: "checkout"}), "service in any case")
	assert.Empty(t, list(ActionFilter{Service: "nope"}))
	assert.Equal(t, []string{lateDone.Title}, list(ActionFilter{Status: string(model.ActionDone)}))
	assert.Equal(t, []string{lateInProgress.Title}, list(ActionFilter{Status: string(model.ActionInProgress)}))
	assert.Equal(t, []string{lateInProgress.Title, late.Title, todayHigh.Title, todayMedium.Title, dueToday.Title, later.Title},
		list(ActionFilter{Status: ActionActive}))
	assert.Equal(t, []string{late.Title, todayHigh.Title, todayMedium.Title, dueToday.Title},
		list(ActionFilter{DueAfter: mustDate(t, "2026-11-21"), DueBefore: mustDate(t, "2026-11-22")}), "inclusive")
	assert.Equal(t, []string{lateInProgress.Title, late.Title},
		list(ActionFilter{Status: ActionActive, DueBefore: mustDate(t, "2026-11-21")}))
	assert.Equal(t, []string{later.Title}, list(ActionFilter{DueAfter: mustDate(t, "2026-11-23")}))

	// Overdue: the due day has ended in UTC and the item is not closed.
	assert.Equal(t, []string{lateInProgress.Title, late.Title}, list(ActionFilter{Overdue: true}))
	clock = mustTime(t, "2026-11-22T23:59:59.999Z")
	assert.Equal(t, []string{lateInProgress.Title, late.Title}, list(ActionFilter{Overdue: true}), "the last instant of the due day")
	clock = mustTime(t, "2026-11-23T00:30:00+02:00") // 22:30 UTC on the 22nd
	assert.Equal(t, []string{lateInProgress.Title, late.Title}, list(ActionFilter{Overdue: true}), "midnight elsewhere is not midnight UTC")
	clock = mustTime(t, "2026-11-23T00:00:00Z")
	assert.Equal(t, []string{lateInProgress.Title, late.Title, todayHigh.Title, todayMedium.Title, dueToday.Title},
		list(ActionFilter{Overdue: true}))
	assert.Equal(t, []string{late.Title, dueToday.Title}, list(ActionFilter{Overdue: true, Owner: "priya"}))
	assert.Empty(t, list(ActionFilter{Overdue: true, Status: string(model.ActionDone)}))
	// A view of the store at another instant sees that instant's overdue items.
	items, _, err := st.At(mustTime(t, "2026-11-21T23:59:59Z")).Actions(ctx, ActionFilter{Overdue: true})
	require.NoError(t, err)
	assert.Equal(t, []string{lateInProgress.Title}, titles(items))
	items, _, err = st.Actions(ctx, ActionFilter{IncidentID: checkout.ID})
	require.NoError(t, err)
	for _, a := range items {
		want := a.Title == late.Title || a.Title == dueToday.Title || a.Title == todayMedium.Title
		assert.Equal(t, want, a.Overdue(clock), a.Title)
	}

	// Pages: total counts every match.
	page, total, err := st.Actions(ctx, ActionFilter{Limit: 3, Offset: 2})
	require.NoError(t, err)
	assert.EqualValues(t, 8, total)
	assert.Equal(t, []string{lateInProgress.Title, late.Title, todayHigh.Title}, titles(page))
	page, total, err = st.Actions(ctx, ActionFilter{Status: ActionActive, Limit: 4, Offset: 4})
	require.NoError(t, err)
	assert.EqualValues(t, 6, total)
	assert.Equal(t, []string{dueToday.Title, later.Title}, titles(page))
	page, total, err = st.Actions(ctx, ActionFilter{Offset: 100})
	require.NoError(t, err)
	assert.EqualValues(t, 8, total)
	assert.Empty(t, page)

	// Incident facts come along.
	page, _, err = st.Actions(ctx, ActionFilter{Owner: "Priya Rao"})
	require.NoError(t, err)
	require.Len(t, page, 1)
	assert.Equal(t, "search slow", page[0].IncidentTitle)
	assert.Equal(t, "SEV3", page[0].IncidentSeverity)
	assert.Equal(t, []string{"search"}, page[0].IncidentServices)

	incItems, err := st.IncidentActions(ctx, search.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{lateDone.Title, lateInProgress.Title, todayHigh.Title, later.Title}, titles(incItems))
	_, err = st.IncidentActions(ctx, 999)
	assert.ErrorIs(t, err, model.ErrNotFound)
}

func TestDefaultActionDue(t *testing.T) {
	clock := mustTime(t, "2026-11-22T15:00:00Z")
	st := OpenTest(t, WithClock(func() time.Time { return clock }))
	cases := []struct {
		severity string
		want     string
	}{
		{"SEV1", "2026-12-06"}, // 2 weeks
		{"SEV2", "2026-12-20"}, // 4 weeks
		{"SEV3", "2027-01-17"}, // 8 weeks
		{"SEV4", "2027-02-14"}, // 12 weeks
	}
	for _, tc := range cases {
		inc := incidentWith(t, st, tc.severity, tc.severity)
		got, err := st.DefaultActionDue(ctx, inc.ID)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got.String(), tc.severity)
	}

	// The setting is editable per severity.
	inc := incidentWith(t, st, "edited", "SEV2")
	require.NoError(t, st.UpdateSeverity(ctx, "SEV2", &model.Severity{Name: "SEV2", Position: 2, ActionDueWeeks: 1}))
	got, err := st.DefaultActionDue(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, "2026-11-29", got.String())

	_, err = st.DefaultActionDue(ctx, 999)
	assert.ErrorIs(t, err, model.ErrNotFound)
}

// --- audit, cascades and the schema ---

func TestAnalysisWritesAreAudited(t *testing.T) {
	st := OpenTest(t, WithClock(func() time.Time { return mustTime(t, "2026-11-22T15:00:00Z") }))
	inc := newIncident(t, st, "audit")
	actx := model.WithActor(ctx, model.Actor{Label: "lena@example.com"})

	f := &model.Factor{IncidentID: inc.ID, Title: "f", Category: "change"}
	require.NoError(t, st.CreateFactor(actx, f))
	_, err := st.UpdateFactor(actx, inc.ID, f.ID, model.FactorPatch{Title: ptr("f2"), Version: 1})
	require.NoError(t, err)
	n := &model.WhyNode{IncidentID: inc.ID, Text: "w"}
	require.NoError(t, st.CreateWhy(actx, n, nil))
	_, err = st.UpdateWhy(actx, inc.ID, n.ID, model.WhyPatch{Text: ptr("w2"), Version: 1})
	require.NoError(t, err)
	a := &model.ActionItem{IncidentID: inc.ID, Title: "a", Owner: "Sam", Due: mustDate(t, "2026-12-01"), Type: model.ActionDetect}
	require.NoError(t, st.CreateAction(actx, a))
	_, err = st.UpdateAction(actx, inc.ID, a.ID, model.ActionPatch{Title: ptr("a2"), Version: 1})
	require.NoError(t, err)
	require.NoError(t, st.DeleteAction(actx, inc.ID, a.ID, 2))
	_, err = st.DeleteWhy(actx, inc.ID, n.ID, 2)
	require.NoError(t, err)
	require.NoError(t, st.DeleteFactor(actx, inc.ID, f.ID, 2))

	entries, _, err := st.AuditLog(ctx, AuditFilter{IncidentID: inc.ID})
	require.NoError(t, err)
	var got []string
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.Entity == "incident" {
			continue
		}
		got = append(got, e.Action+" "+e.Entity)
		assert.Equal(t, "lena@example.com", e.Actor)
		require.NotNil(t, e.IncidentID)
		assert.Equal(t, inc.ID, *e.IncidentID)
		assert.NotZero(t, e.EntityID)
	}
	assert.Equal(t, []string{
		"create factor", "update factor",
		"create why_node", "update why_node",
		"create action_item", "update action_item", "delete action_item",
		"delete why_node", "delete factor",
	}, got)

	// The audit row names the before and after of an update.
	upd, _, err := st.AuditLog(ctx, AuditFilter{Entity: "action_item"})
	require.NoError(t, err)
	require.Len(t, upd, 3)
	assert.Contains(t, upd[1].Before, `"Title":"a"`)
	assert.Contains(t, upd[1].After, `"Title":"a2"`)
	assert.Contains(t, upd[1].After, `"Due":"2026-12-01"`)
}

func TestDeleteIncidentRemovesItsAnalysis(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "goes")
	keep := newIncident(t, st, "stays")
	for _, id := range []int64{inc.ID, keep.ID} {
		f := newFactor(t, st, id, "f", "change", true)
		r := &model.WhyNode{IncidentID: id, Text: "r", FactorID: &f.ID}
		require.NoError(t, st.CreateWhy(ctx, r, nil))
		w := newWhy(t, st, id, r, "w")
		newWhy(t, st, id, w, "w2")
		newAction(t, st, id, "a", "Sam", "2026-12-01", func(a *model.ActionItem) {
			a.FactorIDs, a.WhyIDs = []int64{f.ID}, []int64{r.ID, w.ID}
		})
	}
	require.NoError(t, st.DeleteIncident(ctx, inc.ID))

	for table, want := range map[string]int64{
		"contributing_factors": 1, "why_nodes": 3, "action_items": 1, "action_item_factors": 1, "action_item_whys": 2,
	} {
		assert.Equal(t, want, rowCount(t, st, table), table)
	}
	_, err := st.Factors(ctx, inc.ID)
	assert.ErrorIs(t, err, model.ErrNotFound)
	assert.Equal(t, "r(w(w2))", forest(t, st, keep.ID))
	items, total, err := st.Actions(ctx, ActionFilter{})
	require.NoError(t, err)
	assert.EqualValues(t, 1, total)
	assert.Equal(t, keep.ID, items[0].IncidentID)
}

// The database keeps the rules even against a write that skips the store.
func TestAnalysisSchemaChecks(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "schema")
	other := newIncident(t, st, "other")
	newFactor(t, st, inc.ID, "trigger", "change", true)
	a := newAction(t, st, inc.ID, "a", "Sam", "2026-12-01")
	const insertFactor = "INSERT INTO contributing_factors (incident_id, title, category, is_trigger, position, created_at, updated_at) VALUES (?, ?, ?, ?, 9, '2026-11-22', '2026-11-22')"

	for name, stmt := range map[string][]any{
		"second trigger":             {insertFactor, inc.ID, "t2", "change", 1},
		"unknown category":           {insertFactor, inc.ID, "x", "weather", 0},
		"empty title":                {insertFactor, inc.ID, "", "change", 0},
		"done without closure":       {"UPDATE action_items SET status = 'done' WHERE id = ?", a.ID},
		"won't do without rationale": {"UPDATE action_items SET status = 'wont_do' WHERE id = ?", a.ID},
		"bad due date":               {"UPDATE action_items SET due_date = '2026-12-1' WHERE id = ?", a.ID},
		"unknown type":               {"UPDATE action_items SET type = 'pray' WHERE id = ?", a.ID},
		"empty owner":                {"UPDATE action_items SET owner = '' WHERE id = ?", a.ID},
		"unknown factor link":        {"INSERT INTO action_item_factors (action_id, factor_id) VALUES (?, 999)", a.ID},
		"unknown why parent":         {"INSERT INTO why_nodes (incident_id, parent_id, text, position, created_at, updated_at) VALUES (?, 999, 'x', 0, '2026-11-22', '2026-11-22')", inc.ID},
		"zero due weeks":             {"UPDATE severities SET action_due_weeks = 0 WHERE name = 'SEV1'"},
	} {
		assert.Error(t, st.wdb.Exec(stmt[0].(string), stmt[1:]...).Error, name)
	}
	require.NoError(t, st.wdb.Exec(insertFactor, other.ID, "their trigger", "change", 1).Error, "one trigger per incident, not per database")
}

func TestAnalysisMigrationGoesDownAndUp(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "migrate")
	newFactor(t, st, inc.ID, "f", "change", true)
	newAction(t, st, inc.ID, "a", "Sam", "2026-12-01")

	sqlDB, err := st.wdb.DB()
	require.NoError(t, err)
	p, err := goose.NewProvider(goose.DialectSQLite3, sqlDB, migrations.FS)
	require.NoError(t, err)
	_, err = p.DownTo(ctx, 3)
	require.NoError(t, err)
	var n int64
	require.NoError(t, st.wdb.Raw("SELECT count(*) FROM sqlite_master WHERE name IN ('contributing_factors', 'why_nodes', 'action_items', 'factor_categories')").Scan(&n).Error)
	assert.Zero(t, n)
	require.NoError(t, st.wdb.Raw("SELECT count(*) FROM pragma_table_info('severities') WHERE name = 'action_due_weeks'").Scan(&n).Error)
	assert.Zero(t, n)

	_, err = p.Up(ctx)
	require.NoError(t, err)
	got, err := st.DefaultActionDue(ctx, inc.ID) // SEV2
	require.NoError(t, err)
	assert.Equal(t, model.DateOf(st.Now()).AddDays(28), got)
	fs, err := st.Factors(ctx, inc.ID)
	require.NoError(t, err)
	assert.Empty(t, fs)
}

func TestConcurrentWhyInsertsKeepPositionsDense(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "busy review")
	r := newWhy(t, st, inc.ID, nil, "R")
	const writers = 8
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := &model.WhyNode{IncidentID: inc.ID, ParentID: &r.ID, Text: fmt.Sprintf("answer %d", i)}
			var at *int
			if i%2 == 0 {
				at = ptr(0)
			}
			errs[i] = st.CreateWhy(ctx, n, at)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	roots, err := st.Whys(ctx, inc.ID)
	require.NoError(t, err)
	require.Len(t, roots, 1)
	assert.Len(t, roots[0].Children, writers)
	forest(t, st, inc.ID) // checks positions 0..n-1
}
