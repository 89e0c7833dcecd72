package main

import (
	"fmt"
	"io"
	"slices"
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
		fmt.Fprintf(w, "  --%s%s\n%s\n", name, h.placeholder, wrap(h.text, "      ", 78))
	}
	if f.body != nil {
		printBody(f.body, w)
	}
}

// printBody lists the body's top-level fields, for --data.
func printBody(b *bodySchema, w io.Writer) {
	fields := b.fields()
	if len(fields) == 0 {
		fmt.Fprintf(w, "\nThe body (--data) is a JSON object, sent as it is.\n")
		return
	}
	fmt.Fprintf(w, "\nFields of the body (--data), a JSON object; * marks the required ones:\n")
	for _, name := range fields {
		mark := ""
		if slices.Contains(b.Required, name) {
			mark = " *"
		}
		fmt.Fprintf(w, "  %s%s\n%s\n", name, mark, wrap(firstSentence(b.Properties[name].Description), "      ", 78))
	}
}

// printBrief writes what follows a usage error: the usage line, and where
// to find the rest.
func (c *opCommand) printBrief(f *opFlags, w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\nRun \"%s --help\" for its flags.\n", c.synopsis(f), c.name())
}
