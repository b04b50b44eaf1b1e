package web

import (
	"time"

	"github.com/debrief-dev/debrief/internal/lint"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/postmortem"
	"github.com/debrief-dev/debrief/internal/store"
)

// The API shapes of the postmortem.

type sectionJSON struct {
	Key       model.SectionKey `json:"key"`
	Title     string           `json:"title"`
	Body      string           `json:"body"`
	Version   int              `json:"version"`
	UpdatedAt *string          `json:"updated_at"`
	UpdatedBy string           `json:"updated_by"`
}

type postmortemJSON struct {
	IncidentID  int64                  `json:"incident_id"`
	Status      model.PostmortemStatus `json:"status"`
	Facilitator string                 `json:"facilitator"`
	Authors     []string               `json:"authors"`
	Reviewers   []string               `json:"reviewers"`
	Sections    []sectionJSON          `json:"sections"`
	Revisions   int                    `json:"revisions"`
	DueAt       *string                `json:"due_at"`
	Version     int                    `json:"version"`
}

func sectionToJSON(key model.SectionKey, sec model.PostmortemSection) sectionJSON {
	info, _ := model.SectionByKey(string(key))
	out := sectionJSON{Key: key, Title: info.Title, Body: sec.Body, Version: sec.Version, UpdatedBy: sec.UpdatedBy}
	if !sec.UpdatedAt.IsZero() {
		out.UpdatedAt = apiTime(&sec.UpdatedAt)
	}
	return out
}

func postmortemToJSON(pm *model.Postmortem, due *time.Time) postmortemJSON {
	out := postmortemJSON{
		IncidentID: pm.IncidentID, Status: pm.Status, Facilitator: pm.Facilitator, Authors: pm.Authors,
		Reviewers: pm.Reviewers, Revisions: pm.Revisions, DueAt: apiTime(due), Version: pm.Version,
		Sections: make([]sectionJSON, 0, len(model.Sections)),
	}
	if out.Authors == nil {
		out.Authors = []string{}
	}
	if out.Reviewers == nil {
		out.Reviewers = []string{}
	}
	for _, s := range model.Sections {
		out.Sections = append(out.Sections, sectionToJSON(s.Key, pm.Sections[s.Key]))
	}
	return out
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
