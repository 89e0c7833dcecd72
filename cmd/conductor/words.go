package main

import (
	"regexp"
	"strings"
	"unicode"
)

// kebab writes a camel-case name of the spec in kebab-case, as the
// command line names methods and flags: budgetSummary → budget-summary,
// customerIds → customer-ids, endUserID → end-user-id.
func kebab(s string) string {
	var b strings.Builder
	r := []rune(s)
	for i, c := range r {
		if unicode.IsUpper(c) {
			// A word starts at an upper-case letter after a lower-case
			// one or a digit, or at the last capital of an initialism
			// followed by a lower-case letter (HTTPServer → http-server).
			prevLower := i > 0 && (unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1]))
			endsInitialism := i > 0 && unicode.IsUpper(r[i-1]) && i+1 < len(r) && unicode.IsLower(r[i+1])
			if prevLower || endsInitialism {
				b.WriteByte('-')
			}
			c = unicode.ToLower(c)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// firstSentence is the first sentence of a description of the spec, on
// one line, without Markdown's bold.
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "**", "")), " ")
	for i := 0; i < len(s); i++ {
		if s[i] != '.' || (i+1 < len(s) && s[i+1] != ' ') {
			continue
		}
		before := s[:i]
		if strings.HasSuffix(before, "e.g") || strings.HasSuffix(before, "i.e") || strings.HasSuffix(before, " etc") {
			continue
		}
		return s[:i+1]
	}
	return s
}

// wrap breaks text into lines of at most width columns, each after
// indent; a word longer than that stays whole.
func wrap(text, indent string, width int) string {
	var b strings.Builder
	line := 0
	for _, word := range strings.Fields(text) {
		switch {
		case line == 0:
			b.WriteString(indent)
			line = len(indent)
		case line+1+len(word) > width:
			b.WriteString("\n" + indent)
			line = len(indent)
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	return b.String()
}

// closest is the candidate nearest to word, for "did you mean", or ""
// when none is near enough to be a likely slip.
func closest(word string, candidates []string) string {
	best, bestDist := "", len(word)/4+2
	for _, c := range candidates {
		if d := editDistance(word, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is Levenshtein's distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// docsSite is where the spec's relative links lead: its descriptions are
// Conductor's documentation, which links to its own pages by path.
const docsSite = "https://docs.conductor.is"

// absoluteLinks makes the spec's relative Markdown links, such as
// [Missing QBD types](/api-ref/missing-qbd-types), absolute, so that a
// terminal can follow them; the rest of the text is left as it is.
func absoluteLinks(s string) string {
	return strings.ReplaceAll(s, "](/", "]("+docsSite+"/")
}

// helpText is a description of the spec as the help prints it: whole,
// with its links absolute and without Markdown's bold, which a terminal
// shows as asterisks.
func helpText(s string) string {
	return absoluteLinks(strings.ReplaceAll(s, "**", ""))
}

// listItem matches the start of an item of a Markdown list: "- ", "* ",
// "1. ".
var listItem = regexp.MustCompile(`^(?:[-*]|[0-9]+\.) `)

// wrapText is wrap for a description of several lines: each paragraph is
// wrapped on its own, after a blank line where the text has one, and an
// item of a list keeps its marker, with the lines after its first
// indented under its text.
func wrapText(text, indent string, width int) string {
	var out []string
	blank := false
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		if m := listItem.FindString(line); m != "" {
			body := wrap(line[len(m):], indent+strings.Repeat(" ", len(m)), width)
			out = append(out, indent+m+strings.TrimLeft(body, " "))
			continue
		}
		out = append(out, wrap(line, indent, width))
	}
	return strings.Join(out, "\n")
}
