package main

import (
	"strings"
	"testing"
)

// TestJsonlAndTableSayMoreFollow: jsonl and table show a page's objects,
// not the page, so when more follow the command says so on stderr, with
// the cursor to ask with; json shows hasMore itself.
func TestJsonlAndTableSayMoreFollow(t *testing.T) {
	for _, format := range []string{"jsonl", "table"} {
		r := runCmd(t, nil, "qbd", "invoices", "list", "--end-user-id", "end_usr_demo", "--limit", "1", "--output", format)
		if r.code != 0 || !strings.Contains(r.stderr, "more objects follow (the page says hasMore): ask for the next page with --cursor ") {
			t.Errorf("--output %s of a page with more after it: exit %d, stderr %q; want a note of the cursor", format, r.code, r.stderr)
		}
	}
	r := runCmd(t, nil, "qbd", "invoices", "list", "--end-user-id", "end_usr_demo", "--output", "table")
	if strings.Contains(r.stderr, "more objects follow") {
		t.Errorf("the whole list as a table: stderr %q; want no note", r.stderr)
	}
}

// TestATableWritesNoControlCharacter: a company name holding terminal
// escapes (ESC, BEL) is shown with them escaped, as JSON shows them, not
// written raw for the terminal to obey.
func TestATableWritesNoControlCharacter(t *testing.T) {
	r := runCmd(t, nil, "end-users", "create", "--data", `{"companyName":"Acme\u001b]0;owned\u0007\u001b[2J","sourceId":"s1","email":"a@b.example"}`, "--output", "table")
	if r.code != 0 || strings.ContainsAny(r.stdout, "\x1b\x07") || !strings.Contains(r.stdout, `Acme\u001b]0;owned\u0007\u001b[2J`) {
		t.Errorf("exit %d, stdout %q; want the name with its control characters escaped", r.code, r.stdout)
	}
}

// TestCompletionNeedsNoKeyOrNetwork: __complete and the completion
// scripts work with no key and an unreachable base URL.
func TestCompletionNeedsNoKeyOrNetwork(t *testing.T) {
	for _, args := range [][]string{
		{"__complete", "qbd", "invoices", "list", "--output", ""},
		{"__complete", "qbd", "inv"},
		{"__complete", "end-users", "create", "--"},
		{"completion", "bash"},
		{"completion", "zsh"},
		{"completion", "fish"},
	} {
		r := runCmd(t, map[string]string{"CONDUCTOR_BASE_URL": "http://127.0.0.1:1"}, args...)
		if r.code != 0 || r.stdout == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
}
