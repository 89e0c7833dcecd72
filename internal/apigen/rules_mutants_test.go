package apigen_test

import (
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/internal/apigen"
)

// sprocketsSpec is widgetSpec with a create of sprockets whose body
// requires the fields required and has the properties props (YAML at the
// indentation of a property), and whose list takes the query parameter
// param (a YAML flow mapping).
func sprocketsSpec(required, props, param string) string {
	answer := "      responses:\n        \"200\":\n          description: OK.\n          content:\n            application/json:\n              schema: {$ref: \"#/components/schemas/sprocket\"}\n"
	paths := "  /sprockets:\n    post:\n      summary: Create a sprocket\n" +
		"      requestBody:\n        content:\n          application/json:\n            schema:\n              type: object\n              required: [" + required + "]\n              properties:\n" +
		props + answer +
		"    get:\n      summary: List all sprockets\n      parameters:\n        - " + param + "\n" +
		"      responses:\n        \"200\":\n          description: OK.\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n" +
		"                  objectType: {type: string, const: list}\n                  data: {type: array, items: {$ref: \"#/components/schemas/sprocket\"}}\n"
	return widgetSpec(paths, "    sprocket:\n      type: object\n      properties:\n        id: {type: string}\n        objectType: {type: string, const: sprocket}\n        size: {type: string, enum: [small, medium, large]}\n")
}

// TestRulesOfRequiredListsTimesObjectsAndEnumSubsets: the rules the
// generator writes for a required list and a required date and time of
// a body, an optional object, a list of enum values, and a field that
// allows fewer values than its enum type, each as its own line.
func TestRulesOfRequiredListsTimesObjectsAndEnumSubsets(t *testing.T) {
	props := `                name: {type: string}
                madeAt: {type: string, format: date-time}
                parts: {type: array, items: {type: string, maxLength: 12}}
                size: {type: string, enum: [small, large]}
                colors: {type: array, items: {type: string, enum: [red, blue]}}
                address:
                  type: object
                  properties:
                    city: {type: string, maxLength: 31}
`
	files, err := generate(t, sprocketsSpec("name, madeAt, parts", props, "{in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 150}}"))
	if err != nil {
		t.Fatal(err)
	}
	rules := string(files[apigen.RulesFile])
	for _, want := range []string{
		"\tc.required(at, \"madeAt\", v.MadeAt.IsZero())\n\tc.timestamp(at, \"madeAt\", v.MadeAt)\n",
		"\tc.requiredList(at, \"parts\", v.Parts == nil)\n\tc.maxLengthEach(at, \"parts\", v.Parts, 12)\n",
		"\toneOfIfSet(c, at, \"size\", v.Size, isSizeOfSprocketsCreateSize, allowedSizeOfSprocketsCreateSize)\n",
		"\toneOfEach(c, at, \"colors\", v.Colors, Color.Valid, allowedColor)\n",
		"\tif v.Address != nil {\n\t\tp := field(at, \"address\")\n\t\tcheckSprocketCreateParamsAddress(c, &p, v.Address)\n\t}\n",
	} {
		if !strings.Contains(rules, want) {
			t.Errorf("rules.gen.go does not hold\n%s\nIt is:\n%s", want, rules)
		}
	}
}

// TestRulesRefuseAKeywordOfAQueryParameter: a keyword of a query
// parameter itself, beside its schema, is a rule too: generation stops
// naming it rather than leave it out.
func TestRulesRefuseAKeywordOfAQueryParameter(t *testing.T) {
	files, err := generate(t, sprocketsSpec("name", "                name: {type: string}\n", "{in: query, name: code, allowEmptyValue: false, schema: {type: string}}"))
	if err == nil {
		t.Fatalf("generation succeeded, writing rules.gen.go:\n%s", files[apigen.RulesFile])
	}
	for _, want := range []string{"GET /sprockets (sprockets.list): code: the parameter's allowEmptyValue is a rule apigen does not write", "extend internal/apigen/rules.go"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
}

// TestRulesOfAPathParameterEnum: a path parameter after the id with an
// enum (passthrough's integrationSlug) is checked with the other
// arguments, against the values the spec lists.
func TestRulesOfAPathParameterEnum(t *testing.T) {
	paths := "  /widgets/{id}/passthrough/{slug}:\n    post:\n      summary: Pass a widget through\n" +
		"      parameters:\n        - {in: path, name: id, required: true, schema: {type: string}}\n" +
		"        - {in: path, name: slug, required: true, schema: {type: string, enum: [alpha, beta]}}\n" +
		"      requestBody: {content: {application/json: {schema: {type: object, additionalProperties: true}}}}\n" +
		"      responses:\n        \"200\":\n          description: OK.\n          content:\n            application/json:\n              schema: {$ref: \"#/components/schemas/widget\"}\n"
	files, err := generate(t, widgetSpec(paths, ""))
	if err != nil {
		t.Fatalf("generation failed: %v", err)
	}
	api := string(files[apigen.ServicesFile])
	want := `oneOf(&c, nil, "slug", slug, Slug.Valid, allowedSlug)`
	if !strings.Contains(api, want) {
		t.Errorf("api.gen.go does not hold %q; it is:\n%s", want, api)
	}
}
