package web

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/store"
)

// TestBrowserWhysTree builds a whys tree the way a team does in a
// review, with htmx updating the analysis in place: a problem statement,
// two answers (a fork), an answer below the first, the diagram redrawn
// with every node, then an action item started from a why.
func TestBrowserWhysTree(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return browserClock }))
	inc := app.createIncident(`{"title":"Checkout 502s in eu-west-1","severity":"SEV2"}`)
	id := int(inc["id"].(float64))
	base := serve(t, app)
	ctx := newBrowser(t)
	signInBrowser(t, ctx, base, app.who.user.Email)
	consoleErrors := watchConsole(ctx)

	incidentURL := fmt.Sprintf("%s/incidents/%d", base, id)
	_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Navigate(incidentURL)))
	require.NoError(t, err, "open the incident")

	// settled waits until htmx has swapped the analysis in and wired its
	// forms, as a person would before typing again.
	settled := func(what string) {
		t.Helper()
		waitJS(t, ctx, what+" (htmx settled)", `!document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')
			&& [...document.querySelectorAll('#analysis form[hx-post]')].every(f => f['htmx-internal-data'])`)
	}
	// answer opens a node form's <details>, types text and saves it.
	answer := func(key, text string) {
		t.Helper()
		textarea := fmt.Sprintf("#%s-text", key)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).closest('details').open = true`, textarea)),
			focusJS(textarea), chromedp.KeyEvent(text),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`form:has(%s) button[type=submit]`, textarea))),
		), text)
		waitJS(t, ctx, "saved: "+text, fmt.Sprintf(`[...document.querySelectorAll('#whys .why-text')].some(el => el.textContent === %q)`, text))
		settled(text)
	}
	nodeID := func(text string) string {
		t.Helper()
		return evalJS[string](t, ctx, fmt.Sprintf(
			`[...document.querySelectorAll('#whys li.why-node')].find(li => li.querySelector(':scope > .why-item > .why-text').textContent === %q).id.replace('why-', '')`, text))
	}

	settled("page load")
	answer("why-new", "Checkout returned 502s for 40 minutes")
	root := nodeID("Checkout returned 502s for 40 minutes")
	answer("why-child-"+root, "Every gateway loaded a bad config")
	answer("why-child-"+root, "Nobody was paged for 25 minutes") // the fork
	first := nodeID("Every gateway loaded a bad config")
	answer("why-child-"+first, "The rollout has no canary stage")

	// The indented tree: two answers under the root, one under the first.
	outline := evalJS[[]string](t, ctx, `[...document.querySelectorAll('#whys li.why-node')].map(li => {
		let depth = 0, e = li;
		while ((e = e.parentElement.closest('li.why-node'))) depth++;
		return '  '.repeat(depth) + li.querySelector(':scope > .why-item > .why-text').textContent;
	})`)
	assert.Equal(t, []string{
		"Checkout returned 502s for 40 minutes",
		"  Every gateway loaded a bad config",
		"    The rollout has no canary stage",
		"  Nobody was paged for 25 minutes",
	}, outline)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.Equal(t, incidentURL, loc, "saved by htmx, without leaving the page")

	// The diagram is drawn inline with a box for every node.
	boxes := evalJS[[]string](t, ctx, fmt.Sprintf(
		`[...document.querySelectorAll('#tree-%s figure svg g[id^="why-tree-%s-"] > title')].map(el => el.textContent)`, root, root))
	assert.Equal(t, []string{
		"Problem: Checkout returned 502s for 40 minutes",
		"Why 1: Every gateway loaded a bad config",
		"Why 2: The rollout has no canary stage",
		"Why 1: Nobody was paged for 25 minutes",
	}, boxes)
	assert.Equal(t, 2, evalJS[int](t, ctx, `document.querySelectorAll('#whys .why-hint').length`),
		"the two branches that stop early are asked to keep going")

	// Blame-shaped wording gets a gentle note while typing (not saved here).
	fork := nodeID("Nobody was paged for 25 minutes")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('#why-child-%s-text').closest('details').open = true`, fork)),
		focusJS(fmt.Sprintf(`#why-child-%s-text`, fork)), chromedp.KeyEvent("the on-call engineer forgot to check"),
	))
	waitJS(t, ctx, "the live blameless note", fmt.Sprintf(
		`(document.querySelector('form:has(#why-child-%s-text) .lint-preview') || {}).textContent.includes('forgot')`, fork))

	// An action item from a why: the form comes linked to it.
	leaf := nodeID("The rollout has no canary stage")
	_, err = chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#why-%s a[href$="/actions/new?why=%s"]`, leaf, leaf)))))
	require.NoError(t, err, "open the action form")
	assert.True(t, evalJS[bool](t, ctx, fmt.Sprintf(`document.querySelector('input[name=why_ids][value="%s"]').checked`, leaf)))
	assert.Equal(t, "2026-12-20", evalJS[string](t, ctx, `document.querySelector('#due_date').value`), "due in SEV2's four weeks")
	require.NoError(t, chromedp.Do(ctx,
		focusJS(`#title`), chromedp.KeyEvent("Add a canary stage to config rollouts"),
		focusJS(`#owner`), chromedp.KeyEvent("Sam Okafor"),
	))
	_, err = chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`form[action$="/actions"] button[type=submit]`))))
	require.NoError(t, err, "save the action item")
	loc, err = chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.Regexp(t, `^`+regexp.QuoteMeta(incidentURL)+`#action-\d+$`, loc)
	row := evalJS[string](t, ctx, `document.querySelector('#actions tbody tr').innerText`)
	assert.Contains(t, row, "Add a canary stage to config rollouts")
	assert.Contains(t, row, "Sam Okafor")
	assert.Contains(t, row, "2026-12-20")
	assert.True(t, evalJS[bool](t, ctx, fmt.Sprintf(`!!document.querySelector('#actions tbody tr a[href="#why-%s"]')`, leaf)), "linked to the why")
	assert.Contains(t, evalJS[string](t, ctx, fmt.Sprintf(`document.querySelector('#why-%s .why-actions').textContent`, leaf)), "1 action item")

	assert.Empty(t, consoleErrors(), "console errors, exceptions or CSP violations")
}
