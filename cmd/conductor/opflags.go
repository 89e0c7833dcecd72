package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

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
	output  *outputFlag
	// items is the schema of a list's objects, for --output table; nil
	// for an operation that is not a list.
	items func() (*specSchema, error)
	body  func() (*specSchema, error) // the body's schema, for the help
	// required are the flags that must be given, without dashes.
	required []string
	help     map[string]flagHelp
}

// flagHelp is how the help writes a flag: the placeholder after its name
// (" ID", " N", "[=false]"), its description, and the facts of its value
// (its type, its default, whether it is required).
type flagHelp struct{ placeholder, text, facts string }

// flags makes the operation's flags from its spec: --end-user-id, --id,
// the other path parameters, the query parameters, --data for a body and
// --all for a list. A parameter whose flag would take another's name is
// an error: the spec grew a parameter the command cannot name.
func (c *opCommand) flags(s *opSpec) (*opFlags, error) {
	f := &opFlags{fs: flag.NewFlagSet(strings.Join(c.words, " "), flag.ContinueOnError), help: map[string]flagHelp{}}
	define := func(name, placeholder, text, facts string, required bool, value flag.Value) error {
		switch {
		case name == "" || strings.HasPrefix(name, "-") || strings.Contains(name, "="):
			// package flag would panic
			return fmt.Errorf("%s: a parameter cannot be the flag %q", c.op.SDKName(), "--"+name)
		case f.fs.Lookup(name) != nil:
			return fmt.Errorf("%s: two of its parameters would both be --%s", c.op.SDKName(), name)
		}
		f.fs.Var(value, name, firstSentence(text))
		f.order = append(f.order, name)
		if required {
			f.required = append(f.required, name)
			facts += " Required."
		}
		f.help[name] = flagHelp{placeholder, text, facts}
		return nil
	}
	byName := map[string]specParam{}
	for _, p := range s.Parameters {
		byName[p.In+" "+p.Name] = p
	}
	if c.op.NeedsEndUser {
		f.endUser = new(string)
		p := byName["header "+apispec.EndUserHeader]
		if err := define("end-user-id", " ID", p.Description, "Type: "+typeName(p.Schema, p.Description)+".", true, (*stringFlag)(f.endUser)); err != nil {
			return nil, err
		}
	}
	if c.op.HasID {
		f.id = new(string)
		p := byName["path id"]
		if err := define("id", " ID", p.Description, "Type: "+typeName(p.Schema, p.Description)+".", true, (*stringFlag)(f.id)); err != nil {
			return nil, err
		}
	}
	for _, name := range c.op.PathParams {
		p, ok := byName["path "+name]
		if !ok {
			return nil, fmt.Errorf("%s: the spec does not describe the path parameter %s", c.op.SDKName(), name)
		}
		pf := newParamFlag(p)
		text, facts := pf.help()
		if err := define(pf.flag, pf.placeholder(), text, facts, true, pf); err != nil {
			return nil, err
		}
		f.path = append(f.path, pf)
	}
	if c.op.HasBody {
		f.data = new(string)
		f.body = s.body
		required := s.RequestBody != nil && s.RequestBody.Required
		facts := "Type: JSON object, described below."
		if err := define("data", " JSON", "The request body: JSON text, @FILE to read it from a file, or - to read it from standard input.", facts, required, (*stringFlag)(f.data)); err != nil {
			return nil, err
		}
	}
	if c.op.Kind == apispec.List {
		f.all = new(bool)
		if err := define("all", "", "Print every object of every page, one JSON object a line, instead of the first page as one JSON document.", "Type: boolean.", false, (*boolFlag)(f.all)); err != nil {
			return nil, err
		}
	}
	f.output = new(outputFlag)
	*f.output = outputFlag(outputFormats[0])
	if err := define("output", " FORMAT", outputHelp, "Type: enum: "+strings.Join(outputFormats, ", ")+". Default: json.", false, f.output); err != nil {
		return nil, err
	}
	if c.op.Kind == apispec.List {
		f.items = func() (*specSchema, error) { return c.table.items(s) }
	}
	for _, p := range s.Parameters {
		if p.In != "query" {
			continue
		}
		pf := newParamFlag(p)
		text, facts := pf.help()
		if err := define(pf.flag, pf.placeholder(), text, facts, p.Required, pf); err != nil {
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
