package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
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

// opFlags are an operation's flags, on a flag set of their own.
type opFlags struct {
	fs      *flag.FlagSet
	order   []string // the flags in the order the help lists them
	endUser *string
	id      *string
	path    []*paramFlag // in the order of the facade's arguments
	query   []*paramFlag
	data    *string
	all     *bool
	body    *bodySchema
	// required are the flags that must be given, without dashes.
	required []string
	// help is each flag's placeholder and description.
	help map[string][2]string
}

// flags makes the operation's flags from its spec: --end-user-id, --id,
// the other path parameters, the query parameters, --data for a body and
// --all for a list. A parameter whose flag would take another's name is
// an error: the spec grew a parameter the command cannot name.
func (c *opCommand) flags(s *opSpec) (*opFlags, error) {
	f := &opFlags{fs: flag.NewFlagSet(strings.Join(c.words, " "), flag.ContinueOnError), help: map[string][2]string{}}
	define := func(name, placeholder, help string, required bool, value flag.Value) error {
		if f.fs.Lookup(name) != nil {
			return fmt.Errorf("%s: two of its parameters would both be --%s", c.op.SDKName(), name)
		}
		f.fs.Var(value, name, help)
		f.order = append(f.order, name)
		if required {
			f.required = append(f.required, name)
			help += " Required."
		}
		f.help[name] = [2]string{placeholder, help}
		return nil
	}
	byName := map[string]specParam{}
	for _, p := range s.Parameters {
		byName[p.In+" "+p.Name] = p
	}
	if c.op.NeedsEndUser {
		f.endUser = new(string)
		desc := firstSentence(byName["header "+apispec.EndUserHeader].Description)
		if err := define("end-user-id", " ID", desc, true, (*stringFlag)(f.endUser)); err != nil {
			return nil, err
		}
	}
	if c.op.HasID {
		f.id = new(string)
		if err := define("id", " ID", firstSentence(byName["path id"].Description), true, (*stringFlag)(f.id)); err != nil {
			return nil, err
		}
	}
	for _, name := range c.op.PathParams {
		p, ok := byName["path "+name]
		if !ok {
			return nil, fmt.Errorf("%s: the spec does not describe the path parameter %s", c.op.SDKName(), name)
		}
		pf := newParamFlag(p)
		if err := define(pf.flag, pf.placeholder(), pf.help(), true, pf); err != nil {
			return nil, err
		}
		f.path = append(f.path, pf)
	}
	if c.op.HasBody {
		f.data = new(string)
		f.body = s.body()
		if err := define("data", " JSON", "The request body: JSON text, @FILE to read it from a file, or - to read it from standard input.", s.RequestBody.Required, (*stringFlag)(f.data)); err != nil {
			return nil, err
		}
	}
	if c.op.Kind == apispec.List {
		f.all = new(bool)
		if err := define("all", "", "Print every object of every page, one JSON object a line, instead of the first page as one JSON document.", false, (*boolFlag)(f.all)); err != nil {
			return nil, err
		}
	}
	for _, p := range s.Parameters {
		if p.In != "query" {
			continue
		}
		pf := newParamFlag(p)
		if err := define(pf.flag, pf.placeholder(), pf.help(), p.Required, pf); err != nil {
			return nil, err
		}
		f.query = append(f.query, pf)
	}
	return f, nil
}

// stringFlag and boolFlag are flag.Values over plain variables, so that
// every flag of an operation is defined one way.
type (
	stringFlag string
	boolFlag   bool
)

func (s *stringFlag) String() string     { return string(*s) }
func (s *stringFlag) Set(v string) error { *s = stringFlag(v); return nil }
func (b *boolFlag) String() string       { return fmt.Sprint(*b) }
func (b *boolFlag) IsBoolFlag() bool     { return true }
func (b *boolFlag) Set(v string) error {
	x, err := parseBool(v)
	*b = boolFlag(x)
	return err
}

func parseBool(s string) (bool, error) {
	v, err := scalar(specSchema{Type: "boolean"}, s)
	if err != nil {
		return false, err
	}
	return v.(bool), nil
}

// synopsis is the usage line: the command, its required flags, and
// [flags] when it has others.
func (c *opCommand) synopsis(f *opFlags) string {
	parts := []string{c.name()}
	for _, name := range f.required {
		parts = append(parts, "--"+name+f.help[name][0])
	}
	if len(f.order) > len(f.required) {
		parts = append(parts, "[flags]")
	}
	return strings.Join(parts, " ")
}

// printHelp writes the command's whole help: what it does, each flag, and
// the fields of its body.
func (c *opCommand) printHelp(f *opFlags, w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\n\n", c.synopsis(f))
	if c.op.Summary != "" {
		fmt.Fprintln(w, wrap(strings.TrimSuffix(c.op.Summary, ".")+".", "", 78))
	}
	if para, _, _ := strings.Cut(c.op.Description, "\n\n"); para != "" {
		fmt.Fprintln(w, wrap(strings.ReplaceAll(para, "**", ""), "", 78))
	}
	fmt.Fprintf(w, "\nFlags:\n")
	for _, name := range f.order {
		h := f.help[name]
		fmt.Fprintf(w, "  --%s%s\n%s\n", name, h[0], wrap(h[1], "      ", 78))
	}
	if f.body != nil {
		c.printBody(f.body, w)
	}
}

// printBody lists the body's top-level fields, for --data.
func (c *opCommand) printBody(b *bodySchema, w io.Writer) {
	fields := b.fields()
	if len(fields) == 0 {
		fmt.Fprintf(w, "\nThe body (--data) is a JSON object, sent as it is.\n")
		return
	}
	fmt.Fprintf(w, "\nFields of the body (--data), a JSON object; * marks the required ones:\n")
	for _, name := range fields {
		mark := ""
		for _, r := range b.Required {
			if r == name {
				mark = " *"
			}
		}
		fmt.Fprintf(w, "  %s%s\n%s\n", name, mark, wrap(firstSentence(b.Properties[name].Description), "      ", 78))
	}
}

// printBrief writes what follows a usage error: the usage line, and where
// to find the rest.
func (c *opCommand) printBrief(f *opFlags, w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\nRun \"%s --help\" for its flags.\n", c.synopsis(f), c.name())
}

// run runs the operation: it parses and checks the flags and --data, then
// calls the facade's method and prints what it returns. Whatever is wrong
// with the flags or --data is found before the client is made, so nothing
// is sent and no fake is started.
func (c *opCommand) run(ctx context.Context, args []string, e env) int {
	s, err := c.table.operation(c.op)
	if err == nil {
		var f *opFlags
		if f, err = c.flags(s); err == nil {
			return c.runWith(ctx, f, args, e)
		}
	}
	fmt.Fprintf(e.stderr, "%s: %v\n", c.name(), err)
	return exitAPI
}

func (c *opCommand) runWith(ctx context.Context, f *opFlags, args []string, e env) int {
	if code, done := parseOpFlags(f, args, func(w io.Writer) { c.printHelp(f, w) }, func(w io.Writer) { c.printBrief(f, w) }, e); done {
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
	m, err := findMethod(c.op, name)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", c.name(), err)
		return exitAPI
	}
	call := []reflect.Value{reflect.ValueOf(ctx)}
	if f.endUser != nil {
		call = append(call, reflect.ValueOf(*f.endUser))
	}
	if f.id != nil {
		call = append(call, reflect.ValueOf(*f.id))
	}
	for i, pf := range f.path {
		call = append(call, reflect.ValueOf(fmt.Sprint(pf.value)).Convert(m.pathParams[i]))
	}
	switch {
	case c.op.HasQuery:
		v, err := queryParams(f.query, m.params)
		if err != nil {
			return usage("%v", err)
		}
		call = append(call, v)
	case c.op.HasBody:
		data, label, err := readData(*f.data, e.stdin)
		if err != nil {
			return usage("%s: %v", label, err)
		}
		v, err := decodeBody(data, m.params, f.body)
		if err != nil {
			return usage("%s %v", label, err)
		}
		call = append(call, v)
	}

	client, done, code, err := newClient(e, e.getenv(conductor.EnvPublishableKey), conductor.EnvPublishableKey, false)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", c.name(), err)
		return code
	}
	defer done()
	out := m.bind(client).Call(call)
	if name == "All" {
		return c.stream(out[0], e)
	}
	if err, _ := out[1].Interface().(error); err != nil {
		return reportError(c.name(), err, c.flagFor, e.stderr)
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // keep & in URLs readable
	if err := enc.Encode(out[0].Interface()); err != nil {
		fmt.Fprintf(e.stderr, "%s: writing the result: %v\n", c.name(), err)
		return exitAPI
	}
	return exitOK
}

// stream prints what a list's All iterator yields, one JSON object a
// line, as each arrives; stopping early (a write fails) stops the
// iterator, which cancels the page it is fetching.
func (c *opCommand) stream(seq reflect.Value, e env) int {
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	for v, errv := range seq.Seq2() {
		if err, _ := errv.Interface().(error); err != nil {
			return reportError(c.name(), err, c.flagFor, e.stderr)
		}
		if err := enc.Encode(v.Interface()); err != nil {
			fmt.Fprintf(e.stderr, "%s: writing the objects: %v\n", c.name(), err)
			return exitAPI
		}
	}
	return exitOK
}

// flagFor names the flag that set a parameter the client refused.
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
	return field
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
		return reflect.Value{}, fmt.Errorf("the flags do not fit the operation's parameters: %v", err)
	}
	return v, nil
}

// missingFlags are the required flags not given, with their dashes.
func missingFlags(f *opFlags) []string {
	given := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	var missing []string
	for _, name := range f.required {
		if !given[name] {
			missing = append(missing, "--"+name)
		}
	}
	return missing
}

// listAnd writes a, b and c.
func listAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// parseOpFlags parses an operation's flags as parseFlags does, and on an
// unknown flag suggests the nearest, since an operation has many.
func parseOpFlags(f *opFlags, args []string, help, brief func(io.Writer), e env) (code int, done bool) {
	fs := f.fs
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
		if _, isBool := scalar(specSchema{Type: "boolean"}, fs.Arg(0)); isBool == nil {
			err = fmt.Errorf("%w; a true/false flag takes its value after =, as --flag=false", err)
		}
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		help(e.stdout)
		return exitOK, true
	case err != nil:
		msg := flagError(err)
		if name, ok := strings.CutPrefix(msg, "unknown flag --"); ok {
			if near := closest(name, f.order); near != "" {
				msg += "; did you mean --" + near + "?"
			}
		}
		fmt.Fprintf(e.stderr, "conductor %s: %s\n\n", fs.Name(), msg)
		brief(e.stderr)
		return exitUsage, true
	}
	return exitOK, false
}
