package web

// Tests of the Atom feeds (issue 16, item 4): valid Atom 1.0 with escaped
// text, newest first and bounded; read with a session, an API token or a
// feed key that opens the feeds and nothing else; revoked and unknown keys
// refused; private incidents only for their members.

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/auth"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// parsedFeed is an Atom feed read back, independent of the types that
// wrote it.
type parsedFeed struct {
	XMLName xml.Name     `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string       `xml:"http://www.w3.org/2005/Atom id"`
	Title   string       `xml:"http://www.w3.org/2005/Atom title"`
	Updated string       `xml:"http://www.w3.org/2005/Atom updated"`
	Links   []parsedLink `xml:"http://www.w3.org/2005/Atom link"`
	Author  struct {
		Name string `xml:"http://www.w3.org/2005/Atom name"`
	} `xml:"http://www.w3.org/2005/Atom author"`
	Entries []parsedEntry `xml:"http://www.w3.org/2005/Atom entry"`
}

type parsedLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
}

type parsedText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type parsedEntry struct {
	ID      string       `xml:"http://www.w3.org/2005/Atom id"`
	Title   parsedText   `xml:"http://www.w3.org/2005/Atom title"`
	Updated string       `xml:"http://www.w3.org/2005/Atom updated"`
	Links   []parsedLink `xml:"http://www.w3.org/2005/Atom link"`
	Author  struct {
		Name string `xml:"http://www.w3.org/2005/Atom name"`
	} `xml:"http://www.w3.org/2005/Atom author"`
	Summary parsedText  `xml:"http://www.w3.org/2005/Atom summary"`
	Content *parsedText `xml:"http://www.w3.org/2005/Atom content"`
}

// atomFeedOf checks a feed response and the elements RFC 4287 requires
// (feed: id, title, updated, a self link, an author; each entry: id,
// title, updated, a link, an author; ids unique, updated as RFC 3339),
// and returns it parsed.
func atomFeedOf(t *testing.T, rec *httptest.ResponseRecorder, self string) parsedFeed {
	t.Helper()
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "application/atom+xml; charset=utf-8", rec.Header().Get("Content-Type"))
	var f parsedFeed
	require.NoError(t, xml.Unmarshal(rec.Body.Bytes(), &f), rec.Body.String())
	assert.Equal(t, "http://example.com"+self, f.ID)
	assert.NotEmpty(t, f.Title)
	_, err := time.Parse(time.RFC3339, f.Updated)
	assert.NoError(t, err, "feed updated %q", f.Updated)
	assert.Contains(t, f.Links, parsedLink{Href: "http://example.com" + self, Rel: "self"})
	assert.NotEmpty(t, f.Author.Name)
	ids := map[string]bool{}
	var prev time.Time
	for i, e := range f.Entries {
		assert.Regexp(t, `^tag:example\.com,\d{4}-\d{2}-\d{2}:[a-z]+/\d+(/[a-z]+)?$`, e.ID)
		assert.False(t, ids[e.ID], "entry id %s twice", e.ID)
		ids[e.ID] = true
		assert.NotEmpty(t, e.Title.Body)
		at, err := time.Parse(time.RFC3339, e.Updated)
		if assert.NoError(t, err, "entry updated %q", e.Updated) && i > 0 {
			assert.False(t, at.After(prev), "entries newest first: %s after %s", at, prev)
		}
		prev = at
		if assert.NotEmpty(t, e.Links) {
			assert.True(t, strings.HasPrefix(e.Links[0].Href, "http://example.com/incidents/"), e.Links[0].Href)
		}
		assert.NotEmpty(t, e.Author.Name)
		assert.Equal(t, "html", e.Summary.Type)
		assert.NotEmpty(t, e.Summary.Body)
		if i == 0 {
			assert.Equal(t, e.Updated, f.Updated, "the feed's updated is its newest entry's")
		}
	}
	return f
}

const nastyTitle = `Checkout <script>alert(1)</script> & "quotes"`

func TestFeedsAreValidAtom(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	id := app.readyIncident(nastyTitle)
	app.pmPublish(id, "The **gateway** <script>alert(2)</script> failed.", "Checkout & payments.")
	open := app.createIncident(`{"title":"Still open","severity":"SEV3","summary":"Queue <b>backlog</b>"}`)

	rec := app.do(http.MethodGet, "/incidents.atom", "", "")
	raw := rec.Body.String()
	assert.NotContains(t, raw, "<script>", "text is escaped")
	assert.Contains(t, raw, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;")
	f := atomFeedOf(t, rec, "/incidents.atom")
	require.Len(t, f.Entries, 3, "two declarations and a resolution")
	// The open incident was declared last; the ready one was resolved
	// before it was declared (backdated), so its declaration is newer.
	assert.Equal(t, "Declared: Still open", f.Entries[0].Title.Body)
	assert.Equal(t, "text", f.Entries[0].Title.Type)
	assert.Equal(t, fmt.Sprintf("http://example.com/incidents/%v", open["id"]), f.Entries[0].Links[0].Href)
	require.NotNil(t, f.Entries[0].Content)
	assert.Equal(t, "html", f.Entries[0].Content.Type)
	assert.Contains(t, f.Entries[0].Content.Body, "Queue ", "the summary's Markdown is rendered")
	assert.NotContains(t, f.Entries[0].Content.Body, "<b>", "in safe mode: raw HTML is dropped")
	assert.Contains(t, raw, "&lt;p&gt;Queue", "HTML content is escaped in the XML")
	titles := []string{f.Entries[1].Title.Body, f.Entries[2].Title.Body}
	assert.ElementsMatch(t, []string{"Declared: " + nastyTitle, "Resolved: " + nastyTitle}, titles)
	assert.Contains(t, f.Entries[1].ID+f.Entries[2].ID, fmt.Sprintf("incident/%d/resolved", id))

	rec = app.do(http.MethodGet, "/archive.atom", "", "")
	assert.NotContains(t, rec.Body.String(), "<script>")
	f = atomFeedOf(t, rec, "/archive.atom")
	require.Len(t, f.Entries, 1, "only published postmortems")
	e := f.Entries[0]
	assert.Equal(t, nastyTitle, e.Title.Body)
	assert.Regexp(t, fmt.Sprintf(`^tag:example\.com,\d{4}-\d{2}-\d{2}:postmortem/%d$`, id), e.ID)
	assert.Equal(t, fmt.Sprintf("http://example.com/incidents/%d/postmortem", id), e.Links[0].Href)
	assert.Contains(t, e.Summary.Body, "revision 1")
	require.NotNil(t, e.Content)
	assert.Contains(t, e.Content.Body, "<strong>gateway</strong>", "the postmortem rendered to HTML")
	assert.NotContains(t, e.Content.Body, "<script>", "raw HTML in Markdown is not passed on")
	assert.NotContains(t, e.Content.Body, "debrief_id", "no front matter")

	// A second revision moves the postmortem's entry, and keeps its id.
	pm, err := app.store.Postmortem(ctx, id)
	require.NoError(t, err)
	pm, err = app.store.SetPostmortemStatus(ctx, id, model.PostmortemDraft, pm.Version)
	require.NoError(t, err)
	_, err = app.store.Publish(ctx, id, pm.Version, func(*store.Document, int, time.Time) (string, []byte, error) {
		return "# Revised\n\nRevised summary.\n", []byte("{}"), nil
	})
	require.NoError(t, err)
	f2 := atomFeedOf(t, app.do(http.MethodGet, "/archive.atom", "", ""), "/archive.atom")
	require.Len(t, f2.Entries, 1)
	assert.Equal(t, e.ID, f2.Entries[0].ID)
	assert.Contains(t, f2.Entries[0].Summary.Body, "revision 2")
	assert.Contains(t, f2.Entries[0].Content.Body, "Revised summary.")

	// Bounded: the latest 50, newest first.
	base := app.store.Now().Add(-48 * time.Hour)
	for i := range 30 {
		resolved := base.Add(time.Duration(i) * time.Minute)
		inc := &model.Incident{Title: fmt.Sprintf("Bulk %02d", i), Severity: "SEV3", Status: model.StatusResolved, StartedAt: &base, ResolvedAt: &resolved}
		require.NoError(t, app.store.CreateIncident(ctx, inc, ""))
	}
	f = atomFeedOf(t, app.do(http.MethodGet, "/incidents.atom", "", ""), "/incidents.atom")
	assert.Len(t, f.Entries, feedLimit)
}

var feedKeyRE = regexp.MustCompile(`dbfeed_[A-Za-z0-9_-]{43}`)

func TestFeedKeys(t *testing.T) {
	app := newTestApp(t)
	app.createIncident(`{"title":"Queue backlog","severity":"SEV3"}`)
	viewer := app.as(model.RoleViewer)

	// Created on the settings page, shown once inside the feed URLs.
	rec := viewer.form("/settings/feed-keys", url.Values{"name": {"My reader"}})
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	key := feedKeyRE.FindString(rec.Body.String())
	require.NotEmpty(t, key)
	assert.Contains(t, rec.Body.String(), "http://example.com/archive.atom?key="+key)
	assert.Contains(t, rec.Body.String(), "http://example.com/incidents.atom?key="+key)
	page := viewer.do(http.MethodGet, "/settings", "", "").Body.String()
	assert.Contains(t, page, "My reader")
	assert.NotContains(t, page, key, "the key is shown once")

	// Only its hash is kept, and it is not in the audit log.
	keys, err := app.store.FeedKeys(context.Background(), app.ids[model.RoleViewer].user.ID)
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.Equal(t, auth.HashToken(key), keys[0].Hash)
	assert.True(t, strings.HasPrefix(key, keys[0].Prefix))
	audit := app.as(model.RoleAdmin).do(http.MethodGet, "/admin/audit", "", "").Body.String()
	assert.Contains(t, audit, "feed_key")
	assert.NotContains(t, audit, key)

	// A bad name is a 422 beside the field.
	rec = viewer.form("/settings/feed-keys", url.Values{"name": {"  "}})
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.False(t, feedKeyRE.MatchString(rec.Body.String()))

	anon := app.as("")
	for _, feed := range []string{"/archive.atom", "/incidents.atom"} {
		atomFeedOf(t, anon.do(http.MethodGet, feed+"?key="+key, "", ""), feed)
		// An API token in the header reads the feeds too.
		atomFeedOf(t, anon.do(http.MethodGet, feed, "", "", "Authorization", "Bearer "+app.ids[model.RoleViewer].token), feed)
	}
	f := atomFeedOf(t, anon.do(http.MethodGet, "/incidents.atom?key="+key, "", ""), "/incidents.atom")
	require.Len(t, f.Entries, 1)
	assert.Equal(t, "Declared: Queue backlog", f.Entries[0].Title.Body)

	// The key opens the feeds and nothing else.
	for _, path := range []string{"/incidents", "/archive", "/incidents/1", "/settings", "/export.zip"} {
		rec := anon.do(http.MethodGet, path+"?key="+key, "", "")
		assert.Equal(t, http.StatusSeeOther, rec.Code, "%s with a feed key", path)
		assert.True(t, strings.HasPrefix(rec.Header().Get("Location"), "/login"), path)
	}
	rec = anon.do(http.MethodGet, "/api/v1/incidents?key="+key, "", "")
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	rec = anon.do(http.MethodGet, "/api/v1/incidents", "", "", "Authorization", "Bearer "+key)
	assert.Equal(t, http.StatusUnauthorized, rec.Code, "a feed key is no API token")
	rec = anon.do(http.MethodGet, "/incidents.atom", "", "", "Authorization", "Bearer "+key)
	assert.Equal(t, http.StatusUnauthorized, rec.Code, "nor in the header of a feed")

	// Unknown, malformed and missing credentials: 401, saying how.
	other, _, err := auth.NewFeedKey()
	require.NoError(t, err)
	for _, target := range []string{"/archive.atom?key=" + other, "/incidents.atom?key=nope", "/incidents.atom?key=", "/archive.atom",
		"/archive.atom?key=" + app.ids[model.RoleViewer].token} {
		rec := anon.do(http.MethodGet, target, "", "")
		assert.Equal(t, http.StatusUnauthorized, rec.Code, target)
		assert.True(t, strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer "), target)
		assert.NotEmpty(t, decode(t, rec)["error"], target)
	}

	// Another user cannot revoke it; its owner can, and it stops at once.
	path := fmt.Sprintf("/settings/feed-keys/%d/revoke", keys[0].ID)
	assert.Equal(t, http.StatusNotFound, app.as(model.RoleAdmin).form(path, nil).Code)
	atomFeedOf(t, anon.do(http.MethodGet, "/archive.atom?key="+key, "", ""), "/archive.atom")
	rec = viewer.form(path, nil)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	rec = anon.do(http.MethodGet, "/archive.atom?key="+key, "", "")
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Contains(t, decode(t, rec)["error"], "revoked")
	assert.Contains(t, viewer.do(http.MethodGet, "/settings", "", "").Body.String(), "revoked")

	// A disabled user's key stops working too.
	rec = viewer.form("/settings/feed-keys", url.Values{"name": {"Second"}})
	require.Equal(t, http.StatusCreated, rec.Code)
	key2 := feedKeyRE.FindString(rec.Body.String())
	u := app.ids[model.RoleViewer].user
	current, err := app.store.User(context.Background(), u.ID)
	require.NoError(t, err)
	yes := true
	_, err = app.store.UpdateUser(context.Background(), u.ID, store.UserPatch{Disabled: &yes, Version: current.Version})
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, anon.do(http.MethodGet, "/archive.atom?key="+key2, "", "").Code)
}

func TestFeedKeyLimit(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	u := app.ids[model.RoleViewer].user
	for i := range model.MaxFeedKeys {
		_, hash, err := auth.NewFeedKey()
		require.NoError(t, err)
		require.NoError(t, app.store.CreateFeedKey(ctx, &model.FeedKey{UserID: u.ID, Name: fmt.Sprintf("k%d", i), Hash: hash, Prefix: "dbfeed_x"}))
	}
	rec := app.as(model.RoleViewer).form("/settings/feed-keys", url.Values{"name": {"one too many"}})
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, rec.Body.String(), "revoke one first")
}

// TestFeedsPrivateIncidents: a private incident is in the feeds of its
// members (and admins) only, whatever the credential.
func TestFeedsPrivateIncidents(t *testing.T) {
	w := newPrivateWorld(t)
	ctx := context.Background()
	keyOf := func(u *model.User) string {
		secret, hash, err := auth.NewFeedKey()
		require.NoError(t, err)
		require.NoError(t, w.store.CreateFeedKey(ctx, &model.FeedKey{UserID: u.ID, Name: "reader", Hash: hash, Prefix: secret[:13]}))
		return secret
	}
	nonMember, member, admin := keyOf(w.ids[model.RoleEditor].user), keyOf(w.member.user), keyOf(w.ids[model.RoleAdmin].user)
	anon := w.as("")
	for _, feed := range []string{"/archive.atom", "/incidents.atom"} {
		for _, rec := range []*httptest.ResponseRecorder{
			anon.do(http.MethodGet, feed+"?key="+nonMember, "", ""),
			anon.do(http.MethodGet, feed, "", "", "Authorization", "Bearer "+w.ids[model.RoleEditor].token),
			w.as(model.RoleEditor).do(http.MethodGet, feed, "", ""),
		} {
			f := atomFeedOf(t, rec, feed)
			if feed == "/incidents.atom" {
				assert.NotEmpty(t, f.Entries, "the organisation incident is there")
			}
			assert.Empty(t, leaks(rec.Body.String()), "%s shows a private incident to a non-member", feed)
			assert.NotContains(t, rec.Body.String(), fmt.Sprintf("/incidents/%d", w.id))
		}
		for _, key := range []string{member, admin} {
			rec := anon.do(http.MethodGet, feed+"?key="+key, "", "")
			atomFeedOf(t, rec, feed)
			assert.Contains(t, rec.Body.String(), secretTitle, "%s: members and admins see it", feed)
		}
	}
}
