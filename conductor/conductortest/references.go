package conductortest

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
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
			what, r.id, model, r.field, words(what)),
		UserFacingMessage: fmt.Sprintf("The %s this refers to was not found in QuickBooks Desktop.", words(what))}
}

// words writes a kind of object as words: UnitOfMeasureSet as "unit of
// measure set".
func words(kind string) string {
	var b strings.Builder
	for i, r := range kind {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// referenceField says what a field of a create or update body of
// resource (model: its model name, Customer) refers to, and false if the
// fake does not check it. A field is a reference when its name ends in
// Id (customerId, lines[].itemId) or Ids (a list: salesTaxItemIds); a
// reference's schema is only {id, fullName}, so its kind comes from its
// name, as the spec's descriptions of them say ("The customer or
// customer-job", "The account where the funds ... will be deposited"):
// the longest end of the name the table referenceKinds has
// (preferredPaymentMethodId: paymentMethod; depositToAccountId: account).
// A parent is of the object's own resource; a payment's transactionId,
// of what it pays (paidBy). Fields named in notReferences are not
// checked. TestEveryReferenceOfTheSpecIsChecked checks both tables
// against every create and update body of the spec.
func referenceField(resource, model, key string) (ref refField, checked bool) {
	base, list := strings.CutSuffix(key, "Ids")
	if !list {
		var isID bool
		if base, isID = strings.CutSuffix(key, "Id"); !isID {
			return refField{}, false
		}
	}
	if _, skip := notReferences[key]; skip {
		return refField{}, false
	}
	switch key {
	case "parentId":
		return refField{kind: model, resources: []string{resource}}, true
	case "transactionId":
		if link, ok := paidBy[resource]; ok {
			return refField{kind: link.model, resources: []string{link.target}}, true
		}
	}
	resources, ok := referenceKinds[kindName(base)]
	return refField{kind: base, resources: resources, list: list}, ok
}

// refField is what a reference field names: objects of kind (customer,
// depositToAccount: named in QuickBooks' message by kindName) in one of
// resources, or any of the end-user's objects if resources is nil; one
// id, or a list of them.
type refField struct {
	kind      string
	resources []string
	list      bool
}

// kindName is the name a reference property is looked up by in
// referenceKinds: the longest end of it, from a capital letter, the
// table has (overrideUnitOfMeasureSet: unitOfMeasureSet), else its last
// word; its first letter lower case.
func kindName(name string) string {
	last := name
	for i := 0; i < len(name); i++ {
		if i > 0 && !unicode.IsUpper(rune(name[i])) {
			continue
		}
		end := strings.ToLower(name[i:i+1]) + name[i+1:]
		if _, ok := referenceKinds[end]; ok {
			return end
		}
		last = end
	}
	return last
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
	// A transaction linked to, paid, refunded, deposited or a credit
	// applied (linkToTransactionIds, creditTransactionId,
	// paymentTransactionId): the fake checks that the end-user has an
	// object with the id, not its kind.
	"transaction": nil,
}

// notReferences are the fields named like references (…Id, …Ids) that
// the fake does not check, and why.
var notReferences = map[string]string{
	// Not ids of QuickBooks objects.
	"externalId":              "a GUID the integration chooses",
	"ownerId":                 "a custom field's owner: 0 or a GUID of the integration",
	"clientTransactionId":     "a card processor's",
	"creditCardTransactionId": "a card processor's",
	"reconBatchId":            "a card processor's",
	// Kinds of QuickBooks objects the fake holds no resource for.
	"inventorySiteLocationId": "a bin or shelf of an inventory site",
	"customerMessageId":       "customer messages",
	"jobTypeId":               "job types",
	"vendorTypeId":            "vendor types",
	"billingRateId":           "billing rates",
	"salesTaxReturnId":        "sales tax returns",
	"salesTaxReturnLineId":    "sales tax return lines",
	"taxLineId":               "account tax lines, named by a number the fake does not keep as an id",
	// A line of another transaction: the fake checks the transaction
	// (transactionId, paymentTransactionId), not its lines.
	"transactionLineId":        "a line of the linked transaction",
	"paymentTransactionLineId": "a line of the payment deposited",
}

// qbdObjectName is how QuickBooks names the kind of object a reference
// property refers to in its message: Customer (customer), Account
// (depositToAccount), Item.
func qbdObjectName(name string) string {
	k := kindName(name)
	if k == "" {
		return "object"
	}
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

// badReferenceIn is the first reference (referenceField) in a create or
// update body of resource to an object the end-user does not have,
// fields in the order of their names and lists in theirs; nil if none.
func (s *Server) badReferenceIn(eu *endUser, resource, model string, body map[string]any) *badReference {
	var walk func(v any, path []string) *badReference
	walk = func(v any, path []string) *badReference {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				at := append(slices.Clone(path), k)
				ref, checked := referenceField(resource, model, k)
				if !checked {
					if bad := walk(v[k], at); bad != nil {
						return bad
					}
					continue
				}
				ids := []any{v[k]}
				if ref.list {
					ids, _ = v[k].([]any)
				}
				for i, id := range ids {
					field := at
					if ref.list {
						field = append(slices.Clone(at), strconv.Itoa(i))
					}
					if id, ok := id.(string); ok && !s.refExists(eu, id, ref.resources) {
						return &badReference{field: fieldName(field), name: ref.kind, id: id}
					}
				}
			}
		case []any:
			for i, x := range v {
				if bad := walk(x, append(slices.Clone(path), strconv.Itoa(i))); bad != nil {
					return bad
				}
			}
		}
		return nil
	}
	return walk(body, nil)
}
