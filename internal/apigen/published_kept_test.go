package apigen_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/internal/apigen"
)

// TestANewObjectNamedLikeAPublishedEnumGenerates: a spec that only adds a
// QuickBooks object whose name a published enum type already has
// (qbd_status beside the enum Status of qbd_job.status) must generate,
// keeping the enum's name, as a new object named like a published nested
// type does (VendorTypeObject). A first generation of the same spec
// generates (the enum is qualified, JobStatus), so the published record
// alone makes it fail.
func TestANewObjectNamedLikeAPublishedEnumGenerates(t *testing.T) {
	head := "openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n"
	status := "    qbd_status: {type: object, properties: {id: {type: string}, name: {type: string}}}\n"
	base := head + "    qbd_job: {type: object, properties: {id: {type: string}, status: {type: string, enum: [open, closed]}}}\n"
	next := base + status
	if _, err := apigen.Overlay([]byte(next), nil); err != nil {
		t.Fatalf("a first generation of the next spec fails too: %v", err)
	}
	published, err := apigen.Overlay([]byte(base), nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := apigen.Overlay([]byte(next), published)
	if err != nil {
		t.Fatalf("a spec that only adds an object fails generation: %v", err)
	}
	s := "$.components.schemas."
	got := namesOf(t, out)
	if diff := cmp.Diff(any("Status"), got[s+"qbd_job.properties.status"]["x-go-type"]); diff != "" {
		t.Errorf("the published enum was renamed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(any("StatusObject"), got[s+"qbd_status"]["x-go-name"]); diff != "" {
		t.Errorf("the new object (-want +got):\n%s", diff)
	}
	// Once published, the qualified name is kept: generating again gives
	// the same overlay, and so does a spec that drops the enum.
	again, err := apigen.Overlay([]byte(next), out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(out), string(again)); diff != "" {
		t.Errorf("generating again changes the overlay (-first +again):\n%s", diff)
	}
	dropped, err := apigen.Overlay([]byte(head+"    qbd_job: {type: object, properties: {id: {type: string}}}\n"+status), out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(any("StatusObject"), namesOf(t, dropped)[s+"qbd_status"]["x-go-name"]); diff != "" {
		t.Errorf("the object once the enum is gone (-want +got):\n%s", diff)
	}
}
