package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// maxData bounds what --data reads from a file or standard input, so that
// a wrong file (a disk image, /dev/zero) fails instead of filling memory.
// Conductor's bodies are small; QuickBooks refuses far less than this.
const maxData = 16 << 20

// readData reads the body --data gives: JSON text, @FILE, or - for
// standard input. label names it in messages: --data, --data @FILE,
// --data - (standard input).
func readData(arg string, stdin io.Reader) (data []byte, label string, err error) {
	var r io.Reader
	switch {
	case arg == "-":
		label = "--data - (standard input)"
		r = stdin
	case arg == "@":
		return nil, "--data @", errors.New("names no file; write @FILE, such as @invoice.json")
	case strings.HasPrefix(arg, "@"):
		label = "--data " + arg
		f, err := os.Open(arg[1:])
		if err != nil {
			return nil, label, err
		}
		defer f.Close()
		r = f
	default:
		return []byte(arg), "--data", nil
	}
	data, err = io.ReadAll(io.LimitReader(r, maxData+1))
	if err != nil {
		return nil, label, err
	}
	if len(data) > maxData {
		return nil, label, fmt.Errorf("more than %d MiB, which no body of the API comes near", maxData>>20)
	}
	return data, label, nil
}

// decodeBody decodes data into a new value of t, strictly: it must be one
// JSON object, with no field t lacks, at any depth. The error names the
// field, by its path in the JSON. What the spec requires of the values
// (required fields, lengths, enums) the client checks, as it does for a
// program, before sending; leftOut finds what the client cannot.
func decodeBody(data []byte, t reflect.Type) (reflect.Value, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return reflect.Value{}, errors.New("is empty; want a JSON object, such as {\"name\": \"Acme\"}")
	}
	if err := syntaxCheck(data); err != nil {
		return reflect.Value{}, err
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil || top == nil {
		return reflect.Value{}, fmt.Errorf("is %s; want a JSON object, such as {\"name\": \"Acme\"}", jsonKind(data))
	}
	// Unknown fields first, by their path, with the name meant.
	if err := checkJSON(data, t, ""); err != nil {
		return reflect.Value{}, err
	}
	v := reflect.New(t)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v.Interface()); err != nil {
		// checkJSON has found what encoding/json refuses; this is for
		// what it does not foresee.
		return reflect.Value{}, err
	}
	return v.Elem(), nil
}

// syntaxCheck refuses what is not one JSON value, saying where.
func syntaxCheck(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v json.RawMessage
	err := dec.Decode(&v)
	if err == nil {
		end := int(dec.InputOffset())
		if _, extra := dec.Token(); extra != io.EOF {
			return fmt.Errorf("has more after its JSON value, from %s", position(data, end+len(data[end:])-len(bytes.TrimLeft(data[end:], " \t\r\n"))))
		}
		return nil
	}
	var serr *json.SyntaxError
	switch {
	case errors.As(err, &serr):
		// Offset counts the byte in error.
		return fmt.Errorf("is not valid JSON: %v, at %s", serr, position(data, int(serr.Offset)-1))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("is not valid JSON: it ends early (a bracket or quote is not closed)")
	}
	return fmt.Errorf("is not valid JSON: %v", err)
}

// position is a byte offset of data as line and column, counted from 1.
func position(data []byte, offset int) string {
	offset = min(max(offset, 0), len(data))
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := offset - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

// checkJSON walks raw alongside t, the Go type it will be decoded into,
// and returns the first thing encoding/json would refuse or, being
// strict, ignore: a field t lacks, a value of the wrong kind, a date that
// is not one. encoding/json names neither the path of an unknown field
// nor the field of a bad date; this does.
func checkJSON(raw json.RawMessage, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if string(raw) == "null" {
		return nil
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return leaf(raw, t, path)
	}
	switch t.Kind() {
	case reflect.Struct:
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			return wrongKind(raw, t, path)
		}
		fields := jsonFields(t)
		for _, key := range sortedKeys(m) {
			// The exact name only: encoding/json would also take "Name"
			// for "name", which the check of required fields does not,
			// and the API does not either.
			ft, ok := fields[key]
			if !ok {
				msg := fmt.Sprintf("has no field %q", join(path, key))
				names := make([]string, 0, len(fields))
				for name := range fields {
					names = append(names, name)
				}
				if near := closest(key, names); near != "" {
					msg += fmt.Sprintf("; did you mean %q?", join(path, near))
				}
				return errors.New(msg)
			}
			if err := checkJSON(m[key], ft, join(path, key)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return wrongKind(raw, t, path)
		}
		for i, item := range items {
			if err := checkJSON(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			return wrongKind(raw, t, path)
		}
		for _, key := range sortedKeys(m) {
			if err := checkJSON(m[key], t.Elem(), join(path, key)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Interface:
		return nil
	}
	return leaf(raw, t, path)
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// leaf decodes one value on its own, to find whether t takes it.
func leaf(raw json.RawMessage, t reflect.Type, path string) error {
	if err := json.Unmarshal(raw, reflect.New(t).Interface()); err != nil {
		var terr *json.UnmarshalTypeError
		if errors.As(err, &terr) {
			return wrongKind(raw, t, path)
		}
		return fmt.Errorf("field %q is %s; want %s", path, raw, want(t))
	}
	return nil
}

func wrongKind(raw json.RawMessage, t reflect.Type, path string) error {
	what := "the body"
	if path != "" {
		what = fmt.Sprintf("field %q", path)
	}
	// A number of the right kind refused: too large, or not whole.
	if kind := jsonKind(raw); strings.HasPrefix(kind, "a number") && strings.Contains(want(t), "number") {
		if t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64 || !bytes.ContainsAny(raw, ".eE") {
			return fmt.Errorf("%s is %s, which is out of range", what, bytes.TrimSpace(raw))
		}
	}
	return fmt.Errorf("%s is %s; want %s", what, jsonKind(raw), want(t))
}

var (
	timeType = reflect.TypeFor[time.Time]()
	dateType = reflect.TypeFor[conductor.Date]()
)

// want says what a value of t is written as in JSON.
func want(t reflect.Type) string {
	switch t {
	case dateType:
		return "a date as \"YYYY-MM-DD\", such as \"2024-10-01\""
	case timeType:
		return "a date and time in RFC 3339, such as \"2024-10-01T09:30:00Z\""
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a " + t.String()
}

// jsonKind names the kind of a JSON value, quoting a short scalar.
func jsonKind(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "empty"
	}
	kind := map[byte]string{'{': "an object", '[': "an array", '"': "a string", 't': "a boolean", 'f': "a boolean", 'n': "null"}[raw[0]]
	if kind == "" {
		kind = "a number"
	}
	if raw[0] != '{' && raw[0] != '[' && raw[0] != 'n' && len(raw) <= 40 {
		kind += " (" + string(raw) + ")"
	}
	return kind
}

// jsonFields are the fields encoding/json decodes into a struct type, by
// their JSON names, with the fields of embedded structs promoted.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
			continue
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			for k, v := range jsonFields(f.Type) {
				fields[k] = v
			}
			continue
		case !f.IsExported():
			continue
		case name == "":
			name = f.Name
		}
		fields[name] = f.Type
	}
	return fields
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// join is the path of a field in the JSON: lines[0].quantity.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// leftOut lists, by their paths, the fields of a true or false or a
// number that t requires (no omitempty) and the JSON raw leaves out or
// sets to null, at any depth. Decoded, each holds false or 0 and would be
// sent as a value the person never gave: the client cannot tell it from
// one given (in Go an unset field and a zero one are the same value),
// but the command still has the JSON. raw has passed checkJSON.
func leftOut(raw json.RawMessage, t reflect.Type, path string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if string(bytes.TrimSpace(raw)) == "null" || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	var missing []string
	switch t.Kind() {
	case reflect.Struct:
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			return nil
		}
		for f := range t.Fields() {
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			v, given := m[name]
			if given && string(bytes.TrimSpace(v)) != "null" {
				missing = append(missing, leftOut(v, f.Type, join(path, name))...)
				continue
			}
			optional := slices.Contains(strings.Split(opts, ","), "omitempty") || slices.Contains(strings.Split(opts, ","), "omitzero")
			switch f.Type.Kind() {
			case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Float32, reflect.Float64:
				if !optional {
					missing = append(missing, join(path, name))
				}
			}
		}
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return nil
		}
		for i, item := range items {
			missing = append(missing, leftOut(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return missing
}
