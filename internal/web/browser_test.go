package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/store"
)

// Browser tests drive Debian's chromium against the real server for what
// only a browser shows: local time, keyboard entry, scripts not running.
// DEBRIEF_CHROMIUM names the binary; set it to a missing path to see the
// skip (or, with CI=true, the failure) when chromium is absent.

// browserTimeout bounds one whole browser test, browser start included.
const browserTimeout = 60 * time.Second

// waitTimeout bounds one wait for the page to reach a state.
const waitTimeout = 10 * time.Second

// viewerZone is the browser's time zone: not UTC, so local time is shown.
const viewerZone = "America/New_York"

// browserClock is the server's frozen clock: 02:30 UTC is 21:30 the day
// before in New York, so local times carry a different date.
var browserClock = time.Date(2026, time.November, 22, 2, 30, 0, 0, time.UTC)

func findChromium() string {
	if p, ok := os.LookupEnv("DEBRIEF_CHROMIUM"); ok {
		if _, err := os.Stat(p); err != nil {
			return ""
		}
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless chromium in the viewer's zone and returns
// the context of its one tab. It skips the test when chromium is missing,
// except under CI=true, where browser tests must run.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := findChromium()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium not found but CI=true requires browser tests: install Debian's chromium (apt-get install chromium) or set DEBRIEF_CHROMIUM")
		}
		t.Skip("chromium not found: install Debian's chromium to run browser tests")
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	// Registered after t.TempDir, so it runs first: chromium exits before
	// its profile folder is removed.
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancel()
	})

	// The first Do starts the browser and opens the tab.
	require.NoError(t, chromedp.Do(tabCtx), "start chromium at %s", path)
	_, err := chromedp.Call(tabCtx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: viewerZone})
	require.NoError(t, err, "set time zone")
	return tabCtx
}

// serve runs the app on a loopback port for the browser.
func serve(t *testing.T, app *testApp) string {
	t.Helper()
	ts := httptest.NewServer(app.srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

// waitJS waits up to waitTimeout until a JavaScript expression is true in
// the page, and shows the page when it never is. chromedp's Poll compiles
// its predicate with new Function, which the app's CSP (no unsafe-eval)
// forbids, so this evaluates through the protocol instead.
func waitJS(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("Boolean("+expr+")"))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.outerHTML : ''`))
			t.Fatalf("waiting for %s: gave up after %s (last error: %v)\npage: %s", what, waitTimeout, err, html)
		}
		time.Sleep(20 * time.Millisecond) // the polling interval, not a synchronisation
	}
}

// watchConsole collects the page's console errors, uncaught exceptions and
// browser log errors (CSP violations among them) from now on.
func watchConsole(ctx context.Context) func() []string {
	var (
		mu   sync.Mutex
		errs []string
	)
	messages := chromedp.Console(ctx) // subscribes now, before the caller acts
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				errs = append(errs, m.String())
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(errs)
	}
}

// press types one key the way a physical keyboard reaches Chromium: a raw
// key down, then the character, then key up. Unlike chromedp's KeyEvent
// (keyDown, char, keyUp) this lets a page's preventDefault on keydown
// suppress the character, as it does for a person typing.
func press(key rune, mods ...chromedp.Modifier) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, p := range kb.Encode(key) {
			if p.Type == kb.KeyDown {
				p.Type = kb.KeyRawDown
			}
			for _, m := range mods {
				p.Modifiers |= int64(m)
			}
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, *p); err != nil {
				return fmt.Errorf("press %q: %w", key, err)
			}
		}
		return nil
	})
}

// focusJS focuses the element sel from page JavaScript. Tests type with
// focusJS + chromedp.KeyEvent rather than chromedp.SendKeys, which reads node
// attributes that chromedp's DOM-event goroutine writes (a data race inside
// chromedp that -race reports).
func focusJS(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf("document.querySelector(%q).focus()", sel))
}

func evalJS[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	require.NoError(t, err, "evaluate %s", expr)
	return v
}

// signInBrowser signs in through the login page like a person: email,
// password, Enter; it ends on the incident list.
func signInBrowser(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=password]`)),
		focusJS(`input[name=email]`), chromedp.KeyEvent(email),
		focusJS(`input[name=password]`), chromedp.KeyEvent(testPassword),
	))
	_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`))))
	require.NoError(t, err, "sign in")
	loc, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	require.Equal(t, base+"/incidents", loc, "signed in and sent to the incident list")
}

// declareIncident fills the declare form with a title and severity and
// submits it like a person would, ending on the new incident's page.
func declareIncident(t *testing.T, ctx context.Context, base, title, severity string) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/incidents/new"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=title]`)),
		focusJS(`input[name=title]`), chromedp.KeyEvent(title),
		chromedp.SetValue(chromedp.CSS(`select[name=severity]`), severity),
	))
	// Wait for the load event, not just the markup: the deferred htmx and
	// app.js must be running before the test types.
	_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`form[action="/incidents"] button[type=submit]`))))
	require.NoError(t, err, "declare")
	loc, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	require.Regexp(t, `^`+regexp.QuoteMeta(base)+`/incidents/\d+\?declared=1$`, loc)
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`form#quick-entry textarea[name=body]`))))
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`h1`)))
	require.NoError(t, err)
	require.Equal(t, title, h1)
}

type renderedEntry struct {
	Kind     string `json:"kind"`
	Text     string `json:"text"`
	Datetime string `json:"datetime"`
	Local    string `json:"local"`
}

// timelineEntries reads the rendered timeline in DOM order.
func timelineEntries(t *testing.T, ctx context.Context) []renderedEntry {
	t.Helper()
	return evalJS[[]renderedEntry](t, ctx, `[...document.querySelectorAll('#timeline ol.timeline li.entry')].map(li => ({
		kind: li.querySelector('.entry-kind').textContent.trim(),
		text: li.querySelector('.entry-body').textContent.trim(),
		datetime: li.querySelector('.entry-time time[datetime]').getAttribute('datetime'),
		local: (li.querySelector('.entry-time .local-time') || {}).textContent || '',
	}))`)
}

func TestBrowserQuickEntry(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return browserClock }))
	base := serve(t, app)
	ctx := newBrowser(t)
	signInBrowser(t, ctx, base, app.who.user.Email)
	consoleErrors := watchConsole(ctx)

	declareIncident(t, ctx, base, "Checkout 502s in eu-west-1", "SEV2")
	sev, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.incident-header .badges`)))
	require.NoError(t, err)
	assert.Contains(t, sev, "SEV2")

	// Declaring added a milestone entry; the scribe's entries come on top.
	declared := evalJS[int](t, ctx, `document.querySelectorAll('#timeline li.entry').length`)
	require.Equal(t, 1, declared, "the declaration's milestone entry")
	count, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#timeline > p.muted`)))
	require.NoError(t, err)
	assert.Equal(t, "1 entry.", count)

	clock := browserClock.Add(-10 * time.Minute).Format("15:04") // a UTC clock time today
	entries := []struct{ at, body, preview string }{
		{"now", "first: now", "2026-11-22T02:30:00Z"},
		{"-5m", "second: five minutes ago", "2026-11-22T02:25:00Z"},
		{clock, "third: clock time", "2026-11-22T02:20:00Z"},
	}
	for i, e := range entries {
		require.NoError(t, chromedp.Do(ctx, focusJS(`form#quick-entry input[name=at]`), chromedp.KeyEvent(e.at)), e.at)
		// Before saving, the preview shows the resolved UTC time and the
		// local time beside it.
		waitJS(t, ctx, "the preview of "+e.at, fmt.Sprintf(
			`document.querySelector('#at-preview time[datetime=%q] + .local-time')`, e.preview))
		require.NoError(t, chromedp.Do(ctx,
			focusJS(`form#quick-entry textarea[name=body]`), chromedp.KeyEvent(e.body),
			press('\r'), // app.js: Enter in the body saves through htmx
		), e.body)
		// htmx swaps in the new timeline, then adds local times once it settles.
		waitJS(t, ctx, "entry "+e.body, fmt.Sprintf(
			`document.querySelectorAll('#timeline li.entry').length === %d && document.querySelector('#timeline').textContent.includes(%q)
			&& document.querySelectorAll('#timeline li.entry .entry-time .local-time').length === %[1]d
			&& document.querySelector('form#quick-entry textarea[name=body]').value === ''`,
			declared+i+1, e.body))

		// The scribe keeps typing: the box is empty and still focused.
		body := evalJS[string](t, ctx, `document.querySelector('form#quick-entry textarea[name=body]').value`)
		assert.Empty(t, body, "body after saving %q", e.body)
		focus := evalJS[string](t, ctx, `document.activeElement && document.activeElement.name || ''`)
		assert.Equal(t, "body", focus, "focus after saving %q", e.body)
		at := evalJS[string](t, ctx, `document.querySelector('form#quick-entry input[name=at]').value`)
		assert.Empty(t, at, "time box after saving %q", e.body)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.NotContains(t, loc, "added=", "entries were saved by htmx, not by a full form post")

	// While the incident is open, newest first: by occurred_at, the tie at
	// 02:30 by creation order.
	got := timelineEntries(t, ctx)
	want := []renderedEntry{
		{Kind: "observation", Text: "first: now", Datetime: "2026-11-22T02:30:00Z", Local: "21:30:00"},
		{Kind: "milestone", Text: "Incident declared: SEV2, status investigating.", Datetime: "2026-11-22T02:30:00Z", Local: "21:30:00"},
		{Kind: "observation", Text: "second: five minutes ago", Datetime: "2026-11-22T02:25:00Z", Local: "21:25:00"},
		{Kind: "observation", Text: "third: clock time", Datetime: "2026-11-22T02:20:00Z", Local: "21:20:00"},
	}
	require.Len(t, got, len(want))
	for i, w := range want {
		g := got[i]
		assert.Equal(t, w.Kind, g.Kind, "entry %d kind", i)
		assert.Equal(t, w.Text, g.Text, "entry %d in DOM order", i)
		assert.Equal(t, w.Datetime, g.Datetime, "entry %d datetime", i)
		assert.True(t, strings.HasSuffix(g.Datetime, "Z"), "entry %d datetime %q is UTC", i, g.Datetime)
		// New York is five hours behind in November, here on the day before.
		assert.Contains(t, g.Local, w.Local, "entry %d local time", i)
		assert.Contains(t, g.Local, "21 Nov", "entry %d local date", i)
	}
	visible, err := chromedp.Run(ctx, chromedp.Evaluate[int](
		`[...document.querySelectorAll('#timeline li.entry .local-time')].filter(el => el.offsetWidth > 0 && el.offsetHeight > 0).length`))
	require.NoError(t, err)
	assert.Equal(t, len(want), visible, "local times are shown")
	zone := evalJS[string](t, ctx, `Intl.DateTimeFormat().resolvedOptions().timeZone`)
	assert.Equal(t, viewerZone, zone)

	// A reload renders the same order from the database.
	require.NoError(t, chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#timeline .local-time`))))
	assert.Equal(t, got, timelineEntries(t, ctx))

	// Shift+Enter is a new line, not a save; saving with the button instead
	// of Enter also hands focus back to the box.
	require.NoError(t, chromedp.Do(ctx,
		focusJS(`form#quick-entry textarea[name=body]`), chromedp.KeyEvent("fourth: line one"),
		press('\r', chromedp.ModifierShift),
		chromedp.KeyEvent("line two"),
	))
	assert.Equal(t, "fourth: line one\nline two", evalJS[string](t, ctx, `document.querySelector('form#quick-entry textarea[name=body]').value`))
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form#quick-entry button[type=submit]`))))
	waitJS(t, ctx, "entry fourth", `document.querySelectorAll('#timeline li.entry').length === 5
		&& document.querySelector('form#quick-entry textarea[name=body]').value === ''`)
	// Newest first: the new entry is on top, confirmed in place.
	assert.Equal(t, "fourth: line one\nline two", evalJS[string](t, ctx, `document.querySelector('#timeline li.entry .entry-body').innerText.trim()`))
	assert.Contains(t, evalJS[string](t, ctx, `document.querySelector('#timeline .saved-confirm').textContent`), "Saved observation at")
	assert.Equal(t, "body", evalJS[string](t, ctx, `document.activeElement && document.activeElement.name || ''`), "focus after a click")
	assert.Empty(t, evalJS[string](t, ctx, `document.querySelector('form#quick-entry textarea[name=body]').value`))

	// "/" jumps back to the box from anywhere on the page.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`),
		press('/'),
	))
	assert.Equal(t, "body", evalJS[string](t, ctx, `document.activeElement && document.activeElement.name || ''`), "focus after /")
	assert.Empty(t, evalJS[string](t, ctx, `document.querySelector('form#quick-entry textarea[name=body]').value`), "the / is not typed")

	assert.Empty(t, consoleErrors(), "console errors, exceptions or CSP violations")
}

func TestBrowserQuickEntryKeepsTextOnBadTime(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return browserClock }))
	inc := app.createIncident(`{"title":"Router flapping","severity":"SEV2"}`)
	base := serve(t, app)
	ctx := newBrowser(t)
	signInBrowser(t, ctx, base, app.who.user.Email)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/incidents/%d", base, int(inc["id"].(float64)))),
		focusJS(`form#quick-entry input[name=at]`), chromedp.KeyEvent("25:00"),
		focusJS(`form#quick-entry textarea[name=body]`), chromedp.KeyEvent("BGP session down"),
		press('\r'),
	))
	waitJS(t, ctx, "the error beside the form",
		`document.querySelector('#quick-entry .flash.error') && document.querySelector('#quick-entry .flash.error').textContent.includes('not a valid UTC clock time')`)
	assert.Equal(t, "BGP session down", evalJS[string](t, ctx, `document.querySelector('form#quick-entry textarea[name=body]').value`), "the text survives")
	assert.Equal(t, "25:00", evalJS[string](t, ctx, `document.querySelector('form#quick-entry input[name=at]').value`))
	assert.Equal(t, "body", evalJS[string](t, ctx, `document.activeElement && document.activeElement.name || ''`), "focus back in the box")
	assert.Equal(t, 1, evalJS[int](t, ctx, `document.querySelectorAll('#timeline li.entry').length`), "nothing saved")

	// The scribe fixes the time and presses Enter again in the re-rendered
	// form, once htmx has processed it (a person is never faster than that).
	waitJS(t, ctx, "htmx to settle the re-rendered form",
		`!!document.querySelector('form#quick-entry')['htmx-internal-data'] && !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')`)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`form#quick-entry input[name=at]`), "02:29"),
		chromedp.Focus(chromedp.CSS(`form#quick-entry textarea[name=body]`)),
		press('\r'),
	))
	// The entry may arrive through the live stream before the save answers:
	// wait for both.
	waitJS(t, ctx, "the saved entry", `document.querySelector('#timeline time[datetime="2026-11-22T02:29:00Z"]')
		&& document.querySelector('form#quick-entry textarea[name=body]').value === ''`)
	assert.Contains(t, evalJS[string](t, ctx, `document.querySelector('#timeline').textContent`), "BGP session down")
	assert.Empty(t, evalJS[string](t, ctx, `document.querySelector('form#quick-entry textarea[name=body]').value`))
	assert.Equal(t, "body", evalJS[string](t, ctx, `document.activeElement && document.activeElement.name || ''`))
	assert.Zero(t, evalJS[int](t, ctx, `document.querySelectorAll('#quick-entry .error, #quick-entry .invalid').length`),
		"no stale error once the entry is saved")
}

func TestBrowserXSSDoesNotRun(t *testing.T) {
	app := newTestApp(t)
	const title = `<img src=x onerror="window.__xss=1">`
	const body = `<script>window.__xss=1</script> <img src=x onerror="window.__xss=1"> [link](javascript:window.__xss=1)`
	inc := app.createIncident(fmt.Sprintf(`{"title":%q,"severity":"SEV1","summary":%q,"impact":%q}`, title, body, body))
	id := int(inc["id"].(float64))
	rec := app.api(http.MethodPost, fmt.Sprintf("/api/v1/incidents/%d/timeline", id),
		fmt.Sprintf(`{"occurred_at":"2026-11-22T14:32:05Z","body":%q,"author":%q,"evidence_url":"https://example.com/x"}`, body, title))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())

	base := serve(t, app)
	ctx := newBrowser(t)
	signInBrowser(t, ctx, base, app.who.user.Email)
	// Without the CSP the page would run any markup that escaped escaping:
	// the test checks the escaping, not the policy behind it.
	_, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
	require.NoError(t, err)

	for _, path := range []string{fmt.Sprintf("/incidents/%d", id), "/incidents"} {
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(base+path)), path)
		// Navigate returns after the load event, which waits for images:
		// an injected <img src=x> would have fired onerror by now.
		xss := evalJS[bool](t, ctx, `typeof window.__xss !== 'undefined'`)
		assert.False(t, xss, "%s: injected script ran", path)
		assert.Zero(t, evalJS[int](t, ctx, `document.querySelectorAll('main img, main script, main [onerror], main a[href^="javascript:"]').length`),
			"%s: injected elements in the DOM", path)
		shown := evalJS[bool](t, ctx, fmt.Sprintf(`document.querySelector('main').innerText.includes(%q)`, title))
		assert.True(t, shown, "%s: title shown as literal text", path)
	}
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(base+fmt.Sprintf("/incidents/%d", id))))
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`h1`)))
	require.NoError(t, err)
	assert.Equal(t, title, h1, "title is literal text")

	// The probe works: markup that does reach the DOM runs here.
	require.NoError(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](
		`document.body.insertAdjacentHTML('beforeend', '<img src=x onerror="window.__probe=1">')`)))
	waitJS(t, ctx, "the positive control", `window.__probe === 1`)
}

func TestBrowserWorksWithoutJavaScript(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return browserClock }))
	base := serve(t, app)
	ctx := newBrowser(t)
	signInBrowser(t, ctx, base, app.who.user.Email)
	_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	require.NoError(t, err)

	declareIncident(t, ctx, base, "Search index stale", "SEV3")
	require.NoError(t, chromedp.Do(ctx,
		focusJS(`form#quick-entry input[name=at]`), chromedp.KeyEvent("-5m"),
		focusJS(`form#quick-entry textarea[name=body]`), chromedp.KeyEvent("Indexer queue at 40k"),
	))
	_, err = chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`form#quick-entry button[type=submit]`))))
	require.NoError(t, err, "add entry")
	// The declaration's milestone entry, and the new one before it in time.
	entries, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll(`#timeline li.entry`)))
	require.NoError(t, err)
	require.Len(t, entries, 2)
	// Newest first while open: the new entry is below the declaration.
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#timeline li.entry:last-child .entry-body`)))
	require.NoError(t, err)
	assert.Equal(t, "Indexer queue at 40k", strings.TrimSpace(text))
	when, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#timeline li.entry:last-child time`), "datetime"))
	require.NoError(t, err)
	assert.Equal(t, "2026-11-22T02:25:00Z", when.Value)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.Contains(t, loc, "added=", "saved by a plain form post and redirect")
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(`.local-time`), chromedp.AtLeast(0)))
	require.NoError(t, err)
	assert.Empty(t, nodes, "no script ran, so no local time was added")
}
