// Package config reads Debrief's settings from flags and the environment.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
)

// Config is everything the server needs to start.
type Config struct {
	Addr      string // listen address, host:port
	DB        string // SQLite file path
	LogFormat string // "text" or "json"
}

// Defaults are used when neither a flag nor an environment variable is set.
var Defaults = Config{
	Addr:      "127.0.0.1:8080",
	DB:        "./data/debrief.db",
	LogFormat: "text",
}

// envNames maps each flag to its environment variable.
var envNames = map[string]string{
	"addr":       "DEBRIEF_ADDR",
	"db":         "DEBRIEF_DB",
	"log-format": "DEBRIEF_LOG_FORMAT",
}

// Load parses args (flags after the subcommand) over the environment over
// the defaults: a flag beats its environment variable, which beats the
// default. It returns the remaining positional arguments.
func Load(name string, args []string, getenv func(string) string, output io.Writer) (Config, []string, error) {
	cfg := Defaults
	if v := getenv(envNames["addr"]); v != "" {
		cfg.Addr = v
	}
	if v := getenv(envNames["db"]); v != "" {
		cfg.DB = v
	}
	if v := getenv(envNames["log-format"]); v != "" {
		cfg.LogFormat = v
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address host:port (env DEBRIEF_ADDR)")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "SQLite database file; its folder is created (env DEBRIEF_DB)")
	fs.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "log format: text or json (env DEBRIEF_LOG_FORMAT)")
	if err := fs.Parse(args); err != nil {
		return cfg, nil, err
	}
	return cfg, fs.Args(), cfg.Validate()
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
	return errors.Join(errs...)
}
