package postmortem

import (
	"context"
	"errors"
	"hash/fnv"
	"strconv"

	"github.com/debrief-dev/debrief/internal/model"
)

// TextHash fingerprints a section's text as the editor loaded it, so a
// save can tell the sections the writer changed from those they left
// alone (even when someone else changed those meanwhile).
func TextHash(s string) string {
	h := fnv.New64a()
	h.Write([]byte(s))
	return strconv.FormatUint(h.Sum64(), 36)
}

// SectionSave is one section as the editor sends it back.
type SectionSave struct {
	Key     model.SectionKey
	Body    string
	Version int    // the version the writer started from
	Loaded  string // TextHash of the text they started from
}

// Changed reports whether the writer changed the section's text.
func (s SectionSave) Changed() bool { return TextHash(s.Body) != s.Loaded }

// SaveResult says what a multi-section save did.
type SaveResult struct {
	Saved   []model.SectionKey
	Clashes []model.SectionConflict          // someone else saved these meanwhile: both texts, nothing lost
	Invalid map[model.SectionKey]string      // refused, with the reason
	Unsaved map[model.SectionKey]SectionSave // what was not saved, to show again
}

// Saver is what SaveChanged needs of the store; *store.Store is one.
type Saver interface {
	// SavePostmortem saves sections and people in one transaction; a
	// stale section is a *model.ConflictError carrying a
	// *model.PostmortemConflict.
	SavePostmortem(ctx context.Context, incidentID int64, edit model.PostmortemEdit) (*model.Postmortem, error)
}

// SaveChanged saves every section the writer changed, each on its own
// version: a conflict or a bad text in one section does not cost the
// others. Sections left alone are not written.
func SaveChanged(ctx context.Context, st Saver, incidentID int64, edits []SectionSave) (*SaveResult, error) {
	res := &SaveResult{Invalid: map[model.SectionKey]string{}, Unsaved: map[model.SectionKey]SectionSave{}}
	for _, e := range edits {
		if !e.Changed() {
			continue
		}
		edit := model.PostmortemEdit{Sections: map[model.SectionKey]model.SectionEdit{e.Key: {Body: e.Body, Version: e.Version}}}
		_, err := st.SavePostmortem(ctx, incidentID, edit)
		var (
			ce *model.ConflictError
			ve *model.ValidationError
		)
		switch {
		case err == nil:
			res.Saved = append(res.Saved, e.Key)
		case errors.As(err, &ce):
			pc, ok := ce.Current.(*model.PostmortemConflict)
			if !ok || len(pc.Sections) == 0 {
				return res, err
			}
			res.Clashes = append(res.Clashes, pc.Sections...)
			res.Unsaved[e.Key] = e
		case errors.As(err, &ve):
			for _, msg := range ve.Fields {
				res.Invalid[e.Key] = msg
			}
			res.Unsaved[e.Key] = e
		default:
			return res, err
		}
	}
	return res, nil
}
