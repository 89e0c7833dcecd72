package main

import (
	"fmt"
	"io"
	"strings"
)

// synopsis is the usage line: the command, its required flags, and
// [flags] when it has others.
func (c *opCommand) synopsis(f *opFlags) string {
	parts := []string{c.name()}
	for _, name := range f.required {
		parts = append(parts, "--"+name+f.help[name].placeholder)
	}
	if len(f.order) > len(f.required) {
		parts = append(parts, "[flags]")
	}
	return strings.Join(parts, " ")
}

// helpWidth is the width the help is wrapped to: lines of at most 78
// columns read well in a terminal of 80.
const helpWidth = 78

// printHelp writes the command's whole help: what it does, each flag with
// its full description and type, and the fields of its body down to the
// nested ones, all from the spec.
func (c *opCommand) printHelp(f *opFlags, w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\n\n", c.synopsis(f))
	if c.op.Summary != "" {
		fmt.Fprintln(w, wrap(strings.TrimSuffix(c.op.Summary, ".")+".", "", helpWidth))
	}
	if c.op.Description != "" {
		fmt.Fprintln(w, wrapText(helpText(c.op.Description), "", helpWidth))
	}
	fmt.Fprintf(w, "\nFlags:\n")
	for i, name := range f.order {
		h := f.help[name]
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "  --%s%s\n", name, h.placeholder)
		if h.text != "" {
			text := wrapText(helpText(h.text), "      ", helpWidth)
			if strings.Contains(text, "\n\n") {
				text += "\n" // the facts apart from the last paragraph
			}
			fmt.Fprintln(w, text)
		}
		fmt.Fprintln(w, wrap(h.facts, "      ", helpWidth))
	}
	if f.body == nil {
		return
	}
	switch body, err := f.body(); {
	case err != nil:
		fmt.Fprintf(w, "\nThe body's fields cannot be listed: %v\n", err)
	case body != nil:
		c.printBody(body, w)
	}
}

// printBody lists the body's fields, for --data: each with its type,
// whether it is required, and its description, down to the fields of
// objects and of arrays' items.
func (c *opCommand) printBody(b *specSchema, w io.Writer) {
	fields := bodyFields(*b, "", c.table.deref, 0)
	if len(fields) == 0 {
		fmt.Fprintf(w, "\nThe body (--data) is a JSON object, sent as it is.\n")
		return
	}
	fmt.Fprintf(w, "\n%s\n", wrap("Fields of the body (--data), a JSON object: a.b is field b of object a, a[].b field b of each item of array a; a field marked required must be given whenever its object is.", "", helpWidth))
	for _, field := range fields {
		kind := typeName(field.schema)
		if field.required {
			// Before the type, where an enum's values cannot run into it.
			kind = "required " + kind
		}
		// An enum's values may run past the width: they go on indented
		// past the description, which follows.
		const more = "        "
		line := wrap(field.path+": "+kind, more, helpWidth)
		fmt.Fprintf(w, "\n  %s\n", strings.TrimPrefix(line, more))
		if field.schema.Description != "" {
			fmt.Fprintln(w, wrapText(helpText(field.schema.Description), "      ", helpWidth))
		}
	}
}

// printBrief writes what follows a usage error: the usage line, and where
// to find the rest.
func (c *opCommand) printBrief(f *opFlags, w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\nRun \"%s --help\" for its flags.\n", c.synopsis(f), c.name())
}
