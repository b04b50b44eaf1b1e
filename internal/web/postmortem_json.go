package web

import (
	"time"

	"github.com/debrief-dev/debrief/internal/lint"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/postmortem"
	"github.com/debrief-dev/debrief/internal/store"
)

// The API shapes of the postmortem.

type sectionJSON = postmortem.SectionJSON

type postmortemJSON = postmortem.PostmortemJSON

func sectionToJSON(key model.SectionKey, sec model.PostmortemSection) sectionJSON {
	return postmortem.SectionToJSON(key, sec)
}

func postmortemToJSON(pm *model.Postmortem, due *time.Time) postmortemJSON {
	return postmortem.PostmortemToJSON(pm, due)
}

// pmFindingJSON is a blameless-language finding in a postmortem, with
// where it is and, once acknowledged, who kept the wording and why.
type pmFindingJSON struct {
	lint.Finding
	Source       string   `json:"source"`
	Label        string   `json:"label"`
	Fingerprint  string   `json:"fingerprint"`
	Acknowledged *ackJSON `json:"acknowledged"`
}

type ackJSON struct {
	Reason string `json:"reason"`
	By     string `json:"by"`
	At     string `json:"at"`
}

func pmFindingToJSON(f *postmortem.Finding) pmFindingJSON {
	out := pmFindingJSON{Finding: f.Finding, Source: f.Source, Label: f.Label, Fingerprint: f.Fingerprint}
	if a := f.Ack; a != nil {
		out.Acknowledged = &ackJSON{Reason: a.Reason, By: a.ByName, At: model.FormatAPI(a.At)}
	}
	return out
}

type sectionClashJSON struct {
	Section model.SectionKey `json:"section"`
	Current sectionJSON      `json:"current"`
	Yours   string           `json:"yours"`
}

// postmortemConflictJSON carries both texts of every section two people
// saved at once: the one stored now (theirs) and the one sent (yours).
func postmortemConflictJSON(c *store.PostmortemConflict) map[string]any {
	out := make([]sectionClashJSON, len(c.Sections))
	for i, sc := range c.Sections {
		out[i] = sectionClashJSON{Section: sc.Key, Current: sectionToJSON(sc.Key, sc.Current), Yours: sc.Yours}
	}
	return map[string]any{"sections": out}
}

// postmortemDue is when the postmortem of pm's incident is due; nil while
// the incident is open or once a revision is published.
func (s *Server) postmortemDue(pm *model.Postmortem) *time.Time {
	return pm.Due(s.opts.PostmortemDue)
}
