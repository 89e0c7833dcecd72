package main

import (
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
