package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"github.com/seed-6dcb809e/conductor-go/internal/facade"
)

// opCommand is one operation of the spec as a command, such as
// conductor qbd invoices list --end-user-id ID [flags]: its flags come
// from the operation's parameters, and it calls the facade's method for
// the operation.
type opCommand struct {
	words []string // after "conductor": qbd invoices list
	op    apispec.Operation
	table *specTable
}

func (c *opCommand) name() string { return "conductor " + strings.Join(c.words, " ") }

// run runs the operation: it parses and checks the flags and --data, then
// calls the facade's method and prints what it returns. Whatever is wrong
// with the flags or --data, the client's rules included, is found before
// the client is made, so nothing is sent and no fake is started.
func (c *opCommand) run(ctx context.Context, args []string, e env) int {
	s, err := c.table.operation(c.op)
	if err == nil {
		var f *opFlags
		if f, err = c.flags(s); err == nil {
			return c.runWith(ctx, f, args, e)
		}
	}
	fmt.Fprintf(e.stderr, "%s: %s\n", c.name(), message(err))
	return exitAPI
}

func (c *opCommand) runWith(ctx context.Context, f *opFlags, args []string, e env) int {
	if code, done := parseFlags(f.fs, args, f.order, func(w io.Writer) { c.printHelp(f, w) }, func(w io.Writer) { c.printBrief(f, w) }, e.stdout, e.stderr); done {
		return code
	}
	if missing := missingFlags(f); len(missing) > 0 {
		verb := "is"
		if len(missing) > 1 {
			verb = "are"
		}
		fmt.Fprintf(e.stderr, "%s: %s %s required\n\n", c.name(), listAnd(missing), verb)
		c.printBrief(f, e.stderr)
		return exitUsage
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(e.stderr, "%s: %s\n", c.name(), fmt.Sprintf(format, a...))
		return exitUsage
	}

	name := c.op.GoMethod()
	if f.all != nil && *f.all {
		name = "All"
	}
	m, err := facade.Find(c.op, name)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %s\n", c.name(), message(err))
		return exitAPI
	}
	var call facade.Args
	if f.endUser != nil {
		call.EndUserID = *f.endUser
	}
	if f.id != nil {
		call.ID = *f.id
	}
	for _, pf := range f.path {
		call.PathParams = append(call.PathParams, fmt.Sprint(pf.value))
	}
	var missing []string // required fields --data leaves out that the client cannot see
	switch {
	case c.op.HasQuery:
		v, err := queryParams(f.query, m.Params)
		if err != nil {
			return usage("%v", err)
		}
		call.Params = v.Interface()
	case c.op.HasBody:
		data, label, err := readData(*f.data, e.stdin)
		if err != nil {
			return usage("%s: %v", label, err)
		}
		v, err := decodeBody(data, m.Params)
		if err != nil {
			return usage("%s %v", label, err)
		}
		call.Params = v.Interface()
		missing = leftOut(data, m.Params, "")
	}

	// What the client's rules refuse is the person's mistake too: found
	// here, on a client that sends nothing, before a fake is started,
	// with the required fields --data leaves out first.
	if verr := refusal(ctx, m, call, name == "All"); verr != nil || len(missing) > 0 {
		all := &conductor.ValidationError{}
		for _, field := range missing {
			all.Fields = append(all.Fields, conductor.FieldError{Field: field, Reason: "is required"})
		}
		if verr != nil {
			all.Fields = append(all.Fields, verr.Fields...)
		}
		return reportError(c.name(), all, c.flagFor, e.stderr)
	}

	client, done, code, err := newClient(e, e.getenv(conductor.EnvPublishableKey), conductor.EnvPublishableKey, false)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %s\n", c.name(), message(err))
		return code
	}
	defer done()
	out, err := m.Call(ctx, client, call)
	if name == "All" {
		return c.stream(out, f, e)
	}
	if err != nil {
		return reportError(c.name(), err, c.flagFor, e.stderr)
	}
	if err := printResult(e.stdout, e.stderr, out.Interface(), string(*f.output), f.items); err != nil {
		fmt.Fprintf(e.stderr, "%s: writing the result: %v\n", c.name(), err)
		return exitAPI
	}
	return exitOK
}

// stream prints what a list's All iterator yields, as each arrives: one
// JSON object a line, or with --output table a row each, lined up once
// the last has come; stopping early (a write fails) stops the iterator,
// which cancels the page it is fetching.
func (c *opCommand) stream(seq reflect.Value, f *opFlags, e env) int {
	var row func(v any) error
	flush := func() error { return nil }
	if *f.output == "table" {
		schema, err := f.items()
		if err != nil {
			fmt.Fprintf(e.stderr, "%s: %s\n", c.name(), message(err))
			return exitAPI
		}
		var tableRow func(map[string]any) error
		tableRow, flush = listTable(e.stdout, schema)
		row = func(v any) error {
			// The object as the API wrote it, as a page's are read.
			var buf bytes.Buffer
			if err := encodeJSON(&buf, v, ""); err != nil {
				return err
			}
			obj, err := decodeObject(buf.Bytes())
			if err != nil {
				return err
			}
			return tableRow(obj)
		}
	} else {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		row = enc.Encode
	}
	for v, errv := range seq.Seq2() {
		if err, _ := errv.Interface().(error); err != nil {
			flush() // the rows so far, before the error
			return reportError(c.name(), err, c.flagFor, e.stderr)
		}
		if err := row(v.Interface()); err != nil {
			fmt.Fprintf(e.stderr, "%s: writing the objects: %v\n", c.name(), err)
			return exitAPI
		}
	}
	if err := flush(); err != nil {
		fmt.Fprintf(e.stderr, "%s: writing the objects: %v\n", c.name(), err)
		return exitAPI
	}
	return exitOK
}

// flagFor names the flag that set a field the client refused: a query or
// path parameter by its flag, a field of the body by its JSON path in
// --data.
func (c *opCommand) flagFor(field string) string {
	switch field {
	case "endUserID":
		return "--end-user-id"
	case "id":
		return "--id"
	case "params":
		if c.op.HasBody {
			return "--data"
		}
		return "the flags"
	}
	if c.op.HasBody && !slices.Contains(c.op.PathParams, field) {
		return "--data " + field
	}
	// An item of a list flag (objectTypes[1]) by the flag: the reason
	// quotes the item.
	name, _, _ := strings.Cut(field, "[")
	return "--" + kebab(name)
}

// queryParams makes the facade's query parameters of type t from the
// flags given, through JSON, as the spec names them, strictly: a flag
// whose parameter t lacks is an error, not dropped.
func queryParams(flags []*paramFlag, t reflect.Type) (reflect.Value, error) {
	given := map[string]any{}
	byParam := map[string]string{}
	for _, pf := range flags {
		if pf.set {
			given[pf.param.Name] = pf.value
			byParam[pf.param.Name] = pf.flag
		}
	}
	data, err := json.Marshal(given)
	if err != nil {
		return reflect.Value{}, err
	}
	v := reflect.New(t)
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v.Interface()); err != nil {
		var terr *json.UnmarshalTypeError
		if errors.As(err, &terr) && byParam[terr.Field] != "" {
			return reflect.Value{}, fmt.Errorf("--%s %v: want %s", byParam[terr.Field], given[terr.Field], want(terr.Type))
		}
		// A value its type refuses by itself (a date and time filter in
		// none of the spec's forms): the error does not name the field,
		// so find the one flag that fails alone.
		for _, name := range slices.Sorted(maps.Keys(given)) {
			one, err := json.Marshal(map[string]any{name: given[name]})
			if err != nil {
				return reflect.Value{}, err
			}
			if err := json.Unmarshal(one, reflect.New(t).Interface()); err != nil {
				return reflect.Value{}, fmt.Errorf("--%s: %v", byParam[name], err)
			}
		}
		return reflect.Value{}, fmt.Errorf("the flags do not fit the operation's parameters: %v", err)
	}
	return v, nil
}
