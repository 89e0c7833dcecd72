package conductortest_test

import (
	"fmt"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// newCustomer creates a customer for endUser and returns its id, for
// transactions to name: the fake refuses a reference to a customer the
// end-user does not have, as QuickBooks does.
func newCustomer(t *testing.T, srv *conductortest.Server, endUser string) string {
	t.Helper()
	v := decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/customers", qbdHeader(srv, endUser), fmt.Sprintf(`{"name": %q}`, "Globex")))
	return v["id"].(string)
}
