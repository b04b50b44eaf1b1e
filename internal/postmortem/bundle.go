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

	"github.com/debrief-dev/debrief/internal/store"
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
// (see Relink). The same archive always gives the same bytes.
func Bundle(pubs []store.Published, baseURL string) []File {
	files := make([]File, 0, len(pubs)+1)
	used := map[string]bool{"index.md": true}
	type row struct{ name, day, title, severity, services string }
	rows := make([]row, 0, len(pubs))
	for _, p := range pubs {
		name := FileName(&p.Incident)
		for n := 0; used[name]; n++ {
			suffix := fmt.Sprintf("-%d", p.Incident.ID)
			if n > 0 {
				suffix += fmt.Sprintf("-%d", n)
			}
			name = strings.TrimSuffix(FileName(&p.Incident), ".md") + suffix + ".md"
		}
		used[name] = true
		files = append(files, File{Name: name, Body: Relink([]byte(p.Revision.Markdown), baseURL)})
		rows = append(rows, row{name: name, day: name[:10], title: p.Incident.Title, severity: p.Incident.Severity,
			services: strings.Join(p.Incident.Services, ", ")})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].name > rows[j].name })
	var idx bytes.Buffer
	idx.WriteString("# Postmortems\n\n")
	if len(rows) == 0 {
		idx.WriteString("Nothing published yet.\n")
	} else {
		idx.WriteString("| date | postmortem | severity | services |\n|---|---|---|---|\n")
		for _, r := range rows {
			fmt.Fprintf(&idx, "| %s | [%s](%s) | %s | %s |\n", r.day, cell(r.title), r.name, cell(r.severity), cell(r.services))
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return append([]File{{Name: "index.md", Body: idx.Bytes()}}, files...)
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
	zw := zip.NewWriter(w)
	for _, f := range files {
		hdr := &zip.FileHeader{Name: folder + "/" + f.Name, Method: zip.Deflate, Modified: zipTime}
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.Body); err != nil {
			return err
		}
	}
	return zw.Close()
}

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
