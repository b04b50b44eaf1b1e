package transcript

import (
	"html"
	"strings"
)

var slackEntities = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// slackText turns Slack's message markup into Markdown text: <@U123> →
// @Name (from names, else @U123), <#C1|ops> → #ops, <!here> → @here,
// <https://x|label> → [label](https://x), <https://x> → https://x, and
// &amp; &lt; &gt; back into characters. Slack escapes every literal '<', so
// each one starts markup. Bold/italic/strike marks are left as written.
func slackText(s string, names map[string]string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		open := strings.IndexByte(s, '<')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '>')
		if end < 0 {
			break
		}
		b.WriteString(slackEntities.Replace(s[:open]))
		b.WriteString(slackToken(s[open+1:open+end], names))
		s = s[open+end+1:]
	}
	b.WriteString(slackEntities.Replace(s))
	return b.String()
}

func slackToken(tok string, names map[string]string) string {
	target, label, hasLabel := strings.Cut(tok, "|")
	label = slackEntities.Replace(label)
	switch {
	case strings.HasPrefix(target, "@"):
		id := target[1:]
		if n := names[id]; n != "" {
			return "@" + n
		}
		if hasLabel && label != "" {
			return "@" + strings.TrimPrefix(label, "@")
		}
		return target
	case strings.HasPrefix(target, "#"):
		if hasLabel && label != "" {
			return "#" + label
		}
		return target
	case strings.HasPrefix(target, "!"):
		if hasLabel && label != "" {
			return label // <!subteam^S1|@oncall>, <!date^...|Mar 8>
		}
		name, _, _ := strings.Cut(target[1:], "^")
		return "@" + name
	}
	url := slackEntities.Replace(target)
	if !hasLabel || label == "" || label == url || "mailto:"+label == url {
		if label != "" && "mailto:"+label == url {
			return label
		}
		return url
	}
	return "[" + escapeLinkText(label) + "](" + escapeLinkURL(url) + ")"
}

var (
	linkTextEscaper = strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`)
	linkURLEscaper  = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E")
)

func escapeLinkText(s string) string { return linkTextEscaper.Replace(s) }
func escapeLinkURL(s string) string  { return linkURLEscaper.Replace(s) }

// looksLikeHTML reports Zulip's rendered content ("<p>...</p>").
func looksLikeHTML(s string) bool {
	t := strings.TrimSpace(s)
	return strings.HasPrefix(t, "<p>") || strings.HasPrefix(t, "<div") || strings.HasPrefix(t, "<blockquote") ||
		strings.HasPrefix(t, "<ul>") || strings.HasPrefix(t, "<ol>") || strings.HasPrefix(t, "<pre")
}

// htmlText turns rendered message HTML into plain Markdown-ish text: links
// become [text](href), paragraphs and line breaks become newlines, other
// tags are dropped and entities decoded. It is not a sanitiser: Debrief's
// Markdown renderer is the one place HTML is made safe.
func htmlText(s string) string {
	var out, link strings.Builder
	b := &out // where text goes: the output, or a link's label
	var href string
	pre := false
	text := func(t string) {
		t = html.UnescapeString(t)
		if !pre {
			// Outside <pre>, a newline in HTML is a space, and space after a break is layout.
			t = strings.ReplaceAll(t, "\n", " ")
			if b.Len() == 0 || strings.HasSuffix(b.String(), "\n") {
				t = strings.TrimLeft(t, " \t")
			}
		}
		b.WriteString(t)
	}
	for len(s) > 0 {
		open := strings.IndexByte(s, '<')
		if open < 0 {
			text(s)
			break
		}
		text(s[:open])
		end := strings.IndexByte(s[open:], '>')
		if end < 0 {
			text(s[open:])
			break
		}
		tag := strings.TrimSpace(s[open+1 : open+end])
		s = s[open+end+1:]
		name, attrs, _ := strings.Cut(tag, " ")
		switch strings.TrimSuffix(strings.ToLower(name), "/") {
		case "br":
			b.WriteString("\n")
		case "pre":
			pre = true
			b.WriteString("```\n")
		case "/pre":
			pre = false
			b.WriteString("\n```\n\n")
		case "/p", "/div", "/blockquote", "/ul", "/ol":
			b.WriteString("\n\n")
		case "/li":
			b.WriteString("\n")
		case "li":
			b.WriteString("- ")
		case "a":
			if href = attr(attrs, "href"); href != "" {
				link.Reset()
				b = &link
			}
		case "/a":
			if b == &link {
				b = &out
				if label := link.String(); label == href || label == "" {
					out.WriteString(href)
				} else {
					out.WriteString("[" + escapeLinkText(label) + "](" + escapeLinkURL(href) + ")")
				}
			}
		}
	}
	if b == &link { // an unclosed link keeps its text
		out.WriteString(link.String())
	}
	res := out.String()
	for strings.Contains(res, "\n\n\n") {
		res = strings.ReplaceAll(res, "\n\n\n", "\n\n")
	}
	return strings.TrimSpace(res)
}

// attr returns the value of name="..." in a tag's attributes.
func attr(attrs, name string) string {
	k := strings.Index(asciiLower(attrs), name+`="`)
	if k < 0 {
		return ""
	}
	v := attrs[k+len(name)+2:]
	if end := strings.IndexByte(v, '"'); end >= 0 {
		return html.UnescapeString(v[:end])
	}
	return ""
}

// asciiLower lower-cases ASCII letters only, so byte offsets stay valid.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
