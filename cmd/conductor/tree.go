package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"github.com/seed-6dcb809e/conductor-go/internal/facade"
)

// node is a word of the command line over the spec's operations: a
// namespace (qbd), a resource (invoices), an operation (list) or a
// resource's change feed (changes), made from internal/apispec's table,
// so every operation of the spec has a command and the command keeps no
// list of its own.
type node struct {
	words    []string // from the root: qbd invoices
	children map[string]*node
	op       *opCommand   // an operation, which has no children
	feed     *feedCommand // a change feed, which has no children
}

// leaf says that the node is a command rather than a group of them.
func (n *node) leaf() bool { return n.op != nil || n.feed != nil }

// summary is what the node's command does, for the lists of commands.
func (n *node) summary() string {
	if n.feed != nil {
		return n.feed.summary()
	}
	return strings.TrimSuffix(n.op.op.Summary, ".")
}

// loadTree makes the tree once per process.
var loadTree = sync.OnceValues(func() (*node, error) {
	t, err := loadSpec()
	if err != nil {
		return nil, err
	}
	return buildTree(t)
})

// buildTree makes the tree of commands from the table's operations, and a
// changes command for each list whose resource the facade gives a change
// feed (a Changes method). Two operations named alike, or a resource
// named as an operation, are an error: the spec grew something the
// naming rules cannot tell apart.
func buildTree(t *specTable) (*node, error) {
	root := &node{children: map[string]*node{}}
	for _, op := range t.ops {
		words := commandWords(op)
		n := root
		for i, w := range words[:len(words)-1] {
			child := n.children[w]
			if child == nil {
				child = &node{words: words[:i+1], children: map[string]*node{}}
				n.children[w] = child
			}
			if child.leaf() {
				return nil, fmt.Errorf("%s and %s would both be the command %q", child.op.op.SDKName(), op.SDKName(), strings.Join(child.words, " "))
			}
			n = child
		}
		last := words[len(words)-1]
		if prev := n.children[last]; prev != nil {
			return nil, fmt.Errorf("%s would be the command %q, which is already %s", op.SDKName(), strings.Join(words, " "), prev.describe())
		}
		n.children[last] = &node{words: words, op: &opCommand{words: words, op: op, table: t}}
	}
	for _, op := range t.ops {
		if op.Kind != apispec.List {
			continue
		}
		m, err := facade.Find(op, "Changes")
		if errors.Is(err, facade.ErrNoMethod) {
			continue // a resource the feed cannot follow
		}
		if err != nil {
			return nil, err
		}
		words := commandWords(op)
		words[len(words)-1] = "changes"
		n := root
		for _, w := range words[:len(words)-1] {
			n = n.children[w]
		}
		if prev := n.children["changes"]; prev != nil {
			return nil, fmt.Errorf("the change feed of %s would be the command %q, which is already %s", op.SDKName(), strings.Join(words, " "), prev.describe())
		}
		n.children["changes"] = &node{words: words, feed: &feedCommand{words: words, list: op, method: m}}
	}
	return root, nil
}

// describe names what a node is, for messages about the tree itself.
func (n *node) describe() string {
	switch {
	case n.op != nil:
		return n.op.op.SDKName()
	case n.feed != nil:
		return "the change feed of " + n.feed.list.SDKName()
	}
	return "a group of commands"
}

// commandWords are the words that name op on the command line: the
// namespace, the resource as its URL path writes it, and the method in
// kebab-case (qbd bill-check-payments list, end-users create, qbd
// health-check, qbd reports budget-summary). A namespace's path prefix is
// one segment (/quickbooks-desktop).
func commandWords(op apispec.Operation) []string {
	var words []string
	segs := strings.Split(strings.TrimPrefix(op.Path, "/"), "/")
	if op.Namespace != "" {
		words = append(words, op.Namespace)
		segs = segs[1:]
	}
	if op.Resource != "" {
		words = append(words, segs[0])
	}
	return append(words, kebab(op.Name))
}

// name is the node's command, from "conductor".
func (n *node) name() string {
	return strings.Join(append([]string{"conductor"}, n.words...), " ")
}

// names are the words that may follow the node, sorted.
func (n *node) names() []string { return slices.Sorted(maps.Keys(n.children)) }

// holdsResources says that some word after the node is a resource rather
// than a method.
func (n *node) holdsResources() bool {
	for _, c := range n.children {
		if !c.leaf() {
			return true
		}
	}
	return false
}

// run runs the command args name below the node.
func (n *node) run(ctx context.Context, args []string, e env) int {
	switch {
	case n.op != nil:
		return n.op.run(ctx, args, e)
	case n.feed != nil:
		return n.feed.run(ctx, args, e)
	}
	if len(args) == 0 {
		n.printUsage(e.stderr)
		return exitUsage
	}
	if isHelp(args[0]) {
		n.printUsage(e.stdout)
		return exitOK
	}
	child := n.children[args[0]]
	if child != nil {
		return child.run(ctx, args[1:], e)
	}
	what := "method"
	if n.holdsResources() {
		what = "resource"
	}
	if strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(e.stderr, "%s: %s is a flag, but a %s comes first: flags follow the method, as in %s\n", n.name(), args[0], what, n.example())
		return exitUsage
	}
	msg := fmt.Sprintf("unknown %s %q", what, args[0])
	if near := closest(args[0], n.names()); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	if what == "method" {
		fmt.Fprintf(e.stderr, "%s: %s\nIts methods are %s.\n", n.name(), msg, listAnd(n.names()))
	} else {
		fmt.Fprintf(e.stderr, "%s: %s\nRun \"%s --help\" to list them.\n", n.name(), msg, n.name())
	}
	return exitUsage
}

// example is a whole command below the node, for messages.
func (n *node) example() string {
	for !n.leaf() {
		n = n.children[n.names()[0]]
	}
	return n.name() + " --flag ..."
}

// printUsage lists the words that may follow the node: resources with
// their methods, then methods with what they do.
func (n *node) printUsage(w io.Writer) {
	var resources, methods []string
	for _, name := range n.names() {
		if !n.children[name].leaf() {
			resources = append(resources, name)
		} else {
			methods = append(methods, name)
		}
	}
	width := 0
	for _, name := range n.names() {
		width = max(width, len(name))
	}
	if len(resources) > 0 {
		fmt.Fprintf(w, "Usage: %s <resource> <method> [flags]\n", n.name())
	}
	if len(methods) > 0 {
		prefix := "Usage:"
		if len(resources) > 0 {
			prefix = "      "
		}
		fmt.Fprintf(w, "%s %s <method> [flags]\n", prefix, n.name())
	}
	if len(resources) > 0 {
		fmt.Fprintf(w, "\nResources and their methods:\n")
		for _, name := range resources {
			fmt.Fprintf(w, "  %-*s  %s\n", width, name, strings.Join(n.children[name].names(), ", "))
		}
	}
	if len(methods) > 0 {
		fmt.Fprintf(w, "\nMethods:\n")
		for _, name := range methods {
			fmt.Fprintf(w, "  %-*s  %s\n", width, name, n.children[name].summary())
		}
	}
	what := "<method>"
	if len(resources) > 0 {
		what = "<resource> <method>"
	}
	fmt.Fprintf(w, "\nRun \"%s %s --help\" for a method's flags.\n", n.name(), what)
}
