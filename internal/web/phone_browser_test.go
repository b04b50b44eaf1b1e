package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/store"
)

// Text that breaks layouts: a word with no break opportunity, a long URL
// and a table wider than a phone, in every field a page shows.
var (
	phoneWord = strings.Repeat("Unbroken", 16)
	phoneURL  = "https://grafana.example.com/d/checkout-gateway/overview?orgId=1&var-region=eu-west-1&from=now-6h&to=now&var-pod=" +
		strings.Repeat("a1b2c3d4", 12)
	phoneMarkdown = phoneWord + " see " + phoneURL + "\n\n" +
		"```\nkubectl -n checkout rollout undo deployment/checkout-gateway --to-revision=42 && " + phoneWord + "\n```\n\n" +
		"| region | pod | error rate | p99 latency | requests | deploy | notes |\n|---|---|---|---|---|---|---|\n" +
		"| eu-west-1 | checkout-gateway-7d9f | 5.2% | 2400 ms | 12000 | v2026.11.21-3 | `" + phoneWord + "` |\n"
	phoneService = "checkout-gateway-eu-west-1-primary-cluster-" + strings.Repeat("x", 30)
	phoneTag     = "region:eu-west-1/availability-zone-c/rack-42abcdef"
	phoneName    = "Wolfeschlegelsteinhausenbergerdorff-" + strings.Repeat("Karolina", 6)
)

// phoneIncident stores a resolved incident with long text in its title,
// services, tags, roles, summary, timeline, factors, whys, action items
// and published postmortem; and an open one with the same. It returns
// the resolved incident's id and the open one's.
func (a *testApp) phoneIncidents() (resolved, open int64) {
	a.t.Helper()
	title := "Checkout " + phoneWord[:120] + " in eu-west-1"
	resolved = jsonID(a.t, a.createIncident(jsonBody(map[string]any{
		"title": title, "severity": "SEV1", "status": "resolved",
		"summary": phoneMarkdown, "impact": phoneMarkdown,
		"services": []string{phoneService, "checkout"}, "tags": []string{phoneTag},
		"roles":      map[string]any{"commander": phoneName, "scribe": phoneName, "responders": []string{phoneName, "Bob"}},
		"started_at": "2026-11-21T22:00:00Z", "detected_at": "2026-11-21T22:05:00Z", "acknowledged_at": "2026-11-21T22:10:00Z",
		"mitigated_at": "2026-11-21T23:30:00Z", "resolved_at": "2026-11-22T01:00:00Z",
	})))
	// A change with long words before impact, and the service's SLO, for
	// the change lane, the suspects and the service page.
	rec := a.api(http.MethodPost, "/api/v1/changes", jsonBody(map[string]any{
		"service": phoneService, "kind": "config", "summary": "Pool " + phoneWord, "version": phoneWord[:60],
		"author": phoneName, "url": "https://ci.example.com/" + phoneWord[:100], "started_at": "2026-11-21T21:40:00Z",
	}))
	require.Equal(a.t, http.StatusCreated, rec.Code, rec.Body.String())
	rec = a.api(http.MethodPut, "/api/v1/services/"+url.PathEscape(phoneService), jsonBody(map[string]any{
		"owner_team": phoneName, "tier": "1", "slo_target": 99.9, "description": phoneMarkdown, "runbook_url": "https://wiki.example.com/" + phoneWord[:100],
	}))
	require.Less(a.t, rec.Code, 300, rec.Body.String())
	open = jsonID(a.t, a.createIncident(jsonBody(map[string]any{
		"title": "Search " + phoneWord[:100], "severity": "SEV2",
		"services": []string{phoneService}, "tags": []string{phoneTag},
		"roles": map[string]any{"commander": phoneName},
	})))
	for _, id := range []int64{resolved, open} {
		for i, e := range []map[string]any{
			{"kind": "alert", "body": "Error rate above 5% " + phoneWord, "author": phoneName, "evidence_url": phoneURL},
			{"kind": "deploy", "body": "Rolled back: " + phoneURL},
			{"kind": "communication", "body": phoneMarkdown, "learned_later": true},
			{"kind": "decision", "body": "Fail over to eu-central-1"},
		} {
			e["occurred_at"] = fmt.Sprintf("2026-11-22T00:%02d:00Z", 10+i)
			a.appendEntry(id, jsonBody(e))
		}
	}
	factor := jsonID(a.t, a.created(factorsURL(resolved), jsonBody(map[string]any{
		"title": "Config rollouts have no canary stage " + phoneWord[:80], "category": "change",
		"description": phoneMarkdown, "is_trigger": true,
	})))
	root := a.addWhy(resolved, "Why did checkout fail? "+phoneWord, 0)
	a.addWhy(resolved, "Because "+phoneURL, root)
	a.created(actionsURL(resolved), jsonBody(map[string]any{
		"title": "Add a canary stage " + phoneWord[:100], "owner": phoneName, "due_date": "2026-12-06", "type": "prevent",
		"description": phoneMarkdown, "tracker_url": phoneURL, "factor_ids": []int64{factor},
	}))
	a.pmPublish(resolved, phoneMarkdown, phoneMarkdown)
	return resolved, open
}

// overflowJS lists the elements whose right edge is past the viewport,
// except those clipped by a scrolling or clipping box (short of the body)
// that itself fits: a wide table inside its scroll box is fine.
const overflowJS = `(() => {
	const vw = document.documentElement.clientWidth;
	const clipped = el => {
		for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
			if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(a).overflowX) &&
				a.getBoundingClientRect().right <= vw + 1) return true;
		}
		return false;
	};
	const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
		[...el.classList].map(c => '.' + c).join('');
	const out = [];
	for (const el of document.body.querySelectorAll('*')) {
		const r = el.getBoundingClientRect();
		if ((r.width === 0 && r.height === 0) || r.right <= vw + 1 || clipped(el)) continue;
		const path = [];
		for (let a = el; a && a !== document.body && path.length < 4; a = a.parentElement) path.unshift(name(a));
		out.push(path.join(' > ') + ' right=' + Math.round(r.right) + ' "' + (el.textContent || '').trim().slice(0, 30) + '"');
	}
	return out;
})()`

// overlapJS lists the timeline entries whose time, kind and body boxes
// overlap one another.
const overlapJS = `(() => {
	const hit = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
	const out = [];
	for (const li of document.querySelectorAll('ol.timeline > li.entry')) {
		const parts = ['.entry-time', '.entry-kind', '.entry-body'].map(s => [s, li.querySelector(s).getBoundingClientRect()]);
		for (let i = 0; i < parts.length; i++) for (let j = i + 1; j < parts.length; j++) {
			if (hit(parts[i][1], parts[j][1])) out.push(li.id + ': ' + parts[i][0] + ' overlaps ' + parts[j][0]);
		}
	}
	return out;
})()`

// TestBrowserPhone loads the incident, postmortem, search, review and
// action item pages at a phone's 390 × 844 with long words, URLs and
// tables in every field: nothing is wider than the screen, the header is
// one line, and timeline rows stack without overlapping. The same pages at
// 1280 px keep a one-line header and no overflow. DEBRIEF_SCREENSHOTS=dir
// saves a full-page PNG of each for a person to look at.
func TestBrowserPhone(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return browserClock }))
	resolved, open := app.phoneIncidents()
	base := serve(t, app)
	ctx := newBrowser(t)
	signInBrowser(t, ctx, base, app.who.user.Email)
	consoleErrors := watchConsole(ctx)

	pages := []struct{ name, path string }{
		{"incident", fmt.Sprintf("/incidents/%d", resolved)},
		{"open-incident", fmt.Sprintf("/incidents/%d", open)},
		{"postmortem", fmt.Sprintf("/incidents/%d/postmortem", resolved)},
		{"search", "/search?q=checkout"},
		{"review", "/review"},
		{"actions", "/actions"},
		{"services", "/services"},
		{"service", "/services/" + url.PathEscape(phoneService)},
	}
	shots := os.Getenv("DEBRIEF_SCREENSHOTS")
	for _, size := range []struct {
		width, height int64
		mobile        bool
	}{{390, 844, true}, {1280, 900, false}} {
		opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
		if size.mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
		}
		require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(size.width, size.height, opts...)))
		for _, p := range pages {
			what := fmt.Sprintf("%s at %d px", p.name, size.width)
			_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Navigate(base+p.path)))
			require.NoError(t, err, what)
			status := evalJS[string](t, ctx, `document.title`)
			require.NotContains(t, status, "Error", what)
			if strings.HasSuffix(p.name, "incident") {
				// app.js adds the local times the layout has to make room for.
				waitJS(t, ctx, "local times on "+what, `document.querySelector('ol.timeline .entry-time .local-time')`)
			}
			assert.Equal(t, size.width, int64(evalJS[float64](t, ctx, `document.documentElement.clientWidth`)), "%s: viewport width", what)
			assert.Empty(t, evalJS[[]string](t, ctx, overflowJS), "%s: elements wider than the viewport", what)
			assert.LessOrEqual(t, evalJS[float64](t, ctx, `document.querySelector('header.site').getBoundingClientRect().height`), 64.0,
				"%s: the header is one line", what)
			if strings.HasSuffix(p.name, "incident") {
				assert.Empty(t, evalJS[[]string](t, ctx, overlapJS), "%s: timeline rows overlap", what)
			}
			menu := evalJS[bool](t, ctx, `document.querySelector('header.site .site-menu').getClientRects().length > 0`)
			nav := evalJS[bool](t, ctx, `document.querySelector('header.site nav[aria-label=Main]').getClientRects().length > 0`)
			assert.Equal(t, size.mobile, menu, "%s: the menu toggle shows on the phone only", what)
			assert.Equal(t, !size.mobile, nav, "%s: the navigation shows without opening the menu on the desktop only", what)
			if shots != "" {
				screenshots(t, ctx, filepath.Join(shots, fmt.Sprintf("%s-%d", p.name, size.width)))
			}
		}
	}

	// On the phone the menu opens below the one-line header and every
	// link of the desktop navigation is in it.
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1), chromedp.EmulateMobile, chromedp.EmulateTouch)))
	_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Navigate(base+"/actions")))
	require.NoError(t, err)
	visibleLinks := `[...document.querySelectorAll('header.site nav a, header.site nav button, header.site nav input')]
		.filter(el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden').map(el => el.textContent.trim() || el.name)`
	assert.Empty(t, evalJS[[]string](t, ctx, visibleLinks), "the menu starts closed")
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`header.site summary`))))
	assert.Equal(t, []string{"Incidents", "Action items", "Services", "Archive", "Review", "q", "Declare incident", app.who.user.Name, "Sign out"},
		evalJS[[]string](t, ctx, visibleLinks), "the open menu")
	assert.Empty(t, evalJS[[]string](t, ctx, overflowJS), "the open menu fits the screen")
	if shots != "" {
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(shots, "menu-390.png"), png, 0o644))
	}

	assert.Empty(t, consoleErrors(), "console errors, exceptions or CSP violations")
}

// screenshots saves the whole page as PNGs of at most a screen and a half
// each (prefix-1.png, prefix-2.png, ...), small enough to look at.
func screenshots(t *testing.T, ctx context.Context, prefix string) {
	t.Helper()
	width := evalJS[float64](t, ctx, `document.documentElement.clientWidth`)
	height := evalJS[float64](t, ctx, `document.documentElement.scrollHeight`)
	step := 1.5 * evalJS[float64](t, ctx, `window.innerHeight`)
	for i, y := 1, 0.0; y < height; i, y = i+1, y+step {
		png, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
			CaptureBeyondViewport: ptrTo(true),
			Clip:                  &page.Viewport{X: 0, Y: y, Width: width, Height: min(step, height-y), Scale: 1},
		})
		require.NoError(t, err, "screenshot of %s", prefix)
		require.NoError(t, os.WriteFile(fmt.Sprintf("%s-%d.png", prefix, i), png.Data, 0o644))
	}
}

func ptrTo[T any](v T) *T { return &v }
