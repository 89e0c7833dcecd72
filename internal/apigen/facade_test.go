package apigen_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/util"
	"go.yaml.in/yaml/v3"

	"github.com/seed-6dcb809e/conductor-go/internal/apigen"
)

// generate runs on spec what `make generate` runs, in memory: the overlay
// apigen derives, oapi-codegen with the repository's config, then the
// facade against package conductor's hand-written files. It returns the
// facade's files, or the first step's error.
func generate(t *testing.T, spec string) (map[string][]byte, error) {
	t.Helper()
	dir := t.TempDir()
	specPath := filepath.Join(dir, "openapi.yaml")
	overlayPath := filepath.Join(dir, "overlay.yaml")
	genPath := filepath.Join(dir, "conductor.gen.go")
	if err := os.WriteFile(specPath, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	overlay, err := apigen.Overlay([]byte(spec), nil)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(overlayPath, overlay, 0o644); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "oapi-codegen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		codegen.Configuration `yaml:",inline"`
		Output                string `yaml:"output"`
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	swagger, err := util.LoadSwaggerWithOverlay(specPath, util.LoadSwaggerWithOverlayOpts{Path: overlayPath, Strict: true})
	if err != nil {
		t.Fatalf("oapi-codegen cannot load the spec with apigen's overlay: %v", err)
	}
	code, err := codegen.Generate(swagger, cfg.Configuration.UpdateDefaults())
	if err != nil {
		t.Fatalf("oapi-codegen: %v", err)
	}
	if err := os.WriteFile(genPath, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	return apigen.FacadeFiles(specPath, genPath, filepath.Join("..", "..", "conductor"))
}

// widgetSpec is a spec of one top-level resource, widgets (a list and a
// retrieve of widget objects), with paths and schemas added.
func widgetSpec(paths, schemas string) string {
	return `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /widgets:
    get:
      summary: List all widgets
      responses:
        "200":
          description: OK.
          content:
            application/json:
              schema:
                type: object
                properties:
                  objectType: {type: string, const: list}
                  data: {type: array, items: {$ref: "#/components/schemas/widget"}}
  /widgets/{id}:
    get:
      summary: Retrieve a widget
      parameters:
        - {in: path, name: id, required: true, schema: {type: string}}
      responses:
        "200":
          description: OK.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/widget"}
` + paths + `components:
  schemas:
    widget:
      type: object
      description: A widget.
      properties:
        id: {type: string}
        objectType: {type: string, const: widget}
` + schemas
}

// TestFacadeRefusesWhatWouldNotCompile: a spec whose names the facade
// cannot give without writing code that does not compile, or names past
// the project's rules, stops generation with a message naming what and
// where, instead of writing the files.
func TestFacadeRefusesWhatWouldNotCompile(t *testing.T) {
	byID := "      parameters:\n        - {in: path, name: id, required: true, schema: {type: string}}\n"
	answer := "      responses:\n        \"200\":\n          description: OK.\n          content:\n            application/json:\n              schema: {$ref: \"#/components/schemas/widget\"}\n"
	// A value whose constant, Kind then the value, has 55 characters:
	// within reach of a check that allowed a few more than 50.
	long := "very_long_value_that_runs_well_past_the_limit_set_for_all_names"
	for _, c := range []struct {
		name, paths, schemas string
		want                 []string
	}{
		{
			name:    "a resource named like a method of the Client",
			paths:   "  /gen/{id}:\n    get:\n      summary: Retrieve a gen\n" + byID + strings.Replace(answer, "widget", "gen_part", 1),
			schemas: "    gen_part:\n      type: object\n      properties: {id: {type: string}}\n",
			want:    []string{"GET /gen/{id} (gen.retrieve) would be the field Client.Gen, which a hand-written method of Client already is"},
		},
		{
			name:  "two methods of one service named alike",
			paths: "  /widgets/{id}/all:\n    post:\n      summary: Do all\n" + byID + answer,
			want:  []string{"POST /widgets/{id}/all (widgets.all)", "GET /widgets (widgets.list)", "would both be WidgetsService.All"},
		},
		{
			name:    "a type whose name stutters",
			schemas: "    line_line:\n      type: object\n      properties: {a: {type: string}}\n",
			want:    []string{"$.components.schemas.line_line would be the type LineLine, which says Line twice"},
		},
		{
			name:    "a constant past the limit",
			schemas: "    gadget:\n      type: object\n      properties:\n        kind: {type: string, enum: [short, " + long + "]}\n",
			want:    []string{"$.components.schemas.gadget.properties.kind", "would be the constant KindVeryLongValueThatRunsWellPastTheLimitSetForAllNames, longer than 50 characters"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, err := generate(t, widgetSpec(c.paths, c.schemas))
			if err == nil {
				t.Fatalf("generation succeeded, writing %d files", len(files))
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestClientFieldsOfANewSpec: every top-level resource of the spec is a
// field of the Client, documented from its own operations' summaries
// (a resource the project does not know yet has no hand-written words),
// and set by initServices.
func TestClientFieldsOfANewSpec(t *testing.T) {
	gadgets := `  /gadgets:
    post:
      summary: Create a gadget
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties: {name: {type: string}}
      responses:
        "200":
          description: OK.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/gadget"}
`
	files, err := generate(t, widgetSpec(gadgets, "    gadget:\n      type: object\n      properties: {id: {type: string}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	api := string(files[apigen.ServicesFile])
	for field, doc := range map[string]string{
		"Gadgets": "// Gadgets is gadgets of the API: Create a gadget.",
		"Widgets": "// Widgets is widgets of the API: List all widgets; Retrieve a widget.",
	} {
		want := regexp.MustCompile(`\n\t` + regexp.QuoteMeta(doc) + `\n\t` + field + ` \*` + field + `Service\n`)
		if !want.MatchString(api) {
			t.Errorf("the Client has no field %s documented %q:\n%s", field, doc, clientStruct(api))
		}
		if set := "c." + field + " = &" + field + "Service{client: c}"; !strings.Contains(api, set) {
			t.Errorf("initServices does not set %s (%s)", field, set)
		}
	}
}

// clientStruct is the declaration of the Client in api.gen.go, for a
// failure message.
func clientStruct(api string) string {
	start := strings.Index(api, "type Client struct")
	if start < 0 {
		return api
	}
	end := strings.Index(api[start:], "\n}\n")
	if end < 0 {
		return api[start:]
	}
	return api[start : start+end+2]
}

// passthroughSpec is widgetSpec with a passthrough of a widget: a POST
// of a free-form body to /widgets/{id}/passthrough/{name}, whose path
// parameter name has the schema schema (a YAML flow mapping).
func passthroughSpec(name, schema string) string {
	paths := "  /widgets/{id}/passthrough/{" + name + "}:\n    post:\n      summary: Pass a widget through\n" +
		"      parameters:\n        - {in: path, name: id, required: true, schema: {type: string}}\n" +
		"        - {in: path, name: " + name + ", required: true, schema: " + schema + "}\n" +
		"      requestBody: {content: {application/json: {schema: {type: object, additionalProperties: true}}}}\n" +
		"      responses:\n        \"200\":\n          description: OK.\n          content:\n            application/json:\n              schema: {$ref: \"#/components/schemas/widget\"}\n"
	return widgetSpec(paths, "")
}

// TestAPathParameterIsNamedAsGenNamesIt: a path parameter that is not a Go
// identifier (widget-slug) is widgetSlug in gen's request builder; the
// facade's method must take it under that name too, or what it writes
// does not parse.
func TestAPathParameterIsNamedAsGenNamesIt(t *testing.T) {
	files, err := generate(t, passthroughSpec("widget-slug", "{type: string}"))
	if err != nil {
		t.Fatalf("generation failed: %v", err)
	}
	api := string(files[apigen.ServicesFile])
	for _, want := range []string{"widgetSlug string", "gen.NewWidgetPassthroughRequest(s.server, id, widgetSlug, params)"} {
		if !strings.Contains(api, want) {
			t.Errorf("api.gen.go does not hold %q", want)
		}
	}
}

// qbdListSpec is widgetSpec with a QuickBooks Desktop list of resource,
// filtered by updatedAfter, whose objects have an id, an updatedAt and a
// revisionNumber: what a change feed follows.
func qbdListSpec(resource string) string {
	paths := "  /quickbooks-desktop/" + resource + ":\n    get:\n      summary: List all " + resource + "\n" +
		"      parameters:\n" +
		"        - {in: header, name: Conductor-End-User-Id, required: true, schema: {type: string}}\n" +
		"        - {in: query, name: updatedAfter, schema: {type: string}}\n" +
		"      responses:\n        \"200\":\n          description: OK.\n          content:\n            application/json:\n              schema:\n" +
		"                type: object\n                properties:\n                  objectType: {type: string, const: list}\n" +
		"                  data: {type: array, items: {$ref: \"#/components/schemas/qbd_thing\"}}\n"
	schemas := "    qbd_thing:\n      type: object\n      required: [id, updatedAt, revisionNumber]\n      properties:\n" +
		"        id: {type: string}\n        updatedAt: {type: string, format: date-time}\n        revisionNumber: {type: string}\n"
	return widgetSpec(paths, schemas)
}

// TestAFeedNeedsADeletionType: a QuickBooks Desktop resource a change feed
// could follow gets a Changes method when its deletion type is known, and
// stops generation, naming what to do, when it is not: a feed blind to
// deletions would leave deleted objects in every copy.
func TestAFeedNeedsADeletionType(t *testing.T) {
	files, err := generate(t, qbdListSpec("invoices"))
	if err != nil {
		t.Fatalf("generation failed: %v", err)
	}
	api := string(files[apigen.ServicesFile])
	for _, want := range []string{"func (svc *InvoicesService) Changes(", `name: "qbd.invoices"`, `deleted: deletedKind{typ: "invoice"}`} {
		if !strings.Contains(api, want) {
			t.Errorf("api.gen.go does not hold %q", want)
		}
	}

	_, err = generate(t, qbdListSpec("gizmos"))
	if err == nil {
		t.Fatal("generation succeeded for a followable resource with no deletion type")
	}
	for _, want := range []string{"GET /quickbooks-desktop/gizmos (qbd.gizmos.list)", "no deletion type", "internal/apispec/deleted.go"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
}
