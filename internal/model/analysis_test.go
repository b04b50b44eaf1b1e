package model

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assertFields checks that err is a *ValidationError naming exactly fields,
// or nil when fields is empty.
func assertFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	if len(fields) == 0 {
		assert.NoError(t, err)
		return
	}
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	got := make([]string, 0, len(ve.Fields))
	for f := range ve.Fields {
		got = append(got, f)
	}
	assert.ElementsMatch(t, fields, got, "fields of %v", err)
}

func TestFactorCategoryValidate(t *testing.T) {
	cases := []struct {
		name   string
		in     FactorCategory
		fields []string
	}{
		{"valid", FactorCategory{Name: "Vendor  Outage", Position: 13}, nil},
		{"empty name", FactorCategory{Name: " \t ", Position: 13}, []string{"name"}},
		{"50-char name", FactorCategory{Name: strings.Repeat("ä", 50), Position: 13}, nil},
		{"51-char name", FactorCategory{Name: strings.Repeat("ä", 51), Position: 13}, []string{"name"}},
		{"NUL in name", FactorCategory{Name: "a\x00b", Position: 13}, []string{"name"}},
		{"invalid UTF-8 name", FactorCategory{Name: "a\xffb", Position: 13}, []string{"name"}},
		{"long description", FactorCategory{Name: "x", Description: strings.Repeat("d", 501), Position: 13}, []string{"description"}},
		{"NUL in description", FactorCategory{Name: "x", Description: "a\x00", Position: 13}, []string{"description"}},
		{"position 0", FactorCategory{Name: "x"}, []string{"position"}},
		{"position 1001", FactorCategory{Name: "x", Position: 1001}, []string{"position"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fc := tc.in
			assertFields(t, fc.Validate(), tc.fields...)
		})
	}
	fc := FactorCategory{Name: "  Vendor   OUTAGE ", Description: " d ", Position: 1}
	require.NoError(t, fc.Validate())
	assert.Equal(t, "vendor outage", fc.Name, "names are lower case with single spaces")
	assert.Equal(t, "d", fc.Description)
}

func TestFactorValidate(t *testing.T) {
	ok := func() Factor {
		return Factor{IncidentID: 1, Title: "Config push skipped canary", Category: "configuration"}
	}
	cases := []struct {
		name   string
		edit   func(*Factor)
		fields []string
	}{
		{"valid", func(*Factor) {}, nil},
		{"missing title", func(f *Factor) { f.Title = " \n " }, []string{"title"}},
		{"200-char title", func(f *Factor) { f.Title = strings.Repeat("é", 200) }, nil},
		{"201-char title", func(f *Factor) { f.Title = strings.Repeat("é", 201) }, []string{"title"}},
		{"NUL in title", func(f *Factor) { f.Title = "a\x00b" }, []string{"title"}},
		{"invalid UTF-8 title", func(f *Factor) { f.Title = "a\xffb" }, []string{"title"}},
		{"NUL in description", func(f *Factor) { f.Description = "a\x00b" }, []string{"description"}},
		{"invalid UTF-8 description", func(f *Factor) { f.Description = "a\xc3" }, []string{"description"}},
		{"longest description", func(f *Factor) { f.Description = strings.Repeat("x", MaxMarkdownLen) }, nil},
		{"over-long description", func(f *Factor) { f.Description = strings.Repeat("x", MaxMarkdownLen+1) }, []string{"description"}},
		{"missing category", func(f *Factor) { f.Category = "  " }, []string{"category"}},
		{"everything wrong", func(f *Factor) { f.Title, f.Category, f.Description = "", "", "\x00" }, []string{"title", "category", "description"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := ok()
			tc.edit(&f)
			assertFields(t, f.Validate(), tc.fields...)
		})
	}
	f := Factor{Title: "  two   spaces ", Description: "\n keep  inner  \n", Category: " Code   Defect "}
	require.NoError(t, f.Validate())
	assert.Equal(t, "two spaces", f.Title)
	assert.Equal(t, "keep  inner", f.Description)
	assert.Equal(t, "code defect", f.Category)
}

func TestFactorApply(t *testing.T) {
	base := Factor{ID: 1, Title: "Config push", Category: "configuration", Version: 3}
	str := func(s string) *string { return &s }
	yes := true
	cases := []struct {
		name    string
		patch   FactorPatch
		changed bool
		fields  []string
	}{
		{"empty patch", FactorPatch{}, false, nil},
		{"same title, other spacing", FactorPatch{Title: str(" Config   push ")}, false, nil},
		{"same category, other case", FactorPatch{Category: str("Configuration")}, false, nil},
		{"position alone is the store's business", FactorPatch{Position: new(int)}, false, nil},
		{"new title", FactorPatch{Title: str("Config push without canary")}, true, nil},
		{"new description", FactorPatch{Description: str("details")}, true, nil},
		{"new category", FactorPatch{Category: str("process")}, true, nil},
		{"mark as trigger", FactorPatch{IsTrigger: &yes}, true, nil},
		{"empty title", FactorPatch{Title: str("")}, false, []string{"title"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := base
			changed, err := f.Apply(tc.patch)
			assertFields(t, err, tc.fields...)
			assert.Equal(t, tc.changed, changed)
		})
	}
	f := base
	assert.Equal(t, "latent condition", f.Kind())
	f.IsTrigger = true
	assert.Equal(t, "trigger", f.Kind())
}

func TestWhyNodeValidate(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		field bool
	}{
		{"valid", "The deploy skipped the canary stage", false},
		{"empty", "  \n\t", true},
		{"1000 characters", strings.Repeat("ü", MaxWhyTextLen), false},
		{"1001 characters", strings.Repeat("ü", MaxWhyTextLen+1), true},
		{"NUL", "why\x00", true},
		{"invalid UTF-8", "why \xff", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := WhyNode{Text: tc.text}
			if tc.field {
				assertFields(t, n.Validate(), "text")
			} else {
				assertFields(t, n.Validate())
			}
		})
	}
	n := WhyNode{Text: "  padded  "}
	require.NoError(t, n.Validate())
	assert.Equal(t, "padded", n.Text)
}

func id(v int64) *int64 { return &v }

// whyIDs lists the ids of ns in order.
func whyIDs(ns []*WhyNode) []int64 {
	out := make([]int64, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

func TestBuildWhyTrees(t *testing.T) {
	// Two trees, given out of order:
	//   1 (pos 0)          5 (pos 1)
	//   ├── 3 (pos 0)      └── 6
	//   │   └── 4
	//   └── 2 (pos 1)
	// and 7, whose parent 99 is missing, so it becomes a root (pos 0, id 7 > 1).
	nodes := []WhyNode{
		{ID: 2, ParentID: id(1), Position: 1, Text: "b"},
		{ID: 5, Position: 1, Text: "second root"},
		{ID: 4, ParentID: id(3), Position: 0, Text: "d"},
		{ID: 1, Position: 0, Text: "first root"},
		{ID: 7, ParentID: id(99), Position: 0, Text: "orphan"},
		{ID: 3, ParentID: id(1), Position: 0, Text: "a"},
		{ID: 6, ParentID: id(5), Position: 0, Text: "e"},
	}
	roots := BuildWhyTrees(nodes)
	require.Equal(t, []int64{1, 7, 5}, whyIDs(roots))

	r := roots[0]
	assert.True(t, r.IsRoot())
	assert.Equal(t, []int64{3, 2}, whyIDs(r.Children), "children by position")
	assert.Equal(t, []int64{4}, whyIDs(r.Children[0].Children))
	assert.Equal(t, 3, r.Height())
	assert.Equal(t, 4, r.Size())
	assert.Equal(t, 1, roots[1].Size())
	assert.Equal(t, 2, roots[2].Height())

	depths := map[int64]int{}
	var order []int64
	for _, root := range roots {
		root.Walk(func(n *WhyNode) {
			depths[n.ID] = n.Depth
			order = append(order, n.ID)
		})
	}
	assert.Equal(t, []int64{1, 3, 4, 2, 7, 5, 6}, order, "depth first, in order")
	assert.Equal(t, map[int64]int{1: 0, 3: 1, 4: 2, 2: 1, 7: 0, 5: 0, 6: 1}, depths)
}

func TestBuildWhyTreesEdgeCases(t *testing.T) {
	assert.Empty(t, BuildWhyTrees(nil))

	// A node that names itself as parent is a root, not lost or looped on.
	self := []WhyNode{{ID: 1, ParentID: id(1), Text: "self"}}
	roots := BuildWhyTrees(self)
	require.Len(t, roots, 1)
	assert.Empty(t, roots[0].Children)

	// Equal positions fall back to id order.
	tied := []WhyNode{{ID: 9, Position: 0}, {ID: 3, Position: 0}, {ID: 5, Position: 0}}
	assert.Equal(t, []int64{3, 5, 9}, whyIDs(BuildWhyTrees(tied)))

	// Building again from the same slice does not duplicate children.
	nodes := []WhyNode{{ID: 1}, {ID: 2, ParentID: id(1)}}
	BuildWhyTrees(nodes)
	roots = BuildWhyTrees(nodes)
	require.Len(t, roots, 1)
	assert.Len(t, roots[0].Children, 1)
}

func TestNeedsWhy(t *testing.T) {
	// A chain one deeper than the hint depth: only the leaf can need a why,
	// and only while it is shallower than WhyHintDepth.
	nodes := make([]WhyNode, WhyHintDepth+1)
	for i := range nodes {
		nodes[i] = WhyNode{ID: int64(i + 1), Text: "why"}
		if i > 0 {
			nodes[i].ParentID = id(int64(i))
		}
	}
	var chain []*WhyNode
	BuildWhyTrees(nodes)[0].Walk(func(n *WhyNode) { chain = append(chain, n) })
	require.Len(t, chain, WhyHintDepth+1)
	for _, n := range chain {
		assert.False(t, n.NeedsWhy(), "depth %d", n.Depth)
	}

	for depth := 0; depth <= WhyHintDepth+1; depth++ {
		leaf := WhyNode{Depth: depth}
		assert.Equal(t, depth < WhyHintDepth, leaf.NeedsWhy(), "leaf at depth %d", depth)
	}
	inner := WhyNode{Depth: 0, Children: []*WhyNode{{Depth: 1}}}
	assert.False(t, inner.NeedsWhy(), "a node with answers needs no hint")
}

func validAction() ActionItem {
	return ActionItem{
		IncidentID: 1,
		Title:      "Add a canary stage to config pushes",
		Owner:      "Priya",
		Due:        NewDate(2026, time.December, 6),
		Type:       ActionPrevent,
		Priority:   PriorityHigh,
		Status:     ActionOpen,
	}
}

func TestActionItemValidate(t *testing.T) {
	cases := []struct {
		name   string
		edit   func(*ActionItem)
		fields []string
	}{
		{"valid", func(*ActionItem) {}, nil},
		{"missing title", func(a *ActionItem) { a.Title = "  " }, []string{"title"}},
		{"201-char title", func(a *ActionItem) { a.Title = strings.Repeat("t", 201) }, []string{"title"}},
		{"NUL in title", func(a *ActionItem) { a.Title = "a\x00" }, []string{"title"}},
		{"missing owner", func(a *ActionItem) { a.Owner = " \t " }, []string{"owner"}},
		{"100-char owner", func(a *ActionItem) { a.Owner = strings.Repeat("o", MaxNameLen) }, nil},
		{"101-char owner", func(a *ActionItem) { a.Owner = strings.Repeat("o", MaxNameLen+1) }, []string{"owner"}},
		{"NUL in owner", func(a *ActionItem) { a.Owner = "Pri\x00ya" }, []string{"owner"}},
		{"invalid UTF-8 owner", func(a *ActionItem) { a.Owner = "Pri\xffya" }, []string{"owner"}},
		{"missing due date", func(a *ActionItem) { a.Due = Date{} }, []string{"due_date"}},
		{"missing type", func(a *ActionItem) { a.Type = "" }, []string{"type"}},
		{"unknown type", func(a *ActionItem) { a.Type = "pray" }, []string{"type"}},
		{"type in other case", func(a *ActionItem) { a.Type = "Prevent" }, []string{"type"}},
		{"missing priority defaults", func(a *ActionItem) { a.Priority = "" }, nil},
		{"unknown priority", func(a *ActionItem) { a.Priority = "urgent" }, []string{"priority"}},
		{"missing status defaults", func(a *ActionItem) { a.Status = "" }, nil},
		{"unknown status", func(a *ActionItem) { a.Status = "closed" }, []string{"status"}},
		{"longest description", func(a *ActionItem) { a.Description = strings.Repeat("ü", MaxActionTextLen) }, nil},
		{"over-long description", func(a *ActionItem) { a.Description = strings.Repeat("ü", MaxActionTextLen+1) }, []string{"description"}},
		{"NUL in description", func(a *ActionItem) { a.Description = "\x00" }, []string{"description"}},
		{"invalid UTF-8 description", func(a *ActionItem) { a.Description = "\xff" }, []string{"description"}},
		{"over-long closure note", func(a *ActionItem) { a.ClosureNote = strings.Repeat("c", MaxActionTextLen+1) }, []string{"closure_note"}},
		{"NUL in rationale", func(a *ActionItem) { a.Rationale = "r\x00" }, []string{"rationale"}},
		{"https tracker", func(a *ActionItem) { a.TrackerURL = " https://jira.example.com/browse/OPS-1 " }, nil},
		{"http tracker", func(a *ActionItem) { a.TrackerURL = "http://tracker.internal/1" }, nil},
		{"javascript tracker", func(a *ActionItem) { a.TrackerURL = "javascript:alert(1)" }, []string{"tracker_url"}},
		{"ftp tracker", func(a *ActionItem) { a.TrackerURL = "ftp://x" }, []string{"tracker_url"}},
		{"relative tracker", func(a *ActionItem) { a.TrackerURL = "/browse/OPS-1" }, []string{"tracker_url"}},
		{"hostless tracker", func(a *ActionItem) { a.TrackerURL = "https://" }, []string{"tracker_url"}},
		{"NUL in tracker", func(a *ActionItem) { a.TrackerURL = "https://x/\x00" }, []string{"tracker_url"}},
		{"over-long tracker", func(a *ActionItem) { a.TrackerURL = "https://x/" + strings.Repeat("a", MaxURLLen) }, []string{"tracker_url"}},
		{"data evidence", func(a *ActionItem) { a.EvidenceURL = "data:text/html,<script>alert(1)</script>" }, []string{"evidence_url"}},

		{"done with closure note", func(a *ActionItem) { a.Status, a.ClosureNote = ActionDone, "Canary stage added" }, nil},
		{"done with evidence", func(a *ActionItem) { a.Status, a.EvidenceURL = ActionDone, "https://git.example.com/pr/42" }, nil},
		{"done without either", func(a *ActionItem) { a.Status = ActionDone }, []string{"closure_note"}},
		{"done with a blank note", func(a *ActionItem) { a.Status, a.ClosureNote = ActionDone, " \n " }, []string{"closure_note"}},
		{"done with only a rationale", func(a *ActionItem) { a.Status, a.Rationale = ActionDone, "why not" }, []string{"closure_note"}},
		{"done with a bad evidence URL names the URL", func(a *ActionItem) { a.Status, a.EvidenceURL = ActionDone, "ftp://x" }, []string{"evidence_url"}},
		{"won't do with rationale", func(a *ActionItem) { a.Status, a.Rationale = ActionWontDo, "Replaced by OPS-7" }, nil},
		{"won't do without rationale", func(a *ActionItem) { a.Status = ActionWontDo }, []string{"rationale"}},
		{"won't do with only a closure note", func(a *ActionItem) { a.Status, a.ClosureNote = ActionWontDo, "done?" }, []string{"rationale"}},
		{"won't do with a blank rationale", func(a *ActionItem) { a.Status, a.Rationale = ActionWontDo, "   " }, []string{"rationale"}},
		{"in progress needs nothing", func(a *ActionItem) { a.Status = ActionInProgress }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := validAction()
			tc.edit(&a)
			assertFields(t, a.Validate(), tc.fields...)
		})
	}
}

func TestActionItemValidateNormalises(t *testing.T) {
	a := validAction()
	a.Title, a.Owner, a.Priority, a.Status = "  Add   canary ", "  Priya   Rao ", "", ""
	a.TrackerURL, a.ClosureNote = " https://jira.example.com/browse/OPS-1 ", "  note  "
	require.NoError(t, a.Validate())
	assert.Equal(t, "Add canary", a.Title)
	assert.Equal(t, "Priya Rao", a.Owner)
	assert.Equal(t, PriorityMedium, a.Priority)
	assert.Equal(t, ActionOpen, a.Status)
	assert.Equal(t, "https://jira.example.com/browse/OPS-1", a.TrackerURL)
	assert.Equal(t, "note", a.ClosureNote)
}

func TestActionStatusCanMoveTo(t *testing.T) {
	const (
		o = ActionOpen
		p = ActionInProgress
		d = ActionDone
		w = ActionWontDo
	)
	allowed := map[ActionStatus][]ActionStatus{
		o: {o, p, d, w},
		p: {o, p, d, w},
		d: {o, p, d},
		w: {o, p, w},
	}
	for _, from := range ActionStatuses {
		for _, to := range ActionStatuses {
			want := false
			for _, x := range allowed[from] {
				want = want || x == to
			}
			assert.Equal(t, want, from.CanMoveTo(to), "%s → %s", from, to)
		}
		assert.False(t, from.CanMoveTo("closed"), "%s → unknown", from)
	}
	assert.False(t, ActionStatus("closed").CanMoveTo(ActionOpen), "unknown → open")

	assert.True(t, d.Closed())
	assert.True(t, w.Closed())
	assert.False(t, o.Closed())
	assert.False(t, p.Closed())
	assert.Equal(t, "won't do", w.Label())
	assert.Equal(t, "in progress", p.Label())
	assert.Equal(t, "done", d.Label())
}

func TestActionItemApply(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	status := func(s ActionStatus) *ActionStatus { return &s }
	str := func(s string) *string { return &s }

	a := validAction()
	changed, err := a.Apply(ActionPatch{}, t0)
	require.NoError(t, err)
	assert.False(t, changed, "empty patch")
	changed, err = a.Apply(ActionPatch{Owner: str(" Priya "), Due: &a.Due}, t0)
	require.NoError(t, err)
	assert.False(t, changed, "same values")

	// Done without a closure note is refused, and names the field.
	_, err = a.Apply(ActionPatch{Status: status(ActionDone)}, t0)
	assertFields(t, err, "closure_note")

	a = validAction()
	changed, err = a.Apply(ActionPatch{Status: status(ActionDone), ClosureNote: str("Canary added")}, t0)
	require.NoError(t, err)
	assert.True(t, changed)
	require.NotNil(t, a.ClosedAt)
	assert.Equal(t, t0, *a.ClosedAt)

	// Editing a closed item keeps the time it was closed.
	changed, err = a.Apply(ActionPatch{ClosureNote: str("Canary added to every push")}, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.True(t, changed)
	require.NotNil(t, a.ClosedAt)
	assert.Equal(t, t0, *a.ClosedAt)

	// done → won't do is not a move; re-open first.
	_, err = a.Apply(ActionPatch{Status: status(ActionWontDo), Rationale: str("r")}, t0)
	assertFields(t, err, "status")

	changed, err = a.Apply(ActionPatch{Status: status(ActionOpen)}, t0.Add(2*time.Hour))
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Nil(t, a.ClosedAt, "re-opening clears the closing time")

	// Closing from in progress, in another zone, stores UTC.
	_, err = a.Apply(ActionPatch{Status: status(ActionInProgress)}, t0)
	require.NoError(t, err)
	plus2 := time.Date(2026, 11, 23, 0, 30, 0, 0, time.FixedZone("", 2*3600))
	_, err = a.Apply(ActionPatch{Status: status(ActionWontDo), Rationale: str("Superseded by OPS-9")}, plus2)
	require.NoError(t, err)
	require.NotNil(t, a.ClosedAt)
	assert.Equal(t, time.UTC, a.ClosedAt.Location())
	assert.True(t, a.ClosedAt.Equal(plus2))

	// An unknown status is a validation error on status, not a move error.
	a = validAction()
	_, err = a.Apply(ActionPatch{Status: status("closed")}, t0)
	assertFields(t, err, "status")

	// Every field counts as a change.
	due := NewDate(2027, time.January, 1)
	typ, prio := ActionDetect, PriorityLow
	for name, p := range map[string]ActionPatch{
		"title":       {Title: str("other")},
		"description": {Description: str("more")},
		"owner":       {Owner: str("Sam")},
		"due":         {Due: &due},
		"type":        {Type: &typ},
		"priority":    {Priority: &prio},
		"status":      {Status: status(ActionInProgress)},
		"closure":     {ClosureNote: str("n")},
		"evidence":    {EvidenceURL: str("https://e.example.com")},
		"rationale":   {Rationale: str("r")},
		"tracker":     {TrackerURL: str("https://t.example.com")},
	} {
		a := validAction()
		changed, err := a.Apply(p, t0)
		require.NoError(t, err, name)
		assert.True(t, changed, name)
	}
}

func TestActionItemSetClosed(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	a := validAction()
	a.Status = ActionDone
	a.SetClosed(ActionOpen, t0)
	require.NotNil(t, a.ClosedAt)
	assert.Equal(t, t0, *a.ClosedAt)

	// Already closed and stamped: the stamp stays.
	a.SetClosed(ActionDone, t0.Add(time.Hour))
	assert.Equal(t, t0, *a.ClosedAt)

	// Closed but never stamped (older data): stamped now.
	a.ClosedAt = nil
	a.SetClosed(ActionDone, t0.Add(time.Hour))
	require.NotNil(t, a.ClosedAt)
	assert.Equal(t, t0.Add(time.Hour), *a.ClosedAt)

	a.Status = ActionOpen
	a.SetClosed(ActionDone, t0)
	assert.Nil(t, a.ClosedAt)
}

func TestActionItemOverdue(t *testing.T) {
	due := NewDate(2026, time.November, 22)
	cases := []struct {
		now     string
		status  ActionStatus
		overdue bool
	}{
		{"2026-11-22T00:00:00Z", ActionOpen, false},
		{"2026-11-22T23:59:59.999Z", ActionOpen, false},
		{"2026-11-23T00:00:00Z", ActionOpen, true},
		{"2026-11-23T00:00:00Z", ActionInProgress, true},
		{"2026-11-23T00:30:00+02:00", ActionOpen, false}, // 22:30 UTC on the 22nd
		{"2026-11-22T18:59:59-05:00", ActionOpen, false}, // 23:59:59 UTC on the 22nd
		{"2026-11-22T19:00:00-05:00", ActionOpen, true},  // 00:00 UTC on the 23rd
		{"2027-06-01T00:00:00Z", ActionDone, false},
		{"2027-06-01T00:00:00Z", ActionWontDo, false},
	}
	for _, tc := range cases {
		t.Run(tc.now+" "+string(tc.status), func(t *testing.T) {
			a := validAction()
			a.Due, a.Status = due, tc.status
			assert.Equal(t, tc.overdue, a.Overdue(*at(tc.now)))
		})
	}
	a := validAction()
	a.Due = Date{}
	assert.False(t, a.Overdue(*at("2030-01-01T00:00:00Z")), "no due date, never overdue")
}

func TestDefaultDue(t *testing.T) {
	cases := []struct {
		weeks int
		now   string
		want  Date
	}{
		{2, "2026-11-22T15:00:00Z", NewDate(2026, time.December, 6)},
		{4, "2026-11-22T15:00:00Z", NewDate(2026, time.December, 20)},
		{8, "2026-11-22T15:00:00Z", NewDate(2027, time.January, 17)},
		{12, "2026-11-22T15:00:00Z", NewDate(2027, time.February, 14)},
		{0, "2026-11-22T15:00:00Z", NewDate(2027, time.January, 17)},      // unset: the default 8 weeks
		{-1, "2026-11-22T15:00:00Z", NewDate(2027, time.January, 17)},     // nonsense: the default
		{2, "2026-11-23T00:30:00+02:00", NewDate(2026, time.December, 6)}, // counted from the UTC day
		{104, "2026-11-22T15:00:00Z", NewDate(2028, time.November, 19)},
	}
	for _, tc := range cases {
		got := DefaultDue(Severity{Name: "SEVx", ActionDueWeeks: tc.weeks}, *at(tc.now))
		assert.Equal(t, tc.want, got, "%d weeks from %s", tc.weeks, tc.now)
	}
}
