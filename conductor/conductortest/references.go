package conductortest

import (
	"fmt"
	"strings"
	"unicode"
)

// qbdInvalidReference is QuickBooks Desktop's status code for a request
// naming an object the company file does not have ("There is an invalid
// reference to QuickBooks Customer "..." in the Invoice", statusCode 3140
// in the qbXML SDK's reference of status codes). Conductor passes
// QuickBooks' refusals on as INTEGRATION_ERROR / QBD_REQUEST_ERROR with
// QuickBooks' code in integrationCode (the reference notes on the API: "an
// id that does not exist in the company file").
const qbdInvalidReference = "3140"

// badReference is a reference, in a create or update, to an object the
// end-user does not have.
type badReference struct {
	field string // where in the body: lines.0.itemId
	name  string // the reference property: item
	id    string
}

// refusal is QuickBooks' answer to a request in the object model (the
// spec's name for it: Invoice) that makes the bad reference.
func (r *badReference) refusal(model string) *Error {
	what := qbdObjectName(r.name)
	return &Error{Type: "INTEGRATION_ERROR", Code: "QBD_REQUEST_ERROR", IntegrationCode: qbdInvalidReference,
		Message: fmt.Sprintf("There is an invalid reference to QuickBooks %s %q in the %s (%s): QuickBooks Desktop has no such object. Use the id of an existing %s.",
			what, r.id, model, r.field, strings.ToLower(what)),
		UserFacingMessage: fmt.Sprintf("The %s this refers to was not found in QuickBooks Desktop.", strings.ToLower(what))}
}

// refersTo is which resources a reference property (customer, for a
// body's customerId; depositToAccount) may name an object of, and
// whether the fake checks it: a reference's schema is only {id,
// fullName}, so the kind comes from its name, as the spec's descriptions
// of them say ("The customer or customer-job", "The account where the
// funds ... will be deposited"). The exact name is looked up first, then
// its last word (depositToAccount: account). A reference not in the
// table (a parent, whose kind is the object's own; a customer message,
// a job type, kinds of object the fake has no resource for) is not
// checked. TestReferenceKindsAreTheSpecs checks the table against the
// spec.
func refersTo(name string) ([]string, bool) {
	r, ok := referenceKinds[kindName(name)]
	return r, ok && r != nil
}

// kindName is the name refersTo looks a reference property up by: the
// name itself if the table has it, else its last word.
func kindName(name string) string {
	if _, ok := referenceKinds[name]; ok {
		return name
	}
	for i := len(name) - 1; i > 0; i-- {
		if unicode.IsUpper(rune(name[i])) {
			return strings.ToLower(name[i:i+1]) + name[i+1:]
		}
	}
	return name
}

// items are the resources a line's item may be of.
var items = []string{"serviceItems", "nonInventoryItems", "otherChargeItems", "inventoryItems", "inventoryAssemblyItems",
	"discountItems", "subtotalItems", "salesTaxItems", "salesTaxGroupItems", "itemGroups"}

// entities are the names a transaction's entity or payee may be.
var entities = []string{"customers", "vendors", "employees", "otherNames"}

var referenceKinds = map[string][]string{
	"account":               {"accounts"},
	"customer":              {"customers"},
	"vendor":                {"vendors"},
	"class":                 {"classes"},
	"item":                  items,
	"serviceItem":           {"serviceItems"},
	"inventoryItem":         {"inventoryItems"},
	"inventoryAssemblyItem": {"inventoryAssemblyItems"},
	"itemGroup":             {"itemGroups"},
	"salesTaxItem":          {"salesTaxItems", "salesTaxGroupItems"},
	"payrollWageItem":       {"payrollWageItems"},
	"entity":                entities,
	"payee":                 entities,
	"supervisor":            {"employees"},
	"salesRepresentative":   {"salesRepresentatives"},
	"terms":                 {"standardTerms", "dateDrivenTerms"},
	"currency":              {"currencies"},
	"customerType":          {"customerTypes"},
	"paymentMethod":         {"paymentMethods"},
	"shippingMethod":        {"shippingMethods"},
	"priceLevel":            {"priceLevels"},
	"salesTaxCode":          {"salesTaxCodes"},
	"purchaseTaxCode":       {"salesTaxCodes"},
	"inventorySite":         {"inventorySites"},
	"unitOfMeasureSet":      {"unitOfMeasureSets"},
	"documentTemplate":      {"templates"},
	// Not checked: the kind is the object's own, or one the fake has no
	// resource for.
	"parent": nil,
}

// qbdObjectName is how QuickBooks names the kind of object a reference
// property refers to in its message: Customer (customer), Account
// (depositToAccount), Item.
func qbdObjectName(name string) string {
	k := kindName(name)
	return strings.ToUpper(k[:1]) + k[1:]
}

// refExists says whether the end-user has an object with id in one of
// resources, or in any resource if resources is nil.
func (s *Server) refExists(eu *endUser, id string, resources []string) bool {
	if resources == nil {
		_, ok := s.state.findName(eu, id)
		return ok
	}
	for _, r := range resources {
		if c := eu.objects[qbdKey(r)]; c != nil && c.find(id) != nil {
			return true
		}
	}
	return false
}
