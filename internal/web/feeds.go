package web

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/auth"
	"github.com/debrief-dev/debrief/internal/markdown"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/postmortem"
	"github.com/debrief-dev/debrief/internal/store"
)

// feedLimit is how many entries a feed holds: the newest ones.
const feedLimit = 50

// Atom 1.0 (RFC 4287), written with encoding/xml: the format is small and
// fixed, and encoding/xml escapes every text and attribute, so no feed
// library is needed.
type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

// atomText is a text construct; Type "html" carries escaped HTML.
type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Links      []atomLink     `xml:"link"`
	Author     atomPerson     `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    atomText       `xml:"summary"`
	Content    *atomText      `xml:"content,omitempty"`
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// isFeed reports whether the request is for one of the Atom feeds, the
// only routes a feed key opens.
func isFeed(c echo.Context) bool {
	p := c.Request().URL.Path
	return p == "/archive.atom" || p == "/incidents.atom"
}

// feedUser resolves who reads a feed: a feed key in the URL (?key=, for
// readers that cannot send headers), else an API token in the
// Authorization header, else the browser's session. A key that is not a
// live one is 401 at once.
func (s *Server) feedUser(c echo.Context) (*model.User, *model.APIToken, error) {
	q := c.Request().URL.Query()
	if !q.Has("key") {
		if c.Request().Header.Get(echo.HeaderAuthorization) != "" {
			return s.tokenUser(c)
		}
		u, err := s.browserUser(c)
		return u, nil, err
	}
	secret := q.Get("key")
	if auth.CheckFeedKeyShape(secret) != nil {
		return nil, nil, errAuth{"invalid or revoked feed key"}
	}
	hash := auth.HashToken(secret)
	k, err := s.store.FeedKeyByHash(c.Request().Context(), hash)
	if errors.Is(err, model.ErrNotFound) || (err == nil && !auth.Equal(k.Hash, hash)) {
		return nil, nil, errAuth{"invalid or revoked feed key"}
	}
	if err != nil {
		return nil, nil, err
	}
	if err := s.store.TouchFeedKey(c.Request().Context(), k); err != nil {
		s.log.Warn("record feed key use", "feed_key_id", k.ID, "error", err)
	}
	return k.User, nil, nil
}

// tagAuthority is the host name of Debrief's address, for the tag: URIs
// (RFC 4151) that name entries: stable as long as the address is.
func tagAuthority(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Hostname() == "" {
		return "debrief.invalid"
	}
	return strings.ToLower(u.Hostname())
}

func tagURI(base string, created time.Time, specific string) string {
	return fmt.Sprintf("tag:%s,%s:%s", tagAuthority(base), created.UTC().Format("2006-01-02"), specific)
}

// newFeed starts a feed at path, with the link to its page.
func (s *Server) newFeed(c echo.Context, path, title, page string) (atomFeed, string) {
	base := strings.TrimRight(s.baseURL(c), "/")
	return atomFeed{
		ID:    base + path,
		Title: title,
		Links: []atomLink{
			// The self link never carries the reader's key.
			{Href: base + path, Rel: "self", Type: "application/atom+xml"},
			{Href: base + page, Rel: "alternate", Type: "text/html"},
		},
		Author:    atomPerson{Name: "Debrief"},
		Generator: "Debrief",
	}, base
}

// writeFeed answers with the feed. Its updated is its newest entry's (a
// feed without entries says when it was read).
func (s *Server) writeFeed(c echo.Context, f atomFeed) error {
	if len(f.Entries) == 0 {
		f.Updated = atomTime(s.now())
	}
	for _, e := range f.Entries {
		if e.Updated > f.Updated { // one layout, in UTC: text order is time order
			f.Updated = e.Updated
		}
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return err
	}
	buf.WriteByte('\n')
	// Each reader's feed is their own (private incidents, their key).
	c.Response().Header().Set(echo.HeaderCacheControl, "private, no-cache")
	return c.Blob(http.StatusOK, "application/atom+xml; charset=utf-8", buf.Bytes())
}

// archiveFeed is GET /archive.atom: the latest published postmortems the
// reader may see, newest publication first.
func (s *Server) archiveFeed(c echo.Context) error {
	pms, err := s.store.ArchiveFeed(c.Request().Context(), viewerOf(c), feedLimit)
	if err != nil {
		return err
	}
	f, base := s.newFeed(c, "/archive.atom", "Debrief: published postmortems", "/archive")
	for _, p := range pms {
		by := p.PublishedBy
		if by == "" {
			by = "Debrief"
		}
		body := postmortem.WithoutFrontMatter(postmortem.Relink([]byte(p.Markdown), base))
		f.Entries = append(f.Entries, atomEntry{
			ID:         tagURI(base, p.CreatedAt, fmt.Sprintf("postmortem/%d", p.IncidentID)),
			Title:      atomText{Type: "text", Body: p.Title},
			Updated:    atomTime(p.PublishedAt),
			Published:  atomTime(p.FirstPublishedAt),
			Links:      []atomLink{{Href: fmt.Sprintf("%s/incidents/%d/postmortem", base, p.IncidentID), Rel: "alternate", Type: "text/html"}},
			Author:     atomPerson{Name: by},
			Categories: []atomCategory{{Term: p.Severity}},
			Summary: atomText{Type: "html", Body: fmt.Sprintf("<p>%s · revision %d, published %s</p>",
				html.EscapeString(p.Severity), p.Number, p.PublishedAt.UTC().Format("2006-01-02 15:04 UTC"))},
			Content: &atomText{Type: "html", Body: markdown.Render(string(body))},
		})
	}
	return s.writeFeed(c, f)
}

// incidentsFeed is GET /incidents.atom: the latest declarations and
// resolutions of the incidents the reader may see, newest first.
func (s *Server) incidentsFeed(c echo.Context) error {
	evs, err := s.store.IncidentFeed(c.Request().Context(), viewerOf(c), feedLimit)
	if err != nil {
		return err
	}
	f, base := s.newFeed(c, "/incidents.atom", "Debrief: incidents declared and resolved", "/incidents")
	for _, ev := range evs {
		verb := "Declared"
		if ev.Kind == store.FeedResolved {
			verb = "Resolved"
		}
		summary := fmt.Sprintf("<p>%s %s · %s · status %s</p>", verb, ev.At.UTC().Format("2006-01-02 15:04 UTC"),
			html.EscapeString(ev.Severity), html.EscapeString(string(ev.Status)))
		e := atomEntry{
			ID:         tagURI(base, ev.CreatedAt, fmt.Sprintf("incident/%d/%s", ev.IncidentID, ev.Kind)),
			Title:      atomText{Type: "text", Body: verb + ": " + ev.Title},
			Updated:    atomTime(ev.At),
			Published:  atomTime(ev.At),
			Links:      []atomLink{{Href: fmt.Sprintf("%s/incidents/%d", base, ev.IncidentID), Rel: "alternate", Type: "text/html"}},
			Author:     atomPerson{Name: "Debrief"},
			Categories: []atomCategory{{Term: ev.Kind}, {Term: ev.Severity}},
			Summary:    atomText{Type: "html", Body: summary},
		}
		if ev.Summary != "" {
			e.Content = &atomText{Type: "html", Body: summary + markdown.Render(ev.Summary)}
		}
		f.Entries = append(f.Entries, e)
	}
	return s.writeFeed(c, f)
}

// feedKeyCreate is POST /settings/feed-keys: a new feed key for the
// signed-in user, shown once inside the two feed URLs.
func (s *Server) feedKeyCreate(c echo.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	u := currentUser(c)
	secret, hash, err := auth.NewFeedKey()
	if err != nil {
		return err
	}
	k := &model.FeedKey{UserID: u.ID, Name: c.FormValue("name"), Hash: hash, Prefix: secret[:len(auth.FeedKeyPrefix)+6]}
	err = s.store.CreateFeedKey(c.Request().Context(), k)
	p := tokensPage{FeedKeyName: c.FormValue("name")}
	var ve *model.ValidationError
	status := http.StatusCreated
	switch {
	case errors.As(err, &ve):
		p.FeedErrors, status = ve.Fields, http.StatusUnprocessableEntity
	case err != nil:
		return err
	default:
		p.NewFeedKey, p.FeedKeyName = secret, ""
	}
	if err := s.settingsLists(c, &p); err != nil {
		return err
	}
	// Rendered, not redirected: the key must not travel in a redirect.
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Render(status, "settings", s.pageData(c, p))
}

// feedKeyRevoke is POST /settings/feed-keys/:keyID/revoke: the key stops
// working at once (401).
func (s *Server) feedKeyRevoke(c echo.Context) error {
	id, err := pathID(c, "keyID")
	if err != nil {
		return err
	}
	if err := s.store.RevokeFeedKey(c.Request().Context(), id, currentUser(c).ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings?notice="+url.QueryEscape("Feed key revoked; readers using it now get 401."))
}
