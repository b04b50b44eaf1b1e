package postmortem

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/debrief-dev/debrief/internal/model"
)

// Limits on what Parse reads.
const (
	MaxImportSize      = 10 << 20 // bytes
	MaxImportTableRows = 5000     // rows of all the tables read, together
	maxNotes           = 100
)

// ParseError says what is wrong with a Markdown file, and where.
type ParseError struct {
	Line int // 1-based; 0 when the problem is not on one line
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Parsed is what Parse read from a Markdown postmortem: a Debrief export,
// perhaps edited elsewhere, or a document written in another shape (then
// DebriefID is 0 and the fields are filled on a best-effort basis; Notes
// says what was understood and what was skipped).
//
// Items carry the ids the export gave them (0 for one added outside
// Debrief) and Versions the versions exported, so that one store
// transaction can apply it: update by id, and tell which parts Debrief has
// changed since the export.
type Parsed struct {
	// From the front matter.
	DebriefID        int64
	Title            string
	Severity         string
	Status           model.Status
	PostmortemStatus model.PostmortemStatus
	Services         []string
	Tags             []string
	StartedAt        *time.Time
	DetectedAt       *time.Time
	AcknowledgedAt   *time.Time
	MitigatedAt      *time.Time
	ResolvedAt       *time.Time
	Revision         int
	PublishedAt      *time.Time
	Facilitator      string
	Authors          []string
	Reviewers        []string
	URL              string
	// Versions maps a part's stable id ("incident", "postmortem",
	// "section.summary", "factor.3", "why.12", "action.7") to the version
	// exported.
	Versions map[string]int

	// Sections holds the text of every narrative section found, "" for an
	// empty one; a section missing from the file has no key.
	Sections map[model.SectionKey]string
	// FactorsText is the text under a "Root causes" (or similar) heading of
	// a document not written by Debrief.
	FactorsText string
	Factors     []ParsedFactor
	Whys        []ParsedWhy
	Actions     []ParsedAction
	Timeline    []ParsedEntry
	// HasFactors, HasWhys, HasActions and HasTimeline tell a part that is
	// empty in the file from one the file does not have.
	HasFactors, HasWhys, HasActions, HasTimeline bool

	// Notes says, for people, what was read and what was skipped.
	Notes []string
}

// ParsedFactor is a contributing factor read back.
type ParsedFactor struct {
	ID          int64 // 0 for a factor added outside Debrief
	Title       string
	Category    string
	IsTrigger   bool
	Description string
	Line        int
}

// ParsedWhy is a node of a whys tree read back.
type ParsedWhy struct {
	ID     int64 // 0 for a node added outside Debrief
	Parent int   // index in Parsed.Whys of its parent; -1 for a root
	Text   string
	Line   int
}

// ParsedAction is an action item read back from the table and its details.
type ParsedAction struct {
	ID          int64 // 0 for an item added outside Debrief
	Title       string
	Description string
	Owner       string
	Due         model.Date
	Type        model.ActionType
	Priority    model.Priority
	Status      model.ActionStatus
	ClosureNote string
	EvidenceURL string
	Rationale   string
	TrackerURL  string
	Line        int
}

// ParsedEntry is a timeline row read back. Rows carry no ids: the
// timeline is append-only history, matched by time and text.
type ParsedEntry struct {
	OccurredAt   time.Time
	Kind         model.EntryKind
	Body         string
	Author       string
	LearnedLater bool
	EvidenceURL  string
	Line         int
}

// Parse reads a Markdown postmortem: the format Render writes, or any
// document with headings such as "Summary", "Impact" and "Timeline". A
// file over MaxImportSize, with more than MaxImportTableRows table rows,
// not valid UTF-8, or whose Debrief parts are malformed is an error (a
// *ParseError, naming the line); anything else gives a result.
func Parse(src []byte) (*Parsed, error) {
	if len(src) > MaxImportSize {
		return nil, &ParseError{Msg: fmt.Sprintf("the file is %.1f MiB; at most %d MiB can be imported", float64(len(src))/(1<<20), MaxImportSize>>20)}
	}
	if !utf8.Valid(src) {
		return nil, &ParseError{Line: invalidUTF8Line(src), Msg: "is not valid UTF-8 text; save the file as UTF-8"}
	}
	if i := bytes.IndexByte(src, 0); i >= 0 {
		return nil, &ParseError{Line: 1 + bytes.Count(src[:i], []byte("\n")), Msg: "contains a NUL character, so it is not a text file"}
	}
	text := normalizeNewlines(strings.TrimPrefix(string(src), "\uFEFF"))
	ps := &parseState{
		lines: strings.Split(text, "\n"),
		p:     &Parsed{Versions: map[string]int{}, Sections: map[model.SectionKey]string{}},
	}
	start, err := ps.frontMatter()
	if err != nil {
		return nil, err
	}
	if i := tooDeep(ps.lines[start:]); i >= 0 {
		return nil, errorAt(start+i, "opens more than %d quotes or lists at once; at most %d can be read", maxNesting, maxNesting)
	}
	ps.body = parseBody(ps.lines, start)
	if blocks := ps.blocks(); len(blocks) > 0 {
		err = ps.marked(start, blocks)
	} else {
		err = ps.foreign(start)
	}
	if err != nil {
		return nil, err
	}
	return ps.p, nil
}

func invalidUTF8Line(src []byte) int {
	line := 1
	for len(src) > 0 {
		r, n := utf8.DecodeRune(src)
		if r == utf8.RuneError && n <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		src = src[n:]
	}
	return line
}

// parseState is one Parse in progress.
type parseState struct {
	lines  []string
	p      *Parsed
	body   *body       // what follows the front matter, parsed
	fm     frontMatter // the front matter, decoded into the struct Render writes
	strict bool        // the front matter has a debrief_id: its fields must be right
	rows   int         // table rows read so far
}

func (ps *parseState) note(format string, args ...any) {
	switch n := len(ps.p.Notes); {
	case n < maxNotes:
		ps.p.Notes = append(ps.p.Notes, fmt.Sprintf(format, args...))
	case n == maxNotes:
		ps.p.Notes = append(ps.p.Notes, "more notes were left out")
	}
}

func errorAt(i int, format string, args ...any) *ParseError {
	return &ParseError{Line: i + 1, Msg: fmt.Sprintf(format, args...)}
}

// --- Front matter ---

// frontMatter reads the YAML between the first two "---" lines, if the
// file starts with one, and returns the index of the first line after it.
func (ps *parseState) frontMatter() (int, error) {
	end, ok := frontMatterEnd(ps.lines)
	if !ok {
		return 0, errorAt(0, "the front matter that starts here is never closed: end it with a line holding only ---")
	}
	if end == 0 {
		return 0, nil
	}
	return end, ps.decodeFrontMatter(strings.Join(ps.lines[1:end-1], "\n"))
}

// frontMatterEnd returns the index of the line after the front matter (0
// for a file without), and false for front matter never closed.
func frontMatterEnd(lines []string) (int, bool) {
	if strings.TrimRight(lines[0], " \t") != "---" {
		return 0, true
	}
	for i := 1; i < len(lines); i++ {
		if l := strings.TrimRight(lines[i], " \t"); l == "---" || l == "..." {
			return i + 1, true
		}
	}
	return 0, false
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

func (ps *parseState) decodeFrontMatter(src string) error {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		// yaml counts lines from the front matter's first line; say the file's.
		msg := yamlLine.ReplaceAllStringFunc(err.Error(), func(s string) string {
			n, _ := strconv.Atoi(s[len("line "):])
			return fmt.Sprintf("line %d", n+1)
		})
		return &ParseError{Msg: "the front matter is not valid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil // empty front matter
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return errorAt(root.Line, "the front matter must be lines of key: value")
	}
	// A file with Debrief's id is Debrief's: its fields must be right.
	// Earlier versions wrote debrief_id and debrief_versions; now the one
	// key debrief holds both (see debriefKey).
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Kind == yaml.ScalarNode && (k.Value == "debrief_id" || k.Value == "debrief" && hasKey(v, "id")) {
			ps.strict = true
		}
	}
	fm := &ps.fm
	seen := map[string]bool{}
	var ignored []string
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			if ps.strict {
				return errorAt(k.Line, "a front matter key must be a plain name")
			}
			continue
		}
		if seen[k.Value] {
			if ps.strict {
				return errorAt(k.Line, "the front matter key %s appears twice", k.Value)
			}
			continue
		}
		seen[k.Value] = true
		if !ps.strict && k.Value != "title" {
			ignored = append(ignored, k.Value)
			continue
		}
		known, err := ps.frontMatterField(fm, k.Value, v)
		if err != nil {
			if ps.strict {
				line := v.Line
				var an *atNode
				if errors.As(err, &an) {
					line = an.node.Line
				}
				return errorAt(line, "front matter: %s", err)
			}
			ps.note("the front matter's title was not understood: %v", err)
		}
		if !known {
			ignored = append(ignored, k.Value)
		}
	}
	if len(ignored) > 0 {
		ps.note("front matter keys not used: %s", strings.Join(ignored, ", "))
	}
	if ps.strict && seen["debrief"] && (seen["debrief_id"] || seen["debrief_versions"]) {
		return &ParseError{Msg: "the front matter has both debrief and the older debrief_id or debrief_versions; keep only debrief"}
	}
	fm.apply(ps.p)
	return nil
}

// hasKey reports whether v is a map with the key.
func hasKey(v *yaml.Node, key string) bool {
	if v.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		if k := v.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return true
		}
	}
	return false
}

// frontMatterFields maps each key of the front matter to the index of its
// field in frontMatter: the keys Render writes, and the older layout's.
var frontMatterFields = func() map[string]int {
	t := reflect.TypeFor[frontMatter]()
	out := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		out[name] = i
	}
	return out
}()

// frontMatterField decodes one key of the front matter into its field of
// fm, the struct Render writes, and reports whether the key is one
// Debrief writes.
func (ps *parseState) frontMatterField(fm *frontMatter, key string, v *yaml.Node) (bool, error) {
	i, ok := frontMatterFields[key]
	if !ok {
		return false, nil
	}
	var err error
	switch f := reflect.ValueOf(fm).Elem().Field(i).Addr().Interface().(type) {
	case *string:
		*f, err = yamlString(key, v)
	case *[]string:
		*f, err = yamlList(key, v)
	case *stamp:
		f.t, err = yamlTime(key, v)
	case *model.Status:
		var s string
		if s, err = yamlString(key, v); err == nil && s != "" {
			if *f = model.Status(s); !f.Valid() {
				err = fmt.Errorf("status %q is not an incident status (investigating, identified, monitoring or resolved)", clip(s))
			}
		}
	case *model.PostmortemStatus:
		var s string
		if s, err = yamlString(key, v); err == nil && s != "" {
			switch *f = model.PostmortemStatus(s); *f {
			case model.PostmortemDraft, model.PostmortemInReview, model.PostmortemPublished:
			default:
				err = fmt.Errorf("postmortem_status %q is not draft, in_review or published", clip(s))
			}
		}
	case *int: // revision
		var n int64
		n, err = yamlInt(key, v)
		if err == nil && (n < 0 || n > 1<<31-1) {
			err = fmt.Errorf("revision must be a whole number from 0 (got %d)", n)
		}
		*f = int(n)
	case *int64: // debrief_id, of the older layout
		*f, err = yamlInt(key, v)
		if err == nil && *f < 1 {
			err = fmt.Errorf("debrief_id must be a positive whole number (got %d)", *f)
		}
	case *map[string]int: // debrief_versions, of the older layout
		*f = map[string]int{}
		err = yamlVersions(v, *f)
	case *debriefKey:
		err = ps.debriefKey(v, f)
	default:
		panic(fmt.Sprintf("postmortem: front matter key %s has no decoder", key))
	}
	return true, err
}

// apply copies what the front matter says into p.
func (fm *frontMatter) apply(p *Parsed) {
	p.DebriefID = cmp.Or(fm.Debrief.ID, fm.DebriefID)
	p.Title, p.Severity, p.Status, p.PostmortemStatus = fm.Title, fm.Severity, fm.Status, fm.PostmortemStatus
	p.Services, p.Tags = fm.Services, fm.Tags
	p.StartedAt, p.DetectedAt, p.AcknowledgedAt = fm.StartedAt.t, fm.DetectedAt.t, fm.AcknowledgedAt.t
	p.MitigatedAt, p.ResolvedAt = fm.MitigatedAt.t, fm.ResolvedAt.t
	p.Revision, p.PublishedAt = fm.Revision, fm.PublishedAt.t
	p.Facilitator, p.Authors, p.Reviewers, p.URL = fm.Facilitator, fm.Authors, fm.Reviewers, fm.URL
	maps.Copy(p.Versions, fm.Debrief.versions())
	maps.Copy(p.Versions, fm.DebriefVersions)
}

func yamlScalar(key string, v *yaml.Node) (*yaml.Node, error) {
	switch v.Kind {
	case yaml.ScalarNode:
		return v, nil
	case yaml.AliasNode:
		return nil, fmt.Errorf("%s must be written out; YAML aliases are not read", key)
	}
	return nil, fmt.Errorf("%s must be a single value, not a list or a map", key)
}

func yamlString(key string, v *yaml.Node) (string, error) {
	s, err := yamlScalar(key, v)
	if err != nil || s.ShortTag() == "!!null" {
		return "", err
	}
	return s.Value, nil
}

func yamlInt(key string, v *yaml.Node) (int64, error) {
	s, err := yamlScalar(key, v)
	if err != nil {
		return 0, err
	}
	var n int64
	if s.ShortTag() != "!!int" || s.Decode(&n) != nil {
		return 0, fmt.Errorf("%s must be a whole number (got %q)", key, clip(s.Value))
	}
	return n, nil
}

func yamlList(key string, v *yaml.Node) ([]string, error) {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return []string{}, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s must be a list, e.g. [a, b]", key)
	}
	out := make([]string, 0, len(v.Content))
	for _, item := range v.Content {
		s, err := yamlString(key+" item", item)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func yamlTime(key string, v *yaml.Node) (*time.Time, error) {
	s, err := yamlString(key, v)
	if err != nil || s == "" {
		return nil, err
	}
	t, err := parseInstant(s)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %v", key, clip(s), err)
	}
	return &t, nil
}

func yamlVersions(v *yaml.Node, into map[string]int) error {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return fmt.Errorf("debrief_versions must be a map of part: version")
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, err := yamlString("a debrief_versions key", v.Content[i])
		if err != nil {
			return err
		}
		n, err := yamlInt("debrief_versions."+k, v.Content[i+1])
		if err != nil {
			return err
		}
		if n < 0 || n > 1<<31-1 {
			return fmt.Errorf("debrief_versions.%s must be a version number (got %d)", k, n)
		}
		into[k] = int(n)
	}
	return nil
}

// debriefKey reads the key debrief: the incident's id and the versions,
// one map per kind of part (see debriefKey in markdown.go).
func (ps *parseState) debriefKey(v *yaml.Node, d *debriefKey) error {
	const shape = "debrief must be a map of id, versions, sections, factors, whys and actions"
	if v.Kind != yaml.MappingNode {
		return errors.New(shape)
	}
	seen := map[string]bool{}
	var unknown []string
	versions := map[string]int{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return errors.New(shape)
		}
		name := "debrief." + k.Value
		if seen[k.Value] {
			return &atNode{k, fmt.Errorf("%s appears twice", name)}
		}
		seen[k.Value] = true
		var err error
		switch k.Value {
		case "id":
			d.ID, err = yamlInt(name, val)
			if err == nil && d.ID < 1 {
				err = fmt.Errorf("%s must be a positive whole number (got %d)", name, d.ID)
			}
		case "versions":
			err = versionMap(name, "incident or postmortem", val, func(key string) (string, bool) {
				return key, key == "incident" || key == "postmortem"
			}, versions)
		case "sections":
			err = versionMap(name, "a section (summary, impact, …)", val, func(key string) (string, bool) {
				_, ok := model.SectionByKey(key)
				return "section." + key, ok
			}, versions)
		case "factors", "whys", "actions":
			prefix := strings.TrimSuffix(k.Value, "s") + "."
			err = versionMap(name, "a "+strings.TrimSuffix(prefix, ".")+" number", val, func(key string) (string, bool) {
				_, ok := partID(prefix+key, prefix)
				return prefix + key, ok
			}, versions)
		default:
			unknown = append(unknown, name)
		}
		var an *atNode
		if err != nil && !errors.As(err, &an) {
			err = &atNode{val, err}
		}
		if err != nil {
			return err
		}
	}
	if len(unknown) > 0 {
		ps.note("front matter keys not used: %s", strings.Join(unknown, ", "))
	}
	*d = newDebriefKey(d.ID, versions)
	return nil
}

// versionMap reads a map of part to version into into, under the key
// part says (false for a part that is not one of the kind).
// what names the parts for a message, e.g. "a section (summary, impact, …)".
func versionMap(name, what string, v *yaml.Node, part func(string) (string, bool), into map[string]int) error {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return fmt.Errorf("%s must be a map of part: version, e.g. {3: 1, 4: 2}", name)
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		at := v.Content[i]
		k, err := yamlString("a "+name+" key", at)
		if err != nil {
			return &atNode{at, err}
		}
		key, ok := part(k)
		if !ok {
			return &atNode{at, fmt.Errorf("%s: %q is not %s", name, clip(k), what)}
		}
		if _, dup := into[key]; dup {
			return &atNode{at, fmt.Errorf("%s: %s appears twice", name, clip(k))}
		}
		n, err := yamlInt(name+"."+k, v.Content[i+1])
		if err == nil && (n < 0 || n > 1<<31-1) {
			err = fmt.Errorf("%s.%s must be a version number (got %d)", name, k, n)
		}
		if err != nil {
			return &atNode{at, err}
		}
		into[key] = int(n)
	}
	return nil
}

// atNode is an error in the front matter with the node it is about, for
// the line number.
type atNode struct {
	node *yaml.Node
	err  error
}

func (e *atNode) Error() string { return e.err.Error() }

func (e *atNode) Unwrap() error { return e.err }

// parseInstant reads a timestamp with a UTC offset, as an export writes
// it or as people commonly do ("2026-11-22 14:32 UTC").
func parseInstant(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if clockRE.MatchString(s) {
		return time.Time{}, errors.New("has no date and no UTC offset; write e.g. 2026-11-22T14:32:05Z")
	}
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	if u, ok := strings.CutSuffix(s, " UTC"); ok {
		s = u + "Z"
	}
	if len(s) >= 16 && s[13] == ':' && (len(s) == 16 || s[16] == 'Z' || s[16] == '+' || s[16] == '-') {
		s = s[:16] + ":00" + s[16:] // no seconds
	}
	t, err := model.ParseTimestamp(s)
	if err == nil && (t.Year() < 1970 || t.Year() > 9999) {
		// An offset can carry 0000-01-01 or 9999-12-31 out of the range
		// an export can write back.
		return time.Time{}, errors.New("must be between 1970 and 9999")
	}
	return t, err
}

var clockRE = regexp.MustCompile(`^\d{1,2}:\d{2}(:\d{2})?$`)

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:39]) + "…"
	}
	return s
}

// --- Debrief's own format: parts found by their markers ---

var (
	markerLineRE = regexp.MustCompile(`^ {0,3}<!--\s*debrief:([a-z][a-z_]*)(?:[ \t]+([^\s>]+))?\s*-->[ \t]*$`)
	factorMetaRE = regexp.MustCompile(`^[*_](Trigger|Latent condition)[*_](?: · category: (.*?))?[ \t]*$`)
	whyItemRE    = regexp.MustCompile(`^([ \t]*)[-*+][ \t]+(.*?)[ \t]*<!--\s*debrief:why\s+(\d+)\s*-->[ \t]*$`)
	listItemRE   = regexp.MustCompile(`^([ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+(.*?)[ \t]*$`)
	detailRE     = regexp.MustCompile(`^[-*+][ \t]+\*\*A(\d{1,18})\*\*[ \t]+(description|closure note|rationale|evidence):[ \t]?(.*)$`)
	actionIDRE   = regexp.MustCompile(`^[Aa](\d{1,18})$`)
)

// marked reads an export by its markers.
func (ps *parseState) marked(start int, blocks []block) error {
	p := ps.p
	if p.DebriefID == 0 {
		ps.note("no Debrief id in the front matter (debrief: id): the file is read as Debrief's format but belongs to no incident")
	}
	if t, ok := ps.firstTitle(blocks[0].head); ok {
		switch {
		case p.Title == "":
			p.Title = t
		case t != p.Title:
			ps.note("the # heading (%q) differs from the front matter's title; the front matter's title was kept", clip(t))
		}
	}
	seen := map[string]int{}
	for n, b := range blocks {
		end := len(ps.lines)
		if n+1 < len(blocks) {
			end = blocks[n+1].head
		}
		region := ps.lines[b.line+1 : end]
		id := b.kind
		if b.arg != "" {
			id += " " + b.arg
		}
		switch b.kind {
		case "section", "factor", "facts", "changes", "factors", "whys", "actions", "timeline":
			if prev, dup := seen[id]; dup {
				return errorAt(b.line, "the marker <!-- debrief:%s --> appears twice (also on line %d); keep one", id, prev+1)
			}
			seen[id] = b.line
		}
		switch b.kind {
		case "section":
			if _, ok := model.SectionByKey(b.arg); !ok {
				ps.note("line %d: unknown section %q skipped", b.line+1, clip(b.arg))
				continue
			}
			p.Sections[model.SectionKey(b.arg)] = blockText(region)
		case "facts", "changes":
			// Derived from the record; nothing to read.
		case "factors":
			p.HasFactors = true
		case "factor":
			if err := ps.factor(b, region); err != nil {
				return err
			}
		case "whys":
			if err := ps.whys(b.line+1, region); err != nil {
				return err
			}
		case "actions":
			if err := ps.actions(b.line+1, region); err != nil {
				return err
			}
		case "timeline":
			if err := ps.timeline(b.line+1, region); err != nil {
				return err
			}
		default:
			ps.note("line %d: unknown marker debrief:%s skipped", b.line+1, clip(b.kind))
		}
	}
	return nil
}

// blockText returns a section's or a description's text exactly as it was
// given to Render: without the layout's blank lines, the placeholder of an
// empty section, a guard and its closing line, and the marker escapes.
func blockText(region []string) string {
	var keep []string
	for _, l := range region {
		if m := markerLineRE.FindStringSubmatch(l); m != nil && m[1] == "guard" {
			if len(keep) > 0 {
				keep = keep[:len(keep)-1] // the closing line Render put before it
			}
			continue
		}
		if strings.TrimRight(l, " \t") == placeholder {
			continue
		}
		keep = append(keep, l)
	}
	return unescapeMarkers(trimBlankLines(strings.Join(keep, "\n")))
}

var escapedMarker = regexp.MustCompile(`<!--(\s*)debrief!(!*):`)

// unescapeMarkers undoes escapeMarkers.
func unescapeMarkers(s string) string {
	return escapedMarker.ReplaceAllString(s, "<!--${1}debrief${2}:")
}

func (ps *parseState) factor(b block, region []string) error {
	id, err := strconv.ParseInt(b.arg, 10, 64)
	if err != nil || id < 1 {
		return errorAt(b.line, "the factor marker needs a factor number, e.g. <!-- debrief:factor 3 --> (got %q)", clip(b.arg))
	}
	ps.p.HasFactors = true
	f := ParsedFactor{ID: id, Title: unescapePlain(b.title), Line: b.line + 1}
	i := 0
	for i < len(region) && isBlank(region[i]) {
		i++
	}
	if i < len(region) {
		if m := factorMetaRE.FindStringSubmatch(region[i]); m != nil {
			f.IsTrigger = m[1] == "Trigger"
			f.Category = unescapePlain(m[2])
			i++
		} else {
			ps.note("line %d: factor %d has no \"*Trigger*\" or \"*Latent condition*\" line; read as a latent condition", b.line+1, id)
		}
	}
	f.Description = blockText(region[i:])
	ps.p.Factors = append(ps.p.Factors, f)
	return nil
}

// whys reads the nested lists of the whys trees; first is the index of
// region's first line. Items without a marker are new nodes.
func (ps *parseState) whys(first int, region []string) error {
	ps.p.HasWhys = true
	type open struct{ indent, index int }
	var stack []open
	seen := map[int64]bool{}
	for k, l := range region {
		var indent string
		w := ParsedWhy{Line: first + k + 1}
		if m := whyItemRE.FindStringSubmatch(l); m != nil {
			id, err := strconv.ParseInt(m[3], 10, 64)
			if err != nil || id < 1 || seen[id] {
				return errorAt(first+k, "the why marker %q is not a unique why number", clip(m[3]))
			}
			seen[id] = true
			indent, w.ID, w.Text = m[1], id, unescapePlain(m[2])
		} else if m := listItemRE.FindStringSubmatch(l); m != nil {
			indent, w.Text = m[1], unescapePlain(m[2])
		} else {
			continue
		}
		width := indentWidth(indent)
		for len(stack) > 0 && stack[len(stack)-1].indent >= width {
			stack = stack[:len(stack)-1]
		}
		w.Parent = -1
		if len(stack) > 0 {
			w.Parent = stack[len(stack)-1].index
		}
		stack = append(stack, open{width, len(ps.p.Whys)})
		ps.p.Whys = append(ps.p.Whys, w)
	}
	return nil
}

func indentWidth(s string) int {
	w := 0
	for _, c := range s {
		if c == '\t' {
			w += 4 - w%4
		} else {
			w++
		}
	}
	return w
}

// columns maps a table's headers to the names name gives them ("" for
// none); the first header of a name wins.
func columns(header []string, name func(string) string) map[string]int {
	out := map[string]int{}
	for i, h := range header {
		if col := name(normalizeName(unescapePlain(h))); col != "" {
			if _, dup := out[col]; !dup {
				out[col] = i
			}
		}
	}
	return out
}

func actionColumn(name string) string { return actionColumnNames[name] }

// timelineColumn names a timeline header; any header with a word such as
// "time" or "date" in it is the time ("Date/time (UTC)").
func timelineColumn(name string) string {
	if col, ok := timelineColumnNames[name]; ok {
		return col
	}
	for _, w := range strings.Fields(name) {
		switch w {
		case "time", "timestamp", "when", "date", "datetime":
			return "time"
		}
	}
	return ""
}

// normalizeName lower-cases a heading or header and keeps only its words:
// "Follow-ups:" and "follow ups" are the same name.
func normalizeName(s string) string {
	s = strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(s, "’", ""), "'", ""))
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for len(words) > 1 && strings.Trim(words[0], "0123456789") == "" {
		words = words[1:] // "1. Summary", "5 whys"
	}
	return strings.Join(words, " ")
}

var actionColumnNames = map[string]string{
	"id": "id", "action": "title", "action item": "title", "title": "title", "task": "title", "item": "title",
	"what": "title", "follow up": "title", "type": "type", "owner": "owner", "assignee": "owner",
	"responsible": "owner", "who": "owner", "due": "due", "due date": "due", "deadline": "due",
	"status": "status", "state": "status", "priority": "priority", "tracker": "tracker", "ticket": "tracker",
	"issue": "tracker", "link": "tracker", "tracker link": "tracker", "jira": "tracker",
}

var timelineColumnNames = map[string]string{
	"kind": "kind", "type": "kind", "category": "kind",
	"event": "event", "what happened": "event", "description": "event", "details": "event",
	"message": "event", "note": "event", "notes": "event", "entry": "event", "update": "event", "action": "event",
	"by": "by", "who": "by", "author": "by", "person": "by", "actor": "by",
	"evidence": "evidence", "link": "evidence", "links": "evidence", "source": "evidence", "url": "evidence",
}

// actions reads the action items table and the details under it.
func (ps *parseState) actions(first int, region []string) error {
	ps.p.HasActions = true
	tables, err := ps.tables(first, first+len(region))
	if err != nil {
		return err
	}
	if len(tables) == 0 {
		return nil
	}
	if len(tables) > 1 {
		ps.note("line %d: only the first table of the action items was read", first+1)
	}
	if err := ps.actionTable(tables[0]); err != nil {
		return err
	}
	byID := map[int64]*ParsedAction{}
	for i := range ps.p.Actions {
		if id := ps.p.Actions[i].ID; id != 0 {
			byID[id] = &ps.p.Actions[i]
		}
	}
	for k, l := range region {
		m := detailRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		a := byID[id]
		if a == nil {
			ps.note("line %d: details of A%d, which is not in the table, skipped", first+k+1, id)
			continue
		}
		switch m[2] {
		case "description":
			a.Description = decodeMarkdownCell(m[3])
		case "closure note":
			a.ClosureNote = decodeMarkdownCell(m[3])
		case "rationale":
			a.Rationale = decodeMarkdownCell(m[3])
		case "evidence":
			a.EvidenceURL = decodeURLCell(m[3])
		}
	}
	return nil
}

// actionTable reads the rows of an action items table. In a Debrief export
// (strict) a cell it cannot read is an error; elsewhere it is a note.
func (ps *parseState) actionTable(t table) error {
	cols := columns(t.header, actionColumn)
	ti, ok := cols["title"]
	if !ok {
		if ps.strict {
			return errorAt(t.head, "the action items table has no Action column")
		}
		ps.note("the action items table has no Action column; skipped")
		return nil
	}
	seen := map[int64]int{}
	for r, row := range t.rows {
		line := t.lines[r]
		cell := func(name string) string {
			if i, ok := cols[name]; ok {
				return row[i]
			}
			return ""
		}
		problem := func(format string, args ...any) error {
			if ps.strict {
				return errorAt(line, "action items table: "+format, args...)
			}
			ps.note("line %d: "+format+"; left empty", append([]any{line + 1}, args...)...)
			return nil
		}
		a := ParsedAction{Title: unescapePlain(row[ti]), Owner: unescapePlain(cell("owner")), Line: line + 1}
		if id := unescapePlain(cell("id")); !isEmptyCell(id) && !strings.EqualFold(id, "new") {
			m := actionIDRE.FindStringSubmatch(id)
			if m == nil {
				if err := problem("the id %q is not A followed by a number; leave it empty for a new item", clip(id)); err != nil {
					return err
				}
			} else if ps.p.DebriefID != 0 || ps.strict {
				a.ID, _ = strconv.ParseInt(m[1], 10, 64)
			}
		}
		if a.ID != 0 {
			if prev, dup := seen[a.ID]; dup {
				return errorAt(line, "action item A%d appears twice in the table (also on line %d)", a.ID, prev+1)
			}
			seen[a.ID] = line
		}
		if s := strings.ToLower(unescapePlain(cell("type"))); !isEmptyCell(s) {
			if a.Type = model.ActionType(s); !oneOf(a.Type, model.ActionTypes) {
				a.Type = ""
				if err := problem("unknown type %q (prevent, mitigate, detect or process)", clip(s)); err != nil {
					return err
				}
			}
		}
		if s := strings.ToLower(unescapePlain(cell("priority"))); !isEmptyCell(s) {
			if a.Priority = model.Priority(s); !oneOf(a.Priority, model.Priorities) {
				a.Priority = ""
				if err := problem("unknown priority %q (high, medium or low)", clip(s)); err != nil {
					return err
				}
			}
		}
		if s := unescapePlain(cell("status")); !isEmptyCell(s) {
			var ok bool
			if a.Status, ok = actionStatus(s); !ok {
				if err := problem("unknown status %q (open, in progress, done or won't do)", clip(s)); err != nil {
					return err
				}
			}
		}
		if s := unescapePlain(cell("due")); !isEmptyCell(s) {
			d, err := model.ParseDate(s)
			if err != nil {
				if err := problem("due date: %v", err); err != nil {
					return err
				}
			}
			a.Due = d
		}
		a.TrackerURL = decodeURLCell(cell("tracker"))
		ps.p.Actions = append(ps.p.Actions, a)
	}
	return nil
}

func isEmptyCell(s string) bool { s = strings.TrimSpace(s); return s == "" || s == "—" || s == "-" }

func oneOf[T comparable](x T, set []T) bool {
	for _, s := range set {
		if x == s {
			return true
		}
	}
	return false
}

// actionStatus reads a status as people write it ("won't do") or as the
// API does ("wont_do").
func actionStatus(s string) (model.ActionStatus, bool) {
	s = strings.ToLower(strings.Join(strings.Fields(strings.NewReplacer("_", " ", "’", "'", "-", " ").Replace(s)), " "))
	switch s {
	case "open", "todo", "to do":
		return model.ActionOpen, true
	case "in progress", "doing", "started":
		return model.ActionInProgress, true
	case "done", "closed", "complete", "completed":
		return model.ActionDone, true
	case "won't do", "wont do", "wontfix", "won't fix", "dropped":
		return model.ActionWontDo, true
	}
	return "", false
}

var (
	angleURLRE = regexp.MustCompile(`^<([^<>\s]+)>$`)
	mdLinkRE   = regexp.MustCompile(`^\[[^\]]*\]\(<?([^()<>\s]+)>?\)$`)
)

// decodeURLCell undoes urlCell, and reads a Markdown link too.
func decodeURLCell(s string) string {
	if m := angleURLRE.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	if m := mdLinkRE.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	if isEmptyCell(s) {
		return ""
	}
	return unescapePlain(s)
}

// timeline reads the timeline table of an export.
func (ps *parseState) timeline(first int, region []string) error {
	ps.p.HasTimeline = true
	tables, err := ps.tables(first, first+len(region))
	if err != nil {
		return err
	}
	for _, t := range tables {
		if _, ok := columns(t.header, timelineColumn)["time"]; ok {
			return ps.timelineTable(t)
		}
	}
	return nil
}

// timelineTable reads the rows of a table with a time column. Outside an
// export, a row whose time has no UTC offset is skipped with a note.
func (ps *parseState) timelineTable(t table) error {
	cols := columns(t.header, timelineColumn)
	ev, ok := cols["event"]
	if !ok {
		// No column named for the events: take the first one not named
		// for something else.
		named := map[int]bool{}
		for _, i := range cols {
			named[i] = true
		}
		for i := range t.header {
			if !named[i] {
				ev, ok = i, true
				break
			}
		}
	}
	if !ok {
		ps.note("the timeline table has no column for the events; skipped")
		return nil
	}
	skipped := 0
	for r, row := range t.rows {
		line := t.lines[r]
		cell := func(name string) string {
			if i, ok := cols[name]; ok {
				return row[i]
			}
			return ""
		}
		at, err := parseInstant(strings.Trim(unescapePlain(cell("time")), " \t*_`"))
		if err != nil {
			if ps.strict {
				return errorAt(line, "timeline: the time %q: %v", clip(cell("time")), err)
			}
			if skipped++; skipped <= 10 {
				ps.note("line %d: timeline row skipped, its time %q was not understood (%v)", line+1, clip(cell("time")), err)
			}
			continue
		}
		e := ParsedEntry{OccurredAt: at, Body: decodeMarkdownCell(row[ev]), Author: unescapePlain(cell("by")),
			EvidenceURL: decodeURLCell(cell("evidence")), Line: line + 1}
		kind := unescapePlain(cell("kind"))
		if k, ok := strings.CutSuffix(kind, learnedLater); ok {
			kind, e.LearnedLater = k, true
		}
		switch e.Kind = model.EntryKind(strings.ToLower(strings.TrimSpace(kind))); {
		case e.Kind.Valid():
		case ps.strict:
			return errorAt(line, "timeline: unknown kind %q", clip(kind))
		default:
			e.Kind = model.KindObservation
		}
		if e.Body == "" {
			if ps.strict {
				return errorAt(line, "timeline: the row has no event text")
			}
			ps.note("line %d: timeline row without text skipped", line+1)
			continue
		}
		ps.p.Timeline = append(ps.p.Timeline, e)
	}
	if skipped > 10 {
		ps.note("%d more timeline rows skipped for their times", skipped-10)
	}
	return nil
}

// --- Documents written elsewhere: parts found by their headings ---

// heading is a heading of a document not written by Debrief.
type heading struct {
	start, end int // its lines are lines[start:end]
	level      int
	text       string
	part       string // what it names (a section key, "factors", ...), or ""
}

// headingParts maps heading names (normalized) to the part they name.
var headingParts = func() map[string]string {
	m := map[string]string{}
	add := func(part string, names ...string) {
		for _, n := range names {
			m[n] = part
		}
	}
	add("summary", "summary", "executive summary", "incident summary", "overview", "tl dr", "tldr", "abstract")
	add("impact", "impact", "customer impact", "user impact", "business impact", "impact assessment")
	add("trigger", "trigger", "triggers", "what triggered it", "triggering event")
	add("resolution", "resolution", "remediation", "mitigation", "mitigation and resolution", "recovery", "how it was resolved")
	add("detection", "detection", "how we detected it", "how it was detected", "how was it detected")
	add("went_well", "what went well", "went well", "things that went well")
	add("went_wrong", "what went wrong", "went wrong", "what didnt go well", "what did not go well",
		"things that went wrong", "what went poorly", "what could have gone better")
	add("got_lucky", "where we got lucky", "got lucky", "where we were lucky", "what was lucky", "luck")
	add("lessons", "lessons learned", "lessons learnt", "lessons", "learnings", "key takeaways", "takeaways")
	add("supporting_info", "supporting information", "supporting info", "references", "links", "appendix",
		"related links", "additional information", "further reading")
	add("factors", "contributing factors", "contributing factor", "root cause", "root causes",
		"root cause analysis", "causes", "causal factors", "whys", "five whys")
	add("timeline", "timeline", "timeline of events", "incident timeline", "chronology", "sequence of events")
	add("actions", "action items", "action item", "actions", "follow ups", "followups", "follow up actions",
		"follow up items", "corrective actions", "next steps", "todo", "to do", "remediation items")
	return m
}()

// foreign reads a document by its headings.
func (ps *parseState) foreign(start int) error {
	p, lines := ps.p, ps.lines
	hs := ps.scanHeadings()
	titleAt := -1
	for i, h := range hs {
		if h.level == 1 && h.part == "" {
			titleAt = i
			break
		}
	}
	if titleAt >= 0 {
		if p.Title == "" {
			p.Title = hs[titleAt].text
			ps.note("title taken from the first # heading")
		}
	}
	if p.DebriefID != 0 {
		ps.note("no debrief markers found (a wiki may have dropped them): parts were matched by their headings")
	}

	// The text before the first section is the summary when there is no
	// Summary heading.
	introFrom := start
	if titleAt >= 0 {
		introFrom = hs[titleAt].end
	}
	introTo := len(lines)
	for i, h := range hs {
		if i != titleAt && h.start >= introFrom {
			introTo = h.start
			break
		}
	}
	intro := trimBlankLines(strings.Join(lines[introFrom:introTo], "\n"))

	var timelineTables []table
	covered := 0
	found := false
	for i, h := range hs {
		if i == titleAt || h.start < covered {
			continue
		}
		if h.part == "" {
			ps.note("line %d: section %q is not one Debrief knows; skipped", h.start+1, clip(h.text))
			continue
		}
		end := len(lines)
		for _, next := range hs[i+1:] {
			if next.level <= h.level || next.part != "" {
				end = next.start
				break
			}
		}
		covered = end
		found = true
		region := lines[h.end:end]
		text := trimBlankLines(strings.Join(region, "\n"))
		if text == "_Not written yet._" {
			text = ""
		}
		switch h.part {
		case "factors":
			p.FactorsText = joinText(p.FactorsText, text)
			ps.note("%q read as the contributing factors' text", clip(h.text))
		case "timeline":
			p.HasTimeline = true
			tables, err := ps.tables(h.end, h.end+len(region))
			if err != nil {
				return err
			}
			timelineTables = append(timelineTables, tables...)
			if len(tables) == 0 && text != "" {
				ps.note("line %d: the timeline has no table with a time column; its text was skipped", h.start+1)
			}
		case "actions":
			if err := ps.foreignActions(h.end, region); err != nil {
				return err
			}
		default:
			key := model.SectionKey(h.part)
			if prev, ok := p.Sections[key]; ok {
				text = joinText(prev, text)
				ps.note("line %d: %q added to the section read before it", h.start+1, clip(h.text))
			} else if s, _ := model.SectionByKey(h.part); normalizeName(h.text) != normalizeName(s.Title) {
				ps.note("%q read as %s", clip(h.text), s.Title)
			}
			p.Sections[key] = text
		}
	}

	if intro != "" {
		if _, ok := p.Sections["summary"]; !ok {
			p.Sections["summary"] = intro
			if found {
				ps.note("the text before the first section was read as the summary")
			} else {
				ps.note("no known section headings: the whole text was read as the summary")
			}
		} else {
			ps.note("the text before the first section was skipped")
		}
	}

	if len(timelineTables) == 0 && !p.HasTimeline {
		// No Timeline heading: any table with a time column will do.
		all, err := ps.tables(start, len(lines))
		if err != nil {
			return err
		}
		timelineTables = all
	}
	for _, t := range timelineTables {
		if _, ok := columns(t.header, timelineColumn)["time"]; ok {
			p.HasTimeline = true
			before := len(p.Timeline)
			if err := ps.timelineTable(t); err != nil {
				return err
			}
			ps.note("timeline: %d rows read", len(p.Timeline)-before)
			break
		}
	}
	return nil
}

func joinText(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n\n" + b
}

var checkboxRE = regexp.MustCompile(`^\[([ xX])\][ \t]+`)

// foreignActions reads action items from a table, or else from a list.
func (ps *parseState) foreignActions(first int, region []string) error {
	ps.p.HasActions = true
	tables, err := ps.tables(first, first+len(region))
	if err != nil {
		return err
	}
	if len(tables) > 0 {
		before := len(ps.p.Actions)
		if err := ps.actionTable(tables[0]); err != nil {
			return err
		}
		ps.note("action items: %d rows read from a table", len(ps.p.Actions)-before)
		return nil
	}
	n := 0
	for k, l := range region {
		m := listItemRE.FindStringSubmatch(l)
		if m == nil || indentWidth(m[1]) > 1 {
			continue
		}
		a := ParsedAction{Title: m[2], Line: first + k + 1}
		if c := checkboxRE.FindStringSubmatch(a.Title); c != nil {
			a.Title = a.Title[len(c[0]):]
			a.Status = model.ActionOpen
			if c[1] != " " {
				a.Status = model.ActionDone
			}
		}
		if a.Title = strings.TrimSpace(a.Title); a.Title != "" {
			ps.p.Actions = append(ps.p.Actions, a)
			n++
		}
	}
	if n > 0 {
		ps.note("action items: %d read from a list, without owners or due dates", n)
	}
	return nil
}

// --- Unescaping: the inverses of the escapes in markdown.go ---

// unescapePlain undoes escapePlain: "\x" is x for ASCII punctuation, and
// "<br>" is a newline.
func unescapePlain(s string) string {
	if !strings.ContainsAny(s, `\<`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			b.WriteByte(s[i+1])
			i++
		case c == '<' && strings.HasPrefix(s[i:], "<br>"):
			b.WriteByte('\n')
			i += len("<br>") - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// decodeMarkdownCell undoes escapeMarkdownCell.
func decodeMarkdownCell(s string) string {
	if !strings.ContainsAny(s, `\<|`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '\\' {
			j := i
			for j < len(s) && s[j] == '\\' {
				j++
			}
			m := j - i
			switch {
			case j < len(s) && s[j] == '|':
				b.WriteString(strings.Repeat(`\`, m/2) + "|")
				i = j + 1
			case strings.HasPrefix(s[j:], "<br>"):
				b.WriteString(strings.Repeat(`\`, m/2))
				if m%2 == 1 {
					b.WriteString("<br>")
				} else {
					b.WriteByte('\n')
				}
				i = j + len("<br>")
			default:
				b.WriteString(s[i:j])
				i = j
			}
			continue
		}
		if strings.HasPrefix(s[i:], "<br>") {
			b.WriteByte('\n')
			i += len("<br>")
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}
