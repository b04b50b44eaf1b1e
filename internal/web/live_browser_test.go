package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// liveWithin is how soon every other viewer must see a change.
const liveWithin = time.Second

// newBrowserContext opens a tab in a new browser context of the browser
// that ctx runs in: its own cookies and storage, as a second person on
// another machine would have, without starting a second chromium.
func newBrowserContext(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	other, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel) // registered after newBrowser's cleanup, so it runs first
	require.NoError(t, chromedp.Do(other), "open a second browser context")
	_, err := chromedp.Call(other, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: viewerZone})
	require.NoError(t, err, "set time zone")
	return other
}

// newTab opens another tab in ctx's browser context (same cookies).
func newTab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	require.NoError(t, chromedp.Do(tab), "open a tab")
	return tab
}

// waitLive waits until expr is true in the page and reports how long that
// took from since; it fails the test when it never becomes true.
func waitLive(t *testing.T, ctx context.Context, what, expr string, since time.Time) time.Duration {
	t.Helper()
	waitJS(t, ctx, what, expr)
	took := time.Since(since)
	t.Logf("%s: %s", what, took.Round(time.Millisecond))
	return took
}

// firstScreen saves what the viewer sees at the top of the page: the
// viewport only, with sticky elements where the screen puts them (a
// full-page capture grows the viewport and moves them).
func firstScreen(t *testing.T, ctx context.Context, file string) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)))
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err, "screenshot %s", file)
	require.NoError(t, os.WriteFile(file, png, 0o644))
}

// entryTexts lists the timeline's entry bodies in DOM order.
func entryTexts(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return evalJS[[]string](t, ctx, `[...document.querySelectorAll('#timeline ol.timeline > li.entry .entry-body')].map(el => el.textContent.trim())`)
}

// TestBrowserLiveRoom opens one open incident in two browser contexts,
// signed in as two people. What A does (an entry, a back-dated entry, a
// status change, a contributing factor) reaches B's page within a second,
// in its place, without a reload; both see who is here. A page of B's
// that is out of date (scripts off, so it cannot follow) then presses a
// status button: it gets the incident page back with what changed and
// who changed it, never an error page.
func TestBrowserLiveRoom(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return browserClock }))
	alice, bob := app.ids[model.RoleEditor].user, app.ids[model.RoleAdmin].user
	require.NotEqual(t, alice.Name, bob.Name)
	const title = "Checkout 502s in eu-west-1"
	id := jsonID(t, app.createIncident(jsonBody(map[string]any{"title": title, "severity": "SEV2"})))
	// Earlier entries, so that a back-dated one has somewhere to go.
	seeded := []struct{ at, body string }{
		{"2026-11-22T00:00:00Z", "seed 00:00: error budget alert"},
		{"2026-11-22T00:20:00Z", "seed 00:20: gateway 502s climb"},
		{"2026-11-22T00:40:00Z", "seed 00:40: config push to every region"},
		{"2026-11-22T01:10:00Z", "seed 01:10: paged the gateway team"},
		{"2026-11-22T01:45:00Z", "seed 01:45: rollback started"},
		{"2026-11-22T02:10:00Z", "seed 02:10: error rate falling"},
	}
	for _, e := range seeded {
		app.appendEntry(id, jsonBody(map[string]any{"occurred_at": e.at, "body": e.body}))
	}
	base := serve(t, app)
	incidentURL := fmt.Sprintf("%s/incidents/%d", base, id)

	a := newBrowser(t)
	b := newBrowserContext(t, a)
	signInBrowser(t, a, base, alice.Email)
	signInBrowser(t, b, base, bob.Email)
	aErrors, bErrors := watchConsole(a), watchConsole(b)
	for _, ctx := range []context.Context{a, b} {
		require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900, chromedp.EmulateScale(1))))
		_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Navigate(incidentURL)))
		require.NoError(t, err, "open the incident")
	}
	// A marker that a reload would lose.
	require.NoError(t, chromedp.Do(b, chromedp.Evaluate[chromedp.Void](`window.__notReloaded = true`)))
	settled := func(ctx context.Context, what string) {
		t.Helper()
		waitJS(t, ctx, what+" (htmx settled)", `!document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')
			&& document.querySelector('form#quick-entry')['htmx-internal-data']
			&& [...document.querySelectorAll('#analysis form[hx-post]')].every(f => f['htmx-internal-data'])`)
	}

	// Presence and the connection indicator, on both pages.
	for _, v := range []struct {
		name string
		ctx  context.Context
	}{{"A", a}, {"B", b}} {
		waitJS(t, v.ctx, v.name+": both viewers listed", fmt.Sprintf(
			`(t => t.includes(%q) && t.includes(%q))(document.querySelector('#live .presence').textContent)`, alice.Name, bob.Name))
		assert.Equal(t, "live", evalJS[string](t, v.ctx, `document.querySelector('#live .live-status').textContent`), "%s: connection indicator", v.name)
		assert.False(t, evalJS[bool](t, v.ctx, `document.querySelector('#live').hidden`), "%s: the live bar shows", v.name)
	}
	assert.Equal(t, "newest", evalJS[string](t, b, `document.querySelector('#timeline ol.timeline').dataset.order`), "open incident: newest first")
	before := len(entryTexts(t, b))

	// addEntry types an entry into A's quick-entry box and saves it with
	// Enter; it returns when A pressed Enter.
	addEntry := func(at, body string) time.Time {
		t.Helper()
		settled(a, "before "+body)
		require.NoError(t, chromedp.Do(a,
			focusJS(`form#quick-entry input[name=at]`), chromedp.KeyEvent(at),
			focusJS(`form#quick-entry textarea[name=body]`), chromedp.KeyEvent(body),
		), body)
		start := time.Now()
		require.NoError(t, chromedp.Do(a, press('\r')), body)
		return start
	}
	// arrived is true in a page once the entry with body is in its timeline.
	arrived := func(body string) string {
		return fmt.Sprintf(`[...document.querySelectorAll('#timeline ol.timeline > li.entry')].find(li => li.querySelector('.entry-body').textContent.trim() === %q)`, body)
	}

	// A new entry: on top of B's newest-first timeline, marked new.
	const now = "A: 02:30 checkout error rate back under 1%"
	start := addEntry("", now)
	took := waitLive(t, b, "B sees A's entry", arrived(now), start)
	assert.LessOrEqual(t, took, liveWithin, "B saw A's entry after %s", took)
	assert.True(t, evalJS[bool](t, b, arrived(now)+`.classList.contains('is-new')`), "B: the new entry is marked new")
	assert.Equal(t, now, entryTexts(t, b)[0], "B: newest first, the new entry is on top")
	waitJS(t, a, "A's box is empty again", `document.querySelector('form#quick-entry textarea[name=body]').value === ''`)

	// A back-dated entry goes where its time puts it, not on top.
	const late = "A: 00:30 first customer ticket (back-dated)"
	start = addEntry("-2h", late)
	took = waitLive(t, b, "B sees A's back-dated entry", arrived(late), start)
	assert.LessOrEqual(t, took, liveWithin, "B saw the back-dated entry after %s", took)
	assert.True(t, evalJS[bool](t, b, arrived(late)+`.classList.contains('is-new')`), "B: the back-dated entry is marked new")
	waitJS(t, a, "A's box is empty again", `document.querySelector('form#quick-entry textarea[name=body]').value === ''`)
	got := entryTexts(t, b)
	require.Len(t, got, before+2)
	i := slices.Index(got, late)
	require.Positive(t, i, "B: the back-dated entry is not on top: %v", got)
	assert.Equal(t, seeded[2].body, got[i-1], "B: below the 00:40 entry")
	assert.Equal(t, seeded[1].body, got[i+1], "B: above the 00:20 entry")
	ms := evalJS[[]float64](t, b, `[...document.querySelectorAll('#timeline ol.timeline > li.entry')].map(li => Number(li.dataset.ms))`)
	for j := 1; j < len(ms); j++ {
		assert.GreaterOrEqual(t, ms[j-1], ms[j], "B: entry %d is in occurred_at order, newest first", j)
	}
	// A's timeline is the server's (the save answered with it); B's was
	// built live: the same order.
	assert.Equal(t, got, entryTexts(t, a), "A and B show the same timeline")
	assert.True(t, evalJS[bool](t, b, `window.__notReloaded === true`), "B's page was not reloaded")
	shots := os.Getenv("DEBRIEF_SCREENSHOTS")
	if shots != "" {
		firstScreen(t, b, filepath.Join(shots, "live-1280-screen.png"))
		screenshots(t, b, filepath.Join(shots, "live-1280"))
	}

	// Two pages of B's that cannot follow the stream (scripts off) keep
	// the status buttons of before A's change.
	stale := make([]context.Context, 2)
	for j := range stale {
		stale[j] = newTab(t, b)
		_, err := chromedp.Call(stale[j], emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		require.NoError(t, err)
		require.NoError(t, chromedp.Do(stale[j], chromedp.EmulateViewport(1280, 900, chromedp.EmulateScale(1)), chromedp.Navigate(incidentURL)))
	}
	staleErrors := []func() []string{watchConsole(stale[0]), watchConsole(stale[1])}
	oldVersion := evalJS[string](t, b, `document.querySelector('#incident-live input[name=version]').value`)

	// A marks monitoring: B's header follows.
	settled(a, "before the status change")
	start = time.Now()
	_, err := chromedp.Run(a, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`#incident-live form:has(input[name=status][value=monitoring]) button`))))
	require.NoError(t, err, "A: mark monitoring")
	took = waitLive(t, b, "B sees the new status",
		`document.querySelector('#incident-live .badges .badge.status-monitoring')`, start)
	assert.LessOrEqual(t, took, liveWithin, "B saw the status change after %s", took)
	assert.Zero(t, evalJS[int](t, b, `document.querySelectorAll('#incident-live .badge.status-investigating').length`), "B: the old status is gone")
	inc := app.getJSON(fmt.Sprintf("/api/v1/incidents/%d", id))
	newVersion := fmt.Sprint(inc["version"])
	require.NotEqual(t, oldVersion, newVersion)
	assert.Equal(t, []string{newVersion}, evalJS[[]string](t, b,
		`[...new Set([...document.querySelectorAll('#incident-live input[name=version]')].map(el => el.value))]`),
		"B: the status buttons carry the new version")
	assert.Empty(t, evalJS[string](t, b, `[...document.querySelectorAll('#incident-live input[name=_csrf]')].filter(el => !el.value).length ? 'missing' : ''`),
		"B: the live buttons carry the CSRF token")
	assert.Zero(t, evalJS[int](t, b, `document.querySelectorAll('#incident-live form:has(input[name=status][value=monitoring])').length`),
		"B: no button for the status it already has")
	assert.True(t, evalJS[bool](t, b, `window.__notReloaded === true`), "B's page was not reloaded")

	// A adds a contributing factor: B's analysis follows.
	settled(a, "before the factor")
	const factor = "Config pushes reach every region at once"
	require.NoError(t, chromedp.Do(a,
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#factors details.add-form').open = true`),
		focusJS(`#factor-new-title`), chromedp.KeyEvent(factor),
		chromedp.SetValue(chromedp.CSS(`#factor-new-category`), "change"),
	))
	// A's save answers slowly, so that A's own change reaches A through the
	// stream first, while A's form still holds the text: the order that
	// used to leave A a notice about A's own change.
	_, err = chromedp.Call(a, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{URLPattern: fmt.Sprintf("%s/incidents/%d/factors", base, id), Latency: 400, DownloadThroughput: -1, UploadThroughput: -1}},
	})
	require.NoError(t, err, "slow down A's save")
	start = time.Now()
	require.NoError(t, chromedp.Do(a, chromedp.Click(chromedp.CSS(`form:has(#factor-new-title) button[type=submit]`))))
	took = waitLive(t, b, "B sees A's factor", fmt.Sprintf(
		`[...document.querySelectorAll('#analysis-live #factors .item-title')].some(el => el.textContent === %q)`, factor), start)
	assert.LessOrEqual(t, took, liveWithin, "B saw the factor after %s", took)
	waitJS(t, a, "A sees its own factor", fmt.Sprintf(
		`[...document.querySelectorAll('#analysis-live #factors .item-title')].some(el => el.textContent === %q)`, factor))
	settled(a, "after the factor")
	_, err = chromedp.Call(a, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: []*network.Conditions{}})
	require.NoError(t, err)
	// A's own change, arriving live as well, is no "changed while you were
	// editing" for A.
	assert.Zero(t, evalJS[int](t, a, `document.querySelectorAll('.live-notice').length`), "A: no notice about A's own change")
	assert.Zero(t, evalJS[int](t, b, `document.querySelectorAll('.live-notice').length`), "B: nothing typed, so no notice")
	assert.True(t, evalJS[bool](t, b, `window.__notReloaded === true`), "B's page was not reloaded")

	// B's other stale page presses "Mark monitoring" a moment after A
	// did: what it asks for is already so, which is no conflict.
	_, err = chromedp.Run(stale[1], chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`#incident-live form:has(input[name=status][value=monitoring]) button`))))
	require.NoError(t, err, "B: stale mark monitoring")
	h1, err := chromedp.Run(stale[1], chromedp.Text(chromedp.CSS(`h1`)))
	require.NoError(t, err)
	assert.Equal(t, title, h1, "the incident page, not an error page")
	assert.Zero(t, evalJS[int](t, stale[1], `document.querySelectorAll('#conflict, .flash.error').length`), "no error and no conflict message")
	assert.Equal(t, 1, evalJS[int](t, stale[1], `document.querySelectorAll('#incident-live .badge.status-monitoring').length`))
	loc, err := chromedp.Run(stale[1], chromedp.Location())
	require.NoError(t, err)
	assert.Equal(t, incidentURL, loc, "landed on the incident page")
	assert.Equal(t, newVersion, fmt.Sprint(app.getJSON(fmt.Sprintf("/api/v1/incidents/%d", id))["version"]), "a no-op: nothing was saved")

	// B's first stale page marks identified: the incident page again,
	// saying what changed and who changed it, with buttons that now work.
	_, err = chromedp.Run(stale[0], chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`#incident-live form:has(input[name=status][value=identified]) button`))))
	require.NoError(t, err, "B: stale mark identified")
	h1, err = chromedp.Run(stale[0], chromedp.Text(chromedp.CSS(`h1`)))
	require.NoError(t, err)
	assert.Equal(t, title, h1, "the incident page, not an error page")
	conflict, err := chromedp.Run(stale[0], chromedp.Text(chromedp.CSS(`#conflict`)))
	require.NoError(t, err, "the inline conflict message")
	assert.Contains(t, conflict, alice.Name, "names who changed it")
	assert.Contains(t, conflict, "status investigating → monitoring", "says what changed")
	assert.Contains(t, conflict, "mark identified", "says what was not applied")
	assert.Equal(t, []string{newVersion}, evalJS[[]string](t, stale[0],
		`[...new Set([...document.querySelectorAll('#incident-live input[name=version]')].map(el => el.value))]`),
		"the status buttons carry the current version")
	assert.Equal(t, 1, evalJS[int](t, stale[0], `document.querySelectorAll('#incident-live .badge.status-monitoring').length`),
		"the page shows the incident as it is")
	assert.Equal(t, "monitoring", app.getJSON(fmt.Sprintf("/api/v1/incidents/%d", id))["status"], "nothing was saved")
	if shots != "" {
		screenshots(t, stale[0], filepath.Join(shots, "conflict-1280"))
	}
	// Choosing again from the refreshed page works, and A's live page
	// follows B's change.
	_, err = chromedp.Run(stale[0], chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`#incident-live form:has(input[name=status][value=identified]) button`))))
	require.NoError(t, err, "B: mark identified again")
	assert.Zero(t, evalJS[int](t, stale[0], `document.querySelectorAll('#conflict, .flash.error').length`), "saved this time")
	assert.Equal(t, "identified", app.getJSON(fmt.Sprintf("/api/v1/incidents/%d", id))["status"])
	waitJS(t, a, "A sees B's status change", `document.querySelector('#incident-live .badge.status-identified')`)

	// After all that, both live pages are still live and list
	// both viewers (the pages without scripts are not connected).
	for _, v := range []struct {
		name string
		ctx  context.Context
	}{{"A", a}, {"B", b}} {
		presence := evalJS[string](t, v.ctx, `document.querySelector('#live .presence').textContent`)
		assert.Contains(t, presence, alice.Name, "%s: presence", v.name)
		assert.Contains(t, presence, bob.Name, "%s: presence", v.name)
		assert.Equal(t, "live", evalJS[string](t, v.ctx, `document.querySelector('#live .live-status').textContent`), "%s: still live", v.name)
	}

	// On a phone the entry box of an open incident is on the first screen,
	// and a live entry still arrives in its place.
	require.NoError(t, chromedp.Do(b,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait),
		chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`),
	))
	for _, sel := range []string{`form#quick-entry textarea[name=body]`, `form#quick-entry button[type=submit]`} {
		assert.LessOrEqual(t, evalJS[float64](t, b, fmt.Sprintf(`document.querySelector(%q).getBoundingClientRect().bottom`, sel)),
			evalJS[float64](t, b, `window.innerHeight`), "390 px: %s is on the first screen", sel)
	}
	const phone = "A: 02:30 status page updated"
	start = addEntry("", phone)
	took = waitLive(t, b, "B (phone) sees A's entry", arrived(phone), start)
	assert.LessOrEqual(t, took, liveWithin, "B saw A's entry after %s", took)
	assert.Equal(t, phone, entryTexts(t, b)[0])
	assert.Empty(t, evalJS[[]string](t, b, overflowJS), "390 px: nothing wider than the screen after live updates")
	if shots != "" {
		firstScreen(t, b, filepath.Join(shots, "live-390-screen.png"))
		screenshots(t, b, filepath.Join(shots, "live-390"))
	}

	// A's status buttons came from the stream (B's change) with the CSRF
	// token filled in from A's page: they post with A's session token.
	_, err = chromedp.Run(a, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`#incident-live form:has(input[name=status][value=monitoring]) button`))))
	require.NoError(t, err, "A: mark monitoring from a live fragment")
	assert.Zero(t, evalJS[int](t, a, `document.querySelectorAll('.flash.error').length`), "A: no error page")
	assert.Equal(t, "monitoring", app.getJSON(fmt.Sprintf("/api/v1/incidents/%d", id))["status"])

	assert.Empty(t, aErrors(), "A: console errors, exceptions or CSP violations")
	assert.Empty(t, bErrors(), "B: console errors, exceptions or CSP violations")
	// The refused save answers 409 with the page, which Chromium logs as a
	// failed load; nothing else may show up.
	assert.Equal(t, []string{"error: Failed to load resource: the server responded with a status of 409 (Conflict)"},
		staleErrors[0](), "B's stale page 1: console errors or CSP violations")
	assert.Empty(t, staleErrors[1](), "B's stale page 2: console errors or CSP violations")
}
