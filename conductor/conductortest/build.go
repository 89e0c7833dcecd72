package conductortest

import (
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// builder makes objects as the API returns them from what a request gives,
// for any schema of the spec: every property a request gives is kept
// (nested objects and lists built in turn), an id given for a reference
// (customerId) becomes the reference object the answer holds (customer:
// {id, fullName}), and every other required property gets the value
// QuickBooks would give an empty field: null where the spec allows it,
// else an empty value of its type ("0.00" for an amount, today for a
// date). So every object validates against its schema, whatever the
// resource.
type builder struct {
	now time.Time
	// name returns what a reference to the object with this id shows as
	// fullName, and whether there is such an object.
	name func(id string) (string, bool)
	// newID returns an id for an object or line that has none;
	// newNumber, for the few whose id is a number (a note's).
	newID     func() string
	newNumber func() int64

	// path is the field being built (lines, 0, amount), for failed.
	path []string
	// failed is the first reason what was given cannot be kept as
	// QuickBooks would keep it (a decimal string not in its field's
	// format, an amount out of range), naming the field; "" if none.
	failed string
}

// fail records why a field cannot be kept, unless an earlier one failed:
// the field being built, or its property name if name is not "".
func (b *builder) fail(name, why string) {
	if b.failed != "" {
		return
	}
	path := slices.Clone(b.path)
	if name != "" {
		path = append(path, name)
	}
	b.failed = fieldName(path) + ": " + why
}

// at builds the field name of the object being built with build.
func (b *builder) at(name string, build func() any) any {
	b.path = append(b.path, name)
	defer func() { b.path = b.path[:len(b.path)-1] }()
	return build()
}

// object builds an object of schema from input, which may be nil.
func (b *builder) object(schema *openapi3.Schema, input map[string]any) map[string]any {
	out := map[string]any{}
	required := map[string]bool{}
	for _, r := range schema.Required {
		required[r] = true
	}
	for _, name := range slices.Sorted(maps.Keys(schema.Properties)) {
		prop := schema.Properties[name]
		if v, ok := input[name]; ok {
			out[name] = b.at(name, func() any { return b.value(prop, name, v) })
			continue
		}
		if id, ok := input[name+"Id"].(string); ok && isReference(prop) {
			out[name] = b.reference(id)
			continue
		}
		if required[name] {
			out[name] = b.zero(prop, name)
		}
	}
	b.derive(schema, input, out)
	return out
}

// derive fills what QuickBooks computes: a full name from a name and its
// parent, a line's amount from quantity and rate, a transaction's totals
// from its lines. An amount computed past what the spec's format for an
// amount allows is refused, as QuickBooks refuses one beyond its limits.
func (b *builder) derive(schema *openapi3.Schema, input, out map[string]any) {
	has := func(name string) bool { _, ok := schema.Properties[name]; return ok }
	if name, ok := input["name"].(string); ok && has("fullName") && input["fullName"] == nil {
		full := name
		if parentID, ok := input["parentId"].(string); ok {
			if parent, ok := b.name(parentID); ok {
				full = parent + ":" + name
			}
		}
		out["fullName"] = full
	}
	if has("amount") && input["amount"] == nil {
		q, qok := parseDecimal(input["quantity"])
		r, rok := parseDecimal(input["rate"])
		if qok && rok {
			if amount, ok := amountFormat.write(q.Mul(q, r)); ok {
				out["amount"] = amount
			} else {
				b.fail("amount", fmt.Sprintf("the computed amount (quantity times rate) is out of range; an amount has at most %d digits before the point.", amountFormat.whole))
			}
		}
	}
	var lines []any
	for _, list := range lineLists {
		l, _ := out[list].([]any)
		lines = append(lines, l...)
	}
	if len(lines) > 0 {
		sum := new(big.Rat)
		for _, l := range lines {
			if line, ok := l.(map[string]any); ok {
				if a, ok := parseDecimal(line["amount"]); ok {
					sum.Add(sum, a)
				}
			}
		}
		amount, fits := amountFormat.write(sum)
		for _, total := range totals {
			if has(total) && input[total] == nil {
				if !fits {
					b.fail(total, fmt.Sprintf("the sum of the lines' amounts is out of range; an amount has at most %d digits before the point.", amountFormat.whole))
					break
				}
				out[total] = amount
			}
		}
	}
	// A transaction is paid when nothing is left to pay (derivePaid); an
	// isPaid given that says otherwise (a fixture's) is refused.
	if has("isPaid") {
		given := input["isPaid"]
		derivePaid(out)
		if given != nil && out["isPaid"] != nil && given != out["isPaid"] {
			b.fail("isPaid", fmt.Sprintf("is %v, but what is left to pay (balanceRemaining, openAmount or amountDue) says %v: QuickBooks keeps isPaid true exactly when nothing is left to pay.", given, out["isPaid"]))
		}
	}
}

// value builds a property from what the request gave for it.
func (b *builder) value(ref *openapi3.SchemaRef, name string, v any) any {
	schema, _ := nonNull(ref)
	if schema == nil || v == nil {
		return v
	}
	if !fits(ref.Value, v) {
		// A field a request gives in another shape than the answer holds
		// it: QuickBooks keeps the value of a barcode sent as {value,
		// allowOverride, assignEvenIfUsed}.
		m, _ := v.(map[string]any)
		if s, ok := m["value"].(string); ok && schema.Type.Is("string") {
			return s
		}
		return b.zero(ref, name)
	}
	switch v := v.(type) {
	case map[string]any:
		if isObject(schema) && len(schema.Properties) > 0 {
			return b.object(schema, v)
		}
	case []any:
		if schema.Type.Is("array") && schema.Items != nil {
			out := make([]any, len(v))
			for i, item := range v {
				out[i] = b.at(strconv.Itoa(i), func() any { return b.value(schema.Items, name, item) })
			}
			return out
		}
	case string:
		// A decimal string is kept in the form QuickBooks writes it.
		if f, ok := fieldFormat(name, ref); ok {
			s, ok := f.canonical(v)
			if !ok {
				b.fail("", fmt.Sprintf("must be %s.", f))
				return v
			}
			return s
		}
	}
	return v
}

// zero is what a required property holds when the request gives nothing.
func (b *builder) zero(ref *openapi3.SchemaRef, name string) any {
	schema, nullable := nonNull(ref)
	switch {
	case schema == nil:
		return nil
	case schema.Const != nil:
		return schema.Const
	case name == "id" && schema.Type.Is("string"):
		return b.newID()
	case name == "id" && (schema.Type.Is("integer") || schema.Type.Is("number")):
		return b.newNumber()
	case nullable:
		return nil
	case len(schema.Enum) > 0:
		return schema.Enum[0]
	case isObject(schema):
		return b.object(schema, nil)
	case schema.Type.Is("array"):
		return []any{}
	case schema.Type.Is("boolean"):
		return name == "isActive"
	case schema.Type.Is("integer"), schema.Type.Is("number"):
		return 0
	case schema.Format == "date":
		return b.now.Format(time.DateOnly)
	case isDateTime(ref):
		return b.now.Format(time.RFC3339)
	case strings.Contains(ref.Value.Description, "decimal string") || strings.Contains(schema.Description, "decimal string"):
		return "0.00"
	case name == "revisionNumber":
		return "0"
	}
	return ""
}

// reference is what an answer holds for the object id refers to: its
// fullName if the end-user has it (a create or update naming one it does
// not have is refused first, badReferenceIn; fixtures may).
func (b *builder) reference(id string) map[string]any {
	ref := map[string]any{"id": id, "fullName": nil}
	if full, ok := b.name(id); ok {
		ref["fullName"] = full
	}
	return ref
}

// nonNull unwraps anyOf [X, {type: null}] to X and says whether null was
// one of the choices.
func nonNull(ref *openapi3.SchemaRef) (*openapi3.Schema, bool) {
	if ref == nil || ref.Value == nil {
		return nil, false
	}
	s := ref.Value
	if len(s.AnyOf) == 0 {
		return s, s.Type.Includes("null")
	}
	var found *openapi3.Schema
	nullable := false
	for _, alt := range s.AnyOf {
		switch {
		case alt.Value == nil:
		case alt.Value.Type.Is("null"):
			nullable = true
		case found == nil:
			found = alt.Value
		}
	}
	return found, nullable
}

// fits says whether v, decoded from JSON, has the type schema gives, or
// one of the types of its anyOf.
func fits(schema *openapi3.Schema, v any) bool {
	if len(schema.AnyOf) > 0 {
		return slices.ContainsFunc(schema.AnyOf, func(alt *openapi3.SchemaRef) bool { return alt.Value != nil && fits(alt.Value, v) })
	}
	switch v.(type) {
	case map[string]any:
		return schema.Type == nil || isObject(schema)
	case []any:
		return schema.Type == nil || schema.Type.Is("array")
	case string:
		return schema.Type == nil || schema.Type.Is("string")
	case float64:
		return schema.Type == nil || schema.Type.Is("number") || schema.Type.Is("integer")
	case bool:
		return schema.Type == nil || schema.Type.Is("boolean")
	}
	return true
}

func isObject(s *openapi3.Schema) bool { return s.Type.Is("object") || len(s.Properties) > 0 }

// isReference says whether a property holds a reference to another
// object: {id, fullName}.
func isReference(ref *openapi3.SchemaRef) bool {
	s, _ := nonNull(ref)
	if s == nil || len(s.Properties) != 2 {
		return false
	}
	_, id := s.Properties["id"]
	_, full := s.Properties["fullName"]
	return id && full
}

// isDateTime is the spec's way of marking a timestamp: a property whose
// description starts "The date and time".
func isDateTime(ref *openapi3.SchemaRef) bool {
	return strings.HasPrefix(ref.Value.Description, "The date and time")
}

// totals are the amounts of a transaction that QuickBooks sums from its
// lines: those of lineLists (a bill's amountDue "equals the sum of the
// amounts in the bill's expense lines, item lines", the spec says).
var totals = []string{"subtotal", "totalAmount", "balanceRemaining", "openAmount", "amountDue", "amount"}

// lineLists are the lists of a transaction's lines whose amounts make its
// totals.
var lineLists = []string{"lines", "expenseLines", "itemLines"}
