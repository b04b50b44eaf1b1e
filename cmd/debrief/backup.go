package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/debrief-dev/debrief/internal/store"
)

// backupLayout names scheduled backups; its names sort by time.
const backupLayout = "debrief-20060102T150405Z.db"

// scheduleBackups writes a backup into dir every period until stop is
// called, keeping the newest keep ones. The first is due one period after
// the newest backup already there (at once if there is none), so restarts
// neither skip backups nor pile them up.
func scheduleBackups(ctx context.Context, st *store.Store, dir string, every time.Duration, keep int, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		wait := time.Duration(0)
		if names := backupNames(dir); len(names) > 0 {
			if t, err := time.Parse(backupLayout, names[len(names)-1]); err == nil {
				wait = max(0, time.Until(t.Add(every)))
			}
		}
		timer := time.NewTimer(wait)
		defer timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
			runBackup(ctx, st, dir, keep, log)
			timer.Reset(every)
		}
	}()
	return func() { cancel(); <-done }
}

// runBackup writes one scheduled backup and deletes the oldest beyond keep.
func runBackup(ctx context.Context, st *store.Store, dir string, keep int, log *slog.Logger) {
	path := filepath.Join(dir, time.Now().UTC().Format(backupLayout))
	rep, err := st.Backup(ctx, path)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("scheduled backup failed", "to", path, "error", err)
		}
		return
	}
	log.Info("scheduled backup", "to", rep.Path, "bytes", rep.Size, "incidents", rep.Incidents,
		"entries", rep.Entries, "duration", rep.Duration.Round(time.Millisecond))
	names := backupNames(dir)
	for len(names) > keep {
		old := filepath.Join(dir, names[0])
		names = names[1:]
		if err := os.Remove(old); err != nil {
			log.Warn("delete an old backup", "path", old, "error", err)
			continue
		}
		log.Info("deleted an old backup", "path", old, "keep", keep)
	}
}

// backupNames lists the scheduled backups in dir, oldest first.
func backupNames(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if _, err := time.Parse(backupLayout, e.Name()); err == nil && e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names
}
