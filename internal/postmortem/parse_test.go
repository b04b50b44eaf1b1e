package postmortem

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// readTestdata reads a file of testdata.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func readForeign(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "foreign", name))
	require.NoError(t, err)
	return b
}

func TestParseBadInput(t *testing.T) {
	golden := string(Render(completeDoc(), completeOptions()))
	oldFormat := string(readTestdata(t, "v1-no-base-url.md"))
	tests := []struct {
		name string
		src  string
		want string // in the error
		line int
	}{
		{"malformed front matter", "---\ndebrief_id: 42\ntitle: [unclosed\n---\n# x\n", "the front matter is not valid YAML", 0},
		{"front matter never closed", "---\ndebrief_id: 42\ntitle: x\n\n# x\n\n## Summary\n", "never closed", 1},
		{"the id is a string", strings.Replace(golden, "  id: 42", "  id: forty-two", 1), `debrief.id must be a whole number (got "forty-two")`, 20},
		{"front matter is a list", "---\n- a\n- b\n---\n", "must be lines of key: value", 2},
		{"a milestone without an offset", strings.Replace(golden, "started_at: 2026-11-22T23:41:00Z", "started_at: 2026-11-22T23:41:00", 1), "started_at", 8},
		{"services is not a list", strings.Replace(golden, "services: [checkout, payments-db]", "services: {a: 1}", 1), "services must be a list", 6},
		{"the sections' versions are a list", regexp.MustCompile(`sections: \{[^}]*\}`).ReplaceAllString(golden, "sections: [1, 2]"), "debrief.sections must be a map of part: version", 22},
		{"an unknown section's version", strings.Replace(golden, "{summary: 1,", "{summry: 1,", 1), `debrief.sections: "summry" is not a section`, 22},
		{"a factor version keyed by name", strings.Replace(golden, "factors: {3: 2,", "factors: {db: 2,", 1), `debrief.factors: "db" is not a factor number`, 23},
		{"a negative version", strings.Replace(golden, "actions: {7: 3,", "actions: {7: -3,", 1), "debrief.actions.7 must be a version number (got -3)", 25},
		{"a version twice", strings.Replace(golden, "whys: {10: 1,", "whys: {10: 1, 10: 2,", 1), "debrief.whys: 10 appears twice", 24},
		{"both layouts of the ids", strings.Replace(golden, "debrief:\n", "debrief_id: 42\ndebrief:\n", 1), "keep only debrief", 0},
		{"the old debrief_id is a string", strings.Replace(oldFormat, "debrief_id: 42", "debrief_id: forty-two", 1), `debrief_id must be a whole number (got "forty-two")`, 2},
		{"an old version is not a number", strings.Replace(oldFormat, "  factor.3: 2", "  factor.3: two", 1), `debrief_versions.factor.3 must be a whole number`, 20},
		{"invalid UTF-8", "# Title\n\n## Summary\nok\n\xff\xfe bad\n", "not valid UTF-8", 5},
		{"an action row with an unknown id", strings.Replace(golden, "| A8 |", "| #8 |", 1), `the id "#8" is not A followed by a number`, 148},
		{"an action id twice", strings.Replace(golden, "| A8 |", "| A9 |", 1), "A9 appears twice", 148},
		{"an unknown action status", strings.Replace(golden, "| in progress |", "| blocked |", 1), `unknown status "blocked"`, 148},
		{"a bad due date", strings.Replace(golden, "| 2027-01-15 |", "| next week |", 1), "due date", 148},
		{"a duplicated section marker", strings.Replace(golden, "<!-- debrief:section trigger -->", "<!-- debrief:section summary -->", 1),
			"<!-- debrief:section summary --> appears twice (also on line 34)", 120},
		{"a duplicated factor marker", strings.Replace(golden, "<!-- debrief:factor 4 -->", "<!-- debrief:factor 3 -->", 1), "appears twice (also on line 79)", 86},
		{"a timeline time without offset", strings.Replace(golden, "| 2026-11-23T00:21:03Z |", "| 2026-11-23 00:21 |", 1), "needs a UTC offset", 190},
		{"NUL", "# a\x00b\n", "NUL", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.src))
			require.Error(t, err)
			assert.Nil(t, p)
			assert.Contains(t, err.Error(), tt.want)
			var pe *ParseError
			require.True(t, errors.As(err, &pe))
			assert.Equal(t, tt.line, pe.Line, err.Error())
		})
	}
}

func TestParseLimits(t *testing.T) {
	t.Run("50 MB", func(t *testing.T) {
		big := bytes.Repeat([]byte("# a heading and some text\n"), 50<<20/26)
		_, err := Parse(big)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "at most 10 MiB can be imported")
	})
	t.Run("just under the size limit", func(t *testing.T) {
		src := bytes.Repeat([]byte("x"), MaxImportSize)
		_, err := Parse(src)
		require.NoError(t, err)
	})
	t.Run("too many table rows", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("# Incident\n\n## Timeline\n\n| Time | Event |\n| --- | --- |\n")
		for i := 0; i <= MaxImportTableRows; i++ {
			b.WriteString("| 2026-11-22T10:00:00Z | row |\n")
		}
		_, err := Parse([]byte(b.String()))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "more than 5000 table rows")
	})
}

func TestParseForeignWikiPage(t *testing.T) {
	p, err := Parse(readForeign(t, "wiki.md"))
	require.NoError(t, err)
	assert.Zero(t, p.DebriefID)
	assert.Equal(t, "Payment API outage, 4 March", p.Title)
	assert.Equal(t, "The payment API returned 503s for 40 minutes after a certificate expired.", p.Sections["summary"])
	assert.Equal(t, "- 12% of card payments failed between 09:12 and 09:52 UTC.\n- No data was lost.\n\n### Numbers\n\n"+
		"| Metric | Value |\n| --- | --- |\n| Failed payments | 3,402 |", p.Sections["impact"], "a sub-heading stays in its section")
	assert.Equal(t, "1. The internal CA certificate expired.\n2. Expiry alerts went to a mailing list nobody reads.", p.FactorsText)
	assert.Equal(t, "Certificates are dependencies with a due date.", p.Sections["lessons"])
	assert.Equal(t, "The rollback plan was written down.", p.Sections["went_well"])
	assert.Equal(t, "Nobody knew who owned the CA.", p.Sections["went_wrong"])
	assert.NotContains(t, p.Sections, model.SectionKey("trigger"))

	require.Len(t, p.Timeline, 3, "the row without an offset is skipped")
	assert.Equal(t, time.Date(2025, 3, 4, 9, 12, 0, 0, time.UTC), p.Timeline[0].OccurredAt)
	assert.Equal(t, "First 503s from the payment API", p.Timeline[0].Body)
	assert.Equal(t, "monitoring", p.Timeline[0].Author)
	assert.Equal(t, model.KindObservation, p.Timeline[0].Kind)
	assert.Equal(t, time.Date(2025, 3, 4, 9, 15, 0, 0, time.UTC), p.Timeline[1].OccurredAt)
	assert.Equal(t, time.Date(2025, 3, 4, 9, 30, 0, 0, time.UTC), p.Timeline[2].OccurredAt, "converted to UTC")
	assert.Equal(t, "Certificate rotated | traffic recovering", p.Timeline[2].Body)

	require.Len(t, p.Actions, 3)
	assert.Equal(t, ParsedAction{Title: "Rotate the certificate", Status: model.ActionDone, Line: p.Actions[0].Line}, p.Actions[0])
	assert.Equal(t, "Alert on certificate expiry 30 days ahead", p.Actions[1].Title)
	assert.Equal(t, model.ActionOpen, p.Actions[1].Status)
	assert.Zero(t, p.Actions[1].ID)

	notes := strings.Join(p.Notes, "\n")
	assert.Contains(t, notes, `section "Glossary" is not one Debrief knows; skipped`)
	assert.Contains(t, notes, `its time "09:20" was not understood (has no date and no UTC offset`)
	assert.Contains(t, notes, `"TL;DR" read as Summary`)
	assert.Contains(t, notes, "the text before the first section was skipped")
}

func TestParseForeignGoogleDoc(t *testing.T) {
	p, err := Parse(readForeign(t, "google-doc.md"))
	require.NoError(t, err)
	assert.Equal(t, "Checkout latency incident", p.Title, "a setext heading")
	assert.Equal(t, "Checkout p99 latency rose to 9 s for an hour after a cache node was replaced.", p.Sections["summary"])
	assert.Contains(t, p.Sections["detection"], "## nor is this\n```", "headings inside code are text")

	require.Len(t, p.Timeline, 2)
	assert.Equal(t, model.KindDeploy, p.Timeline[0].Kind)
	assert.Equal(t, "Cache node `cache-3` replaced", p.Timeline[0].Body)
	assert.Equal(t, model.KindCommunication, p.Timeline[1].Kind)

	require.Len(t, p.Actions, 3)
	assert.Equal(t, ParsedAction{Title: "Warm caches before they take traffic", Owner: "Ada", Due: date("2025-07-01"),
		Status: model.ActionInProgress, TrackerURL: "https://jira.example.com/browse/OPS-12", Line: p.Actions[0].Line}, p.Actions[0])
	assert.Equal(t, model.ActionDone, p.Actions[1].Status)
	assert.True(t, p.Actions[2].Due.IsZero(), "\"soon\" is not a date")
	notes := strings.Join(p.Notes, "\n")
	assert.Contains(t, notes, `due date: must be a date written as YYYY-MM-DD (got "soon"); left empty`)
	assert.Contains(t, notes, `"yesterday afternoon" was not understood`)
}

func TestParsePlainNotes(t *testing.T) {
	p, err := Parse(readForeign(t, "notes.md"))
	require.NoError(t, err)
	assert.Zero(t, p.DebriefID)
	assert.Empty(t, p.Title)
	assert.True(t, strings.HasPrefix(p.Sections["summary"], "Quick notes from the call"))
	assert.Contains(t, p.Notes, "no known section headings: the whole text was read as the summary")
}

// A wiki edits the export: Windows line endings, a renamed heading, a
// blank line between a heading and its marker, a new action row, a
// changed status, text added to a section.
func TestParseEditedInWiki(t *testing.T) {
	src := string(Render(completeDoc(), completeOptions()))
	src = strings.Replace(src, "## Summary\n<!--", "## TL;DR\n\n<!--", 1)
	src = strings.Replace(src, "| A8 | Add connection limits to the load-test profile | prevent | Lee Chen | 2027-01-15 | in progress |",
		"| A8 | Add connection limits to the load-test profile | prevent | Lee Chen | 2027-01-15 | done |", 1)
	src = strings.Replace(src, "\n\nDetails:", "\n|  | Review the retry policy of every checkout client | process | Ana Souza | 2027-02-01 | open | medium |  |\n\nDetails:", 1)
	src = strings.Replace(src, "the duplicate attempts.\n", "the duplicate attempts.\n\nAdded in the wiki.\n", 1)
	src = strings.ReplaceAll(src, "\n", "\r\n")

	p, err := Parse([]byte(src))
	require.NoError(t, err)
	assert.Equal(t, int64(42), p.DebriefID)
	assert.Equal(t, completeDoc().Postmortem.Body("summary"), p.Sections["summary"])
	assert.True(t, strings.HasSuffix(p.Sections["impact"], "duplicate attempts.\n\nAdded in the wiki."))
	require.Len(t, p.Actions, 5)
	assert.Equal(t, model.ActionDone, p.Actions[2].Status)
	assert.Equal(t, ParsedAction{Title: "Review the retry policy of every checkout client", Owner: "Ana Souza",
		Due: date("2027-02-01"), Type: model.ActionProcess, Priority: model.PriorityMedium, Status: model.ActionOpen,
		Line: p.Actions[4].Line}, p.Actions[4])
	assert.Equal(t, 3, p.Versions["action.7"])
	assert.Equal(t, 7, p.Versions["postmortem"])
}

// A wiki that drops HTML comments leaves the headings: Parse still finds
// the sections and the action items by their names, ids included.
func TestParseWithoutMarkers(t *testing.T) {
	src := Render(completeDoc(), completeOptions())
	stripped := commentRE.ReplaceAll(src, nil)
	p, err := Parse(stripped)
	require.NoError(t, err)
	assert.Equal(t, int64(42), p.DebriefID)
	for _, s := range model.Sections {
		assert.Equal(t, completeDoc().Postmortem.Body(s.Key), p.Sections[s.Key], s.Key)
	}
	require.Len(t, p.Actions, 4)
	assert.Equal(t, int64(9), p.Actions[0].ID)
	require.Len(t, p.Timeline, 8)
	assert.Contains(t, p.Notes, "no debrief markers found (a wiki may have dropped them): parts were matched by their headings")
}

func TestParseTimesOutOfRange(t *testing.T) {
	p, err := Parse([]byte("## Timeline\n\n| Time | Event |\n| --- | --- |\n| 0000-01-01T00:30:00+01:00 | a |\n| 9999-12-31T23:30:00-01:00 | b |\n| 1970-01-01T00:00:00Z | c |\n"))
	require.NoError(t, err)
	require.Len(t, p.Timeline, 1)
	assert.Equal(t, "c", p.Timeline[0].Body)
	assert.Contains(t, strings.Join(p.Notes, "\n"), "must be between 1970 and 9999")

	golden := string(Render(completeDoc(), completeOptions()))
	_, err = Parse([]byte(strings.Replace(golden, "started_at: 2026-11-22T23:41:00Z", "started_at: 0000-01-01T00:00:00+00:30", 1)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "started_at")
}

func TestParseFrontMatterOnlyTitle(t *testing.T) {
	p, err := Parse([]byte("---\ntitle: Hugo page\ndate: 2025-01-01\ndraft: true\n---\n\n## Summary\n\nText.\n"))
	require.NoError(t, err)
	assert.Zero(t, p.DebriefID)
	assert.Equal(t, "Hugo page", p.Title)
	assert.Equal(t, "Text.", p.Sections["summary"])
	assert.Contains(t, p.Notes, "front matter keys not used: date, draft")
}

func TestEscapesAreInverses(t *testing.T) {
	texts := []string{
		"", "plain", `\`, `\\`, `\|`, `\\|`, "|", "||", "a | b", "<br>", `\<br>`, `\\<br>`, "\n", "\\\n", "a\nb\\",
		"<!-- debrief:section x -->", "<!-- debrief!:x", "<!--debrief!!!:", "*_`#[]<>~&amp;&#123;", "R&D", "1. x", "- x",
		"trailing \\", "tab\there", "ünïcödé → ✓", "\\\\\\|\\<br>\n|",
	}
	for _, s := range texts {
		assert.Equal(t, s, unescapePlain(escapePlain(s)), "plain %q", s)
		assert.NotContains(t, strings.ReplaceAll(escapePlain(s), `\|`, ""), "|", "plain %q", s)
		assert.Equal(t, s, decodeMarkdownCell(escapeMarkdownCell(s)), "markdown cell %q", s)
		assert.NotContains(t, escapeMarkdownCell(s), "\n")
		assert.Equal(t, s, unescapeMarkers(escapeMarkers(s)), "markers %q", s)
		assert.NotRegexp(t, `<!--\s*debrief:`, escapeMarkers(s))
		for _, cell := range []string{escapePlain(s), escapeMarkdownCell(s)} {
			row := splitCells("| " + cell + " | x |")
			require.Len(t, row, 2, "cell %q", cell)
			assert.Equal(t, strings.Trim(cell, " \t"), row[0])
		}
	}
}

// FuzzParse checks that Parse never panics, and that whatever it reads
// renders and reads back the same.
// smallSeeds cuts a Markdown document at its "## " headings into parts of
// at most limit bytes (cut at a line end), each one a fuzz seed.
func smallSeeds(doc []byte, limit int) [][]byte {
	var out [][]byte
	for i, part := range bytes.Split(doc, []byte("\n## ")) {
		if i > 0 {
			part = append([]byte("## "), part...)
		}
		if len(part) > limit {
			part = part[:limit]
			if nl := bytes.LastIndexByte(part, '\n'); nl > 0 {
				part = part[:nl+1]
			}
		}
		out = append(out, part)
	}
	return out
}

func FuzzParse(f *testing.F) {
	// Small seeds: the worker minimises every new input, and on a whole
	// 8 KB rendering that takes minutes, so the fuzzer barely ran. Each
	// document is cut into its parts instead (front matter, one section).
	docs := [][]byte{Render(completeDoc(), completeOptions()), Render(hostileDoc(), completeOptions()), Render(emptyDoc(), Options{})}
	for _, name := range []string{"wiki.md", "google-doc.md", "notes.md"} {
		docs = append(docs, readForeign(f, name))
	}
	for _, doc := range docs {
		for _, seed := range smallSeeds(doc, 512) {
			f.Add(seed)
		}
	}
	f.Add([]byte("---\ndebrief_id: 1\n---\n## S\n<!-- debrief:section summary -->\n\n```\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := Parse(src)
		if err != nil {
			return
		}
		doc := docFromParsed(p)
		out := Render(doc, Options{BaseURL: "https://d.example", Revision: p.Revision, PublishedAt: p.PublishedAt})
		again, err := Parse(out)
		require.NoError(t, err, "a rendering must parse:\n%s", out)
		for _, s := range model.Sections {
			assert.Equal(t, doc.Postmortem.Body(s.Key), again.Sections[s.Key], "section %s", s.Key)
		}
		require.Len(t, again.Actions, len(doc.Actions))
		for i, a := range doc.Actions {
			assert.Equal(t, a.ID, again.Actions[i].ID)
			assert.Equal(t, strings.TrimSpace(a.Title), strings.TrimSpace(again.Actions[i].Title))
		}
		require.Len(t, again.Factors, len(doc.Factors))
		require.Len(t, again.Timeline, len(doc.Timeline))
		for i, e := range doc.Timeline {
			assert.Equal(t, strings.TrimSpace(e.Body), strings.TrimSpace(again.Timeline[i].Body))
		}
		var whys int
		walkWhys(doc.Whys, func(*model.WhyNode, int) { whys++ })
		require.Len(t, again.Whys, whys)
	})
}

// docFromParsed builds the document an import of p would give.
func docFromParsed(p *Parsed) *store.Document {
	id := max(p.DebriefID, 1)
	inc := &model.Incident{ID: id, Title: p.Title, Severity: p.Severity, Status: p.Status, Services: p.Services, Tags: p.Tags,
		StartedAt: p.StartedAt, DetectedAt: p.DetectedAt, AcknowledgedAt: p.AcknowledgedAt, MitigatedAt: p.MitigatedAt, ResolvedAt: p.ResolvedAt}
	pm := &model.Postmortem{IncidentID: id, Status: p.PostmortemStatus, Facilitator: p.Facilitator, Authors: p.Authors,
		Reviewers: p.Reviewers, Sections: map[model.SectionKey]model.PostmortemSection{}}
	for k, body := range p.Sections {
		pm.Sections[k] = model.PostmortemSection{Key: k, Body: body}
	}
	doc := &store.Document{Incident: inc, Postmortem: pm}
	next := int64(1_000_000) // ids for the parts added outside Debrief
	newID := func(id int64) int64 {
		if id != 0 {
			return id
		}
		next++
		return next
	}
	for _, f := range p.Factors {
		doc.Factors = append(doc.Factors, model.Factor{ID: newID(f.ID), Title: f.Title, Category: f.Category,
			IsTrigger: f.IsTrigger, Description: f.Description})
	}
	nodes := make([]*model.WhyNode, len(p.Whys))
	for i, w := range p.Whys {
		nodes[i] = &model.WhyNode{ID: newID(w.ID), Text: w.Text}
		if w.Parent >= 0 && w.Parent < i {
			nodes[w.Parent].Children = append(nodes[w.Parent].Children, nodes[i])
		} else {
			doc.Whys = append(doc.Whys, nodes[i])
		}
	}
	for _, a := range p.Actions {
		doc.Actions = append(doc.Actions, model.ActionItem{ID: newID(a.ID), Title: a.Title, Description: a.Description,
			Owner: a.Owner, Due: a.Due, Type: a.Type, Priority: a.Priority, Status: a.Status, ClosureNote: a.ClosureNote,
			EvidenceURL: a.EvidenceURL, Rationale: a.Rationale, TrackerURL: a.TrackerURL})
	}
	for _, e := range p.Timeline {
		doc.Timeline = append(doc.Timeline, model.TimelineEntry{OccurredAt: e.OccurredAt, Kind: e.Kind, Body: e.Body,
			Author: e.Author, LearnedLater: e.LearnedLater, EvidenceURL: e.EvidenceURL})
	}
	return doc
}

// Names and titles come back from the front matter exactly, whatever YAML
// would make of them unquoted.
func TestFrontMatterRoundTrip(t *testing.T) {
	odd := []string{"null", "~", "true", "no", "1e3", "0x10", "2026-11-22", "2026-11-22T10:00:00Z", "- x", "? x", "# x",
		"&a", "*a", "!x", "%x", "@x", "`x`", ": x", "a: b", "[a, b]", "{a}", "a, b", "  spaces  ", "tab\tx", "a\nb",
		"---", "...", "\u0085nel", "line\u2028sep", "\ufeffbom", "ctl\x01\x1f", "'quote'", `"dq"`, `back\slash`, "ünï ✓", ""}
	for _, s := range odd {
		doc := emptyDoc()
		doc.Incident.Title, doc.Incident.Severity = s, s
		doc.Incident.Services, doc.Incident.Tags = []string{s, "x"}, []string{s}
		doc.Postmortem.Facilitator, doc.Postmortem.Authors = s, []string{s}
		p, err := Parse(Render(doc, Options{}))
		require.NoError(t, err, "%q", s)
		assert.Equal(t, []any{s, s, []string{s, "x"}, []string{s}, s, []string{s}},
			[]any{p.Title, p.Severity, p.Services, p.Tags, p.Facilitator, p.Authors}, "%q", s)
	}
}
