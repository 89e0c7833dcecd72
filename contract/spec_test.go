//go:build contract

package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/util"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"go.yaml.in/yaml/v3"
)

// specPath is the document the client was generated from.
var specPath = filepath.Join("..", "openapi.yaml")

// overlayPath is the overlay the client was generated with.
var overlayPath = filepath.Join("..", "gen", "overlay.yaml")

// contractSpec is the document both servers are held to: openapi.yaml as
// the client sees it, that is with gen/overlay.yaml applied, less the
// overlay's removal of the Conductor-End-User-Id parameter, plus the one
// reading of the spec the facade makes by hand (pageCounts).
//
// Why the overlay: openapi.yaml gives the timestamps ("The date and time
// ...") neither an example nor `format: date-time`, so Prism's dynamic mode
// invents words such as "culpa in ad" for them, which no Conductor response
// holds and the client, whose fields the overlay made time.Time, rightly
// refuses. The overlay adds the format, so Prism invents timestamps and
// the responses are checked against the types the client decodes into.
// Its operationIds and type names change nothing a server does.
//
// Why not its removal: the overlay takes the end-user header out of the
// generated client only because the facade sets it from its endUserID
// argument; requests still carry it, and with the parameter kept Prism
// still refuses a QuickBooks Desktop request without it.
type contractSpec struct {
	// path is the document as JSON, for Prism.
	path string
	doc  *openapi3.T
	// ops are the operations, named by internal/apispec as the facade's
	// methods are.
	ops []apispec.Operation
}

// theSpec builds the contract spec once for every test: applying the
// overlay to the 4 MB document takes 2 s, and 13 s under -race.
func theSpec(t *testing.T) *contractSpec {
	t.Helper()
	s, err := loadContractSpec()
	if err != nil {
		t.Fatalf("the contract spec: %v", err)
	}
	return s
}

var loadContractSpec = sync.OnceValues(func() (*contractSpec, error) {
	// The names, from openapi.yaml as the facade's are, on the other core
	// while the overlay is applied: each takes seconds under -race.
	type named struct {
		ops []apispec.Operation
		err error
	}
	names := make(chan named, 1)
	go func() {
		ops, err := operations()
		names <- named{ops, err}
	}()
	doc, path, err := applyOverlay()
	n := <-names
	if err != nil {
		return nil, err
	}
	if n.err != nil {
		return nil, n.err
	}
	for _, o := range n.ops {
		if doc.Paths.Find(o.Path).GetOperation(o.Method) == nil {
			return nil, fmt.Errorf("apispec names %s %s, which the contract spec does not have", o.Method, o.Path)
		}
	}
	return &contractSpec{path: path, doc: doc, ops: n.ops}, nil
})

// operations are openapi.yaml's operations, named by internal/apispec.
func operations() ([]apispec.Operation, error) {
	raw, err := os.ReadFile(specPath)
	if err != nil {
		return nil, err
	}
	s, err := apispec.Parse(raw)
	if err != nil {
		return nil, err
	}
	return s.Operations()
}

// applyOverlay applies contractOverlay to openapi.yaml and writes the
// result, as JSON, to workDir for Prism.
func applyOverlay() (*openapi3.T, string, error) {
	overlay, err := contractOverlay()
	if err != nil {
		return nil, "", err
	}
	overlayFile := filepath.Join(workDir, "overlay.yaml")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		return nil, "", err
	}
	// The loader oapi-codegen generates the client with, pinned in go.mod,
	// applying the overlay as oapi-codegen.yaml says: strictly, so that a
	// target that matches nothing fails here as it fails generation. No
	// remote reference is followed: openapi.yaml has none.
	doc, err := util.LoadSwaggerWithOverlay(specPath, util.LoadSwaggerWithOverlayOpts{Path: overlayFile, Strict: true, AllowRemoteRefsFrom: []string{}})
	if err != nil {
		return nil, "", err
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, "", err
	}
	path := filepath.Join(workDir, "openapi.json")
	return doc, path, os.WriteFile(path, data, 0o644)
}

// pageCounts is the facade's reading of a list's remainingCount: the
// spec says `number`, but it is a count of objects, and Page.RemainingCount
// is an int, as the API sends it. Unread, Prism's dynamic mode sends
// counts such as -66924034.28 and no list page decodes. The action is in
// the overlay's own terms, so that it fails, strictly, when the spec
// stops matching it.
const pageCounts = `
target: $.paths.*.get.responses['200'].content['application/json'].schema.properties.remainingCount.anyOf[?@.type == 'number']
update:
  type: integer
`

// contractOverlay is gen/overlay.yaml without its removal of the end-user
// header parameter, and with pageCounts.
func contractOverlay() ([]byte, error) {
	raw, err := os.ReadFile(overlayPath)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	actions := mappingValue(doc.Content[0], "actions")
	if actions == nil {
		return nil, fmt.Errorf("%s has no actions", overlayPath)
	}
	kept := actions.Content[:0]
	for _, a := range actions.Content {
		target := mappingValue(a, "target")
		remove := mappingValue(a, "remove")
		if remove != nil && remove.Value == "true" && target != nil && strings.Contains(target.Value, apispec.EndUserHeader) {
			continue
		}
		kept = append(kept, a)
	}
	var counts yaml.Node
	if err := yaml.Unmarshal([]byte(pageCounts), &counts); err != nil {
		return nil, err
	}
	actions.Content = append(kept, counts.Content[0])
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return out.Bytes(), enc.Close()
}

// mappingValue is the value of key in a YAML mapping, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// operation is o's operation in the document.
func (s *contractSpec) operation(o apispec.Operation) *openapi3.Operation {
	return s.doc.Paths.Find(o.Path).GetOperation(o.Method)
}

// checkResponse validates a 200 body of o against the schema the document
// gives it, formats included: what the client decodes into, and what the
// fake must answer with. nil means it conforms.
func (s *contractSpec) checkResponse(o apispec.Operation, body []byte) error {
	r := s.operation(o).Responses.Status(200)
	if r == nil || r.Value == nil || r.Value.Content.Get("application/json") == nil {
		return fmt.Errorf("%s %s documents no JSON 200 answer", o.Method, o.Path)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("the answer is not JSON: %v", err)
	}
	schema := r.Value.Content.Get("application/json").Schema.Value
	if err := schema.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.EnableFormatValidation(), openapi3.MultiErrors()); err != nil {
		return schemaErrors(err)
	}
	return nil
}

// schemaErrors lists what kin-openapi found wrong, each as the place in
// the value and the reason, without the schema it quotes at length.
func schemaErrors(err error) error {
	var lines []string
	var walk func(error)
	walk = func(err error) {
		var multi openapi3.MultiError
		var serr *openapi3.SchemaError
		switch {
		case errors.As(err, &multi):
			for _, e := range multi {
				walk(e)
			}
		case errors.As(err, &serr):
			lines = append(lines, "/"+strings.Join(serr.JSONPointer(), "/")+": "+serr.Reason)
		default:
			lines = append(lines, err.Error())
		}
	}
	walk(err)
	return errors.New(strings.Join(lines, "; "))
}
