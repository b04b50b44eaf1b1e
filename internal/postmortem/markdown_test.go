package postmortem

import (
	"bytes"
	"encoding/json"
	"flag"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/debrief-dev/debrief/internal/markdown"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func ptr[T any](v T) *T { return &v }

func date(s string) model.Date {
	d, err := model.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// completeDoc is a postmortem with every part filled in, the way the store
// loads it. Every call returns a fresh copy.
func completeDoc() *store.Document {
	inc := &model.Incident{
		ID: 42, Title: "Checkout failures in the EU after a payments-db pool change",
		Severity: "SEV1", Status: model.StatusResolved,
		StartedAt:      at("2026-11-22T23:41:00Z"),
		DetectedAt:     at("2026-11-22T23:47:30Z"),
		AcknowledgedAt: at("2026-11-22T23:52:10Z"),
		MitigatedAt:    at("2026-11-23T00:38:00Z"),
		ResolvedAt:     at("2026-11-23T01:15:00Z"),
		Version:        9,
		Services:       []string{"checkout", "payments-db"},
		Tags:           []string{"config-change", "database"},
		Roles: model.Roles{Commander: "Priya Raman", CommsLead: "Tom Becker", Scribe: "Ana Souza",
			Responders: []string{"Lee Chen", "Marta Nowak"}},
	}
	sections := map[model.SectionKey]string{
		"summary": "Between 23:41 and 00:38 UTC, up to 18% of checkout requests in the EU failed with a payment error. " +
			"A configuration change lowered the payments-db proxy's connection pool from 400 to 100, " +
			"and checkout's retries used up the rest. Rolling the change back ended the impact.",
		"impact": "Customers in the EU could not pay for 57 minutes; the US was not affected.\n\n" +
			"### By region\n\n" +
			"| Region | Failed checkouts | Share |\n| --- | ---: | ---: |\n| EU-West | 4,210 | 18% |\n| EU-Central | 1,050 | 6% |\n\n" +
			"No card was charged twice: the payment provider rejected the duplicate attempts.",
		"trigger": "The change to `payments-db/pool.yaml` (`max_connections: 400` → `100`) was rolled out to every region at 23:30.",
		"resolution": "1. Rolled the configuration back with the usual pipeline.\n" +
			"2. Restarted the proxy so that it read the old limit:\n\n" +
			"```sh\nkubectl rollout restart deployment/payments-db-proxy -n payments\n```\n\n" +
			"3. Watched the error rate fall under 0.5% for 30 minutes before resolving.",
		"detection": "The checkout error-rate alert paged the on-call engineer at 23:47, six minutes after the first failures; " +
			"it waits five minutes above threshold before paging.",
		"went_well":       "- The rollback pipeline worked the first time.\n- The incident channel stayed calm and focused.",
		"went_wrong":      "- The alert took six minutes to page.\n- The runbook did not mention the proxy's pool.",
		"got_lucky":       "The change went out at night, when EU traffic was a third of its daytime peak.",
		"lessons":         "Connection limits are capacity, and capacity changes need the same staged rollout as code.",
		"supporting_info": "- [Checkout dashboard](https://grafana.example.com/d/checkout)\n- [Incident channel log](https://chat.example.com/archives/inc-42)",
	}
	pm := &model.Postmortem{
		IncidentID: 42, Status: model.PostmortemPublished, Facilitator: "Sam Okafor", Version: 7,
		Sections:  map[model.SectionKey]model.PostmortemSection{},
		Authors:   []string{"Ana Souza", "Lee Chen"},
		Reviewers: []string{"Priya Raman"},
		Revisions: 2, ResolvedAt: inc.ResolvedAt,
	}
	for i, s := range model.Sections {
		pm.Sections[s.Key] = model.PostmortemSection{IncidentID: 42, Key: s.Key, Body: sections[s.Key], Version: 1 + i%3}
	}
	nodes := []model.WhyNode{
		{ID: 10, Text: "Checkout requests failed in the EU", Version: 1},
		{ID: 11, ParentID: ptr[int64](10), Text: "The payments-db proxy refused new connections", Position: 1, Version: 2},
		{ID: 12, ParentID: ptr[int64](11), Text: "The pool limit was lowered from 400 to 100", Position: 1, Version: 1},
		{ID: 13, ParentID: ptr[int64](12), Text: "The load tests never reached the EU's peak connection count", Position: 1, Version: 1, FactorID: ptr[int64](4)},
		{ID: 14, ParentID: ptr[int64](11), Text: "Checkout's retries multiplied the connection attempts", Position: 2, Version: 1},
		{ID: 15, ParentID: ptr[int64](14), Text: "Checkout retries immediately, without backoff", Position: 1, Version: 1},
		{ID: 20, Text: "The page came six minutes after the impact began", Position: 2, Version: 1},
		{ID: 21, ParentID: ptr[int64](20), Text: "The alert waits five minutes above threshold", Position: 1, Version: 1, FactorID: ptr[int64](5)},
	}
	return &store.Document{
		Incident:   inc,
		Severity:   model.Severity{Name: "SEV1", Description: "Customer-facing outage", Position: 1},
		Postmortem: pm,
		Factors: []model.Factor{
			{ID: 3, IncidentID: 42, Title: "Pool change rolled out to every region at once", Category: "change management",
				IsTrigger: true, Position: 1, Version: 2,
				Description: "The pipeline applies configuration to all regions in one step; code changes go EU canary first."},
			{ID: 4, IncidentID: 42, Title: "Connection limits are not part of the load tests", Category: "testing", Position: 2, Version: 1,
				Description: "The load-test profile:\n\n- ramps to 60% of the EU peak;\n- never opens more than 150 connections."},
			{ID: 5, IncidentID: 42, Title: "The error-rate alert waits five minutes", Category: "monitoring", Position: 3, Version: 1,
				Description: "Chosen in 2024 to stop flapping pages; nobody revisited it when checkout moved to the new proxy."},
		},
		Whys: model.BuildWhyTrees(nodes),
		Actions: []model.ActionItem{
			{ID: 9, Title: "Page on the checkout error rate after one minute", Owner: "Priya Raman", Due: date("2026-12-01"),
				Type: model.ActionDetect, Priority: model.PriorityHigh, Status: model.ActionOpen, Version: 1,
				TrackerURL: "https://tracker.example.com/browse/PAY-1203"},
			{ID: 7, Title: "Roll out pool configuration one region at a time", Owner: "Marta Nowak", Due: date("2026-12-15"),
				Type: model.ActionPrevent, Priority: model.PriorityHigh, Status: model.ActionDone, Version: 3,
				ClosureNote: "The config pipeline now stages by region, EU canary first.",
				EvidenceURL: "https://git.example.com/platform/config/pull/812",
				TrackerURL:  "https://tracker.example.com/browse/PAY-1201"},
			{ID: 8, Title: "Add connection limits to the load-test profile", Owner: "Lee Chen", Due: date("2027-01-15"),
				Type: model.ActionPrevent, Priority: model.PriorityMedium, Status: model.ActionInProgress, Version: 2,
				Description: "Use the Black Friday 2026 EU profile as the peak.",
				TrackerURL:  "https://tracker.example.com/browse/PAY-1202"},
			{ID: 10, Title: "Put a circuit breaker in front of the payments-db proxy", Owner: "Tom Becker", Due: date("2027-03-01"),
				Type: model.ActionMitigate, Priority: model.PriorityLow, Status: model.ActionWontDo, Version: 2,
				Rationale: "Retries with backoff and jitter remove the retry storm; a breaker adds little for its cost."},
		},
		Timeline: []model.TimelineEntry{
			{ID: 100, OccurredAt: *at("2026-11-22T23:30:12Z"), Kind: model.KindDeploy, Author: "Deploy bot",
				Body: "Config change `payments-db/pool.yaml` rolled out (max_connections 400 → 100)"},
			{ID: 106, OccurredAt: *at("2026-11-22T23:41:00Z"), Kind: model.KindObservation, Author: "Lee Chen", LearnedLater: true,
				Body: "First connection refusals in the proxy logs (found while writing the postmortem)"},
			{ID: 101, OccurredAt: *at("2026-11-22T23:47:30Z"), Kind: model.KindAlert, Author: "Alertmanager",
				Body: "Checkout error rate > 5% | EU-West"},
			{ID: 102, OccurredAt: *at("2026-11-22T23:52:10Z"), Kind: model.KindAction, Author: "Priya Raman",
				Body: "Acknowledged the page and opened #inc-42"},
			{ID: 103, OccurredAt: *at("2026-11-23T00:05:44Z"), Kind: model.KindObservation, Author: "Lee Chen",
				Body:        "Proxy logs show `too many connections`:\nerror rate 18% | p99 4.2 s",
				EvidenceURL: "https://grafana.example.com/d/checkout?from=1795390800000"},
			{ID: 104, OccurredAt: *at("2026-11-23T00:21:03Z"), Kind: model.KindDecision, Author: "Priya Raman",
				Body: "Roll back `pool.yaml` rather than raise the limit by hand"},
			{ID: 105, OccurredAt: *at("2026-11-23T00:38:00Z"), Kind: model.KindMilestone, Author: model.SystemAuthor,
				Body: "Mitigated: error rate back under 0.5%"},
			{ID: 107, OccurredAt: *at("2026-11-23T01:15:00Z"), Kind: model.KindMilestone, Author: model.SystemAuthor,
				Body: "Resolved"},
		},
	}
}

func completeOptions() Options {
	return Options{BaseURL: "https://debrief.example.com/", Revision: 2, PublishedAt: at("2026-11-25T10:00:00Z")}
}

func TestRenderGolden(t *testing.T) {
	got := Render(completeDoc(), completeOptions())
	assert.Equal(t, got, Render(completeDoc(), completeOptions()), "the same document must give the same bytes")
	golden := filepath.Join("testdata", "complete.md")
	if *update {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test -run TestRenderGolden -update to create it")
	assert.Equal(t, string(want), string(got))
}

// scrub empties every field Parse gives back, so that a render of the doc
// after applying a Parsed shows that the values came from the file.
func scrub(doc *store.Document) {
	inc, pm := doc.Incident, doc.Postmortem
	inc.Title, inc.Severity, inc.Status, inc.Services, inc.Tags = "", "", "", nil, nil
	inc.StartedAt, inc.DetectedAt, inc.AcknowledgedAt, inc.MitigatedAt, inc.ResolvedAt = nil, nil, nil, nil, nil
	pm.Status, pm.Facilitator, pm.Authors, pm.Reviewers = "", "", nil, nil
	for k, s := range pm.Sections {
		s.Body = "scrubbed"
		pm.Sections[k] = s
	}
	for i := range doc.Factors {
		f := &doc.Factors[i]
		f.Title, f.Category, f.Description, f.IsTrigger = "", "", "", !f.IsTrigger
	}
	walkWhys(doc.Whys, func(n *model.WhyNode, _ int) { n.Text = "" })
	for i := range doc.Actions {
		a := &doc.Actions[i]
		*a = model.ActionItem{ID: a.ID, Version: a.Version}
	}
	for i := range doc.Timeline {
		doc.Timeline[i] = model.TimelineEntry{ID: doc.Timeline[i].ID}
	}
}

// apply writes what was parsed into doc, by id: what a store import does.
func apply(t *testing.T, doc *store.Document, p *Parsed) Options {
	t.Helper()
	inc, pm := doc.Incident, doc.Postmortem
	require.Equal(t, inc.ID, p.DebriefID)
	inc.Title, inc.Severity, inc.Status, inc.Services, inc.Tags = p.Title, p.Severity, p.Status, p.Services, p.Tags
	inc.StartedAt, inc.DetectedAt, inc.AcknowledgedAt, inc.MitigatedAt, inc.ResolvedAt =
		p.StartedAt, p.DetectedAt, p.AcknowledgedAt, p.MitigatedAt, p.ResolvedAt
	pm.Status, pm.Facilitator, pm.Authors, pm.Reviewers = p.PostmortemStatus, p.Facilitator, p.Authors, p.Reviewers
	if pm.Sections == nil {
		pm.Sections = map[model.SectionKey]model.PostmortemSection{}
	}
	for k, body := range p.Sections {
		s := pm.Sections[k]
		s.Body = body
		pm.Sections[k] = s
	}
	require.Len(t, p.Factors, len(doc.Factors))
	for _, pf := range p.Factors {
		found := false
		for i := range doc.Factors {
			if f := &doc.Factors[i]; f.ID == pf.ID {
				f.Title, f.Category, f.Description, f.IsTrigger = pf.Title, pf.Category, pf.Description, pf.IsTrigger
				found = true
			}
		}
		require.True(t, found, "factor %d", pf.ID)
	}
	texts := map[int64]string{}
	for _, w := range p.Whys {
		texts[w.ID] = w.Text
	}
	walkWhys(doc.Whys, func(n *model.WhyNode, _ int) {
		text, ok := texts[n.ID]
		require.True(t, ok, "why %d", n.ID)
		n.Text = text
	})
	require.Len(t, p.Actions, len(doc.Actions))
	for _, pa := range p.Actions {
		found := false
		for i := range doc.Actions {
			if a := &doc.Actions[i]; a.ID == pa.ID {
				a.Title, a.Description, a.Owner, a.Due, a.Type, a.Priority, a.Status = pa.Title, pa.Description, pa.Owner, pa.Due, pa.Type, pa.Priority, pa.Status
				a.ClosureNote, a.EvidenceURL, a.Rationale, a.TrackerURL = pa.ClosureNote, pa.EvidenceURL, pa.Rationale, pa.TrackerURL
				found = true
			}
		}
		require.True(t, found, "action %d", pa.ID)
	}
	require.Len(t, p.Timeline, len(doc.Timeline))
	for i, e := range p.Timeline {
		te := &doc.Timeline[i]
		te.OccurredAt, te.Kind, te.Body, te.Author, te.LearnedLater, te.EvidenceURL = e.OccurredAt, e.Kind, e.Body, e.Author, e.LearnedLater, e.EvidenceURL
	}
	return Options{BaseURL: strings.TrimSuffix(p.URL, "/incidents/42/postmortem"), Revision: p.Revision, PublishedAt: p.PublishedAt}
}

// checkParsed compares what Parse read with the document rendered.
func checkParsed(t *testing.T, doc *store.Document, p *Parsed) {
	t.Helper()
	assert.Equal(t, doc.Incident.ID, p.DebriefID)
	assert.Equal(t, doc.Incident.Title, p.Title)
	for _, s := range model.Sections {
		assert.Equal(t, doc.Postmortem.Body(s.Key), p.Sections[s.Key], "section %s", s.Key)
	}
	require.Len(t, p.Actions, len(doc.Actions))
	for i, a := range doc.Actions {
		want := ParsedAction{ID: a.ID, Title: a.Title, Description: a.Description, Owner: a.Owner, Due: a.Due,
			Type: a.Type, Priority: a.Priority, Status: a.Status, ClosureNote: a.ClosureNote,
			EvidenceURL: a.EvidenceURL, Rationale: a.Rationale, TrackerURL: a.TrackerURL, Line: p.Actions[i].Line}
		assert.Equal(t, want, p.Actions[i])
	}
	require.Len(t, p.Factors, len(doc.Factors))
	for i, f := range doc.Factors {
		want := ParsedFactor{ID: f.ID, Title: f.Title, Category: f.Category, IsTrigger: f.IsTrigger,
			Description: f.Description, Line: p.Factors[i].Line}
		assert.Equal(t, want, p.Factors[i])
	}
	var whys []string
	walkWhys(doc.Whys, func(n *model.WhyNode, _ int) { whys = append(whys, n.Text) })
	require.Len(t, p.Whys, len(whys))
	for i, w := range p.Whys {
		assert.Equal(t, whys[i], w.Text)
	}
	require.Len(t, p.Timeline, len(doc.Timeline))
	for i, e := range doc.Timeline {
		got := p.Timeline[i]
		assert.True(t, e.OccurredAt.Equal(got.OccurredAt), "entry %d: %s != %s", i, e.OccurredAt, got.OccurredAt)
		assert.Equal(t, []any{e.Kind, e.Body, e.Author, e.LearnedLater, e.EvidenceURL},
			[]any{got.Kind, got.Body, got.Author, got.LearnedLater, got.EvidenceURL}, "entry %d", i)
	}
}

func TestRoundTrip(t *testing.T) {
	for name, doc := range map[string]func() *store.Document{"complete": completeDoc, "hostile": hostileDoc, "empty": emptyDoc} {
		t.Run(name, func(t *testing.T) {
			opt := completeOptions()
			out := Render(doc(), opt)
			p, err := Parse(out)
			require.NoError(t, err)
			checkParsed(t, doc(), p)
			assert.Empty(t, p.Notes)

			// Parse → apply to a copy whose texts were wiped → Render gives
			// the same bytes.
			cp := doc()
			scrub(cp)
			again := Render(cp, apply(t, cp, p))
			assert.Equal(t, string(out), string(again))
		})
	}
}

// The whys parents come back as the tree was.
func TestParseWhysTree(t *testing.T) {
	p, err := Parse(Render(completeDoc(), Options{}))
	require.NoError(t, err)
	parents := map[int64]int64{}
	for _, w := range p.Whys {
		if w.Parent >= 0 {
			parents[w.ID] = p.Whys[w.Parent].ID
		}
	}
	assert.Equal(t, map[int64]int64{11: 10, 12: 11, 13: 12, 14: 11, 15: 14, 21: 20}, parents)
}

// emptyDoc is a fresh draft: no sections written, nothing added yet.
func emptyDoc() *store.Document {
	return &store.Document{
		Incident: &model.Incident{ID: 42, Title: "Short blip", Severity: "SEV3", Status: model.StatusInvestigating,
			StartedAt: at("2026-11-22T10:00:00Z")},
		Severity:   model.Severity{Name: "SEV3"},
		Postmortem: &model.Postmortem{IncidentID: 42, Status: model.PostmortemDraft},
	}
}

func TestRenderEmpty(t *testing.T) {
	out := string(Render(emptyDoc(), Options{}))
	assert.NotContains(t, out, "null\n\n", "no section says null")
	assert.Contains(t, out, "started_at: 2026-11-22T10:00:00Z\ndetected_at: null\n")
	assert.Contains(t, out, "revision: 0\npublished_at: null\n")
	assert.Contains(t, out, "\nurl: /incidents/42/postmortem\n", "no BaseURL: a link from Debrief's root")
	assert.Contains(t, out, "*Postmortem, draft* · [/incidents/42/postmortem](/incidents/42/postmortem)\n")
	assert.NotContains(t, out, "diagram.svg", "no whys, no diagram")
	assert.Contains(t, out, "\ndebrief:\n  id: 42\n  versions: {incident: 0, postmortem: 0}\n  sections: {summary: 0, impact: 0,")
	assert.NotContains(t, out, "factors:", "no factors, no line for them")
	assert.Contains(t, out, "## Trigger\n<!-- debrief:section trigger -->\n\n"+placeholder+"\n\n## Resolution\n")
	assert.Equal(t, len(model.Sections), strings.Count(out, placeholder))
	p, err := Parse([]byte(out))
	require.NoError(t, err)
	for _, s := range model.Sections {
		body, ok := p.Sections[s.Key]
		assert.True(t, ok, s.Key)
		assert.Empty(t, body, s.Key)
	}
	assert.True(t, p.HasActions && p.HasFactors && p.HasWhys && p.HasTimeline)
	assert.Empty(t, p.Actions)

	// Someone fills a section in the wiki, under the placeholder.
	edited := strings.Replace(out, placeholder+"\n\n## Resolution", placeholder+"\nThe deploy was rolled back.\n\n## Resolution", 1)
	p, err = Parse([]byte(edited))
	require.NoError(t, err)
	assert.Equal(t, "The deploy was rolled back.", p.Sections["trigger"])
}

// hostileDoc holds text that tries to break the format or run code.
func hostileDoc() *store.Document {
	doc := completeDoc()
	doc.Incident.Title = "Outage | \"all\" <script>alert(1)</script> `x` <!-- c --> --> # not ## closing ##"
	doc.Incident.Services = []string{"a|b", "c, d"}
	doc.Incident.Roles.Commander = "Eve | <img src=x onerror=alert(1)>"
	pm := doc.Postmortem
	set := func(key model.SectionKey, body string) {
		s := pm.Sections[key]
		s.Body = body
		pm.Sections[key] = s
	}
	set("summary", "<script>alert('summary')</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))")
	set("impact", "## Impact\n<!-- debrief:section impact -->\n\nA fake marker, and an escaped one: <!-- debrief!:guard -->\n\n---\n\n# Top heading\n\n---")
	set("trigger", "Text, then a fence left open:\n\n```go\nfunc main() {\n## Resolution\n<!-- debrief:section resolution -->")
	set("resolution", "<!-- a comment never closed\n\n## Detection")
	set("detection", "<script>\nlet x = 1\n\n## Not a heading inside the script")
	set("went_well", "~~~~\nfour tildes, never closed")
	set("went_wrong", "  indented first line\n\n"+placeholder+"\n\nend")
	set("lessons", "A table of our own:\n\n| a | b |\n| - | - |\n| 1 | 2 |")
	doc.Factors[0].Title = "# Not a heading | pipe <b>bold</b>"
	doc.Factors[0].Category = "*stars* | pipes"
	doc.Factors[1].Description = "````\nopen fence in a factor"
	doc.Whys[0].Text = "1. looks like a list | pipe"
	doc.Whys[0].Children[0].Text = "- dash\nand a second line <br> literal"
	doc.Whys[0].Children[0].Children[0].Text = "+ plus \\ backslash \\| escaped pipe *emph*"
	a := &doc.Actions[0]
	a.Title = "Fix | the\ntable <script>alert(1)</script> \\"
	a.Owner = "Mallory |\nTwo lines"
	a.Description = "pipe | newline\nliteral <br> and \\<br> and trailing \\"
	a.ClosureNote = "note with \\| and \\\\| and |"
	doc.Actions[1].TrackerURL = "https://tracker.example.com/a|b<c>"
	doc.Timeline[2].Body = "a | b \\| c \\\\| d\nline two <br> \\"
	doc.Timeline[2].Author = "<script>x</script> | y"
	return doc
}

func TestHostileContentIsInert(t *testing.T) {
	out := Render(hostileDoc(), completeOptions())
	h := renderGoldmark(t, out)
	assert.NotContains(t, h, "<script")
	assert.NotContains(t, h, "<img src=x")
	assert.NotContains(t, h, "<b>")
	assert.NotContains(t, h, "javascript:")
	checkOutline(t, h, hostileDoc())
}

// --- Rendering outside Debrief ---

// renderGoldmark renders an export as a wiki would: front matter aside,
// GitHub-flavoured, raw HTML dropped.
func renderGoldmark(t *testing.T, src []byte) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, goldmark.New(goldmark.WithExtensions(extension.GFM)).Convert(withoutFrontMatter(t, src), &buf))
	return buf.String()
}

func withoutFrontMatter(t *testing.T, src []byte) []byte {
	t.Helper()
	require.True(t, bytes.HasPrefix(src, []byte("---\n")))
	end := bytes.Index(src[4:], []byte("\n---\n"))
	require.GreaterOrEqual(t, end, 0)
	return src[4+end+len("\n---\n"):]
}

var (
	headingRE = regexp.MustCompile(`(?s)<h([1-6])[^>]*>(.*?)</h[1-6]>`)
	tableRE   = regexp.MustCompile(`(?s)<table.*?</table>`)
	commentRE = regexp.MustCompile(`(?s)<!--.*?-->`)
	tagRE     = regexp.MustCompile(`(?s)<[^>]*>`)
	listTagRE = regexp.MustCompile(`<(/?)(ul|ol)\b`)
)

func visibleText(h string) string {
	return html.UnescapeString(tagRE.ReplaceAllString(commentRE.ReplaceAllString(h, ""), ""))
}

type headingOf struct {
	level int
	text  string
}

func headings(h string) []headingOf {
	var out []headingOf
	for _, m := range headingRE.FindAllStringSubmatch(h, -1) {
		out = append(out, headingOf{int(m[1][0] - '0'), strings.Join(strings.Fields(visibleText(m[2])), " ")})
	}
	return out
}

func maxListDepth(h string) int {
	depth, most := 0, 0
	for _, m := range listTagRE.FindAllStringSubmatch(h, -1) {
		if m[1] == "" {
			depth++
			most = max(most, depth)
		} else {
			depth--
		}
	}
	return most
}

// checkOutline checks the structure of an export rendered to HTML: the
// headings in the template's order, the tables and their rows, the whys'
// nesting, and no marker in the visible text.
func checkOutline(t *testing.T, h string, doc *store.Document) {
	t.Helper()
	var h2 []string
	var h1 []string
	for _, hd := range headings(h) {
		switch hd.level {
		case 1:
			h1 = append(h1, hd.text)
		case 2:
			h2 = append(h2, hd.text)
		}
	}
	assert.Equal(t, []string{doc.Incident.Title}, h1[:1])
	assert.Equal(t, []string{"Summary", "Impact", "Key facts", "Contributing factors", "Whys", "Trigger", "Resolution",
		"Detection", "Action items", "Lessons learned", "Timeline", "Supporting information"}, withoutExtra(h2))

	var h3 []string
	for _, hd := range headings(h) {
		if hd.level == 3 {
			h3 = append(h3, hd.text)
		}
	}
	for _, f := range doc.Factors {
		assert.Contains(t, h3, f.Title)
	}
	assert.Subset(t, h3, []string{"What went well", "What went wrong", "Where we got lucky"})

	// Key facts, action items and timeline are the last three tables
	// outside section texts: find them by their header cells.
	rows := map[string]int{}
	for _, tbl := range tableRE.FindAllString(h, -1) {
		switch {
		case strings.Contains(tbl, ">Fact<"):
			rows["facts"] = strings.Count(tbl, "<tr")
		case strings.Contains(tbl, ">Priority<"):
			rows["actions"] = strings.Count(tbl, "<tr")
			assert.Equal(t, 8*len(doc.Actions), strings.Count(tbl, "<td"), "every action row has its 8 cells")
		case strings.Contains(tbl, ">Time (UTC)<"):
			rows["timeline"] = strings.Count(tbl, "<tr")
			assert.Equal(t, 5*len(doc.Timeline), strings.Count(tbl, "<td"), "every timeline row has its 5 cells")
		}
	}
	assert.Equal(t, map[string]int{"facts": 18, "actions": 1 + len(doc.Actions), "timeline": 1 + len(doc.Timeline)}, rows)
	assert.Equal(t, 4, maxListDepth(h), "the whys tree is four levels deep")

	text := visibleText(h)
	assert.NotContains(t, text, "debrief:")
	assert.NotContains(t, text, "debrief!:guard -->\n")
	assert.NotContains(t, text, "-->\n<!--")
}

// withoutExtra drops the level-2 headings that come from inside hostile
// section texts ("Impact" written as a heading in the impact text).
func withoutExtra(h2 []string) []string {
	var out []string
	for _, h := range h2 {
		if len(out) > 0 && out[len(out)-1] == h {
			continue
		}
		out = append(out, h)
	}
	return out
}

func TestRendersOutsideDebrief(t *testing.T) {
	doc := completeDoc()
	out := Render(doc, completeOptions())
	h := renderGoldmark(t, out)
	checkOutline(t, h, doc)
	assert.Equal(t, 4, strings.Count(h, "<table"), "three tables of the export and one inside the impact")
	assert.Contains(t, h, `<img src="https://debrief.example.com/incidents/42/whys/10/diagram.svg"`)
	assert.Contains(t, h, `<img src="https://debrief.example.com/incidents/42/whys/20/diagram.svg"`)
	assert.Contains(t, h, "<td>Checkout error rate &gt; 5% | EU-West</td>")
	// A newline in a cell is a <br>: GitHub shows it, goldmark in safe
	// mode drops it.
	assert.Contains(t, h, `<code>too many connections</code>:<!-- raw HTML omitted -->error rate 18% | p99 4.2 s`)
}

// pandoc is a second, independent reader of GitHub-flavoured Markdown.
func TestRendersInPandoc(t *testing.T) {
	if _, err := exec.LookPath("pandoc"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pandoc must be installed in CI")
		}
		t.Skip("pandoc is not installed")
	}
	for name, doc := range map[string]func() *store.Document{"complete": completeDoc, "hostile": hostileDoc} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command("pandoc", "-f", "gfm", "-t", "html")
			cmd.Stdin = bytes.NewReader(withoutFrontMatter(t, Render(doc(), completeOptions())))
			h, err := cmd.Output()
			require.NoError(t, err)
			checkOutline(t, string(h), doc())
			if name == "complete" {
				assert.Equal(t, 4, strings.Count(string(h), "<table"))
			}
		})
	}
}

// --- The front matter outside Debrief ---

// pandoc runs pandoc from → to on src, skipping the test where pandoc is
// not installed (except in CI, which must have it).
func pandoc(t *testing.T, src []byte, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("pandoc"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pandoc must be installed in CI")
		}
		t.Skip("pandoc is not installed")
	}
	cmd := exec.Command("pandoc", args...)
	cmd.Stdin = bytes.NewReader(src)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "pandoc %v: %s", args, stderr.String())
	return string(out)
}

// beforeTitle is the HTML before the postmortem's title, the <h1> of the
// line after the front matter: what a renderer made of the front matter.
func beforeTitle(t *testing.T, h, title string) string {
	t.Helper()
	for _, m := range headingRE.FindAllStringSubmatchIndex(h, -1) {
		if h[m[2]:m[3]] == "1" && strings.Join(strings.Fields(visibleText(h[m[4]:m[5]])), " ") == title {
			return h[:m[0]]
		}
	}
	require.Failf(t, "no title", "no <h1>%s</h1> in %.300s", title, h)
	return ""
}

// TestFrontMatterOutsideDebrief renders whole exports, front matter
// included, as wikis and converters do: a renderer that reads front
// matter shows it as metadata; one that does not must not make a heading
// of it (earlier versions' front matter became one giant <h2>).
func TestFrontMatterOutsideDebrief(t *testing.T) {
	docs := map[string]*store.Document{"complete": completeDoc(), "hostile": hostileDoc(), "empty": emptyDoc()}
	// Without front matter support: Debrief's own renderer (goldmark, as
	// the HTML view and a goldmark wiki without the meta extension), plain
	// CommonMark, and pandoc's Markdown without its YAML extension.
	plain := map[string]func(t *testing.T, src []byte) string{
		"goldmark": func(t *testing.T, src []byte) string {
			var buf bytes.Buffer
			require.NoError(t, markdown.New().Convert(src, &buf))
			return buf.String()
		},
		"pandoc commonmark": func(t *testing.T, src []byte) string {
			return pandoc(t, src, "-f", "commonmark", "-t", "html")
		},
		"pandoc gfm-yaml_metadata_block": func(t *testing.T, src []byte) string {
			return pandoc(t, src, "-f", "gfm-yaml_metadata_block", "-t", "html")
		},
		// (-smart: curly quotes would only make the title harder to find.)
		"pandoc markdown-yaml_metadata_block": func(t *testing.T, src []byte) string {
			return pandoc(t, src, "-f", "markdown-yaml_metadata_block-smart", "-t", "html")
		},
	}
	for name, doc := range docs {
		for _, opt := range []Options{completeOptions(), {}} {
			src := Render(doc, opt)
			label := name + " " + map[bool]string{true: "with", false: "without"}[opt.BaseURL != ""] + " base URL"
			for rname, render := range plain {
				t.Run(label+"/"+rname, func(t *testing.T) {
					front := beforeTitle(t, render(t, src), doc.Incident.Title)
					assert.NotRegexp(t, `<h[1-6]`, front, "the front matter is not a heading")
					// Shown as text (pandoc's table of it stops at a "|" in a
					// hostile title, so only its first line is certain).
					assert.Contains(t, visibleText(front), "title:", "the front matter is shown as text")
				})
			}
			t.Run(label+"/pandoc markdown", func(t *testing.T) {
				h := pandoc(t, src, "-f", "markdown-smart", "-t", "html")
				front := beforeTitle(t, h, doc.Incident.Title)
				assert.Empty(t, strings.TrimSpace(front), "the front matter is metadata, not in the body")
				assert.NotContains(t, h, "sections:")

				var js struct {
					Meta map[string]struct {
						T string          `json:"t"`
						C json.RawMessage `json:"c"`
					} `json:"meta"`
				}
				require.NoError(t, json.Unmarshal([]byte(pandoc(t, src, "-f", "markdown", "-t", "json")), &js))
				for _, k := range []string{"title", "severity", "url", "debrief"} {
					assert.Contains(t, js.Meta, k, "pandoc's metadata")
				}
				assert.Equal(t, "MetaMap", js.Meta["debrief"].T)
				var debrief map[string]json.RawMessage
				require.NoError(t, json.Unmarshal(js.Meta["debrief"].C, &debrief))
				assert.Contains(t, string(debrief["id"]), `"42"`)
				assert.Contains(t, debrief, "sections")
			})
		}
	}

	// The test would have caught the earlier layout.
	old := readTestdata(t, "v1-no-base-url.md")
	front := beforeTitle(t, plain["goldmark"](t, old), completeDoc().Incident.Title)
	assert.Regexp(t, `<h2>debrief_id: 42`, front, "an earlier export's front matter was a heading")
}

// --- Links at export time ---

func TestRelink(t *testing.T) {
	const base = "https://debrief.example.com"
	withBase := Render(completeDoc(), completeOptions())
	noBase := Render(completeDoc(), Options{Revision: 2, PublishedAt: completeOptions().PublishedAt})

	t.Run("without a base URL the links start at Debrief's root", func(t *testing.T) {
		md := string(noBase)
		assert.Contains(t, md, "\nurl: /incidents/42/postmortem\n")
		assert.Contains(t, md, "*Postmortem, revision 2, published 2026-11-25T10:00:00Z* · [/incidents/42/postmortem](/incidents/42/postmortem)\n")
		assert.Contains(t, md, "\n\n![Whys diagram: Checkout requests failed in the EU](/incidents/42/whys/10/diagram.svg)\n\n")
		assert.Contains(t, md, "\n\n![Whys diagram: The page came six minutes after the impact began](/incidents/42/whys/20/diagram.svg)\n\n")
	})
	t.Run("a render relinked is the render with that base URL", func(t *testing.T) {
		assert.Equal(t, string(withBase), string(Relink(withBase, base)), "nothing to change")
		assert.Equal(t, string(withBase), string(Relink(noBase, base+"/")))
		assert.Equal(t, string(noBase), string(Relink(withBase, "")))
		moved := Relink(withBase, "https://postmortems.example.org")
		assert.Equal(t, strings.ReplaceAll(string(withBase), base, "https://postmortems.example.org"), string(moved))
	})
	t.Run("an export of an earlier version gets the url, the diagrams and today's front matter", func(t *testing.T) {
		old := readTestdata(t, "v1-no-base-url.md")
		require.Contains(t, string(old), "\ndebrief_versions:\n")
		require.NotContains(t, string(old), "url:")
		require.NotContains(t, string(old), "diagram.svg")
		assert.Equal(t, string(withBase), string(Relink(old, base)))
		assert.Equal(t, string(noBase), string(Relink(old, "")))
	})
	t.Run("whys without a tree, and Markdown not from Debrief, stay as they are", func(t *testing.T) {
		empty := Render(emptyDoc(), Options{})
		assert.Equal(t, string(Render(emptyDoc(), Options{BaseURL: base})), string(Relink(empty, base)))
		for _, md := range []string{"# Pool exhausted\n", "---\ntitle: Notes\n---\n\n# Notes\n", "---\ndebrief_id: [\n---\n", ""} {
			assert.Equal(t, md, string(Relink([]byte(md), base)), "%q", md)
		}
	})
}

// An export of an earlier version (debrief_id and debrief_versions, no
// url) reads as today's does.
func TestParseEarlierFormat(t *testing.T) {
	old, err := Parse(readTestdata(t, "v1-no-base-url.md"))
	require.NoError(t, err)
	now, err := Parse(Render(completeDoc(), completeOptions()))
	require.NoError(t, err)
	assert.Equal(t, "https://debrief.example.com/incidents/42/postmortem", now.URL)
	assert.Empty(t, old.URL)
	now.URL = ""
	assert.Equal(t, withoutLines(now), withoutLines(old), "the same but for the line numbers")
	assert.EqualValues(t, 42, old.DebriefID)
	assert.Len(t, old.Versions, 2+len(model.Sections)+3+8+4)
	assert.Equal(t, 2, old.Versions["action.8"])
}

// withoutLines zeroes the line numbers of what p read.
func withoutLines(p *Parsed) *Parsed {
	for i := range p.Factors {
		p.Factors[i].Line = 0
	}
	for i := range p.Whys {
		p.Whys[i].Line = 0
	}
	for i := range p.Actions {
		p.Actions[i].Line = 0
	}
	for i := range p.Timeline {
		p.Timeline[i].Line = 0
	}
	return p
}
