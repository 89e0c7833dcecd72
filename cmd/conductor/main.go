// Command conductor creates Conductor auth sessions from the shell and runs
// a fake Conductor API for other tools.
//
//	conductor auth-sessions create --end-user-id end_usr_demo
//	conductor fake-server --addr 127.0.0.1:4010
//
// Without CONDUCTOR_SECRET_KEY, auth-sessions create runs against a fake
// started in-process, so it works on a fresh clone with no account.
//
// Exit status: 0 on success; 2 for what the person gave that cannot work
// (a bad flag, environment variable or parameter); 1 for a failure that
// is not their input: the API or the network fails the call, or
// fake-server cannot listen on a well-formed address because the machine
// refuses it (in use, not one of its addresses, not permitted).
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
	"strings"
	"syscall"
)

// Exit statuses.
const (
	exitOK    = 0
	exitAPI   = 1
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr})
	stop()
	os.Exit(code)
}

const usage = `Usage: conductor <command> [flags]

Commands:
  auth-sessions create   create an auth session and print it as JSON
  fake-server            run a fake Conductor API on loopback

Run "conductor <command> --help" for a command's flags.

Environment:
  CONDUCTOR_SECRET_KEY       your secret key; when unset, auth-sessions
                             create uses an in-process fake instead
  CONDUCTOR_BASE_URL         the API's base URL (default: the real API)
  CONDUCTOR_PUBLISHABLE_KEY  the default for --publishable-key
`

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

// run is the whole command, minus the process, so tests can call it.
func run(ctx context.Context, args []string, e env) int {
	return dispatch("conductor", usage, map[string]command{
		"auth-sessions": runAuthSessions,
		"fake-server":   runFakeServer,
	}, ctx, args, e)
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

// parseFlags parses args into fs, printing help on stdout for --help and
// errors with the usage on stderr. done reports that the command must
// stop with the code returned.
func parseFlags(fs *flag.FlagSet, synopsis string, args []string, stdout, stderr io.Writer) (code int, done bool) {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		printUsage(fs, synopsis, stdout)
		return exitOK, true
	case err != nil:
		fmt.Fprintf(stderr, "conductor %s: %s\n\n", fs.Name(), flagError(err))
		printUsage(fs, synopsis, stderr)
		return exitUsage, true
	}
	return exitOK, false
}

// invalidValue is how package flag reports a value its flag.Value refused.
var invalidValue = regexp.MustCompile(`^invalid value ("(?:[^"\\]|\\.)*") for flag -(\S+): (.*)$`)

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
