package conductor

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
)

const specPath = "../openapi.yaml"

func TestEveryOperationIsDecided(t *testing.T) {
	doc := loadSpec(t)
	for _, p := range undecidedOperations(doc, wrappedOperations, unwrappedOperations) {
		t.Error(p)
	}
}

// TestUndecidedOperationsAreNamed proves the check above can fail: a new
// operation, a stale entry, an entry in both lists and a method that does
// not exist are each reported with what to do.
func TestUndecidedOperationsAreNamed(t *testing.T) {
	doc := loadSpec(t)
	doc.AddOperation("/end-users", "GET", &openapi3.Operation{OperationID: "endUsers.list", Responses: openapi3.NewResponses()})
	wrapped := map[string]string{
		"POST /auth-sessions": "AuthSessions.Create",
		"DELETE /end-users":   "EndUsers.Delete",
	}
	unwrapped := map[string]string{"POST /auth-sessions": "reached through Gen"}
	got := undecidedOperations(doc, wrapped, unwrapped)
	want := []string{
		"DELETE /end-users is listed in conductor/operations.go but openapi.yaml has no such operation: remove it from wrappedOperations",
		"GET /end-users (operationId endUsers.list) is in openapi.yaml but neither wrapped nor listed: wrap it in a facade method and add it to wrappedOperations in conductor/operations.go, or add it to unwrappedOperations there with the reason callers must use client.Gen()",
		"POST /auth-sessions is in both wrappedOperations and unwrappedOperations in conductor/operations.go: keep one",
		`wrappedOperations says DELETE /end-users is wrapped by EndUsers.Delete, but Client has no field "EndUsers"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("undecidedOperations (-want +got):\n%s", diff)
	}
}

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(specPath)
	if err != nil {
		t.Fatalf("loading %s: %v", specPath, err)
	}
	return doc
}

// undecidedOperations returns, sorted, one message per problem: an
// operation of doc in neither list, a listed operation doc lacks, an
// operation in both lists, and a wrapping method that does not exist.
func undecidedOperations(doc *openapi3.T, wrapped, unwrapped map[string]string) []string {
	var problems []string
	inSpec := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := strings.ToUpper(method) + " " + path
			inSpec[key] = true
			_, w := wrapped[key]
			_, u := unwrapped[key]
			switch {
			case w && u:
				problems = append(problems, key+" is in both wrappedOperations and unwrappedOperations in conductor/operations.go: keep one")
			case !w && !u:
				name := key
				if op.OperationID != "" {
					name += " (operationId " + op.OperationID + ")"
				}
				problems = append(problems, name+" is in openapi.yaml but neither wrapped nor listed: wrap it in a facade method and add it to wrappedOperations in conductor/operations.go, or add it to unwrappedOperations there with the reason callers must use client.Gen()")
			}
		}
	}
	for list, m := range map[string]map[string]string{"wrappedOperations": wrapped, "unwrappedOperations": unwrapped} {
		for key := range m {
			if !inSpec[key] {
				problems = append(problems, fmt.Sprintf("%s is listed in conductor/operations.go but openapi.yaml has no such operation: remove it from %s", key, list))
			}
		}
	}
	for key, method := range wrapped {
		if err := checkMethod(method); err != nil {
			problems = append(problems, fmt.Sprintf("wrappedOperations says %s is wrapped by %s, but %v", key, method, err))
		}
	}
	slices.Sort(problems)
	return problems
}

// checkMethod checks that "Service.Method" names an exported field of
// Client whose type has that method.
func checkMethod(name string) error {
	service, method, ok := strings.Cut(name, ".")
	if !ok {
		return fmt.Errorf("%q is not Service.Method", name)
	}
	f, ok := reflect.TypeFor[Client]().FieldByName(service)
	if !ok || !f.IsExported() {
		return fmt.Errorf("Client has no field %q", service)
	}
	if _, ok := f.Type.MethodByName(method); !ok {
		return fmt.Errorf("%s has no method %q", f.Type, method)
	}
	return nil
}
