package postmortem

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/debrief-dev/debrief/internal/model"
)

// File is one file of a bulk export.
type File struct {
	Name string
	Body []byte
}

// Bundle lays out the published postmortems as a folder a wiki or a static
// site generator (GitHub/GitLab wiki, MkDocs, Hugo) takes as it is: one
// YYYY-MM-DD-<slug>.md per postmortem and an index.md listing them, newest
// first. Each postmortem's links back to Debrief are made from baseURL
// (see Relink). The same archive always gives the same bytes. Bundle holds
// every file in memory; the bulk export goes through Export, which gives
// the same files without holding them.
func Bundle(pubs []model.Published, baseURL string) []File {
	files := make([]File, 0, len(pubs)+1)
	used := map[string]bool{"index.md": true}
	rows := make([]indexRow, 0, len(pubs))
	for _, p := range pubs {
		name := uniqueName(used, &p.Incident)
		files = append(files, File{Name: name, Body: Relink([]byte(p.Revision.Markdown), baseURL)})
		rows = append(rows, indexRow{name: name, title: p.Incident.Title, severity: p.Incident.Severity,
			services: strings.Join(p.Incident.Services, ", ")})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].name > rows[j].name })
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return append([]File{{Name: "index.md", Body: indexOf(rows)}}, files...)
}

// uniqueName is inc's file name, made unique among used (and added to
// it): a second postmortem of the same day and title gets -<id>.
func uniqueName(used map[string]bool, inc *model.Incident) string {
	name := FileName(inc)
	for n := 0; used[name]; n++ {
		suffix := fmt.Sprintf("-%d", inc.ID)
		if n > 0 {
			suffix += fmt.Sprintf("-%d", n)
		}
		name = strings.TrimSuffix(FileName(inc), ".md") + suffix + ".md"
	}
	used[name] = true
	return name
}

// indexRow is one line of index.md.
type indexRow struct{ name, title, severity, services string }

// indexOf is index.md for rows, given newest (greatest name) first.
func indexOf(rows []indexRow) []byte {
	var idx bytes.Buffer
	idx.WriteString("# Postmortems\n\n")
	if len(rows) == 0 {
		idx.WriteString("Nothing published yet.\n")
	} else {
		idx.WriteString("| date | postmortem | severity | services |\n|---|---|---|---|\n")
		for _, r := range rows {
			fmt.Fprintf(&idx, "| %s | [%s](%s) | %s | %s |\n", r.name[:10], cell(r.title), r.name, cell(r.severity), cell(r.services))
		}
	}
	return idx.Bytes()
}

// cell makes text literal inside a table cell or a link text of the
// index: on one line, and with every character that could start Markdown
// or raw HTML escaped, so a title such as "<img src=x onerror=…>" is shown
// as written by a wiki that renders HTML (MkDocs does by default).
func cell(s string) string {
	return escapePlain(strings.Join(strings.Fields(s), " "))
}

// zipTime is the modification time of every file in a zip export: fixed,
// so that exporting an unchanged archive twice gives identical bytes.
var zipTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// WriteZip writes files as a zip archive under folder.
func WriteZip(w io.Writer, folder string, files []File) error {
	z := NewZip(w, folder)
	for _, f := range files {
		if err := z.Add(f); err != nil {
			return err
		}
	}
	return z.Close()
}

// Zip writes an export's files into a zip archive under a folder as they
// come, so a caller streams the archive rather than holding it.
type Zip struct {
	zw     *zip.Writer
	folder string
}

// NewZip starts a zip archive on w whose files go under folder.
func NewZip(w io.Writer, folder string) *Zip {
	return &Zip{zw: zip.NewWriter(w), folder: folder}
}

// Add writes one file into the archive.
func (z *Zip) Add(f File) error {
	hdr := &zip.FileHeader{Name: z.folder + "/" + f.Name, Method: zip.Deflate, Modified: zipTime}
	fw, err := z.zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	_, err = fw.Write(f.Body)
	return err
}

// Close writes the archive's central directory; the archive is complete
// only once it returns nil.
func (z *Zip) Close() error { return z.zw.Close() }

// WriteDir writes files into dir (created if needed), replacing files of
// the same name and leaving others alone.
func WriteDir(dir string, files []File) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Body, 0o644); err != nil {
			return err
		}
	}
	return nil
}
