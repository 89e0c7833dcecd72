package apigen_test

import (
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/internal/apigen"
)

// gadgets is widgetSpec with a create of gadgets, whose body requires
// name and the fields required and has the properties props (YAML at the
// indentation of a property), and a list of gadgets with the query
// parameter param (a YAML flow mapping, or ""); model adds properties to
// the gadget's own schema.
type gadgets struct {
	props, param, model string
	required            []string
}

func (g gadgets) spec() string {
	answer := "      responses:\n        \"200\":\n          description: OK.\n          content:\n            application/json:\n              schema: {$ref: \"#/components/schemas/gadget\"}\n"
	paths := "  /gadgets:\n    post:\n      summary: Create a gadget\n" +
		"      requestBody:\n        content:\n          application/json:\n            schema:\n              type: object\n              required: [" + strings.Join(append([]string{"name"}, g.required...), ", ") + "]\n              properties:\n" +
		"                name: {type: string, maxLength: 31}\n" + g.props + answer +
		"    get:\n      summary: List all gadgets\n      parameters:\n        - {in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 150}}\n"
	if g.param != "" {
		paths += "        - " + g.param + "\n"
	}
	paths += "      responses:\n        \"200\":\n          description: OK.\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n" +
		"                  objectType: {type: string, const: list}\n                  data: {type: array, items: {$ref: \"#/components/schemas/gadget\"}}\n"
	return widgetSpec(paths, "    gadget:\n      type: object\n      properties:\n        id: {type: string}\n        objectType: {type: string, const: gadget}\n"+g.model)
}

// TestRulesAreWrittenFromTheSpec: each kind of rule of a request is one
// line of rules.gen.go calling its primitive, in the spec's order, and
// the generated method runs them.
func TestRulesAreWrittenFromTheSpec(t *testing.T) {
	props := `                code: {type: string, maxLength: 8}
                kind: {type: string, enum: [small, large]}
                count: {type: integer, minimum: 0, maximum: 10}
                madeOn: {type: string, format: date}
                parts:
                  type: array
                  minItems: 1
                  items:
                    type: object
                    required: [sku]
                    properties:
                      sku: {type: string, maxLength: 12}
                tags: {type: array, maxItems: 3, items: {type: string, maxLength: 5}}
`
	files, err := generate(t, gadgets{props: props, param: "{in: query, name: kind, required: true, schema: {type: string, enum: [small, large]}}"}.spec())
	if err != nil {
		t.Fatal(err)
	}
	rules := string(files[apigen.RulesFile])
	for _, want := range []string{
		"func checkGadgetCreateParams(c *checker, at *path, v *GadgetCreateParams) {\n" +
			"\tc.required(at, \"name\", v.Name == \"\")\n" +
			"\tc.maxLength(at, \"name\", v.Name, 31)\n" +
			"\tc.maxLengthIfSet(at, \"code\", v.Code, 8)\n" +
			"\toneOfIfSet(c, at, \"kind\", v.Kind, Kind.Valid, allowedKind)\n" +
			"\tbetweenIfSet(c, at, \"count\", v.Count, 0, true, 10, true)\n" +
			"\tc.dateIfSet(at, \"madeOn\", v.MadeOn)\n" +
			"\tc.items(at, \"parts\", v.Parts == nil, false, len(v.Parts), 1, -1)\n" +
			"\tfor i := range v.Parts {\n\t\tp := element(at, \"parts\", i)\n\t\tcheckGadgetCreateParamsPart(c, &p, &v.Parts[i])\n\t}\n" +
			"\tc.items(at, \"tags\", v.Tags == nil, false, len(v.Tags), 0, 3)\n" +
			"\tc.maxLengthEach(at, \"tags\", v.Tags, 5)\n}\n",
		"func checkGadgetCreateParamsPart(c *checker, at *path, v *GadgetCreateParamsPart) {\n" +
			"\tc.required(at, \"sku\", v.Sku == \"\")\n\tc.maxLength(at, \"sku\", v.Sku, 12)\n}\n",
		"func checkGadgetListParams(c *checker, at *path, v *GadgetListParams) {\n" +
			"\tif v == nil {\n\t\tc.required(at, \"kind\", true)\n\t\treturn\n\t}\n" +
			"\tbetweenIfSet(c, at, \"limit\", v.Limit, 1, true, 150, true)\n" +
			"\tc.required(at, \"kind\", v.Kind == \"\")\n" +
			"\toneOf(c, at, \"kind\", v.Kind, Kind.Valid, allowedKind)\n}\n",
		`allowedKind = "large, small"`,
	} {
		if !strings.Contains(rules, want) {
			t.Errorf("rules.gen.go does not hold\n%s\nIt is:\n%s", want, rules)
		}
	}
	api := string(files[apigen.ServicesFile])
	for _, want := range []string{
		"check: func(c checker) checker { checkGadgetCreateParams(&c, nil, &params); return c },",
		"check: func(c checker) checker { checkGadgetListParams(&c, nil, params); return c },",
	} {
		if !strings.Contains(api, want) {
			t.Errorf("api.gen.go does not hold %q", want)
		}
	}
}

// TestRulesRefuseWhatTheyCannotWrite: a rule of a request that
// rules.gen.go has no line for stops generation with an error naming the
// operation, the field and what to extend, instead of leaving it out.
func TestRulesRefuseWhatTheyCannotWrite(t *testing.T) {
	for _, c := range []struct {
		name, props, param string
		want               string
	}{
		{name: "pattern", props: "                code: {type: string, pattern: '^[A-Z]+$'}\n",
			want: "POST /gadgets (gadgets.create): code: the spec's pattern is a rule apigen does not write"},
		{name: "minLength", props: "                code: {type: string, minLength: 2}\n",
			want: "POST /gadgets (gadgets.create): code: the spec's minLength is a rule apigen does not write"},
		{name: "multipleOf", props: "                count: {type: integer, multipleOf: 5}\n",
			want: "POST /gadgets (gadgets.create): count: the spec's multipleOf is a rule apigen does not write"},
		{name: "exclusiveMaximum", props: "                price: {type: number, exclusiveMaximum: 100}\n",
			want: "POST /gadgets (gadgets.create): price: the spec's exclusiveMaximum is a rule apigen does not write"},
		{name: "uniqueItems", props: "                tags: {type: array, uniqueItems: true, items: {type: string}}\n",
			want: "POST /gadgets (gadgets.create): tags: the spec's uniqueItems is a rule apigen does not write"},
		{name: "a rule of a list's object", props: "                parts:\n                  type: array\n                  items:\n                    type: object\n                    properties:\n                      sku: {type: string, pattern: '^[0-9]+$'}\n",
			want: "POST /gadgets (gadgets.create): parts[].sku: the spec's pattern is a rule apigen does not write"},
		{name: "a format it does not know", props: "                contact: {type: string, format: hostname}\n",
			want: `POST /gadgets (gadgets.create): contact: format "hostname" on a string gen types as *string`},
		{name: "a query parameter's rule", param: "{in: query, name: code, schema: {type: string, pattern: '^[A-Z]+$'}}",
			want: "GET /gadgets (gadgets.list): code: the spec's pattern is a rule apigen does not write"},
		{name: "a keyword of a query parameter itself", param: "{in: query, name: code, allowEmptyValue: false, schema: {type: string}}",
			want: "GET /gadgets (gadgets.list): code: the parameter's allowEmptyValue is a rule apigen does not write"},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, err := generate(t, gadgets{props: c.props, param: c.param}.spec())
			if err == nil {
				t.Fatalf("generation succeeded, writing rules.gen.go:\n%s", files[apigen.RulesFile])
			}
			for _, want := range []string{c.want, "extend internal/apigen/rules.go"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error does not say %q:\n%v", want, err)
				}
			}
		})
	}
}

// TestRulesOfTheObjectID: the spec's rules of an object's id are the
// method's too (QuickBooks' ids: maxLength 36), and one the rules cannot
// write stops generation, as any other.
func TestRulesOfTheObjectID(t *testing.T) {
	const idParam = "- {in: path, name: id, required: true, schema: {type: string}}"
	withID := func(schema string) string {
		spec := gadgets{}.spec()
		if !strings.Contains(spec, idParam) {
			t.Fatalf("the spec has no %q to change", idParam)
		}
		return strings.Replace(spec, idParam, "- {in: path, name: id, required: true, schema: "+schema+"}", 1)
	}
	files, err := generate(t, withID("{type: string, maxLength: 36}"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `check: func(c checker) checker { c.maxLength(nil, "id", id, 36); return c },`; !strings.Contains(string(files[apigen.ServicesFile]), want) {
		t.Errorf("api.gen.go does not hold %q", want)
	}
	_, err = generate(t, withID("{type: string, pattern: '^[0-9A-F-]+$'}"))
	for _, want := range []string{"GET /widgets/{id} (widgets.retrieve): id: the spec's pattern is a rule apigen does not write", "extend internal/apigen/rules.go"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("generation's error does not say %q: %v", want, err)
		}
	}
}

// TestRulesOfRequiredListsTimesObjectsAndEnumSubsets: the rules the
// generator writes for a required list and a required date and time of
// a body, an optional object, a list of enum values, and a field that
// allows fewer values than its enum type, each as its own line.
func TestRulesOfRequiredListsTimesObjectsAndEnumSubsets(t *testing.T) {
	props := `                madeAt: {type: string, format: date-time}
                parts: {type: array, items: {type: string, maxLength: 12}}
                size: {type: string, enum: [small, large]}
                colors: {type: array, items: {type: string, enum: [red, blue]}}
                address:
                  type: object
                  properties:
                    city: {type: string, maxLength: 31}
`
	files, err := generate(t, gadgets{props: props, required: []string{"madeAt", "parts"}, model: "        size: {type: string, enum: [small, medium, large]}\n"}.spec())
	if err != nil {
		t.Fatal(err)
	}
	rules := string(files[apigen.RulesFile])
	for _, want := range []string{
		"\tc.required(at, \"madeAt\", v.MadeAt.IsZero())\n\tc.timestamp(at, \"madeAt\", v.MadeAt)\n",
		"\tc.requiredList(at, \"parts\", v.Parts == nil)\n\tc.maxLengthEach(at, \"parts\", v.Parts, 12)\n",
		"\toneOfIfSet(c, at, \"size\", v.Size, isSizeOfGadgetsCreateSize, allowedSizeOfGadgetsCreateSize)\n",
		"\toneOfEach(c, at, \"colors\", v.Colors, Color.Valid, allowedColor)\n",
		"\tif v.Address != nil {\n\t\tp := field(at, \"address\")\n\t\tcheckGadgetCreateParamsAddress(c, &p, v.Address)\n\t}\n",
	} {
		if !strings.Contains(rules, want) {
			t.Errorf("rules.gen.go does not hold\n%s\nIt is:\n%s", want, rules)
		}
	}
}

// TestRulesOfAPathParameterEnum: a path parameter after the id with an
// enum (passthrough's integrationSlug) is checked with the other
// arguments, against the values the spec lists.
func TestRulesOfAPathParameterEnum(t *testing.T) {
	files, err := generate(t, passthroughSpec("slug", "{type: string, enum: [alpha, beta]}"))
	if err != nil {
		t.Fatalf("generation failed: %v", err)
	}
	api := string(files[apigen.ServicesFile])
	want := `oneOf(&c, nil, "slug", slug, Slug.Valid, allowedSlug)`
	if !strings.Contains(api, want) {
		t.Errorf("api.gen.go does not hold %q; it is:\n%s", want, api)
	}
}
