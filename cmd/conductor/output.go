package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"
)

// outputFormats are the values of --output, the default first.
var outputFormats = []string{"json", "jsonl", "table"}

// outputFlag is --output: how an operation's result is printed.
type outputFlag string

func (o *outputFlag) String() string { return string(*o) }

// Set refuses a format the command does not print, listing those it does,
// as a usage error.
func (o *outputFlag) Set(v string) error {
	if !slices.Contains(outputFormats, v) {
		return fmt.Errorf("want %s", orList(outputFormats))
	}
	*o = outputFlag(v)
	return nil
}

// values are what the flag takes, for completion.
func (o *outputFlag) values() []string { return outputFormats }

// orList writes a, b or c.
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

const outputHelp = `How to print the result: json, jsonl or table. json is indented JSON as the API sends it (with --all, one object a line); jsonl, one JSON object a line, each object of a list's page on a line of its own (without the page's cursor: --all follows it); table, for people: a list as columns of its objects' key fields (id, type, name, number, party, date, amount, balance, updated, as its objects have them), any other result as a row for each field that has a value.`

// columnRoles are the table's columns for a list, by what a field is for
// a person reading down the list: each role is the first field of its
// names that the list's object schema has, in this order. A field's name
// says the same thing across the API's resources, so one rule serves
// every list, and a new resource gets its columns with no code.
var columnRoles = [][]string{
	{"id", "transactionId"},
	{"transactionType"},
	{"fullName", "name", "companyName"},
	{"refNumber"},
	{"customer", "vendor", "payee", "entity"},
	{"transactionDate"},
	{"totalAmount", "amount", "amountDue", "creditAmount", "subtotal"},
	{"balanceRemaining", "balance", "openAmount"},
	{"updatedAt", "createdAt"},
}

// maxFallbackColumns caps the columns of a list whose objects have none of
// the roles' fields but an id: their first fields, required ones first.
const maxFallbackColumns = 6

// tableColumns are the columns of a list whose objects item describes.
func tableColumns(item *specSchema) []string {
	var cols []string
	for _, role := range columnRoles {
		for _, name := range role {
			if _, ok := item.Properties[name]; ok {
				cols = append(cols, name)
				break
			}
		}
	}
	if len(cols) > 1 {
		return cols
	}
	fields := item.fields()
	return fields[:min(len(fields), maxFallbackColumns)]
}

// maxCell is the widest a table's cell is, in characters: a longer value
// (a memo, an object written as JSON) is cut, with an ellipsis.
const maxCell = 60

// cell is how a table writes a JSON value: a reference to another object
// by its name, an array by its length, null as nothing; no tab or line
// break is left to break the columns.
func cell(v any) string {
	var s string
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		s = v
	case json.Number:
		s = v.String()
	case bool:
		s = fmt.Sprint(v)
	case []any:
		s = fmt.Sprintf("%d items", len(v))
		if len(v) == 1 {
			s = "1 item"
		}
	case map[string]any:
		for _, name := range []string{"fullName", "name", "id"} {
			if ref, ok := v[name].(string); ok {
				return cell(ref)
			}
		}
		b, _ := json.Marshal(v)
		s = string(b)
	default:
		s = fmt.Sprint(v)
	}
	// Text from QuickBooks may hold control characters, which a terminal
	// would obey (ESC sequences): each is shown as its \u escape, as the
	// JSON output shows it.
	s = controlReplacer().Replace(s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxCell {
		s = string([]rune(s)[:maxCell-1]) + "…"
	}
	return s
}

// controlReplacer replaces each control character but tab, line feed
// and carriage return (which the columns turn into spaces) with its \u
// escape; built on first use.
var controlReplacer = sync.OnceValue(func() *strings.Replacer {
	var pairs []string
	for r := rune(0); r < 0xa0; r++ {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			pairs = append(pairs, string(r), fmt.Sprintf("\\u%04x", r))
		}
	}
	return strings.NewReplacer(pairs...)
})

// newTable is a writer that lines up tab-separated cells in columns two
// spaces apart; nothing shows until it is flushed.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
}

// writeRow writes one row of cells of obj, the columns' fields.
func writeRow(tw io.Writer, cols []string, obj map[string]any) error {
	cells := make([]string, len(cols))
	for i, c := range cols {
		cells[i] = cell(obj[c])
	}
	_, err := fmt.Fprintln(tw, strings.Join(cells, "\t"))
	return err
}

// encodeJSON writes v as JSON, indented by indent unless it is "", with
// & < > as they are, so that URLs stay readable.
func encodeJSON(w io.Writer, v any, indent string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", indent)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// decodeObject reads JSON text as an object with its numbers as written.
func decodeObject(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var obj map[string]any
	err := dec.Decode(&obj)
	return obj, err
}

// printResult writes a result in format: items, when not nil, says that the
// result is a list page whose data are objects items describes.
func printResult(w, notes io.Writer, v any, format string, items func() (*specSchema, error)) error {
	if format == "json" {
		return encodeJSON(w, v, "  ")
	}
	var buf bytes.Buffer
	if err := encodeJSON(&buf, v, ""); err != nil {
		return err
	}
	var page struct {
		Data       []json.RawMessage `json:"data"`
		HasMore    bool              `json:"hasMore"`
		NextCursor *string           `json:"nextCursor"`
	}
	isList := items != nil && json.Unmarshal(buf.Bytes(), &page) == nil && page.Data != nil
	if isList && page.HasMore && notes != nil {
		// jsonl and table show the objects, not the page: say what the
		// page's hasMore and nextCursor would have said.
		how := "read every page with --all"
		if page.NextCursor != nil && *page.NextCursor != "" {
			how = "ask for the next page with --cursor " + *page.NextCursor + ", or " + how
		}
		fmt.Fprintf(notes, "more objects follow (the page says hasMore): %s\n", how)
	}
	switch {
	case format == "jsonl" && isList:
		for _, item := range page.Data {
			if _, err := fmt.Fprintf(w, "%s\n", item); err != nil {
				return err
			}
		}
		return nil
	case format == "jsonl":
		_, err := w.Write(buf.Bytes())
		return err
	case isList:
		schema, err := items()
		if err != nil {
			return err
		}
		row, flush := listTable(w, schema)
		for _, raw := range page.Data {
			obj, err := decodeObject(raw)
			if err != nil {
				return err
			}
			if err := row(obj); err != nil {
				return err
			}
		}
		return flush()
	}
	return fieldRows(w, buf.Bytes())
}

// listTable writes the header of a list's table, whose objects schema
// describes, and returns how to write a row of it and how to line the
// rows up once the last is written.
func listTable(w io.Writer, schema *specSchema) (row func(obj map[string]any) error, flush func() error) {
	cols := tableColumns(schema)
	tw := newTable(w)
	fmt.Fprintln(tw, strings.Join(cols, "\t"))
	return func(obj map[string]any) error { return writeRow(tw, cols, obj) }, tw.Flush
}

// fieldRows writes an object as a row for each field with a value, in the
// order of its JSON: a null or an empty array is left out, as a person
// reading the object needs what it has.
func fieldRows(w io.Writer, data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		// Not an object: written as one JSON line.
		_, err := w.Write(data)
		return err
	}
	tw := newTable(w)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if a, ok := v.([]any); v == nil || ok && len(a) == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\n", tok, cell(v))
	}
	return tw.Flush()
}
