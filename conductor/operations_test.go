package conductor_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"github.com/seed-6dcb809e/conductor-go/internal/facade"
)

const specPath = "../openapi.yaml"

// TestEveryOperationIsWrapped holds the facade to openapi.yaml: every
// operation has its method where internal/apispec names it
// (qbd.invoices.list is client.QBD.Invoices.List), taking what the
// operation implies, or the test fails naming the operation and the method
// it lacks.
func TestEveryOperationIsWrapped(t *testing.T) {
	spec, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	missing, n := unwrapped(t, spec)
	for _, m := range missing {
		t.Error(m)
	}
	if n < 262 {
		t.Errorf("openapi.yaml has %d operations; Conductor's spec has 262", n)
	}
}

// TestAnUnwrappedOperationIsNamed proves that the check above can fail: an
// operation added to the spec, which the facade cannot yet have, is named.
func TestAnUnwrappedOperationIsNamed(t *testing.T) {
	spec, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	extra := strings.Replace(string(spec), "\npaths:\n", `
paths:
  /quickbooks-desktop/invoices/{id}/email:
    post:
      summary: Email an invoice
      responses:
        "200":
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/qbd_invoice"
`, 1)
	missing, _ := unwrapped(t, []byte(extra))
	want := "POST /quickbooks-desktop/invoices/{id}/email (qbd.invoices.email) has no facade method client.QBD.Invoices.Email"
	if len(missing) != 1 || !strings.HasPrefix(missing[0], want) {
		t.Errorf("unwrapped operations = %q; want one starting %q", missing, want)
	}
}

// unwrapped returns a message for each operation of spec without its
// facade method, and the number of operations.
func unwrapped(t *testing.T, spec []byte) ([]string, int) {
	t.Helper()
	s, err := apispec.Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	ops, err := s.Operations()
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, o := range ops {
		if _, err := facade.Find(o, o.GoMethod()); err != nil {
			missing = append(missing, fmt.Sprintf("%v: run `make generate`, or write it by hand if its service is hand-written", err))
		}
	}
	return missing, len(ops)
}
