// Package oidc signs people in through an OpenID Connect provider: the
// authorization code flow with PKCE, state and nonce, the ID token checked
// (issuer, audience, expiry, signature from the provider's JWKS, nonce),
// and the account found or created from its claims, with the role its
// groups give.
package oidc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// Config is how Debrief reaches its identity provider and maps its groups.
type Config struct {
	Issuer         string
	ClientID       string
	ClientSecret   string   // empty for a public client (PKCE alone)
	GroupsClaim    string   // "groups" when empty
	AdminGroups    []string // members sign in as admins
	EditorGroups   []string // members sign in as editors; anyone else is a viewer
	AllowedDomains []string // when set, only emails in these domains sign in
	// TrustUnverifiedEmail accepts an ID token without an email_verified
	// claim (some providers, e.g. Entra ID, never send one, and vouch for
	// the emails they issue). Without it such a token is refused. An
	// email_verified of false is refused either way.
	TrustUnverifiedEmail bool
}

// CheckIssuer refuses an issuer that is not https, except on a loopback
// address (a provider on the same machine, or a test).
func CheckIssuer(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" {
		return fmt.Errorf("oidc-issuer %q is not a URL", issuer)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
		return fmt.Errorf("oidc-issuer %q must be https (http only on a loopback address)", issuer)
	}
	return fmt.Errorf("oidc-issuer %q must be an https URL", issuer)
}

// Errors a sign-in can end with. The web layer shows one message for each
// and logs the wrapped detail.
var (
	// ErrUnavailable: the provider's discovery document could not be read.
	ErrUnavailable = errors.New("oidc: identity provider unavailable")
	// ErrRefused: the provider's answer does not prove who this is (bad
	// code, token, signature, audience, expiry or nonce).
	ErrRefused = errors.New("oidc: sign-in refused")
	// ErrNotAllowed: the identity is proven but may not sign in here (email
	// not verified, domain not allowed, account disabled).
	ErrNotAllowed = errors.New("oidc: not allowed to sign in")
)

// Client talks to one provider. Discovery is lazy: a provider that is down
// when Debrief starts only makes sign-in unavailable until it answers.
type Client struct {
	cfg  Config
	http *http.Client

	mu       sync.Mutex
	provider *gooidc.Provider
	verifier *gooidc.IDTokenVerifier
	failed   bool // the last discovery failed
}

// New checks cfg and returns a client that has not yet asked the provider
// anything.
func New(cfg Config) (*Client, error) {
	if err := CheckIssuer(cfg.Issuer); err != nil {
		return nil, err
	}
	if cfg.ClientID == "" {
		return nil, errors.New("oidc-client-id is required with oidc-issuer")
	}
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	return &Client{cfg: cfg, http: &http.Client{Timeout: 10 * time.Second}}, nil
}

// Name is a short name for the provider on the sign-in button: the
// issuer's host.
func (cl *Client) Name() string {
	if u, err := url.Parse(cl.cfg.Issuer); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "single sign-on"
}

// Discover reads the provider's configuration if it has not been read yet.
// After a failure, the next call (the next sign-in attempt) asks again.
func (cl *Client) Discover(ctx context.Context) error {
	_, _, err := cl.discover(ctx)
	return err
}

// Unavailable reports whether the last discovery failed (and none has
// succeeded since), for the login page.
func (cl *Client) Unavailable() bool {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.provider == nil && cl.failed
}

func (cl *Client) discover(ctx context.Context) (*gooidc.Provider, *gooidc.IDTokenVerifier, error) {
	cl.mu.Lock()
	p, v := cl.provider, cl.verifier
	cl.mu.Unlock()
	if p != nil {
		return p, v, nil
	}
	// Not under the lock: the login page asks Unavailable meanwhile. Two
	// sign-ins racing here both ask the provider, which is harmless.
	p, err := gooidc.NewProvider(gooidc.ClientContext(ctx, cl.http), cl.cfg.Issuer)
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if err != nil {
		cl.failed = true
		return nil, nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	// go-oidc checks issuer, audience, expiry and the signature (against
	// the provider's JWKS, refusing "none"); Exchange checks the nonce.
	cl.provider, cl.verifier, cl.failed = p, p.Verifier(&gooidc.Config{ClientID: cl.cfg.ClientID}), false
	return cl.provider, cl.verifier, nil
}

func (cl *Client) oauth(p *gooidc.Provider, redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: cl.cfg.ClientID, ClientSecret: cl.cfg.ClientSecret,
		Endpoint: p.Endpoint(), RedirectURL: redirectURL,
		Scopes: []string{gooidc.ScopeOpenID, "email", "profile"},
	}
}

// Flow is what one sign-in keeps between the redirect to the provider and
// the callback: kept server-side, never sent anywhere but to the provider.
type Flow struct {
	State    string
	Nonce    string
	Verifier string // the PKCE code verifier
}

// NewFlow makes fresh random values for one sign-in.
func NewFlow() Flow {
	return Flow{State: oauth2.GenerateVerifier(), Nonce: oauth2.GenerateVerifier(), Verifier: oauth2.GenerateVerifier()}
}

// AuthURL is the provider's page to send the browser to.
func (cl *Client) AuthURL(ctx context.Context, f Flow, redirectURL string) (string, error) {
	p, _, err := cl.discover(ctx)
	if err != nil {
		return "", err
	}
	return cl.oauth(p, redirectURL).AuthCodeURL(f.State, gooidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), nil
}

// Identity is who the provider says signed in.
type Identity struct {
	Subject string
	Email   string
	Name    string
	Role    model.Role
}

// Exchange trades the callback's code for tokens, verifies the ID token and
// its nonce, and reads the identity from its claims.
func (cl *Client) Exchange(ctx context.Context, f Flow, code, redirectURL string) (Identity, error) {
	p, verifier, err := cl.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	tok, err := cl.oauth(p, redirectURL).Exchange(gooidc.ClientContext(ctx, cl.http), code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return Identity{}, fmt.Errorf("%w: code exchange: %w", ErrRefused, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, fmt.Errorf("%w: no id_token in the token response", ErrRefused)
	}
	idt, err := verifier.Verify(gooidc.ClientContext(ctx, cl.http), raw)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %w", ErrRefused, err)
	}
	if idt.Nonce == "" || idt.Nonce != f.Nonce {
		return Identity{}, fmt.Errorf("%w: nonce does not match this sign-in", ErrRefused)
	}
	return cl.identity(idt)
}

func (cl *Client) identity(idt *gooidc.IDToken) (Identity, error) {
	var claims struct {
		Email         string `json:"email"`
		EmailVerified any    `json:"email_verified"` // a boolean; some providers send "true"
		Name          string `json:"name"`
	}
	var all map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("%w: claims: %w", ErrRefused, err)
	}
	if err := idt.Claims(&all); err != nil {
		return Identity{}, fmt.Errorf("%w: claims: %w", ErrRefused, err)
	}
	email, err := model.NormalizeEmail(claims.Email)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: email claim %q %v", ErrNotAllowed, claims.Email, err)
	}
	// An unverified email could be anyone's, and it picks the account. A
	// token that does not say is unverified, unless the operator trusts
	// the provider (TrustUnverifiedEmail).
	switch verified, present := emailVerified(claims.EmailVerified); {
	case present && !verified:
		return Identity{}, fmt.Errorf("%w: email %s is not verified (email_verified: %v)", ErrNotAllowed, email, claims.EmailVerified)
	case !present && !cl.cfg.TrustUnverifiedEmail:
		return Identity{}, fmt.Errorf("%w: the ID token for %s has no email_verified claim (--oidc-trust-unverified-email accepts that)", ErrNotAllowed, email)
	}
	if len(cl.cfg.AllowedDomains) > 0 {
		domain := email[strings.LastIndexByte(email, '@')+1:]
		if !slices.ContainsFunc(cl.cfg.AllowedDomains, func(d string) bool { return strings.EqualFold(d, domain) }) {
			return Identity{}, fmt.Errorf("%w: email domain %s is not allowed", ErrNotAllowed, domain)
		}
	}
	name := strings.TrimSpace(strings.ReplaceAll(claims.Name, "\x00", ""))
	if r := []rune(name); len(r) > model.MaxNameLen {
		name = strings.TrimSpace(string(r[:model.MaxNameLen]))
	}
	if name == "" {
		name = email[:strings.IndexByte(email, '@')]
	}
	return Identity{Subject: idt.Subject, Email: email, Name: name, Role: cl.role(groups(all[cl.cfg.GroupsClaim]))}, nil
}

// emailVerified reads an email_verified claim: a boolean, or the strings
// "true" and "false". Anything else present counts as not verified.
func emailVerified(v any) (verified, present bool) {
	switch x := v.(type) {
	case nil:
		return false, false
	case bool:
		return x, true
	case string:
		return strings.EqualFold(x, "true"), true
	}
	return false, true
}

// groups reads a groups claim: a list of strings, or one string.
func groups(v any) []string {
	switch g := v.(type) {
	case string:
		return []string{g}
	case []any:
		out := make([]string, 0, len(g))
		for _, x := range g {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// role is the highest role any of groups gives.
func (cl *Client) role(groups []string) model.Role {
	in := func(list []string) bool {
		return slices.ContainsFunc(groups, func(g string) bool { return slices.Contains(list, g) })
	}
	switch {
	case in(cl.cfg.AdminGroups):
		return model.RoleAdmin
	case in(cl.cfg.EditorGroups):
		return model.RoleEditor
	}
	return model.RoleViewer
}

// SignIn finds the account of id's email, or creates it on first sign-in,
// and sets its role to the one id's groups give. A disabled account is
// ErrNotAllowed.
func SignIn(ctx context.Context, st *store.Store, id Identity) (*model.User, error) {
	for attempt := 0; ; attempt++ {
		u, err := st.UserByEmail(ctx, id.Email)
		if errors.Is(err, model.ErrNotFound) {
			u = &model.User{Email: id.Email, Name: id.Name, Role: id.Role} // no password: sign-in only through the provider
			err = st.CreateUser(ctx, u)
			if err != nil && attempt == 0 {
				continue // created by a sign-in racing this one: sign into it
			}
			return u, err
		}
		if err != nil {
			return nil, err
		}
		if u.Disabled {
			return nil, fmt.Errorf("%w: account %d is disabled", ErrNotAllowed, u.ID)
		}
		if u.Role == id.Role {
			return u, nil
		}
		role := id.Role
		next, err := st.UpdateUser(ctx, u.ID, store.UserPatch{Role: &role, Version: u.Version})
		var ve *model.ValidationError
		switch {
		case errors.As(err, &ve):
			// The last active admin is never demoted (the installation
			// would lock itself out): the caller logs it.
			return u, &RoleKeptError{User: u, Want: id.Role, Err: err}
		case errors.Is(err, model.ErrConflict) && attempt == 0:
			continue // changed meanwhile: read it again
		case err != nil:
			return nil, err
		}
		return next, nil
	}
}

// RoleKeptError says SignIn signed User in with their old role because the
// new one was refused (the last active admin is never demoted).
type RoleKeptError struct {
	User *model.User
	Want model.Role
	Err  error
}

func (e *RoleKeptError) Error() string {
	return fmt.Sprintf("oidc: kept role %s of user %d (groups give %s): %v", e.User.Role, e.User.ID, e.Want, e.Err)
}

func (e *RoleKeptError) Unwrap() error { return e.Err }
