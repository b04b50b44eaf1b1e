// Command debrief is the Debrief server and its maintenance commands.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/debrief-dev/debrief/internal/auth"
	"github.com/debrief-dev/debrief/internal/config"
	"github.com/debrief-dev/debrief/internal/demo"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/notify"
	"github.com/debrief-dev/debrief/internal/oidc"
	"github.com/debrief-dev/debrief/internal/postmortem"
	"github.com/debrief-dev/debrief/internal/remind"
	"github.com/debrief-dev/debrief/internal/store"
	"github.com/debrief-dev/debrief/internal/web"
)

// commands is every subcommand, in the order the help lists them, with
// its one line there.
var commands = []struct{ name, summary string }{
	{"serve", "serve the web app and the API (the default command)"},
	{"migrate", "apply the database migrations and exit"},
	{"demo", "load two sample incidents into an empty database (--history N: and N generated past ones)"},
	{"reindex", "rebuild the search index from the records, after a restore or a manual change"},
	{"backup", "write a checked copy of the database, safe while it is served: --to FILE"},
	{"restore", "replace a stopped instance's database with a backup: --from FILE (the old one is kept aside)"},
	{"check", "check the database: integrity, foreign keys and the search index; exits 1 on a problem"},
	{"import", "bring back exported postmortems: debrief import FILE.md|DIR …"},
	{"export", "write every published postmortem and an index.md into --dir DIR"},
	{"user add", "create an account: --email, --name, --role viewer|editor|admin, --password-stdin"},
	{"token create", "create an API token for --email, labelled --name, and print it alone on stdout"},
	{"change record", "record a deploy or another change on a running server: --server, --token, --service, --summary …"},
	{"help", "show this help; debrief help COMMAND shows that command's flags"},
}

const flagsHelp = `
Flags of every command (each also read from the environment):
  --addr              listen address (DEBRIEF_ADDR, default 127.0.0.1:8080)
  --db                SQLite database file (DEBRIEF_DB, default ./data/debrief.db)
  --log-format        text or json (DEBRIEF_LOG_FORMAT, default text)
  --secure-cookies    mark cookies Secure, for HTTPS (DEBRIEF_SECURE_COOKIES)
  --session-idle      sign out after this long idle (DEBRIEF_SESSION_IDLE, default 12h)
  --session-lifetime  sign out this long after sign-in (DEBRIEF_SESSION_LIFETIME, default 168h)
  --auth-proxy-header header with the email from a sign-in proxy (DEBRIEF_AUTH_PROXY_HEADER)
  --trusted-proxies   CIDRs allowed to send that header (DEBRIEF_TRUSTED_PROXIES)
  --postmortem-due    a postmortem is due this long after resolution (DEBRIEF_POSTMORTEM_DUE, default 48h)
  --base-url          where people reach Debrief, for links in exports (DEBRIEF_BASE_URL)
  --slack-signing-secret  the Slack app's signing secret: turns on the /incident command and the
                      "Add to Debrief timeline" action (DEBRIEF_SLACK_SIGNING_SECRET)
  --github-webhook-secret  a GitHub webhook's secret: records deployments and pushes to the default
                      branch sent to /integrations/github (DEBRIEF_GITHUB_WEBHOOK_SECRET)
  --changes-token     a token CI sends to /integrations/changes to record changes (DEBRIEF_CHANGES_TOKEN)
  --webhook-allow-private  let outgoing webhooks reach loopback and private addresses (DEBRIEF_WEBHOOK_ALLOW_PRIVATE)
  --backup-dir        serve writes a checked backup into this folder (DEBRIEF_BACKUP_DIR; off when empty)
  --backup-every      how often (DEBRIEF_BACKUP_EVERY, default 6h)
  --backup-keep       how many backups to keep there, deleting older ones (DEBRIEF_BACKUP_KEEP, default 28)
`

// printUsage writes the help: every subcommand on one line, then the
// flags they share.
func printUsage(w io.Writer) {
	fmt.Fprint(w, "Debrief — blameless postmortems and incident timelines.\n\nUsage: debrief [COMMAND] [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, flagsHelp)
}

// usageError is a command line that cannot work (an unknown command, a
// missing or bad flag): main exits 2 for it, as the flag package does, and
// run returns it before it opens, let alone creates, a database.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// exitCode is the process status for run's result: 0 when it succeeded or
// printed the help that was asked for, 2 for a usage error, 1 otherwise.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "debrief:", err)
	}
	stop()
	os.Exit(exitCode(err))
}

// run is main without the process: it takes its arguments, environment and
// streams, so tests can drive every subcommand.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help":
			cmd, args = "help", args[1:]
		default:
			if !strings.HasPrefix(args[0], "-") {
				cmd, args = args[0], args[1:]
			}
		}
	}
	switch cmd {
	case "serve", "migrate", "demo", "export", "import", "reindex", "backup", "restore", "check":
	case "user", "token", "change":
		if len(args) == 0 || (cmd == "user" && args[0] != "add") || (cmd == "token" && args[0] != "create") || (cmd == "change" && args[0] != "record") {
			printUsage(stderr)
			return usagef("usage: debrief user add … | debrief token create … | debrief change record …")
		}
		cmd, args = cmd+" "+args[0], args[1:]
	case "help":
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") { // debrief help export: that command's flags
			return run(ctx, slices.Concat(args, []string{"--help"}), getenv, stdin, stdout, stderr)
		}
		printUsage(stdout)
		return nil
	default:
		printUsage(stderr)
		return usagef("unknown command %q", cmd)
	}
	if cmd == "change record" { // a client of a server: no database here
		return recordChange(ctx, args, getenv, stdout, stderr)
	}
	var acct cmdFlags
	cfg, rest, err := config.Load(cmd, args, getenv, stderr, acct.register(cmd))
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	if err != nil {
		return usageError{err}
	}
	if len(rest) > 0 && cmd != "import" {
		return usagef("unexpected arguments: %v", rest)
	}
	if cmd == "import" && len(rest) == 0 {
		return usagef("usage: debrief import FILE.md|DIR …: name the Markdown files or folders to import")
	}
	if err := acct.check(cmd); err != nil {
		return usageError{err}
	}
	log := newLogger(cfg.LogFormat, stderr)

	switch cmd {
	case "restore": // works on files: the instance is stopped
		rep, err := store.Restore(ctx, acct.from, cfg.DB, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "restored %s into %s: %d incidents, %d timeline entries\n", acct.from, cfg.DB, rep.Incidents, rep.Entries)
		if rep.Replaced != "" {
			fmt.Fprintf(stdout, "the database it replaced is kept as %s\n", rep.Replaced)
		}
		if rep.Reindexed {
			fmt.Fprintln(stdout, "the search index had drifted from the records and was rebuilt")
		}
		return nil
	case "backup", "check": // of a database that exists: never create one
		if _, err := os.Stat(cfg.DB); err != nil {
			return fmt.Errorf("database %s: %w", cfg.DB, err)
		}
	}

	// The server's metrics hear of group commits from the store.
	var metrics *web.Metrics
	var storeOpts []store.Option
	if cmd == "serve" {
		metrics = web.NewMetrics()
		storeOpts = append(storeOpts, store.WithObserver(metrics))
	}
	st, err := store.Open(cfg.DB, storeOpts...)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); cerr != nil {
			log.Error("close database", "error", cerr)
		}
	}()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "versions", applied, "db", cfg.DB)
	}
	cli := model.WithActor(ctx, model.Actor{Label: "command line"})

	switch cmd {
	case "migrate":
		fmt.Fprintf(stdout, "database %s is up to date (%d migrations applied now)\n", cfg.DB, len(applied))
		return nil
	case "demo":
		n, err := demo.Load(cli, st)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "loaded %d sample incidents into %s\n", n, cfg.DB)
		if acct.history > 0 || acct.bigIncident > 0 {
			g := demo.Generation{History: acct.history, BigIncident: acct.bigIncident}
			if err := demo.Generate(ctx, st, g, stderr); err != nil {
				return err
			}
			if g.History > 0 {
				fmt.Fprintf(stdout, "and %d generated past incidents (two years of history)\n", g.History)
			}
			if g.BigIncident > 0 {
				fmt.Fprintf(stdout, "and one incident with %d generated timeline entries\n", g.BigIncident)
			}
		}
		return nil
	case "reindex":
		start := time.Now()
		n, err := st.Reindex(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "indexed %d incidents in %s\n", n, time.Since(start).Round(time.Millisecond))
		return nil
	case "backup":
		rep, err := st.Backup(ctx, acct.to)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, rep)
		return nil
	case "check":
		return checkDB(ctx, st, stdout)
	case "user add":
		return acct.addUser(cli, st, stdin, stdout)
	case "token create":
		return acct.createToken(cli, st, stdout)
	case "export":
		return acct.export(cli, st, cfg.BaseURL, stdout)
	case "import":
		return importFiles(cli, st, rest, stdout)
	}
	return serve(ctx, cfg, st, log, metrics)
}

// cmdFlags are the flags of the subcommands (user add, token create, export).
type cmdFlags struct {
	email, name, role string
	passwordStdin     bool
	expires           time.Duration
	dir               string
	since             string
	sinceDay          time.Time // since, parsed by check
	history           int
	bigIncident       int
	to, from          string // backup --to, restore --from
}

func (a *cmdFlags) register(cmd string) func(*flag.FlagSet) {
	return func(fs *flag.FlagSet) {
		switch cmd {
		case "user add":
			fs.StringVar(&a.email, "email", "", "the account's email")
			fs.StringVar(&a.name, "name", "", "the person's name")
			fs.StringVar(&a.role, "role", "", "viewer, editor or admin")
			fs.BoolVar(&a.passwordStdin, "password-stdin", false, "read the password from standard input (required)")
		case "export":
			fs.StringVar(&a.dir, "dir", "", "the folder to write the postmortems into (created if needed)")
			fs.StringVar(&a.since, "since", "", "write only the postmortems published on or after this day (YYYY-MM-DD, UTC); index.md is always complete")
		case "demo":
			fs.IntVar(&a.history, "history", 0, fmt.Sprintf("also generate this many past incidents over two years (at most %d), for trying search, the archive and the review", demo.MaxHistory))
			fs.IntVar(&a.bigIncident, "big-incident", 0, fmt.Sprintf("also generate one incident with this many timeline entries (at most %d), for benchmarks of a big incident", demo.MaxBigIncident))
		case "backup":
			fs.StringVar(&a.to, "to", "", "the backup file to write (it must not exist; its folder must)")
		case "restore":
			fs.StringVar(&a.from, "from", "", "the backup file to restore into --db")
		case "token create":
			fs.StringVar(&a.email, "email", "", "whose token: the account's email")
			fs.StringVar(&a.name, "name", "", "a label for the token, e.g. ci-bot")
			fs.DurationVar(&a.expires, "expires-in", 0, "refuse the token after this long, e.g. 2160h (default: until revoked)")
		}
	}
}

// check reports a subcommand's flags that cannot work; run calls it before
// it opens the database, so a mistyped command creates no file.
func (a *cmdFlags) check(cmd string) error {
	switch cmd {
	case "export":
		if a.dir == "" {
			return errors.New("--dir is required: the folder to write the postmortems into")
		}
		if a.since != "" {
			day, err := time.Parse(time.DateOnly, a.since)
			if err != nil {
				return fmt.Errorf("--since %q is not a date: use YYYY-MM-DD (UTC), e.g. 2026-01-01", a.since)
			}
			a.sinceDay = day
		}
	case "backup":
		if a.to == "" {
			return errors.New("--to is required: the backup file to write")
		}
	case "restore":
		if a.from == "" {
			return errors.New("--from is required: the backup file to restore")
		}
	case "demo":
		if a.history < 0 || a.history > demo.MaxHistory {
			return fmt.Errorf("--history must be from 0 to %d", demo.MaxHistory)
		}
		if a.bigIncident < 0 || a.bigIncident > demo.MaxBigIncident {
			return fmt.Errorf("--big-incident must be from 0 to %d", demo.MaxBigIncident)
		}
	case "user add":
		if !a.passwordStdin {
			return errors.New("--password-stdin is required: a password never goes on the command line, where shell history and ps keep it")
		}
		u := model.User{Email: a.email, Name: a.name, Role: model.Role(a.role)}
		if err := u.Validate(); err != nil {
			return err
		}
	case "token create":
		if _, err := model.NormalizeEmail(a.email); err != nil {
			return fmt.Errorf("--email %w", err)
		}
		if a.expires < 0 {
			return errors.New("--expires-in must be positive")
		}
	}
	return nil
}

// checkDB prints each of the database checks and fails if one did.
func checkDB(ctx context.Context, st *store.Store, stdout io.Writer) error {
	results, err := st.Check(ctx)
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range results {
		if r.Err != nil {
			failed++
			fmt.Fprintf(stdout, "%-13s PROBLEM: %v\n", r.Name+":", r.Err)
			continue
		}
		fmt.Fprintf(stdout, "%-13s ok\n", r.Name+":")
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d checks found a problem in %s", failed, len(results), st.Path())
	}
	return nil
}

// export writes every published postmortem (latest revision) and an
// index into a folder, ready for a wiki or a static site generator; with
// --since only the postmortems published on or after that day (and the
// whole index). The links back to Debrief are made from baseURL
// (--base-url); without it they start at Debrief's root
// ("/incidents/42/postmortem"): a command line has no request to take the
// address from.
func (a *cmdFlags) export(ctx context.Context, st *store.Store, baseURL string, stdout io.Writer) error {
	if err := os.MkdirAll(a.dir, 0o755); err != nil {
		return err
	}
	n := -1 // index.md is not a postmortem
	err := postmortem.Export(ctx, st, postmortem.ExportOptions{BaseURL: baseURL, Since: a.sinceDay, Viewer: model.AllIncidents}, func(f postmortem.File) error {
		n++
		return os.WriteFile(filepath.Join(a.dir, f.Name), f.Body, 0o644)
	})
	if err != nil {
		return err
	}
	if a.since != "" {
		fmt.Fprintf(stdout, "wrote %d postmortems published since %s and index.md to %s\n", n, a.since, a.dir)
		return nil
	}
	fmt.Fprintf(stdout, "wrote %d postmortems and index.md to %s\n", n, a.dir)
	return nil
}

// importFiles imports Markdown files, and the .md files of folders, one
// transaction per file; it goes on past a refused file and fails at the
// end if any was refused.
func importFiles(ctx context.Context, st *store.Store, paths []string, stdout io.Writer) error {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(p, "*.md"))
		if err != nil {
			return err
		}
		for _, m := range matches {
			if filepath.Base(m) != "index.md" { // the export's own index
				files = append(files, m)
			}
		}
	}
	failed := 0
	for _, f := range files {
		src, err := readLimited(f, postmortem.MaxImportSize)
		if err == nil {
			var rep *store.ImportReport
			if rep, err = postmortem.Import(ctx, st, model.AllIncidents, src); err == nil {
				fmt.Fprintf(stdout, "%s: incident %d%s\n", f, rep.IncidentID, map[bool]string{true: " (new)", false: ""}[rep.Created])
				for _, c := range rep.Changes {
					fmt.Fprintf(stdout, "  changed: %s\n", c)
				}
				for _, n := range rep.Notes {
					fmt.Fprintf(stdout, "  note: %s\n", n)
				}
				continue
			}
		}
		failed++
		fmt.Fprintf(stdout, "%s: not imported: %v\n", f, err)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files not imported", failed, len(files))
	}
	return nil
}

// readLimited reads a file, refusing one over limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than the import limit of %d bytes", limit)
	}
	return b, nil
}

func (a *cmdFlags) addUser(ctx context.Context, st *store.Store, stdin io.Reader, stdout io.Writer) error {
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if err := model.CheckPassword(password, a.email, a.name); err != nil {
		return err
	}
	u := &model.User{Email: a.email, Name: a.name, Role: model.Role(a.role)}
	if err := u.Validate(); err != nil {
		return err
	}
	if u.PasswordHash, err = auth.DefaultHasher.Hash(password); err != nil {
		return err
	}
	if err := st.CreateUser(ctx, u); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s (%s) as %s\n", u.Email, u.Name, u.Role)
	return nil
}

func (a *cmdFlags) createToken(ctx context.Context, st *store.Store, stdout io.Writer) error {
	email, err := model.NormalizeEmail(a.email)
	if err != nil {
		return fmt.Errorf("--email %w", err)
	}
	u, err := st.UserByEmail(ctx, email)
	if errors.Is(err, model.ErrNotFound) {
		return fmt.Errorf("no account with email %s", email)
	}
	if err != nil {
		return err
	}
	secret, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	t := &model.APIToken{UserID: u.ID, Name: a.name, Hash: hash, Prefix: secret[:len(auth.TokenPrefix)+6]}
	if a.expires > 0 {
		at := st.Now().Add(a.expires)
		t.ExpiresAt = &at
	}
	if err := st.CreateToken(ctx, t); err != nil {
		return err
	}
	fmt.Fprintln(stdout, secret) // alone, so scripts can capture it
	return nil
}

func serve(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger, metrics *web.Metrics) error {
	// One server per SQLite file, and only on a file it can write.
	unlock, err := st.LockServe()
	if err != nil {
		return err
	}
	defer unlock()
	if err := st.CheckWritable(ctx); err != nil {
		return err
	}
	opts := web.Options{
		SecureCookies: cfg.SecureCookies, SessionIdle: cfg.SessionIdle, SessionLifetime: cfg.SessionLifetime,
		AuthProxyHeader: cfg.AuthProxyHeader, TrustedProxies: cfg.TrustedProxies, Hasher: auth.DefaultHasher,
		PostmortemDue: cfg.PostmortemDue, BaseURL: cfg.BaseURL, SlackSigningSecret: cfg.SlackSigningSecret,
		OIDCOnly: cfg.OIDCOnly, GitHubWebhookSecret: cfg.GitHubWebhookSecret, ChangesToken: cfg.ChangesToken,
		WebhookAllowPrivate: cfg.WebhookAllowPrivate,
		Metrics:             metrics, MetricsAllow: cfg.MetricsAllow, MetricsToken: cfg.MetricsToken,
	}
	if cfg.OIDCIssuer != "" {
		oc, err := oidc.New(oidc.Config{
			Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret,
			GroupsClaim: cfg.OIDCGroupsClaim, AdminGroups: cfg.OIDCAdminGroups, EditorGroups: cfg.OIDCEditorGroups,
			AllowedDomains: cfg.OIDCAllowedDomains, TrustUnverifiedEmail: cfg.OIDCTrustUnverifiedEmail,
		})
		if err != nil {
			return err
		}
		opts.OIDC = oc
		// In the background: a provider that is down must not stop Debrief
		// from starting; the next sign-in attempt asks it again.
		go func() {
			if err := oc.Discover(ctx); err != nil {
				log.Warn("single sign-on unavailable until the identity provider answers", "issuer", cfg.OIDCIssuer, "error", err)
			}
		}()
	}
	users, err := st.UserCount(ctx)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	if users == 0 {
		// No default password anywhere: the first admin comes through a
		// one-time link that only someone who can read this log has.
		if opts.SetupToken, err = auth.RandomString(24); err != nil {
			return err
		}
		log.Warn("no accounts yet: open the one-time setup link to create the first admin",
			"setup_link", base+"/setup/"+opts.SetupToken)
	}
	handler, err := web.New(st, log, opts)
	if err != nil {
		_ = ln.Close()
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(handler.CloseStreams) // live streams never end by themselves
	stopMaintain := maintain(ctx, st, log)
	defer stopMaintain()
	if cfg.BackupDir != "" {
		stopBackups := scheduleBackups(ctx, st, cfg.BackupDir, cfg.BackupEvery, cfg.BackupKeep, log)
		defer stopBackups()
	}
	// Outgoing webhooks: deliver the outbox until shutdown (what is not
	// delivered by then is delivered after the next start).
	workerCtx, stopWorker := context.WithCancel(ctx)
	links := cfg.BaseURL // where webhook payloads link to
	if links == "" {
		links = base
	}
	worker := &notify.Worker{Store: st, BaseURL: links, AllowPrivate: cfg.WebhookAllowPrivate, Log: log}
	if metrics != nil {
		worker.OnFailure = metrics.DeliveryFailed
	}
	workerDone := make(chan struct{})
	go func() { defer close(workerDone); worker.Run(workerCtx) }()
	defer func() { stopWorker(); <-workerDone }()
	// The daily reminder digest: webhook events through the outbox, and
	// emails when an SMTP server is set.
	reminder := &remind.Reminder{Store: st, BaseURL: links, PostmortemDue: cfg.PostmortemDue, Log: log}
	if cfg.SMTPURL != "" {
		m, err := remind.NewMailer(cfg.SMTPURL, cfg.SMTPFrom)
		if err != nil {
			return err
		}
		reminder.Mail = m
	}
	remindCtx, stopRemind := context.WithCancel(ctx)
	remindDone := make(chan struct{})
	go func() { defer close(remindDone); reminder.Run(remindCtx) }()
	defer func() { stopRemind(); <-remindDone }()
	log.Info("serving", "url", base, "db", cfg.DB)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	// Shorter than ReadTimeout: a client trickling a body must not hold the
	// process, so what has not finished by then is cut off.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("shutdown: closing the connections still open", "after", shutdownGrace, "error", err)
		_ = srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// shutdownGrace is how long a stopping server lets in-flight requests finish.
const shutdownGrace = 10 * time.Second

// maintain runs the server's background upkeep until stop is called: it
// renders again the stored HTML of timeline entries made by an older
// renderer, then trims the live room's event log every few minutes.
func maintain(ctx context.Context, st *store.Store, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		rendered := 0
		for ctx.Err() == nil {
			n, err := st.RenderStale(ctx, 500)
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("render timeline entries", "error", err)
				}
				break
			}
			if n == 0 {
				break
			}
			rendered += n
		}
		if rendered > 0 {
			log.Info("rendered timeline entries of an older renderer", "entries", rendered)
		}
		t := time.NewTicker(5 * time.Minute)
		defer t.Stop()
		for {
			if n, err := st.PruneEvents(ctx, 0); err != nil && ctx.Err() == nil {
				log.Warn("prune the event log", "error", err)
			} else if n > 0 {
				log.Info("pruned the event log", "events", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}
