package web

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// pastedIRC is an irssi log of the night before browserClock, in Berlin
// (UTC+1 in November): it crosses midnight, and a join and a quit line
// are noise, not entries.
const pastedIRC = `[23:52:14] <sam> checkout 5xx alert firing in eu-west-1
[23:54:40] <priya> looking; gateway p99 is 2.4 s
[23:56:02] -!- dana [~dana@10.0.0.7] has joined #inc-checkout
[23:58:01] <sam> config push to eu-west-1 went out at 23:40
[23:59:30] <dana> decision: roll back the gateway config
[00:01:12] <priya> rollback started
[00:03:45] <sam> brb coffee
[00:06:20] <priya> error rate falling, 1.2% now
[00:09:05] <dana> all clear, watching for 15 min
[00:10:11] -!- sam [~sam@10.0.0.9] has quit [Quit: bye]`

// TestBrowserPasteChat pastes an IRC log into an open incident's "Paste
// chat" page as user A while user B watches the incident: A previews it
// (times read in Berlin, shown in UTC, the join line skipped with its
// reason), drops one row, edits another and adds the rest. A lands on the
// incident with them; B's page, never reloaded, shows them live, in
// occurred_at order. The preview fits a phone's screen.
func TestBrowserPasteChat(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return browserClock }))
	alice, bob := app.ids[model.RoleEditor].user, app.ids[model.RoleAdmin].user
	id := jsonID(t, app.createIncident(jsonBody(map[string]any{"title": "Checkout 5xx in eu-west-1", "severity": "SEV2"})))
	app.appendEntry(id, jsonBody(map[string]any{"occurred_at": "2026-11-21T23:05:00Z", "body": "seed: support sees failed payments"}))
	base := serve(t, app)
	incidentURL := fmt.Sprintf("%s/incidents/%d", base, id)
	shots := os.Getenv("DEBRIEF_SCREENSHOTS")

	a := newBrowser(t)
	b := newBrowserContext(t, a)
	signInBrowser(t, a, base, alice.Email)
	signInBrowser(t, b, base, bob.Email)
	aErrors, bErrors := watchConsole(a), watchConsole(b)
	desktop := chromedp.EmulateViewport(1280, 900, chromedp.EmulateScale(1))
	for _, ctx := range []context.Context{a, b} {
		require.NoError(t, chromedp.Do(ctx, desktop))
		_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Navigate(incidentURL)))
		require.NoError(t, err, "open the incident")
	}
	require.NoError(t, chromedp.Do(b, chromedp.Evaluate[chromedp.Void](`window.__notReloaded = true`)))
	waitJS(t, b, "B is connected", `document.querySelector('#live .live-status').textContent === 'live'`)

	// A opens the chat panel and follows its link.
	require.NoError(t, chromedp.Do(a, chromedp.Click(chromedp.CSS(`details#chat > summary`))))
	waitJS(t, a, "the chat panel opens", `document.querySelector('details#chat').open`)
	_, err := chromedp.Run(a, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`details#chat a[href$="/transcript"]`))))
	require.NoError(t, err, "follow Paste chat")
	assert.Equal(t, "Paste chat", evalJS[string](t, a, `document.querySelector('h1').textContent`))
	assert.Equal(t, viewerZone, evalJS[string](t, a, `document.querySelector('#timezone').value`), "the zone defaults to the browser's")

	// Paste (text arrives as one insertion, as from the clipboard), then
	// the chat's zone and day.
	require.NoError(t, chromedp.Do(a, focusJS(`#text`)))
	_, err = chromedp.Call(a, input.InsertText, input.InsertTextParams{Text: pastedIRC})
	require.NoError(t, err, "paste")
	require.NoError(t, chromedp.Do(a,
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#timezone').select()`), chromedp.KeyEvent("Europe/Berlin"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#date').value = '2026-11-21'`),
	))
	_, err = chromedp.Run(a, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`button[name=action][value=preview]`))))
	require.NoError(t, err, "preview")

	type row struct {
		At     string `json:"at"`
		Author string `json:"author"`
		Body   string `json:"body"`
		Keep   bool   `json:"keep"`
	}
	rows := evalJS[[]row](t, a, `[...document.querySelectorAll('table.preview-table tbody tr')].map(tr => ({
		at: tr.querySelector('input[name^="occurred_at_"]').value,
		author: tr.querySelector('input[name^="author_"]').value,
		body: tr.querySelector('textarea[name^="body_"]').value,
		keep: tr.querySelector('input[name^="keep_"]').checked,
	}))`)
	require.Len(t, rows, 8, "every message is a row: %v", rows)
	for _, r := range rows {
		assert.True(t, r.Keep, "%q is ticked to keep", r.Body)
	}
	// 00:01:12 in Berlin on the 22nd: the day rolled over at midnight.
	rollback := slices.IndexFunc(rows, func(r row) bool { return r.Body == "rollback started" })
	require.GreaterOrEqual(t, rollback, 0, "rows: %v", rows)
	assert.Equal(t, "2026-11-21T23:01:12.000Z", rows[rollback].At, "stored in UTC")
	assert.Equal(t, "priya", rows[rollback].Author)
	assert.Equal(t, "2026-11-21T22:52:14.000Z", rows[0].At, "the first message")
	// The row shows the UTC time the house way, so app.js adds the
	// viewer's local time beside it.
	assert.Equal(t, "2026-11-21 23:01:12 UTC", evalJS[string](t, a, fmt.Sprintf(
		`document.querySelector('#row-%d time[datetime="2026-11-21T23:01:12Z"]').textContent`, rollback)), "the row shows the UTC time")
	kinds := evalJS[[]string](t, a, `[...document.querySelectorAll('table.preview-table select[name^="kind_"]')].map(s => s.value)`)
	assert.Equal(t, "decision", kinds[slices.IndexFunc(rows, func(r row) bool { return r.Author == "dana" })], "a leading decision: sets the kind")

	type skipped struct{ Line, Text, Why string }
	skips := evalJS[[]skipped](t, a, `[...document.querySelectorAll('table.skipped-table tbody tr')].map(tr =>
		(c => ({Line: c[0].textContent.trim(), Text: c[1].textContent.trim(), Why: c[2].textContent.trim()}))(tr.cells))`)
	assert.Contains(t, skips, skipped{"3", "[23:56:02] -!- dana [~dana@10.0.0.7] has joined #inc-checkout", "join/leave"}, "skipped lines")
	assert.Len(t, skips, 2, "the join and the quit line: %v", skips)
	addButton := `document.querySelector('button[data-add-count]').textContent.trim()`
	assert.Equal(t, "Add 8 entries", evalJS[string](t, a, addButton))

	if shots != "" {
		screenshots(t, a, filepath.Join(shots, "transcript-preview-1280"))
	}
	// The preview on a phone: nothing wider than the screen.
	require.NoError(t, chromedp.Do(a, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1),
		chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)))
	waitJS(t, a, "the phone's width", `document.documentElement.clientWidth === 390`)
	assert.Empty(t, evalJS[[]string](t, a, overflowJS), "preview at 390 px: elements wider than the viewport")
	if shots != "" {
		screenshots(t, a, filepath.Join(shots, "transcript-preview-390"))
	}
	require.NoError(t, chromedp.Do(a, desktop))
	waitJS(t, a, "the desktop's width", `document.documentElement.clientWidth === 1280`)

	// Drop one row: the button counts what is left.
	coffee := slices.IndexFunc(rows, func(r row) bool { return r.Body == "brb coffee" })
	require.GreaterOrEqual(t, coffee, 0)
	require.NoError(t, chromedp.Do(a, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=keep_%d]`, coffee)))))
	waitJS(t, a, "the button counts 7", addButton+` === 'Add 7 entries'`)
	// Edit another.
	const edited = "rollback of the gateway config started (eu-west-1 first)"
	require.NoError(t, chromedp.Do(a,
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('textarea[name=body_%d]').select()`, rollback)),
		chromedp.KeyEvent(edited),
	))
	before := len(entryTexts(t, b))
	start := time.Now()
	_, err = chromedp.Run(a, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`button[data-add-count]`))))
	require.NoError(t, err, "add")
	loc, err := chromedp.Run(a, chromedp.Location())
	require.NoError(t, err)
	assert.Equal(t, incidentURL+"#timeline", loc, "A is back on the incident")

	want := []string{
		"checkout 5xx alert firing in eu-west-1",
		"looking; gateway p99 is 2.4 s",
		"config push to eu-west-1 went out at 23:40",
		"roll back the gateway config",
		edited,
		"error rate falling, 1.2% now",
		"all clear, watching for 15 min",
	}
	// B sees them without reloading: every kept entry, the dropped and
	// the unedited text nowhere.
	has := func(body string) string {
		return fmt.Sprintf(`[...document.querySelectorAll('#timeline li.entry .entry-body')].some(el => el.textContent.trim() === %q)`, body)
	}
	for _, body := range want {
		took := waitLive(t, b, "B sees "+body, has(body), start)
		assert.LessOrEqual(t, took, 3*time.Second, "B saw %q after %s", body, took)
	}
	for name, ctx := range map[string]context.Context{"A": a, "B": b} {
		got := entryTexts(t, ctx)
		for _, body := range want {
			assert.Contains(t, got, body, "%s: on the timeline", name)
		}
		assert.NotContains(t, got, "brb coffee", "%s: the dropped row is not added", name)
		assert.NotContains(t, got, "rollback started", "%s: the row is added as edited", name)
		assert.Len(t, got, before+len(want), "%s: what was there and the 7 kept entries: %v", name, got)
		ms := evalJS[[]float64](t, ctx, `[...document.querySelectorAll('#timeline li.entry')].map(li => Number(li.dataset.ms))`)
		assert.True(t, slices.IsSortedFunc(ms, func(x, y float64) int { return cmp.Compare(y, x) }),
			"%s: newest first by occurred_at: %v", name, ms)
		// The seed (23:05 UTC) sits between 23:01:12 and 23:06:20.
		i := slices.Index(got, "seed: support sees failed payments")
		if assert.True(t, i > 0 && i < len(got)-1, "%s: seed inside the chat: %v", name, got) {
			assert.Equal(t, "error rate falling, 1.2% now", got[i-1], "%s: above the seed", name)
			assert.Equal(t, edited, got[i+1], "%s: below the seed", name)
		}
	}
	assert.Equal(t, entryTexts(t, a), entryTexts(t, b), "A and B show the same timeline")
	assert.True(t, evalJS[bool](t, b, `window.__notReloaded === true`), "B's page was not reloaded")

	assert.Empty(t, aErrors(), "A: console errors, exceptions or CSP violations")
	assert.Empty(t, bErrors(), "B: console errors, exceptions or CSP violations")
}
