package main

import (
	"strings"
	"testing"
)

// TestAnEmptyFilterNamesTheFlag: a string filter given an empty value
// (--name-contains "") passes the flag, but the client refuses to send an
// empty query value; the command must say so as it says any other
// refusal, naming the flag, not the library's Go field ("params", "leave
// the field nil"), which a command-line user cannot change.
func TestAnEmptyFilterNamesTheFlag(t *testing.T) {
	t.Parallel()
	srv, vars := demoFake(t)
	before := len(srv.Requests())
	r := runCmd(t, vars, "qbd", "customers", "list", "--end-user-id", demo, "--name-contains", "")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--name-contains") || strings.Contains(r.stderr, "field nil") || strings.Contains(r.stderr, "params") {
		t.Errorf("exit %d, stderr %q; want 2 and a message naming --name-contains, not the Go field", r.code, r.stderr)
	}
	if n := len(srv.Requests()) - before; n != 0 {
		t.Errorf("%d requests reached the API", n)
	}
}
