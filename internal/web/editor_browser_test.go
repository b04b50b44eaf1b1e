package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/store"
)

// The postmortem editor loses nothing: two sections typed and saved at
// once are both there after a reload; text typed and not saved comes back
// after a reload; leaving with unsaved text asks first.
func TestBrowserPostmortemEditor(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return browserClock }))
	inc := app.readyIncident("Checkout 502s")
	base := serve(t, app)
	ctx := newBrowser(t)
	signInBrowser(t, ctx, base, app.who.user.Email)
	consoleErrors := watchConsole(ctx)
	// Accept "leave this page?" dialogs, counting them.
	dialogs := make(chan string, 8)
	opening := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for d, err := range opening {
			if err != nil {
				return
			}
			dialogs <- string(d.Type)
			go func() {
				_ = chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
					_, err := cdp.Call(ctx, t, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
					return err
				}))
			}()
		}
	}()
	edit := fmt.Sprintf("%s/incidents/%d/postmortem/edit", base, inc)
	_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Navigate(edit)))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		focusJS(`#body-summary`), chromedp.KeyEvent("Checkout failed for 40 minutes."),
		focusJS(`#body-impact`), chromedp.KeyEvent("12% of checkouts failed."),
	))
	waitJS(t, ctx, "the unsaved count", `document.querySelector('.pm-dirty').textContent.includes('2 sections not saved')`)

	// The preview tab shows the Markdown rendered.
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#section-summary button[data-tab=preview]`))))
	waitJS(t, ctx, "the preview", `!document.querySelector('#preview-summary').hidden && document.querySelector('#preview-summary').textContent.includes('Checkout failed')`)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#section-summary button[data-tab=write]`))))

	_, err = chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`#pm-editor button[type=submit]`))))
	require.NoError(t, err, "save all changes")
	assert.Contains(t, evalJS[string](t, ctx, `document.querySelector('main .flash.ok').textContent`), "Saved 2 sections")
	_, err = chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Reload()))
	require.NoError(t, err)
	assert.Equal(t, "Checkout failed for 40 minutes.", evalJS[string](t, ctx, `document.querySelector('#body-summary').value`))
	assert.Equal(t, "12% of checkouts failed.", evalJS[string](t, ctx, `document.querySelector('#body-impact').value`))
	assert.Empty(t, dialogs, "a save leaves without asking")

	// Typed, not saved, and the page reloaded: it asks, and the text comes back.
	require.NoError(t, chromedp.Do(ctx, focusJS(`#body-lessons`), chromedp.KeyEvent("Canary every config push.")))
	waitJS(t, ctx, "the draft kept", `document.querySelector('.pm-dirty').textContent.includes('1 section not saved')`)
	_, err = chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Reload()))
	require.NoError(t, err)
	select {
	case typ := <-dialogs:
		assert.Equal(t, "beforeunload", typ)
	case <-time.After(3 * time.Second):
		t.Error("leaving with unsaved text did not ask first")
	}
	waitJS(t, ctx, "the restored text", `document.querySelector('#body-lessons').value === 'Canary every config push.'`)
	assert.Contains(t, evalJS[string](t, ctx, `document.querySelector('#section-lessons .draft-notice').textContent`), "Restored what you typed")
	assert.Empty(t, consoleErrors(), "console errors, exceptions or CSP violations")
}
