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

// brokenWordsJS lists the words of the postmortem's table cells that are
// split across two lines. A word is a run of letters and digits, so a line
// break after "-" or "/" is fine; a word inside a token (text between
// spaces) longer than 24 characters may break: the token cannot fit a
// cell otherwise. With skipLinks, so may the text of links.
const brokenWordsJS = `((skipLinks) => {
	const out = [];
	for (const cell of document.querySelectorAll('#postmortem td, #postmortem th')) {
		const nodes = [];
		let full = '';
		const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
		for (let n = walk.nextNode(); n; n = walk.nextNode()) {
			nodes.push([n, full.length]);
			full += n.data;
		}
		const tokenLength = at => {
			let a = at, b = at;
			while (a > 0 && !/\s/.test(full[a - 1])) a--;
			while (b < full.length && !/\s/.test(full[b])) b++;
			return b - a;
		};
		for (const [n, start] of nodes) {
			if (skipLinks && n.parentElement.closest('a')) continue;
			for (const m of n.data.matchAll(/[\p{L}\p{N}]+/gu)) {
				if (tokenLength(start + m.index) > 24) continue;
				const r = document.createRange();
				r.setStart(n, m.index);
				r.setEnd(n, m.index + m[0].length);
				if (new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1) out.push(m[0]);
			}
		}
	}
	return out;
})`

// TestBrowserPostmortemTablesBreakBetweenWords opens a published
// postmortem full of long words, names and URLs (the phone test's) on a
// phone and a desktop: no word in a table cell is broken in the middle
// ("preve nt", "communicatio n"), the page itself never scrolls sideways,
// and on the phone the wide tables scroll in their own box instead.
func TestBrowserPostmortemTablesBreakBetweenWords(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return browserClock }))
	resolved, _ := app.phoneIncidents()
	base := serve(t, app)
	ctx := newBrowser(t)
	signInBrowser(t, ctx, base, app.who.user.Email)
	consoleErrors := watchConsole(ctx)

	for _, size := range []struct {
		width, height int64
		mobile        bool
	}{{390, 844, true}, {1280, 900, false}} {
		what := fmt.Sprintf("at %d px", size.width)
		opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
		if size.mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
		}
		require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(size.width, size.height, opts...)))
		_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
			chromedp.Navigate(fmt.Sprintf("%s/incidents/%d/postmortem", base, resolved))))
		require.NoError(t, err, what)

		words := evalJS[[]string](t, ctx, `[...document.querySelectorAll('#postmortem td')].map(td => td.textContent)`)
		require.Contains(t, words, "prevent", "the action item's type is in a cell")
		require.Contains(t, words, "communication (learned later)", "the timeline entry's kind is in a cell")
		assert.Empty(t, evalJS[[]string](t, ctx, brokenWordsJS+`(false)`), "%s: words broken inside a table cell", what)
		assert.Empty(t, evalJS[[]string](t, ctx, overflowJS), "%s: elements wider than the viewport", what)
		if size.mobile {
			scrolls := evalJS[[]bool](t, ctx, `[...document.querySelectorAll('#postmortem table')].map(t =>
				getComputedStyle(t).overflowX === 'auto' && t.scrollWidth > t.clientWidth)`)
			assert.Contains(t, scrolls, true, "%s: a wide table scrolls in its own box", what)
		}
	}

	// Printed, the cells are narrower; links may break anywhere, words not.
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
	require.NoError(t, err, "emulate print")
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(794, 1123, chromedp.EmulateScale(1))))
	assert.Empty(t, evalJS[[]string](t, ctx, brokenWordsJS+`(true)`), "print: words broken inside a table cell")

	assert.Empty(t, consoleErrors(), "console errors, exceptions or CSP violations")
}
