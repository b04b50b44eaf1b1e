package postmortem

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	gmtext "github.com/yuin/goldmark/text"
	"go.yaml.in/yaml/v3"

	"github.com/debrief-dev/debrief/internal/model"
)

// The export format, in short (Parse reads it back):
//
//   - YAML front matter between "---" lines: the incident's facts, its url,
//     and under the one key "debrief" its id and the version of every part,
//     so an import can tell what changed since (see debriefKey).
//   - Every part the parser needs to find again starts with a heading
//     followed on the next line by a marker comment, e.g.
//     "## Summary" then "<!-- debrief:section summary -->". The marker, not
//     the heading, is the anchor: a heading inside a section's text is just
//     text, and a wiki may rename the headings.
//   - Section texts go through as written. A "<!-- debrief:" inside one is
//     escaped to "<!-- debrief!:" (one "!" more, undone by Parse) so that
//     only Debrief writes markers; a text that leaves a code fence or an
//     HTML block open gets a closing line and a "guard" marker after it, so
//     the rest of the document does not disappear into it.
//   - Table cells and headings hold one line: plain text (titles, names) is
//     backslash-escaped, Markdown (timeline entries) keeps its syntax with
//     "|" escaped; newlines are written as "<br>".

// timeLayout is how every instant is written: UTC, to the second (the
// timeline's milliseconds are dropped; they are noise to a reader).
const timeLayout = "2006-01-02T15:04:05Z"

// placeholder stands in for an empty section, so that someone editing the
// exported file in a wiki sees where to write.
const placeholder = "_Not written yet._ <!-- debrief:empty -->"

// Options says which revision an export is and where Debrief lives.
type Options struct {
	// BaseURL is Debrief's address, e.g. "https://debrief.example.com";
	// with "" the links back to Debrief (url, the diagrams) start at its
	// root, "/incidents/42/postmortem". Relink sets them at export time.
	BaseURL string
	// Revision is the published revision's number; 0 for a draft.
	Revision int
	// PublishedAt is when the revision was published; nil for a draft.
	PublishedAt *time.Time
}

// Render writes the postmortem as GitHub-flavoured Markdown with YAML front
// matter, in the order of the Google SRE book's postmortem template. The
// same document and options always give the same bytes.
func Render(doc *model.Document, opt Options) []byte {
	e := newExport(doc, opt)
	e.frontMatter()
	e.title()
	e.section("summary", 2)
	e.section("impact", 2)
	e.facts()
	e.changes()
	e.factors()
	e.whys()
	e.section("trigger", 2)
	e.section("resolution", 2)
	e.section("detection", 2)
	e.actions()
	e.section("lessons", 2)
	e.section("went_well", 3)
	e.section("went_wrong", 3)
	e.section("got_lucky", 3)
	e.timeline()
	e.section("supporting_info", 2)
	return append(bytes.TrimRight(e.b.Bytes(), "\n"), '\n')
}

// Relink returns an export with its links to Debrief made from baseURL
// (see Options.BaseURL): the front matter's url, the link under the title
// and the image of every whys diagram. A revision is stored as published,
// perhaps without Debrief's address or by an earlier version, so every
// export of one goes through Relink: its links are those of today's
// address, and its front matter today's layout. Markdown that is not a
// Debrief export comes back unchanged.
func Relink(md []byte, baseURL string) []byte {
	ps := &parseState{
		lines: strings.Split(normalizeNewlines(strings.TrimPrefix(string(md), "\uFEFF")), "\n"),
		p:     &Parsed{Versions: map[string]int{}, Sections: map[model.SectionKey]string{}},
	}
	start, err := ps.frontMatter()
	if err != nil || start == 0 || ps.p.DebriefID == 0 {
		return md
	}
	// The front matter as read, in today's layout, with the links made
	// from baseURL.
	p, base, fm := ps.p, strings.TrimRight(baseURL, "/"), ps.fm
	fm.Services, fm.Tags, fm.Authors, fm.Reviewers = nonNil(fm.Services), nonNil(fm.Tags), nonNil(fm.Authors), nonNil(fm.Reviewers)
	fm.URL, fm.Debrief = postmortemURL(base, p.DebriefID), newDebriefKey(p.DebriefID, p.Versions)
	fm.DebriefID, fm.DebriefVersions = 0, nil
	var b bytes.Buffer
	fm.writeTo(&b)
	body := ps.lines[start:]
	for len(body) > 0 && isBlank(body[0]) {
		body = body[1:]
	}
	body = relinkTitle(body, fm.URL)
	body = relinkWhys(body, base, p.DebriefID)
	b.WriteString(strings.Join(body, "\n"))
	return b.Bytes()
}

var (
	bylineRE      = regexp.MustCompile(`^(\*Postmortem, [^*]*\*)(?: · .*)?$`)
	diagramLineRE = regexp.MustCompile(`^!\[Whys diagram: .*\]\(.*\)$`)
)

// relinkTitle sets the link at the end of the line under the title
// ("*Postmortem, revision 2, …* · <url>"): the first such line before the
// first part.
func relinkTitle(lines []string, u string) []string {
	for i, l := range lines {
		if markerLineRE.MatchString(l) {
			break
		}
		if m := bylineRE.FindStringSubmatch(l); m != nil {
			lines[i] = m[1] + " · " + debriefLink(u)
			break
		}
	}
	return lines
}

// relinkWhys puts one diagram image after each whys tree, as Render does,
// in place of those there were.
func relinkWhys(lines []string, base string, id int64) []string {
	first := slices.Index(lines, marker("whys", ""))
	if first < 0 {
		return lines
	}
	end := first + 1
	for end < len(lines) && !strings.HasPrefix(lines[end], "#") {
		end++
	}
	// The part is paragraphs between blank lines: the trees, their
	// diagrams, or "No whys recorded".
	out := append([]string{}, lines[:first+1]...)
	var para []string
	flush := func() {
		if len(para) == 0 || len(para) == 1 && diagramLineRE.MatchString(para[0]) {
			para = nil
			return
		}
		out = append(append(out, ""), para...)
		if m := whyItemRE.FindStringSubmatch(para[0]); m != nil && m[1] == "" {
			root, _ := strconv.ParseInt(m[3], 10, 64)
			out = append(out, "", diagramLine(base, id, root, unescapePlain(m[2])))
		}
		para = nil
	}
	for _, l := range lines[first+1 : end] {
		if isBlank(l) {
			flush()
			continue
		}
		para = append(para, l)
	}
	flush()
	out = append(out, "") // before the next heading, or the file's last newline
	return append(out, lines[end:]...)
}

// export is one rendering in progress.
type export struct {
	b    bytes.Buffer
	doc  *model.Document
	inc  *model.Incident
	pm   *model.Postmortem
	opt  Options
	base string
	md   parser.Parser // made when first needed, see leavesOpen
}

func newExport(doc *model.Document, opt Options) *export {
	if doc == nil {
		doc = &model.Document{}
	}
	e := &export{doc: doc, inc: doc.Incident, pm: doc.Postmortem, opt: opt}
	if e.inc == nil {
		e.inc = &model.Incident{}
	}
	if e.pm == nil {
		e.pm = &model.Postmortem{}
	}
	e.base = strings.TrimRight(opt.BaseURL, "/")
	return e
}

// frontMatter is the YAML header. Its field order is the order written.
// A wiki that understands front matter shows it as a table or hides it;
// one that does not shows it as text between two rules (see writeTo), so
// it is kept short: Debrief's own bookkeeping is the one key "debrief",
// one short line per kind of part.
type frontMatter struct {
	Title            string                 `yaml:"title"`
	Severity         string                 `yaml:"severity"`
	Status           model.Status           `yaml:"status"`
	PostmortemStatus model.PostmortemStatus `yaml:"postmortem_status"`
	Services         []string               `yaml:"services,flow"`
	Tags             []string               `yaml:"tags,flow"`
	StartedAt        stamp                  `yaml:"started_at"`
	DetectedAt       stamp                  `yaml:"detected_at"`
	AcknowledgedAt   stamp                  `yaml:"acknowledged_at"`
	MitigatedAt      stamp                  `yaml:"mitigated_at"`
	ResolvedAt       stamp                  `yaml:"resolved_at"`
	Revision         int                    `yaml:"revision"`
	PublishedAt      stamp                  `yaml:"published_at"`
	Facilitator      string                 `yaml:"facilitator"`
	Authors          []string               `yaml:"authors,flow"`
	Reviewers        []string               `yaml:"reviewers,flow"`
	URL              string                 `yaml:"url"`
	// Changes and ErrorBudget summarise the block of the same name (only
	// when the incident has them): "caused: checkout v2.36.6 (change 12)",
	// "checkout: 90.0 of 43.2 min (208%)".
	Changes     []string   `yaml:"changes,flow,omitempty"`
	ErrorBudget []string   `yaml:"error_budget,flow,omitempty"`
	Debrief     debriefKey `yaml:"debrief"`

	// The older layout of the debrief key, which Parse still reads and
	// Render no longer writes.
	DebriefID       int64          `yaml:"debrief_id,omitempty"`
	DebriefVersions map[string]int `yaml:"debrief_versions,omitempty"`
}

// debriefKey is what an import needs to match a file to the incident and
// tell what changed since the export: the incident's id and the version
// of every part, e.g.
//
//	debrief:
//	  id: 42
//	  versions: {incident: 9, postmortem: 7}
//	  sections: {summary: 1, impact: 2, …}
//	  factors: {3: 2, 4: 1}
//	  whys: {10: 1, 11: 2}
//	  actions: {7: 3}
//
// sections, factors, whys and actions map a part's key or id to its
// version. Files of earlier versions carry debrief_id and debrief_versions
// instead; Parse reads both.
type debriefKey struct {
	ID       int64       `yaml:"id"`
	Versions versionLine `yaml:"versions"`
	Sections versionLine `yaml:"sections"`
	Factors  versionLine `yaml:"factors,omitempty"`
	Whys     versionLine `yaml:"whys,omitempty"`
	Actions  versionLine `yaml:"actions,omitempty"`
}

// versionLine is a map of part to version written on one line, in order.
type versionLine []partVersion

type partVersion struct {
	key     string
	version int
}

// MarshalYAML implements yaml.Marshaler: a flow map, keys in order.
func (l versionLine) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	for _, pv := range l {
		tag := "!!str"
		if _, err := strconv.ParseInt(pv.key, 10, 64); err == nil {
			tag = "!!int"
		}
		n.Content = append(n.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: pv.key},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(pv.version)})
	}
	return n, nil
}

// versionKinds are the kinds of part of a Versions map ("factor.3") and
// where each goes in the debrief key.
var versionKinds = []struct {
	prefix string
	line   func(*debriefKey) *versionLine
}{
	{"factor.", func(d *debriefKey) *versionLine { return &d.Factors }},
	{"why.", func(d *debriefKey) *versionLine { return &d.Whys }},
	{"action.", func(d *debriefKey) *versionLine { return &d.Actions }},
}

// newDebriefKey lays out a Versions map ("incident", "section.summary",
// "factor.3", …; see Parsed.Versions): the incident and the postmortem,
// the sections in the document's order, the rest by id. Keys of no known
// part are left out.
func newDebriefKey(id int64, versions map[string]int) debriefKey {
	d := debriefKey{ID: id}
	for _, k := range []string{"incident", "postmortem"} {
		if v, ok := versions[k]; ok {
			d.Versions = append(d.Versions, partVersion{k, v})
		}
	}
	for _, s := range model.Sections {
		if v, ok := versions["section."+string(s.Key)]; ok {
			d.Sections = append(d.Sections, partVersion{string(s.Key), v})
		}
	}
	for _, kind := range versionKinds {
		var ids []int64
		for k := range versions {
			if n, ok := partID(k, kind.prefix); ok {
				ids = append(ids, n)
			}
		}
		slices.Sort(ids)
		line := kind.line(&d)
		for _, n := range ids {
			key := strconv.FormatInt(n, 10)
			*line = append(*line, partVersion{key, versions[kind.prefix+key]})
		}
	}
	return d
}

// versions is the Versions map the key lays out (see newDebriefKey).
func (d debriefKey) versions() map[string]int {
	out := map[string]int{}
	for _, pv := range d.Versions {
		out[pv.key] = pv.version
	}
	for _, pv := range d.Sections {
		out["section."+pv.key] = pv.version
	}
	for _, kind := range versionKinds {
		for _, pv := range *kind.line(&d) {
			out[kind.prefix+pv.key] = pv.version
		}
	}
	return out
}

// partID reads the id of a Versions key such as "factor.3".
func partID(key, prefix string) (int64, bool) {
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	return n, err == nil && n > 0 && strconv.FormatInt(n, 10) == rest
}

// stamp writes an instant as an unquoted YAML timestamp in UTC, or null.
type stamp struct{ t *time.Time }

// MarshalYAML implements yaml.Marshaler.
func (s stamp) MarshalYAML() (any, error) {
	if s.t == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: formatTime(*s.t)}, nil
}

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func (e *export) frontMatter() {
	inc, pm := e.inc, e.pm
	fm := frontMatter{
		Title:            inc.Title,
		Severity:         inc.Severity,
		Status:           inc.Status,
		PostmortemStatus: pm.Status,
		Services:         nonNil(inc.Services),
		Tags:             nonNil(inc.Tags),
		StartedAt:        stamp{inc.StartedAt},
		DetectedAt:       stamp{inc.DetectedAt},
		AcknowledgedAt:   stamp{inc.AcknowledgedAt},
		MitigatedAt:      stamp{inc.MitigatedAt},
		ResolvedAt:       stamp{inc.ResolvedAt},
		Revision:         e.opt.Revision,
		PublishedAt:      stamp{e.opt.PublishedAt},
		Facilitator:      pm.Facilitator,
		Authors:          nonNil(pm.Authors),
		Reviewers:        nonNil(pm.Reviewers),
		URL:              postmortemURL(e.base, inc.ID),
		Debrief:          newDebriefKey(inc.ID, e.versions()),
	}
	for _, c := range e.doc.Changes {
		what := c.Service + " " + c.Summary
		if c.Version != "" && !strings.Contains(c.Summary, c.Version) {
			what += " " + c.Version
		}
		fm.Changes = append(fm.Changes, fmt.Sprintf("%s: %s (change %d)", c.Relation, what, c.ID))
	}
	for _, b := range e.doc.Budgets {
		fm.ErrorBudget = append(fm.ErrorBudget, fmt.Sprintf("%s: %.1f of %.1f min (%.0f%%)", b.Service, b.Minutes, b.BudgetMinutes, b.Percent()))
	}
	fm.writeTo(&e.b)
}

// writeTo writes the front matter between "---" lines. The blank line
// before the closing "---" is for renderers without front matter support:
// after a blank line "---" is a rule, never the underline that would make
// the whole block one big heading; the opening "---" is a rule too, and
// every line between starts with a key, so nothing else is made of it.
func (fm *frontMatter) writeTo(b *bytes.Buffer) {
	b.WriteString("---\n")
	enc := yaml.NewEncoder(b)
	enc.SetIndent(2)
	if err := enc.Encode(fm); err != nil {
		// Only a Marshaler can fail, and stamp and versionLine never do.
		panic(fmt.Sprintf("postmortem: front matter: %v", err))
	}
	_ = enc.Close()
	b.WriteString("\n---\n\n")
}

// versions maps the stable id of every part to its version.
func (e *export) versions() map[string]int {
	v := map[string]int{"incident": e.inc.Version, "postmortem": e.pm.Version}
	for _, s := range model.Sections {
		v["section."+string(s.Key)] = e.pm.Sections[s.Key].Version
	}
	for _, f := range e.doc.Factors {
		v[fmt.Sprintf("factor.%d", f.ID)] = f.Version
	}
	walkWhys(e.doc.Whys, func(n *model.WhyNode, _ int) {
		v[fmt.Sprintf("why.%d", n.ID)] = n.Version
	})
	for _, a := range e.doc.Actions {
		v[fmt.Sprintf("action.%d", a.ID)] = a.Version
	}
	return v
}

// postmortemURL is the postmortem's address in Debrief: under base, or
// from the root ("/incidents/42/postmortem") when base is "".
func postmortemURL(base string, id int64) string {
	return fmt.Sprintf("%s/incidents/%d/postmortem", base, id)
}

// diagramURL is the address of a whys tree's diagram, as postmortemURL.
func diagramURL(base string, id, root int64) string {
	return fmt.Sprintf("%s/incidents/%d/whys/%d/diagram.svg", base, id, root)
}

// debriefLink is the link to the postmortem under the title: an autolink,
// which shows the address, or a plain link for an address without a host.
func debriefLink(u string) string {
	if isAutolinkable(u) {
		return autolink(u)
	}
	return "[" + escapePlain(u) + "](" + linkDest(u) + ")"
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (e *export) title() {
	e.b.WriteString("# " + escapePlain(e.inc.Title) + "\n\n")
	var line []string
	if e.opt.Revision > 0 {
		line = append(line, fmt.Sprintf("Postmortem, revision %d", e.opt.Revision))
	} else {
		line = append(line, "Postmortem, draft")
	}
	if e.opt.PublishedAt != nil {
		line = append(line, "published "+formatTime(*e.opt.PublishedAt))
	}
	e.b.WriteString("*" + strings.Join(line, ", ") + "* · " + debriefLink(postmortemURL(e.base, e.inc.ID)) + "\n\n")
}

// block starts a part the parser finds again: a heading and its marker.
func (e *export) block(level int, heading, kind, arg string) {
	e.b.WriteString(strings.Repeat("#", level) + " " + heading + "\n")
	e.b.WriteString(marker(kind, arg) + "\n\n")
}

// marker is the comment that anchors a part, e.g. <!-- debrief:factor 3 -->.
func marker(kind, arg string) string {
	if arg == "" {
		return "<!-- debrief:" + kind + " -->"
	}
	return "<!-- debrief:" + kind + " " + arg + " -->"
}

func (e *export) section(key model.SectionKey, level int) {
	s, _ := model.SectionByKey(string(key))
	e.block(level, s.Title, "section", string(key))
	if !e.text(e.pm.Body(key)) {
		e.b.WriteString(placeholder + "\n")
	}
	e.b.WriteString("\n")
}

// text writes a Markdown text that stands as blocks of its own (a section,
// a factor's description) and reports whether there was any.
func (e *export) text(s string) bool {
	s = trimBlankLines(normalizeNewlines(s))
	if s == "" {
		return false
	}
	s = escapeMarkers(s)
	e.b.WriteString(s + "\n")
	if closer, ok := e.closer(s); ok {
		e.b.WriteString(closer + "\n" + marker("guard", "") + "\n")
	}
	return true
}

// closer returns the line that ends whatever block s leaves open (a code
// fence, an HTML block) so that the next heading is still a heading.
// Every candidate is checked with the Markdown parser itself.
func (e *export) closer(s string) (string, bool) {
	if !e.leavesOpen(s) {
		return "", false
	}
	for _, c := range closerCandidates(s) {
		if !e.leavesOpen(s + "\n" + c + "\n" + marker("guard", "")) {
			return c, true
		}
	}
	return "", false // nothing closes it; the parser does not need it closed
}

const sentinel = "debrief-sentinel"

// leavesOpen reports whether a heading after s would be swallowed by it.
// After a blank line only a code fence or an HTML block can go on, so a
// text without "`", "~" or "<" never does.
func (e *export) leavesOpen(s string) bool {
	if !strings.ContainsAny(s, "`~<") {
		return false
	}
	if e.md == nil {
		// One parser per rendering: goldmark does not promise that a
		// parser is safe for concurrent use.
		e.md = goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser()
	}
	src := []byte(s + "\n\n## " + sentinel + "\n")
	doc := e.md.Parse(gmtext.NewReader(src))
	h, ok := doc.LastChild().(*ast.Heading)
	if !ok || h.Level != 2 || h.Lines().Len() != 1 {
		return true
	}
	seg := h.Lines().At(0)
	return string(seg.Value(src)) != sentinel
}

// closerCandidates lists the lines that may close what s left open: the
// fences it opened (latest first), then the ends of CommonMark's HTML blocks.
func closerCandidates(s string) []string {
	var out []string
	seen := map[string]bool{}
	lines := strings.Split(s, "\n")
	for i := len(lines) - 1; i >= 0 && len(out) < 8; i-- {
		l := strings.TrimLeft(lines[i], " ")
		if len(lines[i])-len(l) > 3 || l == "" || (l[0] != '`' && l[0] != '~') {
			continue
		}
		n := 0
		for n < len(l) && l[n] == l[0] {
			n++
		}
		if f := l[:n]; n >= 3 && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return append(out, "-->", "?>", ">", "]]>", "</script>", "</pre>", "</style>", "</textarea>")
}

func (e *export) facts() {
	inc := e.inc
	e.block(2, "Key facts", "facts", "")
	rows := [][2]string{{"Severity", e.severity()}, {"Status", string(inc.Status)}}
	rows = append(rows,
		[2]string{"Services", joinPlain(inc.Services)},
		[2]string{"Tags", joinPlain(inc.Tags)},
		[2]string{"Incident commander", escapePlain(inc.Roles.Commander)},
		[2]string{"Communications lead", escapePlain(inc.Roles.CommsLead)},
		[2]string{"Scribe", escapePlain(inc.Roles.Scribe)},
		[2]string{"Responders", joinPlain(inc.Roles.Responders)},
	)
	for _, m := range model.Milestones {
		v := "—"
		if t := inc.MilestoneTime(m); t != nil {
			v = formatTime(*t)
		}
		rows = append(rows, [2]string{m.Label() + " (UTC)", v})
	}
	for _, d := range inc.Durations() {
		v := "—"
		if d.Value != nil {
			v = model.FormatDuration(*d.Value)
		}
		rows = append(rows, [2]string{d.Label, v})
	}
	e.b.WriteString("| Fact | Value |\n| --- | --- |\n")
	for _, r := range rows {
		e.b.WriteString("| " + r[0] + " | " + r[1] + " |\n")
	}
	e.b.WriteString("\n")
}

// changes is the block of the changes linked to the incident and of what
// it spent of its services' error budgets (only when there are any, so an
// export without them is as before). Derived from the record: an import
// reads nothing from it.
func (e *export) changes() {
	if len(e.doc.Changes) == 0 && len(e.doc.Budgets) == 0 {
		return
	}
	e.block(2, "Changes and error budget", "changes", "")
	if len(e.doc.Changes) > 0 {
		writeHeader(&e.b, []string{"Relation", "Began (UTC)", "Service", "Change", "Version", "Author"})
		for _, c := range e.doc.Changes {
			what := escapePlain(string(c.Kind) + ": " + c.Summary)
			if c.URL != "" {
				what = "[" + what + "](" + c.URL + ")"
			}
			rel := "related"
			if c.Relation == model.RelationCaused {
				rel = "**caused**"
			}
			writeRow(&e.b, []string{rel, formatTime(c.StartedAt), escapePlain(c.Service), what, escapePlain(c.Version), escapePlain(c.Author)})
		}
		e.b.WriteString("\n")
	}
	for _, b := range e.doc.Budgets {
		open := ""
		if b.Open {
			open = " so far (not mitigated yet)"
		}
		fmt.Fprintf(&e.b, "- Error budget of %s (SLO %s%% over %d days, %.1f min): this incident spent %.1f min%s, %.0f%% of it.\n",
			escapePlain(b.Service), strconv.FormatFloat(b.Target, 'f', -1, 64), b.WindowDays, b.BudgetMinutes, b.Minutes, open, b.Percent())
	}
	if len(e.doc.Budgets) > 0 {
		e.b.WriteString("\n")
	}
}

func (e *export) severity() string {
	name := e.inc.Severity
	if name == "" {
		name = e.doc.Severity.Name
	}
	if d := e.doc.Severity.Description; d != "" && e.doc.Severity.Name == name {
		return escapePlain(name + " — " + d)
	}
	return escapePlain(name)
}

func joinPlain(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = escapePlain(s)
	}
	return strings.Join(out, ", ")
}

func (e *export) factors() {
	e.block(2, "Contributing factors", "factors", "")
	if len(e.doc.Factors) == 0 {
		e.b.WriteString("_No contributing factors recorded._\n\n")
	}
	for _, f := range e.doc.Factors {
		e.block(3, escapePlain(f.Title), "factor", strconv.FormatInt(f.ID, 10))
		e.b.WriteString(factorMeta(f) + "\n\n")
		if e.text(f.Description) {
			e.b.WriteString("\n")
		}
	}
}

// factorMeta is the line under a factor's heading: "*Trigger* · category: deploy".
func factorMeta(f model.Factor) string {
	kind := "*Latent condition*"
	if f.IsTrigger {
		kind = "*Trigger*"
	}
	if f.Category == "" {
		return kind
	}
	return kind + " · category: " + escapePlain(f.Category)
}

func (e *export) whys() {
	e.block(2, "Whys", "whys", "")
	if len(e.doc.Whys) == 0 {
		e.b.WriteString("_No whys recorded._\n\n")
		return
	}
	for i, root := range e.doc.Whys {
		if root == nil {
			continue
		}
		// Consecutive lists with the same bullet would merge into one;
		// alternating bullets keeps each tree a list of its own.
		bullet := "-"
		if i%2 == 1 {
			bullet = "*"
		}
		walkWhys([]*model.WhyNode{root}, func(n *model.WhyNode, depth int) {
			e.b.WriteString(strings.Repeat("  ", depth) + bullet + " " + escapeListItem(n.Text) +
				" " + marker("why", strconv.FormatInt(n.ID, 10)) + "\n")
		})
		e.b.WriteString("\n" + diagramLine(e.base, e.inc.ID, root.ID, root.Text) + "\n\n")
	}
}

// diagramLine is the image of a whys tree's diagram, after its list.
func diagramLine(base string, id, root int64, text string) string {
	return "![Whys diagram: " + escapePlain(oneLine(text, 80)) + "](" + linkDest(diagramURL(base, id, root)) + ")"
}

// walkWhys visits the trees depth first, in order, with each node's depth
// (a root is 0). It never loops, even on a malformed tree.
func walkWhys(roots []*model.WhyNode, fn func(n *model.WhyNode, depth int)) {
	seen := map[*model.WhyNode]bool{}
	var walk func(n *model.WhyNode, depth int)
	walk = func(n *model.WhyNode, depth int) {
		if n == nil || seen[n] || depth > 100 {
			return
		}
		seen[n] = true
		fn(n, depth)
		for _, c := range n.Children {
			walk(c, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
}

// The columns of the action items table, in order.
var actionColumns = []string{"ID", "Action", "Type", "Owner", "Due", "Status", "Priority", "Tracker"}

func (e *export) actions() {
	e.block(2, "Action items", "actions", "")
	if len(e.doc.Actions) == 0 {
		e.b.WriteString("_No action items._\n\n")
		return
	}
	writeHeader(&e.b, actionColumns)
	for _, a := range e.doc.Actions {
		writeRow(&e.b, []string{
			actionID(a.ID), escapePlain(a.Title), escapePlain(string(a.Type)), escapePlain(a.Owner),
			a.Due.String(), escapePlain(a.Status.Label()), escapePlain(string(a.Priority)), urlCell(a.TrackerURL),
		})
	}
	e.b.WriteString("\n")
	var notes []string
	for _, a := range e.doc.Actions {
		id := "**" + actionID(a.ID) + "**"
		for _, n := range []struct{ label, text string }{
			{"description", a.Description}, {"closure note", a.ClosureNote}, {"rationale", a.Rationale},
		} {
			if n.text != "" {
				notes = append(notes, "- "+id+" "+n.label+": "+escapeMarkdownCell(n.text))
			}
		}
		if a.EvidenceURL != "" {
			notes = append(notes, "- "+id+" evidence: "+urlCell(a.EvidenceURL))
		}
	}
	if len(notes) > 0 {
		e.b.WriteString("Details:\n\n" + strings.Join(notes, "\n") + "\n\n")
	}
}

func actionID(id int64) string { return "A" + strconv.FormatInt(id, 10) }

func (e *export) timeline() {
	e.block(2, "Timeline", "timeline", "")
	if len(e.doc.Timeline) == 0 {
		e.b.WriteString("_No timeline entries._\n\n")
		return
	}
	cols := []string{"Time (UTC)", "Kind", "Event", "By"}
	evidence := false
	for _, t := range e.doc.Timeline {
		evidence = evidence || t.EvidenceURL != ""
	}
	if evidence {
		cols = append(cols, "Evidence")
	}
	writeHeader(&e.b, cols)
	for _, t := range e.doc.Timeline {
		kind := escapePlain(string(t.Kind))
		if t.LearnedLater {
			kind += learnedLater
		}
		row := []string{formatTime(t.OccurredAt), kind, escapeMarkdownCell(t.Body), escapePlain(t.Author)}
		if evidence {
			row = append(row, urlCell(t.EvidenceURL))
		}
		writeRow(&e.b, row)
	}
	e.b.WriteString("\n")
}

// learnedLater marks a timeline entry that was only understood afterwards.
const learnedLater = " (learned later)"

func writeHeader(b *bytes.Buffer, cols []string) {
	writeRow(b, cols)
	sep := make([]string, len(cols))
	for i := range sep {
		sep[i] = "---"
	}
	writeRow(b, sep)
}

// writeRow writes cells already escaped; the space before each "|" keeps a
// cell's last backslash from escaping the delimiter.
func writeRow(b *bytes.Buffer, cells []string) {
	b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}

// urlCell writes a link as an autolink when it can be one, and as escaped
// text otherwise, so that Parse gets the same string back either way.
func urlCell(u string) string {
	if u == "" {
		return ""
	}
	if isAutolinkable(u) {
		return autolink(u)
	}
	return escapePlain(u)
}

func autolink(u string) string { return "<" + u + ">" }

func isAutolinkable(u string) bool {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return false
	}
	return !strings.ContainsFunc(u, func(r rune) bool {
		return r <= ' ' || r == '<' || r == '>' || r == '|' || r == '\\' || r == '`' || r >= utf8.RuneSelf
	})
}

// linkDest writes a link destination, in angle brackets when it holds
// characters a bare destination may not.
func linkDest(u string) string {
	if strings.ContainsAny(u, " ()<>\\\n") {
		return "<" + strings.NewReplacer("<", "%3C", ">", "%3E", "\n", "%0A", "\\", "%5C").Replace(u) + ">"
	}
	return u
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// --- Escaping. Every function here has its inverse in parse.go. ---

func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func isBlank(line string) bool { return strings.Trim(line, " \t") == "" }

// trimBlankLines drops the blank lines at both ends of s: the blank lines
// around a text belong to the layout, not to the text.
func trimBlankLines(s string) string {
	lines := strings.Split(s, "\n")
	i, j := 0, len(lines)
	for i < j && isBlank(lines[i]) {
		i++
	}
	for j > i && isBlank(lines[j-1]) {
		j--
	}
	return strings.Join(lines[i:j], "\n")
}

// markerLike matches anything Parse could take for a marker, with the "!"s
// escaping adds: <!-- debrief: becomes <!-- debrief!:, and so on.
var markerLike = regexp.MustCompile(`<!--(\s*)debrief(!*):`)

// escapeMarkers adds a "!" to every marker-like comment in a text.
func escapeMarkers(s string) string {
	return markerLike.ReplaceAllString(s, "<!--${1}debrief!${2}:")
}

// plainSpecial are the characters escaped in plain text: all that can
// start Markdown syntax inside a line ('&' only before an entity).
const plainSpecial = "\\`*_[]<>#|~"

var entityLike = regexp.MustCompile(`^&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});`)

// escapePlain makes plain text (a title, a name) literal inside a line of
// Markdown: a heading, a table cell, a list item. A newline becomes <br>.
func escapePlain(s string) string {
	s = normalizeNewlines(s)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n':
			b.WriteString("<br>")
			continue
		case strings.IndexByte(plainSpecial, c) >= 0,
			c == '&' && entityLike.MatchString(s[i:]):
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// escapeListItem is escapePlain for the start of a list item, where a
// leading "-", "+" or "1." would start a list of its own.
func escapeListItem(s string) string {
	out := escapePlain(strings.TrimLeft(s, " \t"))
	switch {
	case out == "":
	case out[0] == '-' || out[0] == '+':
		out = "\\" + out
	default:
		n := 0
		for n < len(out) && out[n] >= '0' && out[n] <= '9' {
			n++
		}
		if n > 0 && n < len(out) && (out[n] == '.' || out[n] == ')') {
			out = out[:n] + "\\" + out[n:]
		}
	}
	return out
}

// escapeMarkdownCell puts Markdown (a timeline entry) into one table cell
// and keeps its syntax: a "|" becomes "\|", a newline "<br>", a literal
// "<br>" "\<br>", and the backslashes right before any of them are doubled
// so that the decoding is never ambiguous.
func escapeMarkdownCell(s string) string {
	s = normalizeNewlines(s)
	var b strings.Builder
	run := 0 // backslashes seen and not yet written
	flush := func(k int) {
		b.WriteString(strings.Repeat(`\`, k))
		run = 0
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			run++
		case c == '|':
			flush(2*run + 1)
			b.WriteByte('|')
		case c == '\n':
			flush(2 * run)
			b.WriteString("<br>")
		case strings.HasPrefix(s[i:], "<br>"):
			flush(2*run + 1)
			b.WriteString("<br>")
			i += len("<br>") - 1
		default:
			flush(run)
			b.WriteByte(c)
		}
	}
	flush(run)
	return b.String()
}

// WithoutFrontMatter returns an export's Markdown without its YAML front
// matter (for readers of the text, such as the archive feed).
func WithoutFrontMatter(md []byte) []byte {
	lines := strings.Split(normalizeNewlines(strings.TrimPrefix(string(md), "\uFEFF")), "\n")
	end, ok := frontMatterEnd(lines)
	if !ok || end == 0 {
		return md
	}
	return []byte(strings.TrimLeft(strings.Join(lines[end:], "\n"), "\n"))
}
