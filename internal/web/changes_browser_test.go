package web

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/store"
)

// TestBrowserChangeLaneAndSuspect: the incident page lays a change to its
// service into the timeline among the entries, hides it on request, and
// one click on "Caused it" links the suspect change as the trigger.
func TestBrowserChangeLaneAndSuspect(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return browserClock }))
	inc := app.createIncident(`{"title":"Cart errors after a deploy","severity":"SEV2","services":["cart"],"started_at":"2026-11-21T22:00:00Z"}`)
	id := jsonID(t, inc)
	rec := app.api(http.MethodPost, fmt.Sprintf("/api/v1/incidents/%d/timeline", id), `{"body":"5xx on cart climbs","occurred_at":"2026-11-21T22:03:00Z","kind":"alert"}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	rec = app.api(http.MethodPost, "/api/v1/changes", `{"service":"cart","kind":"deploy","summary":"cart v7 rollout","version":"v7.0.0","author":"ci-bot","started_at":"2026-11-21T21:55:00Z"}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())

	base := serve(t, app)
	ctx := newBrowser(t)
	signInBrowser(t, ctx, base, app.who.user.Email)
	consoleErrors := watchConsole(ctx)
	url := fmt.Sprintf("%s/incidents/%d?order=oldest", base, id)
	_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Navigate(url)))
	require.NoError(t, err)

	// The lane: the 21:55 change sits above the 22:00 milestone and the 22:03 alert.
	order := evalJS[[]string](t, ctx, `[...document.querySelectorAll('ol.timeline > li.entry, ol.timeline > li.change-row')].map(li => li.className.split(' ')[0] + ':' + li.querySelector('.entry-body').textContent.trim().slice(0, 20))`)
	require.GreaterOrEqual(t, len(order), 3)
	assert.Equal(t, "change-row:cart: cart v7 rollou", order[0])
	assert.Contains(t, order[1], "Impact started")
	assert.Equal(t, 1, int(evalJS[float64](t, ctx, `document.querySelectorAll('li.change-row .entry-kind.kind-change').length`)))

	// "Caused it" on the suspect: a trigger factor of category change.
	_, err = chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`#changes button[name=relation][value=caused]`))))
	require.NoError(t, err)
	waitJS(t, ctx, "the linked change", `document.querySelector('#changes .badge.relation-caused')`)
	factor := evalJS[string](t, ctx, `document.querySelector('#factors').textContent`)
	assert.Contains(t, factor, "Change: cart v7 rollout (v7.0.0)")
	assert.Contains(t, factor, "trigger")

	// Hidden on request, and back.
	_, err = chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(`.lane-toggle a`))))
	require.NoError(t, err)
	assert.Equal(t, 0, int(evalJS[float64](t, ctx, `document.querySelectorAll('li.change-row').length`)))
	assert.Empty(t, consoleErrors(), "console errors, exceptions or CSP violations")
}
