package main

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// paramFlag is the flag of one parameter of an operation, named after it
// in kebab-case and typed by its schema, so that a value the API would
// refuse for its type is refused here, saying what is allowed, before
// anything is sent. It implements flag.Value.
type paramFlag struct {
	flag  string // limit, customer-ids
	param specParam
	set   bool
	value any // what it was given, as the API's JSON has it: int64, float64, bool, string, []any
}

func newParamFlag(p specParam) *paramFlag {
	return &paramFlag{flag: kebab(p.Name), param: p}
}

// String is the value given, for package flag; "" when none.
func (f *paramFlag) String() string {
	if f == nil || !f.set {
		return ""
	}
	return fmt.Sprint(f.value)
}

// IsBoolFlag lets a boolean parameter be given as --include-line-items,
// or --include-line-items=false.
func (f *paramFlag) IsBoolFlag() bool { return f.param.Schema.Type == "boolean" }

// Set checks and keeps a value. An array parameter takes items separated
// by commas, and may be repeated to add more.
func (f *paramFlag) Set(s string) error {
	schema := f.param.Schema
	if s == "" {
		// The client refuses to send an empty query value, and would
		// name its Go field, which a command-line user cannot change.
		if f.param.Required || f.param.In == "path" {
			// Leaving it out is no way out.
			if len(schema.Enum) > 0 {
				return fmt.Errorf("an empty value, but the flag is required: want one of %s", enumList(schema.Enum))
			}
			return errors.New("an empty value, but the flag is required")
		}
		return errors.New("an empty value; leave the flag out not to use it")
	}
	if schema.Type != "array" {
		v, err := scalar(schema, s)
		if err != nil {
			return err
		}
		f.value, f.set = v, true
		return nil
	}
	item := specSchema{Type: "string"}
	if schema.Items != nil {
		item = *schema.Items
	}
	list, _ := f.value.([]any)
	for part := range strings.SplitSeq(s, ",") {
		switch {
		case part == "":
			return errors.New("an empty item; separate items with commas, or repeat the flag")
		case strings.TrimSpace(part) == "":
			// It would be sent as an id, a name, a value of its own.
			return errors.New("an item of only spaces; separate items with commas, or repeat the flag")
		}
		v, err := scalar(item, part)
		if err != nil {
			return fmt.Errorf("%q: %w", part, err)
		}
		list = append(list, v)
	}
	f.value, f.set = list, true
	return nil
}

// scalar parses s as a value of a schema that is not an array and returns
// it as its JSON value. It checks only what a flag's text must be to have
// a JSON value at all (a number, a boolean, a date); what the spec allows
// of that value (an enum, a range) the client checks before sending, with
// the rules it checks a program's requests with.
func scalar(schema specSchema, s string) (any, error) {
	for _, allowed := range schema.Enum {
		if fmt.Sprint(allowed) == s {
			return allowed, nil
		}
	}
	switch schema.Type {
	case "boolean":
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, errors.New("want true or false")
		}
		return b, nil
	case "integer":
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want a whole number%s", bounds(schema))
		}
		return n, nil
	case "number":
		// ParseFloat also takes NaN, Inf, hexadecimal (0x1p4) and
		// underscores, which the API's JSON numbers cannot be: only a
		// decimal number is one.
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || !decimal.MatchString(s) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("want a number%s", bounds(schema))
		}
		return x, nil
	}
	if schema.Format == "date" {
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return nil, errors.New("want a date as YYYY-MM-DD, such as 2024-10-01")
		}
	}
	return s, nil
}

// decimal is a number as JSON writes it, with an optional + sign and
// leading zeros or a bare point (5., .5) as a person types them.
var decimal = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// bounds says what range a number must be in, if the schema says.
func bounds(schema specSchema) string {
	num := func(p *float64) string { return strconv.FormatFloat(*p, 'f', -1, 64) }
	switch {
	case schema.Minimum != nil && schema.Maximum != nil:
		return " from " + num(schema.Minimum) + " to " + num(schema.Maximum)
	case schema.Minimum != nil:
		return " of at least " + num(schema.Minimum)
	case schema.Maximum != nil:
		return " of at most " + num(schema.Maximum)
	}
	return ""
}

func enumList(values []any) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = fmt.Sprint(v)
	}
	return strings.Join(s, ", ")
}

// isList says that the flag takes a list: comma-separated values, or the
// flag repeated.
func (f *paramFlag) isList() bool { return f.param.Schema.Type == "array" }

// placeholder is what the help writes after the flag for its value.
func (f *paramFlag) placeholder() string {
	schema := f.param.Schema
	suffix := ""
	if schema.Type == "array" {
		suffix = ",..."
		if schema.Items != nil {
			schema = *schema.Items
		}
	}
	var p string
	switch {
	case schema.Type == "boolean":
		return "[=false]" // a bare boolean flag sets true
	case len(schema.Enum) > 0:
		p = "VALUE"
	case schema.Type == "integer":
		p = "N"
	case schema.Type == "number":
		p = "NUMBER"
	case schema.Format == "date":
		p = "YYYY-MM-DD"
	case typeName(schema, f.param.Description) == "date-time":
		p = "DATE-TIME" // one of the forms its description lists
	case strings.HasSuffix(f.param.Name, "Id") || strings.HasSuffix(f.param.Name, "Ids") || f.param.Name == "ids":
		p = "ID"
	default:
		p = "TEXT"
	}
	return " " + p + suffix
}

// help is the flag's description, the spec's whole, and the facts of
// what it accepts: its type, how to give a list, its default (whether it
// is required, the caller says).
func (f *paramFlag) help() (text, facts string) {
	text = f.param.Description
	if text == "" {
		text = f.param.Schema.Description
	}
	parts := []string{"Type: " + typeName(f.param.Schema, f.param.Description) + "."}
	if f.isList() {
		parts = append(parts, "Separate values with commas, or repeat the flag.")
	}
	if d := f.param.Schema.Default; d != nil {
		parts = append(parts, fmt.Sprintf("Default: %v.", d))
	}
	return text, strings.Join(parts, " ")
}
