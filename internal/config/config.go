// Package config reads Debrief's settings from flags and the environment.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/debrief-dev/debrief/internal/oidc"
)

// Config is everything the server needs to start.
type Config struct {
	Addr      string // listen address, host:port
	DB        string // SQLite file path
	LogFormat string // "text" or "json"

	SecureCookies   bool           // mark cookies Secure (behind TLS)
	SessionIdle     time.Duration  // sign out after this long without a request
	SessionLifetime time.Duration  // sign out this long after signing in, whatever happens
	AuthProxyHeader string         // e.g. X-Forwarded-Email; empty: proxy sign-in off
	TrustedProxies  []netip.Prefix // addresses whose AuthProxyHeader is believed

	PostmortemDue time.Duration // a postmortem is due this long after the incident is resolved
	BaseURL       string        // the address people reach Debrief at, for links in exports

	SlackSigningSecret string // the Slack app's signing secret; empty: the Slack routes answer 404

	GitHubWebhookSecret string // verifies /integrations/github; empty: that route answers 404
	ChangesToken        string // lets CI post changes to /integrations/changes without an account
	WebhookAllowPrivate bool   // outgoing webhooks may reach loopback, private and link-local addresses

	// Scheduled backups; off while BackupDir is empty.
	BackupDir   string        // the folder the server writes its backups into
	BackupEvery time.Duration // how often (the first one right after start)
	BackupKeep  int           // how many to keep there; older ones are deleted

	MetricsAllow []netip.Prefix // addresses that may read /metrics without a token
	MetricsToken string         // Authorization: Bearer token that may read /metrics from anywhere

	SMTPURL  string // smtp://[user:password@]host[:port] or smtps://…; empty: reminders go to webhooks only
	SMTPFrom string // the reminders' sender address

	// Single sign-on (OpenID Connect); off while OIDCIssuer is empty.
	OIDCIssuer         string
	OIDCClientID       string
	OIDCClientSecret   string
	OIDCGroupsClaim    string   // the ID token claim listing the user's groups
	OIDCAdminGroups    []string // groups whose members sign in as admins
	OIDCEditorGroups   []string // groups whose members sign in as editors; anyone else is a viewer
	OIDCAllowedDomains []string // when set, only emails in these domains sign in
	OIDCOnly           bool     // no password sign-in except for admins (break-glass)
	// OIDCTrustUnverifiedEmail accepts ID tokens without an email_verified
	// claim (false is refused regardless).
	OIDCTrustUnverifiedEmail bool
}

// Defaults are used when neither a flag nor an environment variable is set.
var Defaults = Config{
	Addr:            "127.0.0.1:8080",
	DB:              "./data/debrief.db",
	LogFormat:       "text",
	SessionIdle:     12 * time.Hour,
	SessionLifetime: 7 * 24 * time.Hour,
	PostmortemDue:   48 * time.Hour,
	OIDCGroupsClaim: "groups",
	BackupEvery:     6 * time.Hour,
	BackupKeep:      28,
	MetricsAllow:    []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
}

// Load parses args (flags after the subcommand) over the environment over
// the defaults: a flag beats its environment variable, which beats the
// default. extra registers a subcommand's own flags on the same set. It
// returns the remaining positional arguments.
func Load(name string, args []string, getenv func(string) string, output io.Writer, extra ...func(*flag.FlagSet)) (Config, []string, error) {
	cfg := Defaults
	var proxies, adminGroups, editorGroups, domains string
	allow := make([]string, len(cfg.MetricsAllow))
	for i, p := range cfg.MetricsAllow {
		allow[i] = p.String()
	}
	metricsAllow := strings.Join(allow, ",")
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(output)
	fs.Usage = func() {
		fmt.Fprintf(output, "Usage: debrief %s [flags]\n\nFlags:\n", name)
		fs.PrintDefaults()
	}
	var envErrs []error
	str := func(p *string, flagName, env, usage string) {
		if v := getenv(env); v != "" {
			*p = v
		}
		fs.StringVar(p, flagName, *p, usage+" (env "+env+")")
	}
	boolean := func(p *bool, flagName, env, usage string) {
		if v := getenv(env); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				envErrs = append(envErrs, fmt.Errorf("%s=%q must be true or false", env, v))
			}
			*p = b
		}
		fs.BoolVar(p, flagName, *p, usage+" (env "+env+")")
	}
	duration := func(p *time.Duration, flagName, env, usage string) {
		if v := getenv(env); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				envErrs = append(envErrs, fmt.Errorf("%s=%q must be a duration such as 12h", env, v))
			}
			*p = d
		}
		fs.DurationVar(p, flagName, *p, usage+" (env "+env+")")
	}
	integer := func(p *int, flagName, env, usage string) {
		if v := getenv(env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				envErrs = append(envErrs, fmt.Errorf("%s=%q must be a whole number", env, v))
			}
			*p = n
		}
		fs.IntVar(p, flagName, *p, usage+" (env "+env+")")
	}
	str(&cfg.Addr, "addr", "DEBRIEF_ADDR", "listen address host:port")
	str(&cfg.DB, "db", "DEBRIEF_DB", "SQLite database file; its folder is created")
	str(&cfg.LogFormat, "log-format", "DEBRIEF_LOG_FORMAT", "log format: text or json")
	boolean(&cfg.SecureCookies, "secure-cookies", "DEBRIEF_SECURE_COOKIES", "mark cookies Secure (set when served over HTTPS)")
	duration(&cfg.SessionIdle, "session-idle", "DEBRIEF_SESSION_IDLE", "sign out after this long without activity")
	duration(&cfg.SessionLifetime, "session-lifetime", "DEBRIEF_SESSION_LIFETIME", "sign out this long after signing in")
	str(&cfg.AuthProxyHeader, "auth-proxy-header", "DEBRIEF_AUTH_PROXY_HEADER", "header carrying the signed-in email from a trusted proxy, e.g. X-Forwarded-Email")
	duration(&cfg.PostmortemDue, "postmortem-due", "DEBRIEF_POSTMORTEM_DUE", "a postmortem is due this long after its incident is resolved")
	str(&cfg.BaseURL, "base-url", "DEBRIEF_BASE_URL", "the address people reach Debrief at, e.g. https://debrief.example.com (links in exports)")
	str(&cfg.SlackSigningSecret, "slack-signing-secret", "DEBRIEF_SLACK_SIGNING_SECRET", "the Slack app's signing secret; turns on /integrations/slack/commands and /integrations/slack/interactions")
	str(&cfg.GitHubWebhookSecret, "github-webhook-secret", "DEBRIEF_GITHUB_WEBHOOK_SECRET", "the secret of a GitHub webhook sending deployment_status and push events to /integrations/github")
	str(&cfg.ChangesToken, "changes-token", "DEBRIEF_CHANGES_TOKEN", "a token CI sends as Authorization: Bearer to record changes at /integrations/changes (an editor's API token works too)")
	boolean(&cfg.WebhookAllowPrivate, "webhook-allow-private", "DEBRIEF_WEBHOOK_ALLOW_PRIVATE", "let outgoing webhooks reach loopback, private and link-local addresses (refused by default)")
	str(&cfg.BackupDir, "backup-dir", "DEBRIEF_BACKUP_DIR", "serve writes a checked backup into this folder every --backup-every (off when empty)")
	duration(&cfg.BackupEvery, "backup-every", "DEBRIEF_BACKUP_EVERY", "how often serve writes a backup into --backup-dir")
	integer(&cfg.BackupKeep, "backup-keep", "DEBRIEF_BACKUP_KEEP", "how many backups to keep in --backup-dir; older ones are deleted")
	str(&metricsAllow, "metrics-allow", "DEBRIEF_METRICS_ALLOW", "comma-separated CIDRs that may read /metrics without a token")
	str(&cfg.MetricsToken, "metrics-token", "DEBRIEF_METRICS_TOKEN", "a token that reads /metrics from any address as Authorization: Bearer")

	str(&cfg.SMTPURL, "smtp-url", "DEBRIEF_SMTP_URL", "SMTP server for the daily reminder emails: smtp://[user:password@]host[:port] (STARTTLS when offered) or smtps://… (empty: reminders go to webhooks only)")
	str(&cfg.SMTPFrom, "smtp-from", "DEBRIEF_SMTP_FROM", "sender address of the reminder emails (default debrief@ the SMTP host)")
	str(&proxies, "trusted-proxies", "DEBRIEF_TRUSTED_PROXIES", "comma-separated CIDRs whose proxy header is believed, e.g. 10.0.0.0/8,127.0.0.1/32")
	str(&cfg.OIDCIssuer, "oidc-issuer", "DEBRIEF_OIDC_ISSUER", "OpenID Connect issuer URL for single sign-on, e.g. https://accounts.google.com (https; http only on loopback)")
	str(&cfg.OIDCClientID, "oidc-client-id", "DEBRIEF_OIDC_CLIENT_ID", "OpenID Connect client id")
	str(&cfg.OIDCClientSecret, "oidc-client-secret", "DEBRIEF_OIDC_CLIENT_SECRET", "OpenID Connect client secret (empty for a public client)")
	str(&cfg.OIDCGroupsClaim, "oidc-groups-claim", "DEBRIEF_OIDC_GROUPS_CLAIM", "ID token claim listing the user's groups")
	str(&adminGroups, "oidc-admin-groups", "DEBRIEF_OIDC_ADMIN_GROUPS", "comma-separated groups whose members sign in as admins")
	str(&editorGroups, "oidc-editor-groups", "DEBRIEF_OIDC_EDITOR_GROUPS", "comma-separated groups whose members sign in as editors (anyone else: viewer)")
	str(&domains, "oidc-allowed-domains", "DEBRIEF_OIDC_ALLOWED_DOMAINS", "comma-separated email domains allowed to sign in with single sign-on (empty: any)")
	boolean(&cfg.OIDCOnly, "oidc-only", "DEBRIEF_OIDC_ONLY", "sign in with single sign-on only; passwords work just for admins (break-glass)")
	boolean(&cfg.OIDCTrustUnverifiedEmail, "oidc-trust-unverified-email", "DEBRIEF_OIDC_TRUST_UNVERIFIED_EMAIL", "accept ID tokens without an email_verified claim (providers such as Entra ID omit it); email_verified: false is refused regardless")
	for _, register := range extra {
		register(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, nil, err
	}
	if err := errors.Join(envErrs...); err != nil {
		return cfg, nil, err
	}
	var perr error
	cfg.TrustedProxies, perr = ParsePrefixes(proxies)
	if perr != nil {
		return cfg, nil, fmt.Errorf("trusted-proxies: %w", perr)
	}
	if cfg.MetricsAllow, perr = ParsePrefixes(metricsAllow); perr != nil {
		return cfg, nil, fmt.Errorf("metrics-allow: %w", perr)
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	cfg.OIDCAdminGroups, cfg.OIDCEditorGroups = splitList(adminGroups), splitList(editorGroups)
	cfg.OIDCAllowedDomains = splitList(strings.ToLower(domains))
	return cfg, fs.Args(), cfg.Validate()
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// ParsePrefixes parses a comma-separated list of CIDRs or single addresses.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			addr, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or CIDR", part)
			}
			out = append(out, netip.PrefixFrom(addr, addr.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// Validate reports settings that cannot work.
func (c Config) Validate() error {
	var errs []error
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		errs = append(errs, fmt.Errorf("addr %q must be host:port, e.g. 127.0.0.1:8080", c.Addr))
	}
	if strings.TrimSpace(c.DB) == "" || strings.ContainsAny(c.DB, "?#") {
		errs = append(errs, fmt.Errorf("db %q must be a file path", c.DB))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log-format %q must be text or json", c.LogFormat))
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			errs = append(errs, errors.New("smtp-url must be smtp://[user:password@]host[:port] or smtps://…"))
		}
	}
	if c.PostmortemDue < time.Hour {
		errs = append(errs, errors.New("postmortem-due must be at least 1h"))
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			errs = append(errs, fmt.Errorf("base-url must be an http(s) address without a path, e.g. https://debrief.example.com (got %q)", c.BaseURL))
		}
	}
	if c.SessionIdle < time.Minute || c.SessionLifetime < time.Minute {
		errs = append(errs, errors.New("session-idle and session-lifetime must be at least 1m"))
	}
	if c.BackupDir != "" && c.BackupEvery < time.Minute {
		errs = append(errs, errors.New("backup-every must be at least 1m"))
	}
	if c.BackupDir != "" && c.BackupKeep < 1 {
		errs = append(errs, errors.New("backup-keep must be at least 1"))
	}
	if c.AuthProxyHeader != "" && len(c.TrustedProxies) == 0 {
		errs = append(errs, errors.New("auth-proxy-header needs trusted-proxies: otherwise anyone could send the header"))
	}
	if c.OIDCIssuer != "" {
		if err := oidc.CheckIssuer(c.OIDCIssuer); err != nil {
			errs = append(errs, err)
		}
		if c.OIDCClientID == "" {
			errs = append(errs, errors.New("oidc-issuer needs oidc-client-id"))
		}
		if strings.TrimSpace(c.OIDCGroupsClaim) == "" {
			errs = append(errs, errors.New("oidc-groups-claim must not be empty"))
		}
	} else if c.OIDCOnly {
		errs = append(errs, errors.New("oidc-only needs oidc-issuer: otherwise nobody could sign in"))
	}
	return errors.Join(errs...)
}
