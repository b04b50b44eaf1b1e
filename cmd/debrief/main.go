// Command debrief is the Debrief server and its maintenance commands.
package main

import (
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
	"syscall"
	"time"

	"github.com/debrief-dev/debrief/internal/config"
	"github.com/debrief-dev/debrief/internal/demo"
	"github.com/debrief-dev/debrief/internal/store"
	"github.com/debrief-dev/debrief/internal/web"
)

const usage = `Debrief — blameless postmortems and incident timelines.

Usage:
  debrief [serve] [flags]   serve the web app and API (the default)
  debrief migrate [flags]   apply database migrations and exit
  debrief demo [flags]      load two sample incidents into an empty database

Flags (each also read from the environment):
  --addr        listen address (DEBRIEF_ADDR, default 127.0.0.1:8080)
  --db          SQLite database file (DEBRIEF_DB, default ./data/debrief.db)
  --log-format  text or json (DEBRIEF_LOG_FORMAT, default text)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "debrief:", err)
		}
		os.Exit(1)
	}
}

// run is main without the process: it takes its arguments, environment and
// outputs, so tests can drive every subcommand.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve", "migrate", "demo":
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	cfg, rest, err := config.Load(cmd, args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments: %v", rest)
	}
	log := newLogger(cfg.LogFormat, stderr)

	st, err := store.Open(cfg.DB)
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

	switch cmd {
	case "migrate":
		fmt.Fprintf(stdout, "database %s is up to date (%d migrations applied now)\n", cfg.DB, len(applied))
		return nil
	case "demo":
		n, err := demo.Load(ctx, st)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "loaded %d sample incidents into %s\n", n, cfg.DB)
		return nil
	}
	return serve(ctx, cfg, st, log)
}

func serve(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger) error {
	handler, err := web.New(st, log)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("serving", "url", "http://"+ln.Addr().String(), "db", cfg.DB)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}
