package main

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"github.com/seed-6dcb809e/conductor-go/internal/facade"
)

// The change feeds as commands: conductor qbd RESOURCE changes, run
// against a fake as the real API would be reached, so that what a run
// prints can be held to what the books went through.

// feedRun runs the invoices' feed from since and returns its lines,
// decoded, and the checkpoint of its last line, which it checks is there.
func feedRun(t *testing.T, vars map[string]string, since string) (lines []map[string]any, checkpoint string) {
	t.Helper()
	args := []string{"qbd", "invoices", "changes", "--end-user-id", demo}
	if since != "" {
		args = append(args, "--since", since)
	}
	out := lines2(t, ok(t, vars, args...))
	last := out[len(out)-1]
	checkpoint, _ = last["checkpoint"].(string)
	if checkpoint == "" || last["caughtUp"] != true || len(last) != 2 {
		t.Fatalf("the last line is %v; want {\"checkpoint\": \"...\", \"caughtUp\": true}", last)
	}
	return out[:len(out)-1], checkpoint
}

// lines2 is lines, failing the test when stdout is not one JSON object a
// line, each ended by a newline.
func lines2(t *testing.T, stdout string) []map[string]any {
	t.Helper()
	if !strings.HasSuffix(stdout, "\n") {
		t.Fatalf("stdout does not end its last line: %q", stdout)
	}
	out := lines(t, stdout)
	if len(out) != strings.Count(stdout, "\n") {
		t.Fatalf("stdout has empty lines: %q", stdout)
	}
	return out
}

// upsert and deletion are the lines the feed prints for a change.
func upsert(object map[string]any) map[string]any { return map[string]any{"object": object} }

func deletion(id string) map[string]any {
	return map[string]any{"deleted": map[string]any{"id": id}}
}

// withoutDeletedAt checks that each deletion line has the deletedAt the
// API's history of deleted invoices gives, and takes it out, so that
// lines compare with deletion(id).
func withoutDeletedAt(t *testing.T, vars map[string]string, lines []map[string]any) []map[string]any {
	t.Helper()
	history := map[string]any{}
	for _, d := range lines2(t, ok(t, vars, "qbd", "deleted-transactions", "list", "--end-user-id", demo, "--transaction-types", "invoice", "--all")) {
		history[d["id"].(string)] = d["deletedAt"]
	}
	for _, l := range lines {
		if d, ok := l["deleted"].(map[string]any); ok {
			if want := history[d["id"].(string)]; d["deletedAt"] != want || want == nil {
				t.Errorf("the deletion %v has deletedAt %v; the API's history says %v", d, d["deletedAt"], want)
			}
			delete(d, "deletedAt")
		}
	}
	return lines
}

// TestChangesFollowTheBooks runs the invoices' feed again and again on one
// fake, each time from the checkpoint the run before printed, across
// writes made through the command: each run prints exactly what changed
// since, in the order to apply it, then the checkpoint; a run that fails
// part way prints the checkpoint to resume from, and resuming from it
// goes on where the run stopped; a checkpoint older than the deletion
// history says to start again.
func TestChangesFollowTheBooks(t *testing.T) {
	t.Parallel()
	srv, vars := demoFake(t)

	// From the beginning: every invoice, as list --all prints them, in
	// the order QuickBooks stamped them.
	all := lines(t, ok(t, vars, "qbd", "invoices", "list", "--end-user-id", demo, "--all"))
	if len(all) != 3 {
		t.Fatalf("the demo has %d invoices, want 3", len(all))
	}
	slices.SortStableFunc(all, func(a, b map[string]any) int {
		return strings.Compare(a["updatedAt"].(string)+" "+a["id"].(string), b["updatedAt"].(string)+" "+b["id"].(string))
	})
	var want []map[string]any
	for _, inv := range all {
		want = append(want, upsert(inv))
	}
	got, cp := feedRun(t, vars, "")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("the first run (-want +got):\n%s", diff)
	}

	// Nothing changed since: the checkpoint alone.
	got, cp = feedRun(t, vars, cp)
	if len(got) != 0 {
		t.Fatalf("a run with nothing changed printed %v before the checkpoint; want nothing", got)
	}

	// A create, an update and a delete, a second apart: the deletion
	// first, then the upserts in the order they were made, each as the
	// API gives it.
	created := object(t, ok(t, vars, "qbd", "invoices", "create", "--end-user-id", demo,
		"--data", `{"customerId": "80000001-1700000001", "refNumber": "FEED-1", "transactionDate": "2026-12-01"}`))
	srv.Advance(time.Second)
	updated := object(t, ok(t, vars, "qbd", "invoices", "update", "--end-user-id", demo, "--id", all[0]["id"].(string),
		"--data", `{"revisionNumber": "`+all[0]["revisionNumber"].(string)+`", "memo": "changed"}`))
	ok(t, vars, "qbd", "invoices", "delete", "--end-user-id", demo, "--id", all[1]["id"].(string))
	got, cp = feedRun(t, vars, cp)
	want = []map[string]any{deletion(all[1]["id"].(string)), upsert(created), upsert(updated)}
	if diff := cmp.Diff(want, withoutDeletedAt(t, vars, got)); diff != "" {
		t.Fatalf("the run after a create, an update and a delete (-want +got):\n%s", diff)
	}
	got, cp = feedRun(t, vars, cp)
	if len(got) != 0 {
		t.Fatalf("the run after that printed %v before the checkpoint; want nothing", got)
	}

	// A run that fails after the deletion (the list of invoices is
	// refused): the deletion, then the checkpoint after it, not caught
	// up; exit 1 with the API's error. Resuming from that checkpoint
	// prints the update and not the deletion again.
	srv.Advance(time.Second)
	again := object(t, ok(t, vars, "qbd", "invoices", "update", "--end-user-id", demo, "--id", created["id"].(string),
		"--data", `{"revisionNumber": "`+created["revisionNumber"].(string)+`", "memo": "again"}`))
	ok(t, vars, "qbd", "invoices", "delete", "--end-user-id", demo, "--id", all[2]["id"].(string))
	if err := srv.Enqueue(conductortest.Response{}, conductortest.Response{Status: http.StatusBadRequest, Error: &conductortest.Error{Type: "INVALID_REQUEST_ERROR", Code: "FEED_TEST", Message: "refused for the test"}}); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, vars, "qbd", "invoices", "changes", "--end-user-id", demo, "--since", cp)
	failed := withoutDeletedAt(t, vars, lines2(t, r.stdout))
	if len(failed) != 2 {
		t.Fatalf("the run that failed printed %v; want the deletion and the checkpoint", failed)
	}
	mid, _ := failed[1]["checkpoint"].(string)
	want = []map[string]any{deletion(all[2]["id"].(string)), {"checkpoint": mid, "caughtUp": false}}
	if diff := cmp.Diff(want, failed); diff != "" || mid == "" || mid == cp {
		t.Errorf("the run that failed (-want +got):\n%s\nwant a new checkpoint after the deletion", diff)
	}
	if r.code != exitAPI || !strings.HasPrefix(r.stderr, "conductor qbd invoices changes: the API refused the call with status 400\n") || !strings.Contains(r.stderr, "code:       FEED_TEST") {
		t.Errorf("the run that failed: exit %d, stderr %q; want 1 and the API's error", r.code, r.stderr)
	}
	got, cp = feedRun(t, vars, mid)
	if diff := cmp.Diff([]map[string]any{upsert(again)}, got); diff != "" {
		t.Errorf("the run resumed from the failed run's checkpoint (-want +got):\n%s", diff)
	}

	// Conductor's clock 89 days on: the checkpoint is older than the
	// deletion history; the run says to start again, and its last line
	// gives back the checkpoint it was given, not caught up.
	future := time.Now().Add(89 * 24 * time.Hour).UTC().Format(http.TimeFormat)
	if err := srv.Enqueue(conductortest.Response{Header: http.Header{"Date": {future}}}); err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, vars, "qbd", "invoices", "changes", "--end-user-id", demo, "--since", cp)
	if diff := cmp.Diff([]map[string]any{{"checkpoint": cp, "caughtUp": false}}, lines2(t, r.stdout)); diff != "" {
		t.Errorf("the run from a checkpoint too old (-want +got):\n%s", diff)
	}
	if r.code != exitAPI || !strings.Contains(r.stderr, "a full resync is needed") || !strings.Contains(r.stderr, "\nRun it again without --since and replace the copy with what that run prints") {
		t.Errorf("the run from a checkpoint too old: exit %d, stderr %q; want 1 and to be told to run again without --since", r.code, r.stderr)
	}
}

// TestChangesSinceAnotherFeedsCheckpoint gives a feed checkpoints that
// another feed printed, another resource's or another end-user's: a usage
// error that says which, before anything is sent.
func TestChangesSinceAnotherFeedsCheckpoint(t *testing.T) {
	t.Parallel()
	_, vars := demoFake(t)
	customers := lines(t, ok(t, vars, "qbd", "customers", "changes", "--end-user-id", demo))
	customersCP := customers[len(customers)-1]["checkpoint"].(string)
	_, invoicesCP := feedRun(t, vars, "")
	for _, tc := range []struct {
		name, endUser, since, want string
	}{
		{"another resource's", demo, customersCP, "--since: the checkpoint is one of the qbd.customers feed's\n"},
		{"another end-user's", "end_usr_other", invoicesCP, "--since: the checkpoint is another end-user's (a checkpoint is one end-user's, and end_usr_other is not the one it was made for)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd(t, nil, "qbd", "invoices", "changes", "--end-user-id", tc.endUser, "--since", tc.since)
			if r.code != exitUsage || r.stdout != "" || !strings.HasPrefix(r.stderr, "conductor qbd invoices changes: "+tc.want) ||
				!strings.Contains(r.stderr, "\nPass the checkpoint of the last line of an earlier run of this command for this end-user, or leave --since out to start from the beginning.\n") {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q, then what to pass", r.code, r.stdout, r.stderr, tc.want)
			}
			if strings.Contains(r.stderr, "in-process fake") {
				t.Errorf("a fake was started for a usage error: %q", r.stderr)
			}
			checkWording(t, r.stderr)
		})
	}
}

// TestEveryFeedIsACommand: each resource the facade gives a change feed
// has a changes command, and no other; each runs from the beginning to
// a checkpoint, printing the objects list --all prints.
func TestEveryFeedIsACommand(t *testing.T) {
	t.Parallel()
	table, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	root, err := loadTree()
	if err != nil {
		t.Fatal(err)
	}
	_, vars := demoFake(t)
	feeds := 0
	for _, op := range table.ops {
		if op.Kind != apispec.List {
			continue
		}
		words := commandWords(op)
		resource := root
		for _, w := range words[:len(words)-1] {
			resource = resource.children[w]
		}
		cmd := resource.children["changes"]
		_, err := facade.Find(op, "Changes")
		if hasFeed := err == nil; hasFeed != (cmd != nil && cmd.feed != nil) {
			t.Errorf("%s: the facade has a feed: %v (%v); the command %q is %v", op.SDKName(), hasFeed, err, strings.Join(words[:len(words)-1], " ")+" changes", cmd)
			continue
		}
		if cmd == nil {
			continue
		}
		feeds++
		args := append(append([]string(nil), words[:len(words)-1]...), "changes", "--end-user-id", demo)
		got := lines2(t, ok(t, vars, args...))
		if last := got[len(got)-1]; last["caughtUp"] != true || last["checkpoint"] == "" {
			t.Errorf("%s: the last line is %v; want the checkpoint, caught up", strings.Join(args, " "), last)
		}
		listed := lines(t, ok(t, vars, append(append([]string(nil), words...), "--end-user-id", demo, "--all")...))
		var objects []map[string]any
		for _, l := range got[:len(got)-1] {
			objects = append(objects, l["object"].(map[string]any))
		}
		byID := func(a, b map[string]any) int { return strings.Compare(a["id"].(string), b["id"].(string)) }
		slices.SortFunc(objects, byID)
		slices.SortFunc(listed, byID)
		if diff := cmp.Diff(listed, objects); diff != "" {
			t.Errorf("%s: the objects (-list --all +changes):\n%s", strings.Join(args, " "), diff)
		}
	}
	if feeds != 50 {
		t.Errorf("%d resources have a changes command, want the 50 the facade gives a feed", feeds)
	}
	if root.children["qbd"].children["transfers"].children["changes"] != nil {
		t.Error("transfers, whose deletions QuickBooks lists nowhere, has a changes command")
	}
}
