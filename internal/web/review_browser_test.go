package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// reviewBacklog adds a backlog to the review fixture: fourteen postmortems
// overdue at the end of 2026-W47, some for more than 90 days, and 25
// overdue action items across four owners.
func (a *testApp) reviewBacklog() {
	a.t.Helper()
	var ids []int64
	for i := range 14 {
		resolved := time.Date(2026, time.November, 18, 9, 0, 0, 0, time.UTC).AddDate(0, 0, -9*i)
		ids = append(ids, a.reviewIncident(fmt.Sprintf("Backlog incident %02d with a title long enough to wrap on a projector", i), "SEV3", []string{"api"},
			resolved.Add(-3*time.Hour).Format("2006-01-02 15:04"), "", "", "", resolved.Format("2006-01-02 15:04")))
	}
	owners := []string{"Ana Ramírez", "Bo Lindqvist", "Cy Okafor", "Di Santos"}
	for i := range 25 {
		due := model.DateOf(time.Date(2026, time.November, 20, 0, 0, 0, 0, time.UTC)).AddDays(-6 * i)
		item := &model.ActionItem{IncidentID: ids[i%len(ids)], Title: fmt.Sprintf("Follow-up %02d: add an alert on queue depth and a runbook for it", i),
			Owner: owners[i%len(owners)], Due: due, Type: model.ActionDetect}
		require.NoError(a.t, a.store.At(due.Time().AddDate(0, 0, -14)).CreateAction(context.Background(), item))
	}
}

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

	// On a 1366×768 screen, with more late items than a list shows, every
	// section of the meeting fits the screen with its notes box in view.
	app.reviewBacklog()
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768, chromedp.EmulateScale(1))))
	_, err = chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Navigate(base+"/review?week=2026-W47&present=1")))
	require.NoError(t, err)
	waitJS(t, ctx, "meeting mode with the backlog", `document.querySelector('.review.js-slides')`)
	assert.Equal(t, 10, evalJS[int](t, ctx, `document.querySelectorAll('#section-actions [data-list="action_items.overdue"] li').length`), "ten overdue items")
	assert.Equal(t, 10, evalJS[int](t, ctx, `document.querySelectorAll('#section-postmortems [data-list="postmortems.overdue"] li').length`))
	for i, want := range []string{"Overview", "Incidents", "Postmortems", "Action items", "Metrics", "Trends"} {
		if i > 0 {
			key(kb.ArrowRight, fmt.Sprintf("%d / 7 · %s", i+1, want))
		}
		box := evalJS[[]float64](t, ctx, `(() => {
			const t = document.querySelector('.slide.is-current textarea').getBoundingClientRect();
			return [t.top, t.bottom, window.innerHeight, document.documentElement.scrollHeight];
		})()`)
		assert.GreaterOrEqual(t, box[0], 0.0, "%s: the notes box starts on screen", want)
		assert.LessOrEqual(t, box[1], box[2], "%s: the notes box ends on screen (%v)", want, box)
		assert.LessOrEqual(t, box[3], box[2], "%s: the section is one screen, no page scroll (%v)", want, box)
	}
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900, chromedp.EmulateScale(1))))

	// Printed, meeting mode is the whole review without its controls, and
	// the notes print as text.
	_, err = chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
	require.NoError(t, err, "emulate print")
	assert.Len(t, visible(), 7, "every section prints")
	assert.Equal(t, 0, evalJS[int](t, ctx, `[...document.querySelectorAll('.review-bar, textarea, button')].filter(el => getComputedStyle(el).display !== 'none').length`))
	assert.Contains(t, evalJS[string](t, ctx, `document.querySelector('#section-incidents .notes-text').innerText`), "Follow up Friday")

	assert.Empty(t, consoleErrors(), "console errors, exceptions or CSP violations")
}
