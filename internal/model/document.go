package model

import "time"

// The postmortem document as the store loads it for rendering and
// publishing, and the shapes of a save, a publish and an import. They live
// here, not in internal/store, so that the packages which assemble a
// postmortem (internal/postmortem) need only the domain types; the store
// keeps its names for them as aliases.

// Document is everything a postmortem is assembled from, read in one
// transaction so that a rendering or a publish sees one consistent state.
type Document struct {
	Incident   *Incident
	Severity   Severity
	Postmortem *Postmortem
	Timeline   []TimelineEntry
	Factors    []Factor
	Whys       []*WhyNode
	Actions    []ActionItem
	Acks       []LintAck
	// Changes are the changes linked to the incident (its causes and
	// related ones); Budgets what it spent of its services' error budgets.
	Changes []ChangeLink
	Budgets []IncidentBudget
}

// SectionConflict is one section two people saved at once: the text now
// stored (theirs) and the text that was sent (yours).
type SectionConflict struct {
	Key     SectionKey
	Current PostmortemSection
	Yours   string
}

// PostmortemConflict is the Current of the 409 of a postmortem save: every
// section that clashed, with both texts.
type PostmortemConflict struct {
	Sections []SectionConflict
}

// SectionEdit is new text for a section, based on the section's version
// (0 for a section never saved).
type SectionEdit struct {
	Body    string
	Version int
}

// PostmortemEdit is a save of a postmortem: any sections, and the people
// when set.
type PostmortemEdit struct {
	Sections map[SectionKey]SectionEdit
	People   *PostmortemPeople
}

// PublishFunc renders a document for publishing: the Markdown and the
// structured JSON stored in the revision, or the reasons it may not be
// published yet.
type PublishFunc func(doc *Document, revision int, at time.Time) (markdown string, data []byte, err error)

// Published is an incident's latest published revision, for the archive
// and the bulk export.
type Published struct {
	Incident Incident
	Revision PostmortemRevision
}

// PublishedEntry is what the bulk export's index and file names need of
// a published postmortem: the incident's ID, Title, Severity, StartedAt,
// CreatedAt and Services (nothing else of it is loaded), and when its
// latest revision was published. It holds no Markdown.
type PublishedEntry struct {
	Incident    Incident
	PublishedAt time.Time
}

// Import is a postmortem file brought back into Debrief: changes to an
// existing incident's postmortem (IncidentID set), or a new incident
// (IncidentID 0, NewIncident set) read from a file in another shape.
type Import struct {
	IncidentID  int64
	NewIncident *Incident
	// Viewer is who imports: a file of a private incident they may not
	// see is refused as if the incident did not exist.
	Viewer Viewer

	// Sections are the narrative sections in the file; Versions holds the
	// versions the file was exported at ("section.summary", "action.7", …),
	// to tell an edit in the wiki from a change made in Debrief since.
	Sections map[SectionKey]string
	Versions map[string]int
	People   *PostmortemPeople
	Factors  []ImportFactor
	Actions  []ActionItem // ID 0: a new item
	Timeline []TimelineEntry
}

// ImportFactor is a contributing factor in an imported file.
type ImportFactor struct {
	ID          int64 // 0: a new factor
	Title       string
	Description string
	Category    string
	IsTrigger   bool
}

// ImportReport says what an import changed.
type ImportReport struct {
	IncidentID int64    `json:"incident_id"`
	Created    bool     `json:"created"`
	Changes    []string `json:"changes"`
	Notes      []string `json:"notes"`
}

// ImportConflict is the Current of the 409 of an import: the parts that
// changed in Debrief since the file was exported and in the file too.
type ImportConflict struct {
	Parts []string `json:"parts"`
}
