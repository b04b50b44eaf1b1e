package transcript

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/debrief-dev/debrief/internal/model"
)

// FuzzParse checks that Parse never panics and that whatever it returns is
// fit for the timeline: UTC times, non-empty valid bodies within the limit,
// lines inside the input. Seeds are the fixtures, in every format.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.*")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for i := range len(Formats) + 1 {
			f.Add(string(b), uint8(i))
		}
	}
	f.Add("23:58 a: x\n00:03 a: y", uint8(0))
	f.Add("Alice Rao\n11:58 PM\nx\n12:03\ny", uint8(1))

	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	formats := append([]string{FormatAuto}, Formats...)
	f.Fuzz(func(t *testing.T, text string, format uint8) {
		opt := Options{
			Format:   formats[int(format)%len(formats)],
			Location: loc,
			Date:     time.Date(2026, 10, 25, 0, 0, 0, 0, loc),
			Now:      time.Date(2026, 10, 26, 9, 0, 0, 0, loc),
		}
		res, err := Parse(text, opt)
		if err != nil {
			var ve *model.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error is not a *model.ValidationError: %v", err)
			}
			return
		}
		if err := checkResult(text, res); err != nil {
			t.Fatal(err)
		}
	})
}

func checkResult(text string, res *Result) error {
	// Line breaks are \n, \r\n or a lone \r, as Parse reads them.
	maxLine := strings.Count(normalizeNewlines(text), "\n") + 1
	if res.Format == FormatSlackExport || res.Format == FormatMattermost {
		maxLine = max(maxLine, len(text)/2)
	}
	for _, e := range res.Entries {
		switch {
		case e.OccurredAt.Location() != time.UTC:
			return fmt.Errorf("line %d: time %v is not UTC", e.Line, e.OccurredAt)
		case e.Body == "" || strings.TrimSpace(e.Body) != e.Body && strings.TrimSpace(e.Body) == "":
			return fmt.Errorf("line %d: empty body", e.Line)
		case utf8.RuneCountInString(e.Body) > MaxBodyLen:
			return fmt.Errorf("line %d: body of %d characters", e.Line, utf8.RuneCountInString(e.Body))
		case !utf8.ValidString(e.Body) || !utf8.ValidString(e.Author) || !utf8.ValidString(e.Note):
			return fmt.Errorf("line %d: invalid UTF-8", e.Line)
		case e.Line < 1 || e.Line > maxLine:
			return fmt.Errorf("line %d out of range 1..%d", e.Line, maxLine)
		case !model.EntryKind(e.Kind).Valid():
			return fmt.Errorf("line %d: kind %q", e.Line, e.Kind)
		case e.OccurredAt.Year() < 1970 || e.OccurredAt.Year() > 9999:
			return fmt.Errorf("line %d: time %v out of range", e.Line, e.OccurredAt)
		}
	}
	for _, s := range res.Skipped {
		if s.Reason == "" || s.Line < 1 || s.Line > maxLine || !utf8.ValidString(s.Text) {
			return fmt.Errorf("bad skipped line %+v (max line %d)", s, maxLine)
		}
	}
	return nil
}
