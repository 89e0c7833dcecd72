package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// datedSpec is Conductor's spec of 2026-08-21, kept in shared/ beside
// this repository's clone; openapi.yaml is this spec, byte for byte.
var datedSpec = filepath.Join(repoRoot, "..", "shared", "specs", "conductor-openapi-2026-08-21.yml")

// sharedSpec returns the absolute path of a spec in shared/, skipping the
// test when it is missing, but in CI, which always has it (as
// TestPublishedSpecGoesThroughThePipeline does).
func sharedSpec(t *testing.T, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(abs); err != nil {
		msg := fmt.Sprintf("Conductor's spec is missing (%v): it belongs at %s, in shared/ beside this repository's clone", err, abs)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg + "; CI runs this test")
	}
	return abs
}

// notes runs `specpipe notes -base base candidate` and returns its output,
// failing the test unless it exits 0 with nothing on stderr.
func notes(t *testing.T, base, candidate string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"notes", "-base", base, candidate}, &stdout, &stderr); code != 0 || stderr.Len() > 0 {
		t.Fatalf("specpipe notes exited %d:\n%s", code, stderr.String())
	}
	return stdout.String()
}

// sections splits notes into their "### " headings and each heading's
// lines, so that a test can say under which heading a line is.
func sections(t *testing.T, notes string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	var order []string
	heading := ""
	for _, l := range strings.Split(strings.TrimRight(notes, "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "### "):
			heading = strings.TrimPrefix(l, "### ")
			order = append(order, heading)
		case l == "":
		case heading == "":
			t.Fatalf("a line before any heading: %q", l)
		default:
			out[heading] = append(out[heading], l)
		}
	}
	// Keep a Changelog's order, each heading once.
	want := slices.DeleteFunc([]string{"Added", "Changed", "Deprecated", "Removed"}, func(h string) bool { return out[h] == nil })
	if diff := cmp.Diff(want, order); diff != "" {
		t.Errorf("headings (-want +got):\n%s", diff)
	}
	return out
}

// TestReleaseNotesOfConductorsSpecs: the notes from Conductor's published
// spec to its spec of 2026-08-21 (the update of commit "Update openapi.yaml
// to Conductor's 2026-08-21 spec"). Checked by hand in the two files: both
// have the same 262 operations, so no operation is added or removed; the
// transactionType enums gain transfer_inventory; an item receipt's vendor
// (and an inventory item's cogsAccount and assetAccount) go from an object
// to anyOf [object, null], which oasdiff reads as a type changed to any
// and its required id and fullName removed.
func TestReleaseNotesOfConductorsSpecs(t *testing.T) {
	published := sharedSpec(t, publishedSpec)
	dated := sharedSpec(t, datedSpec)
	got := notes(t, published, dated)
	s := sections(t, got)
	for _, c := range []struct{ section, line string }{
		{"Added", "- **Breaking:** added the new `transfer_inventory` enum value to the `transactionType` response property for the response status `200`: " +
			"`client.QBD.Transactions.Retrieve` (`GET /quickbooks-desktop/transactions/{id}`)"},
		{"Added", "- **Breaking:** added the new `transfer_inventory` enum value to the `data/items/transactionType` response property for the response status `200`: " +
			"`client.QBD.PaymentsToDeposit.List` (`GET /quickbooks-desktop/payments-to-deposit`), `client.QBD.Transactions.List` (`GET /quickbooks-desktop/transactions`)"},
		{"Changed", "- **Breaking:** the `vendor` response's property `type` changed from `object` to `any` for status `200`: " +
			"`client.QBD.ItemReceipts.Create` (`POST /quickbooks-desktop/item-receipts`), `client.QBD.ItemReceipts.Retrieve` (`GET /quickbooks-desktop/item-receipts/{id}`), " +
			"`client.QBD.ItemReceipts.Update` (`POST /quickbooks-desktop/item-receipts/{id}`)"},
		{"Removed", "- **Breaking:** removed the required property `data/items/vendor/id` from the response with the `200` status: " +
			"`client.QBD.ItemReceipts.List` (`GET /quickbooks-desktop/item-receipts`)"},
	} {
		if !slices.Contains(s[c.section], c.line) {
			t.Errorf("no line under ### %s:\n%s", c.section, c.line)
		}
	}
	if strings.Contains(got, "new operation") || strings.Contains(got, "operation removed") {
		t.Errorf("the two specs have the same operations, but the notes say otherwise:\n%s", got)
	}
	// Every line is breaking here, and every one names the facade.
	for _, l := range slices.Concat(s["Added"], s["Changed"], s["Removed"]) {
		if !strings.HasPrefix(l, "- **Breaking:** ") || !strings.Contains(l, "`client.QBD.") {
			t.Errorf("a line that is not marked breaking or names no facade method: %q", l)
		}
	}
	// One line per change, not per operation: oasdiff reports 150.
	if n := len(s["Added"]) + len(s["Changed"]) + len(s["Removed"]); n > 50 {
		t.Errorf("%d lines; the same change to many operations should be one line", n)
	}
	if again := notes(t, published, dated); again != got {
		t.Errorf("the notes of the same specs differ between runs (-first +second):\n%s", cmp.Diff(got, again))
	}
}

// TestReleaseNotesOfTheNextSpec: the notes from openapi.yaml to the next
// spec TestTheNextSpecGrowsTheLibrary builds (testdata/next-spec.yaml
// spliced in): new operations each on a line of their own by their facade
// name, a new field and a new filter under Added, not breaking, and the
// new enum value, which oasdiff calls breaking as a client may not know it.
func TestReleaseNotesOfTheNextSpec(t *testing.T) {
	base := filepath.Join(repoRoot, "openapi.yaml")
	s := sections(t, notes(t, base, nextSpecFile(t)))
	ops := linesEnding(s["Added"], ": new operation")
	wantOps := []string{
		"- `client.IntegrationConnections.Create` (`POST /integration-connections`): new operation",
		"- `client.IntegrationConnections.List` (`GET /integration-connections`): new operation",
		"- `client.IntegrationConnections.Refresh` (`POST /integration-connections/{id}/refresh`): new operation",
		"- `client.IntegrationConnections.Retrieve` (`GET /integration-connections/{id}`): new operation",
		"- `client.QBD.Vehicles.List` (`GET /quickbooks-desktop/vehicles`): new operation",
		"- `client.QBD.Vehicles.Retrieve` (`GET /quickbooks-desktop/vehicles/{id}`): new operation",
	}
	if diff := cmp.Diff(wantOps, ops); diff != "" {
		t.Errorf("new operations (-want +got):\n%s", diff)
	}
	for _, line := range []string{
		"- added the new optional `query` request parameter `externalReference`: `client.QBD.Invoices.List` (`GET /quickbooks-desktop/invoices`)",
		"- added the optional property `externalReference` to the response with the `200` status: " +
			"`client.QBD.Invoices.Create` (`POST /quickbooks-desktop/invoices`), `client.QBD.Invoices.Retrieve` (`GET /quickbooks-desktop/invoices/{id}`), " +
			"`client.QBD.Invoices.Update` (`POST /quickbooks-desktop/invoices/{id}`)",
		"- **Breaking:** added the new `vehicle_mileage` enum value to the `transactionType` response property for the response status `200`: " +
			"`client.QBD.Transactions.Retrieve` (`GET /quickbooks-desktop/transactions/{id}`)",
	} {
		if !slices.Contains(s["Added"], line) {
			t.Errorf("no line under ### Added:\n%s", line)
		}
	}
	// Breaking lines first, then the rest, each part sorted.
	added := s["Added"]
	split := slices.IndexFunc(added, func(l string) bool { return !strings.HasPrefix(l, "- **Breaking:** ") })
	if split < 0 || !slices.IsSorted(added[:split]) || !slices.IsSorted(added[split:]) || slices.ContainsFunc(added[split:], func(l string) bool { return strings.HasPrefix(l, "- **Breaking:** ") }) {
		t.Errorf("### Added is not breaking lines, then the others, each sorted:\n%s", strings.Join(added, "\n"))
	}
	if len(s["Changed"])+len(s["Removed"]) > 0 {
		t.Errorf("the next spec only adds, but the notes change or remove:\n%s", strings.Join(slices.Concat(s["Changed"], s["Removed"]), "\n"))
	}
}

// TestReleaseNotesOfNoChange: the same spec on both sides says so, rather
// than printing nothing, which would read as a failure.
func TestReleaseNotesOfNoChange(t *testing.T) {
	base := filepath.Join(repoRoot, "openapi.yaml")
	if got := notes(t, base, base); got != "No changes to the API.\n" {
		t.Errorf("notes of openapi.yaml against itself: %q", got)
	}
}

// TestReleaseNotesSections: where oasdiff's checks go among Keep a
// Changelog's headings. What removes a name or a value the facade has is
// Removed (and so breaking); what changes one is Changed; metadata that no
// caller sees is left out.
func TestReleaseNotesSections(t *testing.T) {
	got := map[string]section{}
	for _, id := range []string{
		"endpoint-added", "new-optional-request-parameter", "new-required-request-property", "response-optional-property-added",
		"request-body-added-optional", "response-property-enum-value-added",
		"api-removed-without-deprecation", "api-path-removed-before-sunset", "request-parameter-removed", "request-property-removed",
		"response-required-property-removed", "response-optional-property-removed", "request-body-removed", "request-parameter-enum-value-removed",
		"response-property-type-changed", "request-property-became-required", "request-property-max-length-decreased", "response-property-any-of-added",
		"response-property-pattern-removed", "request-property-default-value-removed",
		"endpoint-deprecated", "request-parameter-deprecated",
		"api-version-not-bumped", "api-tag-added", "api-operation-id-removed",
	} {
		got[id] = sectionOf(id)
	}
	want := map[string]section{
		"endpoint-added": added, "new-optional-request-parameter": added, "new-required-request-property": added, "response-optional-property-added": added,
		"request-body-added-optional": added, "response-property-enum-value-added": added,
		"api-removed-without-deprecation": removed, "api-path-removed-before-sunset": removed, "request-parameter-removed": removed, "request-property-removed": removed,
		"response-required-property-removed": removed, "response-optional-property-removed": removed, "request-body-removed": removed, "request-parameter-enum-value-removed": removed,
		"response-property-type-changed": changed, "request-property-became-required": changed, "request-property-max-length-decreased": changed, "response-property-any-of-added": changed,
		"response-property-pattern-removed": changed, "request-property-default-value-removed": changed,
		"endpoint-deprecated": deprecated, "request-parameter-deprecated": deprecated,
		"api-version-not-bumped": skipped, "api-tag-added": skipped, "api-operation-id-removed": skipped,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
}

// TestReleaseNotesNeedABase: without -base there is nothing to compare
// with, and the command says so rather than comparing with openapi.yaml.
func TestReleaseNotesNeedABase(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"notes", "openapi.yaml"}, &stdout, &stderr); code != exitFailure || !regexp.MustCompile(`-base is required`).Match(stderr.Bytes()) {
		t.Errorf("specpipe notes without -base exited %d: %s", code, stderr.String())
	}
}

// TestMakeReleaseNotes runs the Makefile's target as a release would: from
// HEAD, whose openapi.yaml is the working tree's unless a spec update is
// under way, and without FROM, which is a usage error rather than notes
// against nothing. It needs make and a git checkout, and skips without
// them.
func TestMakeReleaseNotes(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds and runs specpipe through make")
	}
	for _, tool := range []string{"make", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	if err := exec.Command("git", "-C", repoRoot, "rev-parse", "--verify", "HEAD:openapi.yaml").Run(); err != nil {
		t.Skipf("not a git checkout with openapi.yaml committed: %v", err)
	}
	cmd := exec.Command("make", "--no-print-directory", "-C", repoRoot, "release-notes", "FROM=HEAD")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("make release-notes FROM=HEAD: %v\n%s", err, out)
	}
	if s := string(out); s != "No changes to the API.\n" && !strings.HasPrefix(s, "### ") {
		t.Errorf("make release-notes FROM=HEAD printed neither notes nor that nothing changed:\n%s", s)
	}
	out, err = exec.Command("make", "--no-print-directory", "-C", repoRoot, "release-notes").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "usage: make release-notes FROM=<git ref>") {
		t.Errorf("make release-notes without FROM: %v\n%s", err, out)
	}
}

// TestReleaseNotesOfARollback: the notes from the next spec back to
// openapi.yaml, which removes what TestReleaseNotesOfTheNextSpec adds.
// Each removed operation is a line of its own, named by the facade method
// it had: only the base spec has it, so its name comes from there. What
// is removed is breaking whatever oasdiff's level (it rates a removed
// optional response field INFO), as a program that reads it no longer
// compiles.
func TestReleaseNotesOfARollback(t *testing.T) {
	current := filepath.Join(repoRoot, "openapi.yaml")
	removed := sections(t, notes(t, nextSpecFile(t), current))["Removed"]
	ops := linesEnding(removed, ": operation removed")
	wantOps := []string{
		"- **Breaking:** `client.IntegrationConnections.Create` (`POST /integration-connections`): operation removed",
		"- **Breaking:** `client.IntegrationConnections.List` (`GET /integration-connections`): operation removed",
		"- **Breaking:** `client.IntegrationConnections.Refresh` (`POST /integration-connections/{id}/refresh`): operation removed",
		"- **Breaking:** `client.IntegrationConnections.Retrieve` (`GET /integration-connections/{id}`): operation removed",
		"- **Breaking:** `client.QBD.Vehicles.List` (`GET /quickbooks-desktop/vehicles`): operation removed",
		"- **Breaking:** `client.QBD.Vehicles.Retrieve` (`GET /quickbooks-desktop/vehicles/{id}`): operation removed",
	}
	if diff := cmp.Diff(wantOps, ops); diff != "" {
		t.Errorf("removed operations (-want +got):\n%s", diff)
	}
	field := "- **Breaking:** removed the optional property `externalReference` from the response with the `200` status: " +
		"`client.QBD.Invoices.Create` (`POST /quickbooks-desktop/invoices`), `client.QBD.Invoices.Retrieve` (`GET /quickbooks-desktop/invoices/{id}`), " +
		"`client.QBD.Invoices.Update` (`POST /quickbooks-desktop/invoices/{id}`)"
	if !slices.Contains(removed, field) {
		t.Errorf("no line under ### Removed:\n%s", field)
	}
	// The schema is the facade's type conductor.Vehicle: a program that
	// names it no longer compiles.
	if schema := "- **Breaking:** removed the schema `qbd_vehicle`"; !slices.ContainsFunc(removed, func(l string) bool { return strings.HasPrefix(l, schema) }) {
		t.Errorf("no line under ### Removed beginning %q; removed:\n%s", schema, strings.Join(removed, "\n"))
	}
	for _, l := range removed {
		if !strings.HasPrefix(l, "- **Breaking:** ") {
			t.Errorf("a line under ### Removed that is not marked breaking: %q", l)
		}
	}
}

// specVariant writes spec, with each pair of edits applied once, to a file
// in dir and returns its path; it fails the test when an edit's text is
// not in spec, so that the test cannot pass on a spec it did not change.
func specVariant(t *testing.T, dir, name string, spec []byte, edits ...string) string {
	t.Helper()
	s := string(spec)
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(s, edits[i]) {
			t.Fatalf("openapi.yaml has no %q to edit", edits[i])
		}
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReleaseNotesLeaveOutMetadata: a spec that only lowers its version
// and gives an operation an operationId and a tag changes nothing a
// caller sees (the facade's names come from the overlay), and the notes
// say so rather than listing oasdiff's findings about the document.
func TestReleaseNotesLeaveOutMetadata(t *testing.T) {
	spec := readFile(t, filepath.Join(repoRoot, "openapi.yaml"))
	dir := t.TempDir()
	candidate := specVariant(t, dir, "candidate.yaml", spec,
		"  version: 0.0.1\n", "  version: 0.0.0\n",
		"      summary: Create an auth session\n", "      summary: Create an auth session\n      operationId: createAuthSession\n      tags: [Auth]\n")
	if got := notes(t, specVariant(t, dir, "base.yaml", spec), candidate); got != "No changes to the API.\n" {
		t.Errorf("notes of a change to the document's metadata only: %q", got)
	}
}

// TestReleaseNotesWarningsAreBreaking: a change oasdiff rates a warning
// (a request field's pattern changed, so a value the old pattern allowed
// may now be refused) is marked breaking, not only its errors.
func TestReleaseNotesWarningsAreBreaking(t *testing.T) {
	spec := readFile(t, filepath.Join(repoRoot, "openapi.yaml"))
	dir := t.TempDir()
	// The first maxLength 31 is the name in an account's create body.
	base := specVariant(t, dir, "base.yaml", spec, "                  maxLength: 31\n", "                  maxLength: 31\n                  pattern: ^[a-z]+$\n")
	candidate := specVariant(t, dir, "candidate.yaml", spec, "                  maxLength: 31\n", "                  maxLength: 31\n                  pattern: ^[A-Z]+$\n")
	want := "### Changed\n\n" +
		"- **Breaking:** changed the pattern of the request property `name` from `^[a-z]+$` to `^[A-Z]+$`: " +
		"`client.QBD.Accounts.Create` (`POST /quickbooks-desktop/accounts`)\n"
	if diff := cmp.Diff(want, notes(t, base, candidate)); diff != "" {
		t.Errorf("notes of a pattern changed (-want +got):\n%s", diff)
	}
}

// nextSpecFile writes openapi.yaml with testdata/next-spec.yaml spliced
// in (the spec TestTheNextSpecGrowsTheLibrary builds) to a file of the
// test's, and returns its path.
func nextSpecFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "next.yaml")
	spec := splice(t, readFile(t, filepath.Join(repoRoot, "openapi.yaml")), readFile(t, "testdata/next-spec.yaml"))
	if err := os.WriteFile(path, spec, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// linesEnding are the lines that end with suffix, in order.
func linesEnding(lines []string, suffix string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasSuffix(l, suffix) {
			out = append(out, l)
		}
	}
	return out
}
