package conductor

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The rules of rules.gen.go check a request's body or query parameters
// against what the spec states, with the primitives of this file: one
// generated function per type of the request (checkInvoiceCreateParams,
// checkInvoiceCreateParamsLine, ...), one line per rule of a field.
//
// A valid request costs no allocation: a path lives on the stack of the
// function that descends into a field, and only a problem is spelt out.

// checker collects the problems of one request, in the order found.
type checker struct {
	fields []FieldError
}

// add records a problem with the field name of the value at.
func (c *checker) add(at *path, name, reason string) {
	c.fields = append(c.fields, FieldError{Field: at.join(name), Reason: reason})
}

// err is the ValidationError of the problems found, or nil.
func (c *checker) err() error {
	if len(c.fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: c.fields}
}

// A path is where a value sits in the request: the field name of the
// object up (nil for the body or the query itself), and the index of an
// element when name is a list's.
type path struct {
	up    *path
	name  string
	index int // -1 for a field
}

// field is the path of the object in the field name of the object at.
func field(at *path, name string) path { return path{up: at, name: name, index: -1} }

// element is the path of the i-th element of the list in the field name
// of the object at.
func element(at *path, name string, i int) path { return path{up: at, name: name, index: i} }

// join is the JSON path of the field name of the object at p, such as
// lines[2].quantity, or of p itself when name is "" (lines[2]).
func (p *path) join(name string) string {
	var b strings.Builder
	p.write(&b)
	if b.Len() > 0 && name != "" {
		b.WriteByte('.')
	}
	b.WriteString(name)
	return b.String()
}

func (p *path) write(b *strings.Builder) {
	if p == nil {
		return
	}
	p.up.write(b)
	if b.Len() > 0 {
		b.WriteByte('.')
	}
	b.WriteString(p.name)
	if p.index >= 0 {
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(p.index))
		b.WriteByte(']')
	}
}

// required refuses a required field left unset: in Go an unset required
// field and an empty one are the same value, and Conductor reads an empty
// id or reference as none.
func (c *checker) required(at *path, name string, unset bool) {
	if unset {
		c.add(at, name, "is required")
	}
}

// requiredList refuses a required list left nil, which would be sent as
// null.
func (c *checker) requiredList(at *path, name string, isNil bool) {
	if isNil {
		c.add(at, name, "is required: a list, not null")
	}
}

// maxLength refuses a string longer than max characters (Unicode code
// points, as JSON Schema counts them; how each QuickBooks edition counts
// a character outside its code page no test here can show).
func (c *checker) maxLength(at *path, name, s string, max int) {
	if len(s) > max { // fewer bytes than max cannot be more characters
		if n := utf8.RuneCountInString(s); n > max {
			c.add(at, name, fmt.Sprintf("must be at most %s; got %d", count(max, "character"), n))
		}
	}
}

// maxLengthIfSet is maxLength of an optional string.
func (c *checker) maxLengthIfSet(at *path, name string, s *string, max int) {
	if s != nil {
		c.maxLength(at, name, *s, max)
	}
}

// maxLengthEach is maxLength of each string of a list, named by its
// index (ids[3]).
func (c *checker) maxLengthEach(at *path, name string, list []string, max int) {
	for i, s := range list {
		if len(s) > max {
			p := element(at, name, i)
			c.maxLength(&p, "", s, max)
		}
	}
}

// A number is what the spec's minimum and maximum bound.
type number interface{ ~int | ~float64 }

// between refuses a number outside [min, max]; hasMin or hasMax false
// leaves that side open.
func between[N number](c *checker, at *path, name string, v N, min N, hasMin bool, max N, hasMax bool) {
	if (hasMin && v < min) || (hasMax && v > max) {
		c.add(at, name, "must be "+bounds(min, hasMin, max, hasMax)+"; got "+fmt.Sprint(v))
	}
}

// betweenIfSet is between of an optional number.
func betweenIfSet[N number](c *checker, at *path, name string, v *N, min N, hasMin bool, max N, hasMax bool) {
	if v != nil {
		between(c, at, name, *v, min, hasMin, max, hasMax)
	}
}

func bounds[N number](min N, hasMin bool, max N, hasMax bool) string {
	switch {
	case hasMin && hasMax:
		return fmt.Sprintf("from %v to %v", min, max)
	case hasMin:
		return fmt.Sprintf("at least %v", min)
	}
	return fmt.Sprintf("at most %v", max)
}

// oneOf refuses a value of an enum that is not one the spec allows
// there: valid is the enum type's Valid, or a function of rules.gen.go
// where the spec allows fewer values than the type has; allowed lists
// them for the message. The enum is not a pointer, so it is required,
// and an empty one is required's to report.
func oneOf[E ~string](c *checker, at *path, name string, v E, valid func(E) bool, allowed string) {
	if v != "" && !valid(v) {
		c.notOneOf(at, name, string(v), allowed)
	}
}

// oneOfIfSet is oneOf of an optional enum, where "" is a value to check.
func oneOfIfSet[E ~string](c *checker, at *path, name string, v *E, valid func(E) bool, allowed string) {
	if v != nil && !valid(*v) {
		c.notOneOf(at, name, string(*v), allowed)
	}
}

// oneOfEach is oneOf of each value of a list, named by its index.
func oneOfEach[E ~string](c *checker, at *path, name string, list []E, valid func(E) bool, allowed string) {
	for i, v := range list {
		if !valid(v) {
			p := element(at, name, i)
			c.notOneOf(&p, "", string(v), allowed)
		}
	}
}

func (c *checker) notOneOf(at *path, name, v, allowed string) {
	c.add(at, name, fmt.Sprintf("must be one of %s; got %q", allowed, v))
}

// properties refuses a free-form object (passthrough's body) of fewer
// than min properties.
func (c *checker) properties(at *path, name string, n, min int) {
	if n < min {
		c.add(at, name, fmt.Sprintf("must have at least %s; got %d", count(min, "property"), n))
	}
}

// items refuses a list of fewer than min or more than max elements; max
// < 0 leaves it open. A nil list is not sent (the overlay gives optional
// lists omitzero), so only a non-nil one is counted; a required list
// left nil is requiredList's to report, so nil is no way out of a
// required list's minimum, and its refusal does not offer it.
func (c *checker) items(at *path, name string, isNil, required bool, n, min, max int) {
	switch {
	case isNil:
	case n < min && required:
		c.add(at, name, fmt.Sprintf("must have at least %s; got %d", count(min, "item"), n))
	case n < min:
		c.add(at, name, fmt.Sprintf("must have at least %s; got %d (leave the list out to send none)", count(min, "item"), n))
	case max >= 0 && n > max:
		c.add(at, name, fmt.Sprintf("must have at most %s; got %d", count(max, "item"), n))
	}
}

// date refuses a date that cannot be written as YYYY-MM-DD.
func (c *checker) date(at *path, name string, d Date) {
	if y := d.Year(); y < 0 || y > 9999 {
		c.add(at, name, fmt.Sprintf("must be a date from 0000-01-01 to 9999-12-31; got year %d", y))
	}
}

// dateIfSet is date of an optional date.
func (c *checker) dateIfSet(at *path, name string, d *Date) {
	if d != nil {
		c.date(at, name, *d)
	}
}

// timestamp refuses a date and time of a body that encoding/json cannot
// write as RFC 3339, in its words.
func (c *checker) timestamp(at *path, name string, t time.Time) {
	_, offset := t.Zone()
	switch y := t.Year(); {
	case y < 0 || y > 9999:
		c.add(at, name, fmt.Sprintf("must be a time in the years 0000 to 9999; got year %d", y))
	case offset <= -24*60*60 || offset >= 24*60*60:
		c.add(at, name, fmt.Sprintf("must have an offset from UTC of less than 24 hours; got %s", time.Duration(offset)*time.Second))
	}
}

// timestampIfSet is timestamp of an optional date and time.
func (c *checker) timestampIfSet(at *path, name string, t *time.Time) {
	if t != nil {
		c.timestamp(at, name, *t)
	}
}

// dateTimeIfSet refuses a date and time that cannot be sent, in the
// words of DateTime's own refusal.
func (c *checker) dateTimeIfSet(at *path, name string, t *DateTime) {
	if t == nil {
		return
	}
	if _, err := t.MarshalText(); err != nil {
		c.add(at, name, err.Error())
	}
}

// count is n things, in the singular for one.
func count(n int, thing string) string {
	switch {
	case n == 1:
	case strings.HasSuffix(thing, "y"):
		thing = strings.TrimSuffix(thing, "y") + "ies"
	default:
		thing += "s"
	}
	return strconv.Itoa(n) + " " + thing
}
