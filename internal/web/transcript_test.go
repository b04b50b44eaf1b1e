package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const ircLog = `--- Day changed Sun Mar 08 2026
[23:58:01] <sam> checkout 5xx climbing on eu-west-1
[23:59:30] <priya> decision: fail over to eu-central-1
10:42 -!- bot has joined #inc-checkout
[00:03:12] <sam> failover done, error rate falling
`

func transcriptBody(t *testing.T, fields map[string]any) string {
	t.Helper()
	b, err := json.Marshal(fields)
	require.NoError(t, err)
	return string(b)
}

// commit after preview adds exactly the previewed entries, in UTC, and a
// second commit of the same transcript adds nothing.
func TestTranscriptPreviewThenCommit(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"Checkout 5xx","severity":"SEV2"}`)
	before := app.dbState()
	in := map[string]any{"text": ircLog, "format": "auto", "timezone": "Europe/Berlin"}
	rec := app.api(http.MethodPost, "/api/v1/incidents/1/transcript", transcriptBody(t, in))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, before, app.dbState(), "a preview writes nothing")
	var preview transcriptPreview
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &preview))
	assert.Equal(t, "irc", preview.Format)
	require.Len(t, preview.Entries, 3)
	assert.Equal(t, "2026-03-08T22:58:01.000Z", preview.Entries[0].OccurredAt, "read in Berlin, stored in UTC")
	assert.Equal(t, "decision", preview.Entries[1].Kind)
	assert.Equal(t, "2026-03-08T23:03:12.000Z", preview.Entries[2].OccurredAt, "past midnight: the next day")
	require.NotEmpty(t, preview.Skipped)
	assert.Contains(t, preview.Skipped[0].Text, "has joined")

	in["commit"] = true
	rec = app.api(http.MethodPost, "/api/v1/incidents/1/transcript", transcriptBody(t, in))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	var created struct {
		Created    []int64 `json:"created"`
		Duplicates int     `json:"duplicates"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &created))
	assert.Len(t, created.Created, 3)

	var got, want []string
	for _, e := range app.timelineJSON(1) {
		if e["author"] == "sam" || e["author"] == "priya" {
			got = append(got, fmt.Sprint(e["occurred_at"], " ", e["author"], " ", e["kind"], " ", e["body"]))
		}
	}
	for _, e := range preview.Entries {
		want = append(want, fmt.Sprint(e.OccurredAt, " ", e.Author, " ", e.Kind, " ", e.Body))
	}
	sort.Strings(got)
	sort.Strings(want)
	assert.Equal(t, want, got, "exactly the previewed entries")

	// Again: everything is a duplicate, nothing is added.
	rec = app.api(http.MethodPost, "/api/v1/incidents/1/transcript", transcriptBody(t, in))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &created))
	assert.Empty(t, created.Created)
	assert.Equal(t, 3, created.Duplicates)

	// The edited preview's entries can be sent back instead.
	rec = app.api(http.MethodPost, "/api/v1/incidents/1/transcript",
		`{"commit":true,"entries":[{"occurred_at":"2026-03-08T23:10:00Z","author":"sam","body":"all clear","kind":"communication"}]}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.Contains(t, bodies(app.timelineJSON(1)), "all clear")
}

func TestTranscriptRefusals(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	before := app.dbState()
	tests := []struct {
		name   string
		body   string
		status int
		field  string
	}{
		{"empty", `{"text":"   ","commit":true}`, 422, "text"},
		{"binary", `{"text":"\u0000\u0001\u0002PK\u0003\u0004","commit":true}`, 422, "text"},
		{"unknown zone", `{"text":"10:42 sam: hi","timezone":"Mars/Olympus_Mons"}`, 422, "timezone"},
		{"Local is not a zone", `{"text":"10:42 sam: hi","timezone":"Local"}`, 422, "timezone"},
		{"bad date", `{"text":"10:42 sam: hi","date":"08/03/2026"}`, 422, "date"},
		{"unknown format", `{"text":"10:42 sam: hi","format":"telegram"}`, 422, "format"},
		{"entries without commit", `{"entries":[]}`, 422, "commit"},
		{"no entries", `{"entries":[],"commit":true}`, 422, "entries"},
		{"bad entry time", `{"commit":true,"entries":[{"occurred_at":"10:42","body":"x"}]}`, 422, "entries[0].occurred_at"},
		{"unknown field", `{"text":"x","colour":"red"}`, 422, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := app.api(http.MethodPost, "/api/v1/incidents/1/transcript", tt.body)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			if tt.field != "" {
				assert.Contains(t, decode(t, rec)["fields"], tt.field, rec.Body.String())
			}
		})
	}
	// Invalid UTF-8 cannot travel in JSON; the form carries it.
	rec := app.form("/incidents/1/transcript", url.Values{"text": {"10:42 sam: caf\xe9 down"}, "action": {"preview"}})
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	// Over 8 MiB: 413.
	big := `{"text":"` + strings.Repeat("10:42 sam: padding the paste to be far too large\\n", 200_000) + `"}`
	rec = app.api(http.MethodPost, "/api/v1/incidents/1/transcript", big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	assert.Equal(t, http.StatusNotFound, app.api(http.MethodPost, "/api/v1/incidents/99/transcript", `{"text":"10:42 sam: x"}`).Code)
	assert.Equal(t, before, app.dbState(), "nothing written")
}

// DST in the chosen zone: a time that does not exist is skipped with the
// reason, one that happens twice is the earlier, flagged.
func TestTranscriptAcrossDST(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	for _, tt := range []struct {
		date, want string
		skipped    bool
	}{
		{"2026-03-29", "", true},
		{"2026-10-25", "2026-10-25T00:30:00.000Z", false},
	} {
		rec := app.api(http.MethodPost, "/api/v1/incidents/1/transcript", transcriptBody(t, map[string]any{
			"text": "02:30 sam: the batch job starts", "timezone": "Europe/Berlin", "date": tt.date, "format": "generic"}))
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var p transcriptPreview
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
		if tt.skipped {
			assert.Empty(t, p.Entries, tt.date)
			require.Len(t, p.Skipped, 1, tt.date)
			assert.Contains(t, p.Skipped[0].Reason, "exist", tt.date)
			continue
		}
		require.Len(t, p.Entries, 1, tt.date)
		assert.Equal(t, tt.want, p.Entries[0].OccurredAt)
		assert.True(t, p.Entries[0].Ambiguous)
		assert.NotEmpty(t, p.Entries[0].Note)
	}
}

// The page: paste, preview, drop a row, add the rest.
func TestTranscriptPageWithoutJavaScript(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	page := app.page("/incidents/1/transcript")
	assert.Contains(t, page, `<textarea id="text" name="text"`)
	rec := app.form("/incidents/1/transcript", url.Values{"text": {ircLog}, "timezone": {"Europe/Berlin"}, "action": {"preview"}})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	body := rec.Body.String()
	assert.Contains(t, body, `name="rows" value="3"`)
	assert.Contains(t, body, "Add 3 entries")
	assert.Contains(t, body, "has joined", "skipped lines are listed with their reason")

	form := url.Values{"action": {"add"}, "rows": {"3"}, "text": {ircLog}, "timezone": {"Europe/Berlin"}}
	for i, at := range []string{"2026-03-08T22:58:01.000Z", "2026-03-08T22:59:30.000Z", "2026-03-08T23:03:12.000Z"} {
		n := fmt.Sprint(i)
		form.Set("occurred_at_"+n, at)
		form.Set("author_"+n, "sam")
		form.Set("kind_"+n, "observation")
		form.Set("body_"+n, "row "+n)
		if i != 1 {
			form.Set("keep_"+n, "1") // the user dropped the second row
		}
	}
	form.Set("body_2", "row 2, edited")
	form.Set("learned_later_2", "1")
	rec = app.form("/incidents/1/transcript", form)
	assertRedirect(t, rec, "/incidents/1#timeline")
	got := bodies(app.timelineJSON(1))
	assert.Contains(t, got, "row 0")
	assert.NotContains(t, got, "row 1")
	assert.Contains(t, got, "row 2, edited")

	// A kept row with an empty text: the table comes back with the reason.
	form.Set("body_0", "")
	form.Set("occurred_at_0", "2026-03-08T21:00:00.000Z")
	rec = app.form("/incidents/1/transcript", form)
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, rec.Body.String(), "Row 1 text is required", "the error names the table's row")
}
