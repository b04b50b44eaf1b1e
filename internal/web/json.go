package web

import (
	"time"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/postmortem"
)

// The API's response shapes: explicit structs, so nothing internal leaks
// and every time is UTC with Z.

type incidentJSON = postmortem.IncidentJSON

func apiTime(t *time.Time) *string { return postmortem.APITime(t) }

func incidentToJSON(inc *model.Incident) incidentJSON { return postmortem.IncidentToJSON(inc) }

type revisionJSON = postmortem.EntryRevisionJSON

type entryJSON = postmortem.EntryJSON

func entryToJSON(e *model.TimelineEntry) entryJSON { return postmortem.EntryToJSON(e) }
