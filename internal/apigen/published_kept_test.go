package apigen_test

import (
	"strings"
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

// TestAddingAnObjectKeepsPublishedConstants: a constant is as published
// as its type. A value that names no component schema (qbd_charge) is the
// constant LinkedObjectTypeQbdCharge; a spec that only adds the schema
// qbd_charge must not rename it LinkedObjectTypeCharge, which breaks
// every user of the constant.
func TestAddingAnObjectKeepsPublishedConstants(t *testing.T) {
	head := "openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n"
	base := head + "    qbd_link: {type: object, properties: {linkedObjectType: {type: string, enum: [qbd_charge, qbd_check]}}}\n" +
		"    qbd_check: {type: object, properties: {id: {type: string}}}\n"
	next := base + "    qbd_charge: {type: object, properties: {id: {type: string}}}\n"
	published, err := apigen.Overlay([]byte(base), nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := apigen.Overlay([]byte(next), published)
	if err != nil {
		t.Fatal(err)
	}
	varnames := func(overlay []byte) any {
		typ, _ := namesOf(t, overlay)["$.components.schemas"]["LinkedObjectType"].(map[string]any)
		return typ["x-enum-varnames"]
	}
	before, after := varnames(published), varnames(out)
	if before == nil || !strings.Contains(strings.Join(toStrings(before), ","), "QbdCharge") {
		t.Fatalf("base constants %v: the case no longer sets up what it tests", before)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("published constants renamed by a spec that only adds (-before +after):\n%s", diff)
	}
}

// TestANewValueNamedLikeAPublishedConstantFails: a new value whose
// constant by the rules is one published for another value (charge is
// LinkedObjectTypeCharge; a new qbd_charge, with its schema, would be
// too) fails generation, naming the enum, where it is and both values,
// rather than renaming either constant.
func TestANewValueNamedLikeAPublishedConstantFails(t *testing.T) {
	head := "openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n"
	link := "    qbd_link: {type: object, properties: {linkedObjectType: {type: string, enum: [charge, qbd_check%s]}}}\n" +
		"    qbd_check: {type: object, properties: {id: {type: string}}}\n"
	base := head + strings.ReplaceAll(link, "%s", "")
	next := head + strings.ReplaceAll(link, "%s", ", qbd_charge") + "    qbd_charge: {type: object, properties: {id: {type: string}}}\n"
	published, err := apigen.Overlay([]byte(base), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = apigen.Overlay([]byte(next), published)
	if err == nil {
		t.Fatal("a new value named like a published constant generated")
	}
	for _, want := range []string{`"qbd_charge"`, "LinkedObjectType", "$.components.schemas.qbd_link.properties.linkedObjectType", "LinkedObjectTypeCharge", `"charge"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %s: %v", want, err)
		}
	}
}

func toStrings(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, s := range l {
		str, _ := s.(string)
		out = append(out, str)
	}
	return out
}
