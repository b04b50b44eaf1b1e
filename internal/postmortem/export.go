package postmortem

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/debrief-dev/debrief/internal/model"
)

// Source is what Export reads the archive from; *store.Store is one.
type Source interface {
	// PublishedBatch returns up to limit published postmortems with an
	// incident id above afterID, by incident id, without their Markdown;
	// only those of incidents v may see.
	PublishedBatch(ctx context.Context, v model.Viewer, afterID int64, limit int) ([]model.PublishedEntry, error)
	// LatestMarkdown returns the latest revision's Markdown of each of ids.
	LatestMarkdown(ctx context.Context, ids []int64) (map[int64]string, error)
}

// ExportOptions shape a bulk export.
type ExportOptions struct {
	// BaseURL makes the links back to Debrief (see Relink).
	BaseURL string
	// Since, when set, leaves out the postmortems whose latest revision
	// was published before it, so a wiki sync rewrites only what changed.
	// index.md always lists every postmortem.
	Since time.Time
	// Viewer is who exports: only the postmortems of incidents they may
	// see are in the export.
	Viewer model.Viewer
}

// The bulk export reads the archive's metadata exportBatch postmortems at
// a time and their Markdown exportChunk at a time: memory grows with one
// small entry per postmortem, never with the revisions' text, and no
// query's parameter list grows with the archive (SQLite allows 32 766).
const (
	exportBatch = 500
	exportChunk = 200
)

// exportEntry is what Export keeps of a postmortem between its passes.
type exportEntry struct {
	indexRow
	id        int64
	published time.Time
}

// Export gives emit the same files, in the same order and with the same
// bytes, as Bundle over every published postmortem — index.md first, then
// one file per postmortem by name — without holding the archive: a first
// pass reads only what the names and the index need, a second the
// Markdown of a few postmortems at a time. An error from emit stops it.
func Export(ctx context.Context, src Source, opt ExportOptions, emit func(File) error) error {
	type light struct {
		inc       model.PublishedEntry
		services  string
		startedAt time.Time
	}
	var all []light
	for after := int64(0); ; {
		batch, err := src.PublishedBatch(ctx, opt.Viewer, after, exportBatch)
		if err != nil {
			return err
		}
		for _, p := range batch {
			start := p.Incident.CreatedAt
			if p.Incident.StartedAt != nil {
				start = *p.Incident.StartedAt
			}
			services := strings.Join(p.Incident.Services, ", ")
			p.Incident.Services = nil
			all = append(all, light{inc: p, services: services, startedAt: start})
		}
		if len(batch) < exportBatch {
			break
		}
		after = batch[len(batch)-1].Incident.ID
	}
	// Names are given in the order the archive is read by (when the
	// incident started, then id), as Bundle does: that decides which of
	// two postmortems of the same day and title gets the -<id> suffix.
	slices.SortFunc(all, func(a, b light) int {
		if c := a.startedAt.Compare(b.startedAt); c != 0 {
			return c
		}
		return int(a.inc.Incident.ID - b.inc.Incident.ID)
	})
	used := map[string]bool{"index.md": true}
	entries := make([]exportEntry, len(all))
	for i := range all {
		inc := &all[i].inc.Incident
		entries[i] = exportEntry{id: inc.ID, published: all[i].inc.PublishedAt, indexRow: indexRow{
			name: uniqueName(used, inc), title: inc.Title, severity: inc.Severity, services: all[i].services,
		}}
	}
	all, used = nil, nil
	slices.SortFunc(entries, func(a, b exportEntry) int { return strings.Compare(b.name, a.name) })
	rows := make([]indexRow, len(entries))
	for i := range entries {
		rows[i] = entries[i].indexRow
	}
	if err := emit(File{Name: "index.md", Body: indexOf(rows)}); err != nil {
		return err
	}
	rows = nil

	slices.Reverse(entries) // by name, as the files go
	chunk := make([]exportEntry, 0, exportChunk)
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		ids := make([]int64, len(chunk))
		for i, e := range chunk {
			ids[i] = e.id
		}
		mds, err := src.LatestMarkdown(ctx, ids)
		if err != nil {
			return err
		}
		for _, e := range chunk {
			md, ok := mds[e.id]
			if !ok { // deleted since the first pass
				continue
			}
			if err := emit(File{Name: e.name, Body: Relink([]byte(md), opt.BaseURL)}); err != nil {
				return err
			}
		}
		chunk = chunk[:0]
		return nil
	}
	for _, e := range entries {
		if !opt.Since.IsZero() && e.published.Before(opt.Since) {
			continue
		}
		if chunk = append(chunk, e); len(chunk) == exportChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
