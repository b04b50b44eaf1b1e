package review

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSplitAttendees(t *testing.T) {
	for in, want := range map[string][]string{
		"Dana, Sam; Priya":         {"Dana", " Sam", " Priya"},
		"Rao, Priya\nBo":           {"Rao, Priya", "Bo"},
		"Rao, Priya\r\nBo\r\n":     {"Rao, Priya", "Bo"},
		"  Dana  ":                 {"  Dana  "},
		"":                         nil,
		"Dana\n":                   {"Dana"},
		"\nRao, Priya\n\nBo, Al\n": {"Rao, Priya", "Bo, Al"},
	} {
		got := SplitAttendees(in)
		if want == nil {
			assert.Empty(t, got, "%q", in)
			continue
		}
		assert.Equal(t, want, got, "%q", in)
	}
}
