// Command conductor is the Conductor API from the shell: every operation
// of its spec, a command for each, and a fake Conductor API for other
// tools.
//
//	conductor end-users list
//	conductor qbd invoices list --end-user-id end_usr_demo --limit 10
//	conductor qbd invoices changes --end-user-id end_usr_demo --since CHECKPOINT
//	conductor qbd customers create --end-user-id end_usr_demo --data '{"name": "Acme"}'
//	conductor qbd reports aging --end-user-id end_usr_demo --report-type ar_aging_summary
//	conductor auth-sessions create --end-user-id end_usr_demo
//	conductor fake-server --addr 127.0.0.1:4010 --demo
//
// The commands over the API are made from internal/apispec's table of
// operations (tree.go), their flags from each operation's parameters in
// the spec, and each calls the facade's method for its operation by
// reflection (internal/facade), as does the changes command of each
// resource the facade gives a change feed; auth-sessions create and
// fake-server are written by hand.
//
// Without CONDUCTOR_SECRET_KEY, every command but fake-server runs against
// a fake started in-process with a demo company, so it works on a fresh
// clone with no account.
//
// Exit status: 0 on success; 2 for what the person gave that cannot work
// (a bad flag, environment variable, parameter or --data); 1 for a
// failure that is not their input: the API or the network fails the call,
// or fake-server cannot listen on a well-formed address because the
// machine refuses it (in use, not one of its addresses, not permitted); 3
// for a write the client could not confirm, which may have taken effect
// (a script must not simply run it again).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"syscall"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// Exit statuses.
const (
	exitOK          = 0
	exitAPI         = 1
	exitUsage       = 2
	exitUnconfirmed = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr})
	stop()
	os.Exit(code)
}

// handCommand is a command written by hand: its first word, its usage
// line and what it does, for the usage.
type handCommand struct {
	word, synopsis, what string
	run                  command
}

// handWritten are the commands not made from the spec's operations.
// auth-sessions create is an operation of the spec too; its command is
// written by hand to take the link expiry as a duration and the
// publishable key from the environment, and to print the session as
// Conductor writes it.
var handWritten = []handCommand{
	{"auth-sessions", "auth-sessions create", "create an auth session and print it as JSON", runAuthSessions},
	{"fake-server", "fake-server", "run a fake Conductor API on loopback", runFakeServer},
	{"completion", "completion <shell>", "print a script that completes commands and flags in bash, zsh or fish", runCompletion},
}

const environmentUsage = `
Environment:
  CONDUCTOR_SECRET_KEY       your secret key; when unset, every command but
                             fake-server uses an in-process fake with a demo
                             company, whose end-user is end_usr_demo
  CONDUCTOR_BASE_URL         the API's base URL (default: the real API)
  CONDUCTOR_PUBLISHABLE_KEY  your publishable key, for auth sessions
`

// rootUsage lists every command: the hand-written ones, and those the
// tree makes from the spec.
func rootUsage(root *node) string {
	type line struct{ synopsis, what string }
	var lines []line
	for _, h := range handWritten {
		lines = append(lines, line{h.synopsis, h.what})
	}
	for _, word := range root.names() {
		if slices.ContainsFunc(handWritten, func(h handCommand) bool { return h.word == word }) {
			continue
		}
		n := root.children[word]
		switch {
		case n.leaf():
			lines = append(lines, line{word, n.summary()})
		case n.holdsResources():
			title := apispec.NamespaceTitle(word)
			lines = append(lines, line{word + " <resource> <method>", fmt.Sprintf("%s: %d resources; \"conductor %s --help\" lists them", title, len(n.children), word)})
		default:
			lines = append(lines, line{word + " <method>", word + ": " + strings.Join(n.names(), ", ")})
		}
	}
	slices.SortFunc(lines, func(a, b line) int { return strings.Compare(a.synopsis, b.synopsis) })
	width := 0
	for _, l := range lines {
		width = max(width, len(l.synopsis))
	}
	var b strings.Builder
	b.WriteString("Usage: conductor <command> [flags]\n\nCommands:\n")
	for _, l := range lines {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, l.synopsis, l.what)
	}
	b.WriteString("\nRun \"conductor <command> --help\" for a command's methods and flags.\n")
	b.WriteString(environmentUsage)
	return b.String()
}

// env is what a command takes from its process: the environment, as a
// lookup, and the standard streams. Tests give their own.
type env struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is one (sub)command: args after its name; ctx ends on SIGINT or
// SIGTERM. It returns the exit status.
type command func(ctx context.Context, args []string, e env) int

// run is the whole command, minus the process, so tests can call it. The
// hand-written commands run without decoding the spec, which takes some
// 50 ms (see BENCHMARKS.md).
func run(ctx context.Context, args []string, e env) int {
	if len(args) > 0 && args[0] == completeWord {
		return runComplete(ctx, args[1:], e) // for the completion scripts, not listed
	}
	if len(args) > 0 {
		for _, h := range handWritten {
			if h.word == args[0] {
				return h.run(ctx, args[1:], e)
			}
		}
	}
	root, err := loadTree()
	if err != nil {
		fmt.Fprintf(e.stderr, "conductor: cannot read the API's operations from the spec built in: %v\n", err)
		return exitAPI
	}
	usage := rootUsage(root)
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	if isHelp(args[0]) {
		fmt.Fprint(e.stdout, usage)
		return exitOK
	}
	if child := root.children[args[0]]; child != nil {
		return child.run(ctx, args[1:], e)
	}
	words := root.names()
	for _, h := range handWritten {
		words = append(words, h.word)
	}
	msg := fmt.Sprintf("unknown command %q", args[0])
	if near := closest(args[0], words); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	fmt.Fprintf(e.stderr, "conductor: %s\n\n%s", msg, usage)
	return exitUsage
}

const authSessionsUsage = `Usage: conductor auth-sessions <command> [flags]

Commands:
  create   create an auth session and print it as JSON
`

func runAuthSessions(ctx context.Context, args []string, e env) int {
	return dispatch("conductor auth-sessions", authSessionsUsage, map[string]command{
		"create": runCreate,
	}, ctx, args, e)
}

// dispatch runs the command named by args[0], or prints usage: on stdout
// when asked for help, else on stderr with exit status 2.
func dispatch(name, usage string, commands map[string]command, ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	if isHelp(args[0]) {
		fmt.Fprint(e.stdout, usage)
		return exitOK
	}
	if cmd, ok := commands[args[0]]; ok {
		return cmd(ctx, args[1:], e)
	}
	fmt.Fprintf(e.stderr, "%s: unknown command %q\n\n%s", name, args[0], usage)
	return exitUsage
}

// isHelp says whether a word asks for help where a command is expected.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// parseFlags parses args into fs. --help prints help on stdout; a mistake
// prints what is wrong and usage on stderr, with the nearest of known (the
// flags fs defines, when nil) for an unknown flag. done reports that the
// command must stop with the code returned.
func parseFlags(fs *flag.FlagSet, args []string, known []string, help, usage func(io.Writer), stdout, stderr io.Writer) (code int, done bool) {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
		if name, value, ok := boolAfterSpace(fs, args); ok {
			err = fmt.Errorf("%w; a true/false flag takes its value after =, as --%s=%t", err, name, value)
		}
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		help(stdout)
		return exitOK, true
	case err != nil:
		msg := flagError(err)
		if name, ok := strings.CutPrefix(msg, "unknown flag --"); ok {
			if known == nil {
				fs.VisitAll(func(f *flag.Flag) { known = append(known, f.Name) })
			}
			if near := closest(name, known); near != "" {
				msg += "; did you mean --" + near + "?"
			}
		}
		fmt.Fprintf(stderr, "conductor %s: %s\n\n", fs.Name(), msg)
		usage(stderr)
		return exitUsage, true
	}
	return exitOK, false
}

// boolAfterSpace finds a boolean flag given its value after a space, as
// in "--include-line-items false" or "--include-line-items no": package
// flag takes a boolean's value only after =, so it set the flag to true
// and stopped at the word, the first argument left over. It returns the
// flag's name and the value the word means.
func boolAfterSpace(fs *flag.FlagSet, args []string) (name string, value, ok bool) {
	at := len(args) - fs.NArg()
	if at == 0 || !strings.HasPrefix(args[at-1], "-") {
		return "", false, false
	}
	name = strings.TrimLeft(args[at-1], "-")
	f := fs.Lookup(name)
	if f == nil {
		return "", false, false // "--" before the word, or --name=value
	}
	if !isBool(f) {
		return "", false, false
	}
	switch strings.ToLower(fs.Arg(0)) {
	case "yes", "y", "on":
		return name, true, true
	case "no", "n", "off":
		return name, false, true
	}
	value, err := parseBool(fs.Arg(0))
	return name, value, err == nil
}

// invalidValue is how package flag reports a value its flag.Value refused,
// for a boolean flag in words of its own.
var invalidValue = regexp.MustCompile(`^invalid (?:boolean )?value ("(?:[^"\\]|\\.)*") for (?:flag )?-(\S+): (.*)$`)

// flagError rewords an error of package flag as the help writes flags,
// with two dashes where flag writes one, and says what to do. The patterns
// are flag's own messages; what none matches is shown as it is.
func flagError(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return "unknown flag --" + name
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return "--" + name + " needs a value"
	}
	if m := invalidValue.FindStringSubmatch(msg); m != nil {
		return "--" + m[2] + " " + m[1] + ": " + m[3]
	}
	return msg
}

func printUsage(fs *flag.FlagSet, synopsis string, w io.Writer) {
	fmt.Fprintf(w, "Usage: conductor %s\n\nFlags:\n", synopsis)
	fs.VisitAll(func(f *flag.Flag) {
		name, help := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(w, "%s\n      %s", line, strings.ReplaceAll(help, "\n", "\n      "))
		if f.DefValue != "" && f.DefValue != "0s" && f.DefValue != "false" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}
