// Package synth generates realistic synthetic incident archives for
// benchmarks: thousands of resolved incidents, each with services, roles,
// a timeline, contributing factors, a whys tree, action items and a
// postmortem (most of them published), written in the language of real
// postmortems.
//
// Generate writes rows straight into a migrated database through
// database/sql, in a few large transactions, the way the store would have
// written them over years of use: postmortem sections as seeded and edited
// rows, published revisions as rendered snapshots, action items that obey
// the status rules. It writes no audit log, and it does not touch the
// search index: call the store's Reindex afterwards.
//
// The archive depends only on Options: the same seed, size and end time
// give the same rows, whatever the number of workers.
package synth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/debrief-dev/debrief/internal/lint"
	"github.com/debrief-dev/debrief/internal/model"
)

// Version changes whenever the generator writes a different archive for
// the same Options, so that cached archives can be told apart.
const Version = 2

// Options say which archive to generate.
type Options struct {
	// N is how many incidents to write.
	N int
	// Seed selects the archive; the same seed writes the same rows.
	Seed uint64
	// Now is when the archive ends (the zero time: time.Now). The newest
	// incidents are still open at Now.
	Now time.Time
	// Years is how far back the archive reaches (0: 4 years).
	Years float64
	// Workers is how many goroutines build incidents (0: GOMAXPROCS).
	// Rows are written by one connection in any case.
	Workers int
	// Entries, when positive, gives every incident exactly this many
	// free-form timeline entries (besides its milestones), spread over an
	// impact of a few days: a big incident for benchmarks of appends.
	Entries int
	// Progress, when set, is called after each batch is committed with
	// how many incidents are written so far.
	Progress func(written int)
}

// batchSize is how many incidents are built and written at once; each
// batch is one transaction.
const batchSize = 500

// Generate writes opts.N incidents into db, which must hold a migrated
// Debrief schema. Ids continue after any rows already there. For speed,
// open db with synchronous=OFF (and a rollback journal, not WAL): Generate
// commits once per batch of incidents, and it writes gigabytes for large N.
func Generate(ctx context.Context, db *sql.DB, opts Options) error {
	if opts.N < 0 {
		return errors.New("synth: N must not be negative")
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	end := opts.Now.UTC().Truncate(time.Second)
	years := opts.Years
	if years <= 0 {
		years = 4
	}
	begin := end.Add(-time.Duration(years * 365.25 * 24 * float64(time.Hour)))
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}

	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// A CHECK (x IN (...)) constraint builds a temporary b-tree for its list
	// in every INSERT statement; in a temp file, that made inserting action
	// items ten times slower.
	if _, err := conn.ExecContext(ctx, "PRAGMA temp_store = MEMORY"); err != nil {
		return err
	}
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA temp_store = DEFAULT") }()
	sc, err := loadScale(ctx, conn)
	if err != nil {
		return err
	}
	// Revisions carry the blameless-language findings, as published ones do.
	checker, err := lint.Default()
	if err != nil {
		return err
	}
	sc.entries = max(opts.Entries, 0)
	w, err := newWriter(ctx, conn, begin)
	if err != nil {
		return err
	}
	defer w.close()
	first, err := lastIDs(ctx, conn)
	if err != nil {
		return err
	}

	// Workers build batches ahead of the writer (at most 2 per worker in
	// flight), number them in order (each batch takes the ids after the
	// previous batch's, handed on through numbered), then render them;
	// the writer writes them in order. So ids and rows do not depend on
	// scheduling.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	nb := (opts.N + batchSize - 1) / batchSize
	done := make([]chan []*incident, nb)
	numbered := make([]chan ids, nb+1)
	for b := range done {
		done[b] = make(chan []*incident, 1)
		numbered[b] = make(chan ids, 1)
	}
	numbered[nb] = make(chan ids, 1)
	numbered[0] <- first
	next := make(chan int)
	window := make(chan struct{}, 2*workers)
	go func() {
		defer close(next)
		for b := range nb {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	errs := make(chan error, workers)
	for range workers {
		go func() {
			for b := range next {
				lo, hi := b*batchSize, min((b+1)*batchSize, opts.N)
				incs := make([]*incident, 0, hi-lo)
				for i := lo; i < hi; i++ {
					r := rand.New(rand.NewPCG(opts.Seed, uint64(i)))
					incs = append(incs, build(r, sc, i, opts.N, begin, end))
				}
				var c ids
				select {
				case c = <-numbered[b]:
				case <-ctx.Done():
					return
				}
				for _, inc := range incs {
					inc.number(&c)
				}
				numbered[b+1] <- c
				for _, inc := range incs {
					if err := inc.render(checker); err != nil {
						errs <- err
						return
					}
				}
				done[b] <- incs
			}
		}()
	}
	for b := range nb {
		var incs []*incident
		select {
		case incs = <-done[b]:
		case err := <-errs:
			return fmt.Errorf("synth: render: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		}
		// Statements run without the cancellable context: the driver
		// starts a goroutine per statement to watch one. Cancellation is
		// checked between batches.
		if err := w.writeBatch(context.WithoutCancel(ctx), incs); err != nil {
			return fmt.Errorf("synth: write incidents %d–%d: %w", b*batchSize+1, b*batchSize+len(incs), err)
		}
		done[b] = nil
		<-window
		if opts.Progress != nil {
			opts.Progress(b*batchSize + len(incs))
		}
	}
	return nil
}

// loadScale reads the severities and factor categories the database has.
func loadScale(ctx context.Context, conn *sql.Conn) (*scale, error) {
	sc := &scale{categories: map[string]bool{}}
	rows, err := conn.QueryContext(ctx, "SELECT name, position, action_due_weeks FROM severities ORDER BY position")
	if err != nil {
		return nil, fmt.Errorf("synth: read severities: %w", err)
	}
	for rows.Next() {
		var sv model.Severity
		if err := rows.Scan(&sv.Name, &sv.Position, &sv.ActionDueWeeks); err != nil {
			rows.Close()
			return nil, err
		}
		sc.severities = append(sc.severities, sv)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	if len(sc.severities) == 0 {
		return nil, errors.New("synth: the database has no severities; is it migrated?")
	}
	shares := make([]float64, len(sc.severities))
	for i := range shares {
		if i < len(severityShares) {
			shares[i] = severityShares[i]
		} else {
			shares[i] = severityShares[len(severityShares)-1] / 2
		}
	}
	sc.sevPicker = newPicker(shares)

	rows, err = conn.QueryContext(ctx, "SELECT name FROM factor_categories ORDER BY position")
	if err != nil {
		return nil, fmt.Errorf("synth: read factor categories: %w", err)
	}
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, err
		}
		sc.categories[name] = true
		names = append(names, name)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errors.New("synth: the database has no factor categories; is it migrated?")
	}
	sc.fallback = names[len(names)-1]
	if sc.categories["other"] {
		sc.fallback = "other"
	}
	return sc, nil
}
