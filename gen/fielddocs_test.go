package gen_test

import "testing"

// TestEveryFieldSaysWhatItHolds pins that go doc of every type of gen
// describes each of its fields, in the spec's words: including the
// nullable ones, whose description the spec puts on the value's branch of
// {anyOf: [value, null]} (an invoice's externalId), which the overlay
// copies to the property. The one exception is oapi-codegen's own union
// field, which holds the raw JSON of a oneOf.
func TestEveryFieldSaysWhatItHolds(t *testing.T) {
	fields := 0
	for typeName, field := range genFields(t) {
		fields++
		if field.Doc != nil || (len(field.Names) == 1 && field.Names[0].Name == "union") {
			continue
		}
		t.Errorf("gen.%s.%v has no doc comment", typeName, field.Names)
	}
	if fields < 1000 {
		t.Fatalf("found %d fields in conductor.gen.go; is it the generated client?", fields)
	}
}
