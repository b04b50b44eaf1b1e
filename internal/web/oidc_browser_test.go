package web

import (
	"context"
	"net/url"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

// TestBrowserOIDCSignIn clicks "Sign in with …" in a real browser: to the
// provider (which signs in at once) and back, ending signed in on the page
// the login was for.
func TestBrowserOIDCSignIn(t *testing.T) {
	ctx := newBrowser(t)
	p := newFakeIdP(t)
	p.approve = map[string]any{"email": "sso.person@example.com", "name": "Sso Person", "groups": []string{"debrief-editors"}}
	app := newOIDCApp(t, p)
	base := serve(t, app)
	host, err := url.Parse(p.srv.URL)
	require.NoError(t, err)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/actions"), // signed out: sent to the login page, next=/actions
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/auth/oidc/login"]`)),
	))
	label := evalJS[string](t, ctx, `document.querySelector('a[href^="/auth/oidc/login"]').textContent`)
	assert.Equal(t, "Sign in with "+host.Hostname(), label)
	_, err = chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`a[href^="/auth/oidc/login"]`))))
	require.NoError(t, err)
	waitJS(t, ctx, "back on /actions", `location.pathname === "/actions"`)
	assert.Contains(t, evalJS[string](t, ctx, `document.body.textContent`), "Sso Person", "signed in")

	u, err := app.store.UserByEmail(context.Background(), "sso.person@example.com")
	require.NoError(t, err)
	assert.Equal(t, model.RoleEditor, u.Role)
}
