package web

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/store"
)

// TestBrowserPostmortem writes and publishes a postmortem the way a team
// does after an incident: from the resolved incident to the editor, the
// summary and the impact typed and saved one at a time, then publish; the
// published page reads as the document, and prints without its controls.
func TestBrowserPostmortem(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return browserClock }))
	inc := app.readyIncident("Checkout 502s in eu-west-1")
	base := serve(t, app)
	ctx := newBrowser(t)
	signInBrowser(t, ctx, base, app.who.user.Email)
	consoleErrors := watchConsole(ctx)

	// navigate runs an action that loads a new page and waits for it.
	navigate := func(what string, action chromedp.Action[chromedp.Void]) {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, action))
		require.NoError(t, err, what)
	}
	navigate("open the incident", chromedp.Navigate(fmt.Sprintf("%s/incidents/%d", base, inc)))
	assert.Equal(t, "not started due in 2 d", evalJS[string](t, ctx, `document.querySelector('.postmortem-line .pm-badge').textContent`),
		"resolved now, due 48 h later")
	navigate("open the editor", chromedp.Click(chromedp.CSS(`.postmortem-line a[href$="/postmortem/edit"]`)))

	write := func(key, text string) {
		t.Helper()
		require.NoError(t, chromedp.Do(ctx, focusJS("#body-"+key), chromedp.KeyEvent(text)))
		navigate("save "+key, chromedp.Click(chromedp.CSS(`#pm-editor .pm-save-bar button[type=submit]`)))
		assert.Equal(t, text, evalJS[string](t, ctx, fmt.Sprintf(`document.querySelector('#body-%s').value`, key)), "%s saved", key)
		assert.Contains(t, evalJS[string](t, ctx, `document.querySelector('.flash.ok[role=status]').innerText`), "Saved")
	}
	write("summary", "Checkout returned 502s for 40 minutes after a config push.")
	write("impact", "About 12% of checkouts failed.")
	assert.Equal(t, "Ready to publish.", evalJS[string](t, ctx, `document.querySelector('#workflow .flash.ok').innerText`))

	navigate("publish", chromedp.Click(chromedp.CSS(`form[action$="/postmortem/publish"] button[type=submit]`)))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("%s/incidents/%d/postmortem?revision=1", base, inc), loc)

	bar := evalJS[string](t, ctx, `document.querySelector('.postmortem-bar').innerText`)
	assert.Contains(t, bar, "Revision 1, published")
	assert.NotContains(t, bar, "due", "nothing is due once published")
	assert.Contains(t, evalJS[string](t, ctx, `document.querySelector('#postmortem').innerText`),
		"Checkout returned 502s for 40 minutes after a config push.")
	actions := evalJS[[]string](t, ctx, `[...[...document.querySelectorAll('#postmortem h2')]
		.find(h => h.textContent === 'Action items').nextElementSibling.querySelectorAll('tr')]
		.map(tr => [...tr.cells].map(td => td.textContent).join(' | '))`)
	require.Len(t, actions, 2, "a header and one action item")
	assert.Equal(t, "ID | Action | Type | Owner | Due | Status | Priority | Tracker", actions[0])
	assert.Contains(t, actions[1], "Add a canary stage to config rollouts | prevent | Bob | 2026-12-06 | open")

	// Printed, the page is the document alone.
	visible := `[...document.querySelectorAll('.no-print, header.site')].filter(el => getComputedStyle(el).display !== 'none').length`
	assert.Positive(t, evalJS[int](t, ctx, visible), "the controls show on screen")
	_, err = chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
	require.NoError(t, err, "emulate print")
	assert.Equal(t, 0, evalJS[int](t, ctx, visible), "no controls in print")
	assert.Equal(t, "block", evalJS[string](t, ctx, `getComputedStyle(document.querySelector('#postmortem .print-only')).display`))
	assert.Contains(t, evalJS[string](t, ctx, `document.querySelector('#postmortem .print-only').innerText`), "revision 1")

	assert.Empty(t, consoleErrors(), "console errors, exceptions or CSP violations")
}
