package conductortest

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Amounts, rates and prices are decimal strings in the API, and the fake
// does its arithmetic on them exactly, as QuickBooks keeps them: a float64
// would take "NaN", "Infinity" or "0x1p4" for numbers and lose cents past
// fifteen digits.

// decimalFormat is what the spec allows in a decimal string: at most
// whole digits before the point and frac after it, or with exactFrac
// either none or exactly frac. It is also the form the fake writes one
// in, as QuickBooks does: no leading zeros, no negative zero, and frac
// decimals, or with !exactFrac two to frac.
type decimalFormat struct {
	whole, frac int
	exactFrac   bool
}

var (
	// amountFormat is an amount's: "exactly 2 decimal places when cents
	// are included and up to 13 digits before the decimal point".
	amountFormat = decimalFormat{13, 2, true}
	// rateFormat is a rate's, a cost's or a percentage's: "up to 5
	// decimal places and up to 10 digits before the decimal point".
	rateFormat = decimalFormat{10, 5, false}
	// otherFormat is for the decimal strings whose description states no
	// format (a price, a credit limit): the larger bound of each part.
	otherFormat = decimalFormat{13, 5, false}
)

// decimalFormatOf says whether a string the schema describes is a decimal
// string, and in which format. The spec says so only in words, in the
// description of the property (which a nullable one carries on its
// anyOf) or of the schema itself.
func decimalFormatOf(descriptions ...string) (decimalFormat, bool) {
	d := strings.ToLower(strings.Join(descriptions, " "))
	switch {
	case !strings.Contains(d, "decimal string"):
		return decimalFormat{}, false
	case strings.Contains(d, "exactly 2 decimal places"):
		return amountFormat, true
	case strings.Contains(d, "up to 5 decimal places"):
		return rateFormat, true
	}
	return otherFormat, true
}

// isDecimalString is decimalFormatOf for a property's schema.
func isDecimalString(ref *openapi3.SchemaRef) (decimalFormat, bool) {
	schema, _ := nonNull(ref)
	if schema == nil || !schema.Type.Is("string") {
		return decimalFormat{}, false
	}
	return decimalFormatOf(ref.Value.Description, schema.Description)
}

// allows says whether s is a plain decimal number in format f: an optional
// minus sign, digits, and optionally a point and more digits. No exponent,
// no "+", no spaces, no NaN or Infinity.
func (f decimalFormat) allows(s string) bool {
	whole, frac, hasPoint := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	return allDigits(whole, f.whole) && (!hasPoint || allDigits(frac, f.frac) && (!f.exactFrac || len(frac) == f.frac))
}

// String is what a refusal says is allowed.
func (f decimalFormat) String() string {
	if f.exactFrac {
		return fmt.Sprintf("a decimal number as a string, with up to %d digits before the point and, if it has cents, exactly %d after it, and no exponent, such as \"-1234.50\"", f.whole, f.frac)
	}
	return fmt.Sprintf("a decimal number as a string, with up to %d digits before the point and up to %d after it and no exponent, such as \"-1234.50\"", f.whole, f.frac)
}

// write writes r in f's form, rounded half away from zero to f.frac
// decimals, and says whether it has at most f.whole digits before the
// point.
func (f decimalFormat) write(r *big.Rat) (string, bool) {
	s := r.FloatString(f.frac)
	if !f.exactFrac {
		s = strings.TrimRight(s, "0")
		if i := strings.IndexByte(s, '.'); len(s)-i-1 < 2 {
			s += strings.Repeat("0", 2-(len(s)-i-1))
		}
	}
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	whole, _, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	return s, len(whole) <= f.whole
}

// allDigits says whether s is 1 to most ASCII digits.
func allDigits(s string, most int) bool {
	if len(s) == 0 || len(s) > most {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// maxDecimalLen bounds the decimals the fake does arithmetic on: what a
// request may send is far shorter, and every finite float64 written out
// in full is shorter too.
const maxDecimalLen = 400

// parseDecimal reads an amount as an object holds it, exactly: a decimal
// string, or a quantity, which is a JSON number, as the shortest decimal
// that reads back as that number (2.1 is 2.1, not 2.100000000000000088...).
func parseDecimal(v any) (*big.Rat, bool) {
	var s string
	switch v := v.(type) {
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, false
		}
		s = strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		s = strconv.Itoa(v)
	case string:
		s = v
	default:
		return nil, false
	}
	if !(decimalFormat{whole: maxDecimalLen, frac: maxDecimalLen}).allows(s) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// canonical checks a decimal string given for a field of format f, as a
// request's is checked, and writes it in f's form.
func (f decimalFormat) canonical(s string) (string, bool) {
	if !f.allows(s) {
		return "", false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return "", false
	}
	return f.write(r)
}

// fieldFormat is the format of the decimal strings of a property of an
// object the fake answers with, or false if the property holds none. The
// answers' schemas state no format, so it is the one the request bodies
// give a property of that name; for the properties only answers have (a
// subtotal, a balance), an amount's if the name says it is one.
func fieldFormat(name string, ref *openapi3.SchemaRef) (decimalFormat, bool) {
	f, ok := isDecimalString(ref)
	if !ok || f != otherFormat {
		return f, ok
	}
	if f, ok := requestFormats()[name]; ok {
		return f, true
	}
	lower := strings.ToLower(name)
	for _, word := range []string{"amount", "balance", "total", "remaining", "due"} {
		if strings.Contains(lower, word) {
			return amountFormat, true
		}
	}
	return otherFormat, true
}

// requestFormats is the format of each decimal property the request bodies
// of the spec have, by name; no name has two.
func requestFormats() map[string]decimalFormat {
	a, err := loadAPI()
	if err != nil {
		return nil
	}
	return a.decimals
}
