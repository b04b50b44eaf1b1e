package web

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/store"
)

// TestBrowserReviewMeetingMode runs the weekly meeting from the keyboard:
// one section per screen, arrow keys, Page Up/Down, Space, Home and End
// move between them with the position shown; keys typed into the notes
// stay in the notes; saving the minutes comes back to the same section.
func TestBrowserReviewMeetingMode(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return reviewClock }))
	app.reviewFixture()
	base := serve(t, app)
	ctx := newBrowser(t)
	signInBrowser(t, ctx, base, app.who.user.Email)
	consoleErrors := watchConsole(ctx)

	_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Navigate(base+"/review?week=2026-W47&present=1")))
	require.NoError(t, err)
	waitJS(t, ctx, "meeting mode to start", `document.querySelector('.review.js-slides')`)

	position := func() string {
		return evalJS[string](t, ctx, `document.getElementById('slide-position').textContent`)
	}
	visible := func() []string {
		return evalJS[[]string](t, ctx, `[...document.querySelectorAll('.slide')].filter(s => getComputedStyle(s).display !== 'none').map(s => s.id)`)
	}
	key := func(k string, want string) {
		t.Helper()
		require.NoError(t, chromedp.Do(ctx, chromedp.KeyEvent(k)))
		assert.Equal(t, want, position(), "after %q", k)
	}

	assert.Equal(t, "1 / 7 · Overview", position())
	assert.Equal(t, []string{"section-overview"}, visible(), "one section per screen")
	assert.Greater(t, evalJS[float64](t, ctx, `parseFloat(getComputedStyle(document.querySelector('#section-overview h1')).fontSize)`), 36.0, "large type")
	assert.Equal(t, "none", evalJS[string](t, ctx, `getComputedStyle(document.querySelector('header.site')).display`), "the site's chrome is out of the way")

	key(kb.ArrowRight, "2 / 7 · Incidents")
	assert.Equal(t, []string{"section-incidents"}, visible())
	assert.Equal(t, "#section-incidents", evalJS[string](t, ctx, `location.hash`))
	key(kb.PageDown, "3 / 7 · Postmortems")
	key(" ", "4 / 7 · Action items")
	key(kb.ArrowDown, "5 / 7 · Metrics")
	key(kb.ArrowLeft, "4 / 7 · Action items")
	key(kb.PageUp, "3 / 7 · Postmortems")
	key(kb.ArrowUp, "2 / 7 · Incidents")
	key(kb.End, "7 / 7 · Definitions")
	key(kb.ArrowRight, "7 / 7 · Definitions")
	key(kb.Home, "1 / 7 · Overview")

	// A malformed fragment is no section: meeting mode starts at the first.
	_, err = chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Navigate(base+"/review?present=1&week=2026-W47#%E0")))
	require.NoError(t, err)
	waitJS(t, ctx, "meeting mode to start after #%E0", `document.querySelector('.review.js-slides')`)
	assert.Equal(t, []string{"section-overview"}, visible())
	key(kb.ArrowRight, "2 / 7 · Incidents")
	_, err = chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Navigate(base+"/review?week=2026-W47&present=1&from-link=1#section-actions")))
	require.NoError(t, err)
	waitJS(t, ctx, "meeting mode to open at the action items", `document.getElementById('slide-position').textContent.startsWith('4 / 7')`)
	key(kb.Home, "1 / 7 · Overview")
	key(kb.ArrowLeft, "1 / 7 · Overview")
	key(kb.ArrowRight, "2 / 7 · Incidents")

	// Typing in the notes: arrows and spaces stay in the text.
	require.NoError(t, chromedp.Do(ctx, focusJS("#notes-incidents"), chromedp.KeyEvent("Follow up "+kb.ArrowLeft+kb.ArrowRight+"Friday")))
	assert.Equal(t, "Follow up Friday", evalJS[string](t, ctx, `document.getElementById('notes-incidents').value`))
	assert.Equal(t, "2 / 7 · Incidents", position(), "keys typed into the notes do not move")
	key(kb.Escape, "2 / 7 · Incidents")
	key(kb.ArrowRight, "3 / 7 · Postmortems")
	key(kb.ArrowLeft, "2 / 7 · Incidents")

	_, err = chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`#section-incidents button[form="minutes-form"]`))))
	require.NoError(t, err, "save the minutes")
	waitJS(t, ctx, "meeting mode after saving", `document.querySelector('.review.js-slides')`)
	assert.Equal(t, "2 / 7 · Incidents", position(), "back at the section saved from")
	assert.Equal(t, "Follow up Friday", evalJS[string](t, ctx, `document.getElementById('notes-incidents').value`))
	assert.Contains(t, evalJS[string](t, ctx, `document.querySelector('.flash.ok').textContent`), "Minutes saved")

	// The buttons move too, for a presenter with a mouse.
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#slide-next`))))
	assert.Equal(t, "3 / 7 · Postmortems", position())
	// Keys still move with the focus on that button; a footnote link goes
	// to the definitions.
	key(kb.PageDown, "4 / 7 · Action items")
	key(kb.PageDown, "5 / 7 · Metrics")
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#section-metrics a[href="#def-mttr"]`))))
	assert.Equal(t, "7 / 7 · Definitions", position())

	// Printed, meeting mode is the whole review without its controls, and
	// the notes print as text.
	_, err = chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
	require.NoError(t, err, "emulate print")
	assert.Len(t, visible(), 7, "every section prints")
	assert.Equal(t, 0, evalJS[int](t, ctx, `[...document.querySelectorAll('.review-bar, textarea, button')].filter(el => getComputedStyle(el).display !== 'none').length`))
	assert.Contains(t, evalJS[string](t, ctx, `document.querySelector('#section-incidents .notes-text').innerText`), "Follow up Friday")

	assert.Empty(t, consoleErrors(), "console errors, exceptions or CSP violations")
}
