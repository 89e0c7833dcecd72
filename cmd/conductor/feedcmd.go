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
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"github.com/seed-6dcb809e/conductor-go/internal/facade"
)

// feedCommand is a resource's change feed as a command, such as
// conductor qbd invoices changes --end-user-id ID [--since CHECKPOINT]:
// the tree makes one for each resource whose facade service has a Changes
// method, and it calls that method.
type feedCommand struct {
	words  []string          // after "conductor": qbd invoices changes
	list   apispec.Operation // the resource's list, which the feed reads
	method *facade.Method    // the service's Changes
}

func (c *feedCommand) name() string { return "conductor " + strings.Join(c.words, " ") }

// what is the resource in words: "bill check payments".
func (c *feedCommand) what() string {
	return strings.ReplaceAll(c.words[len(c.words)-2], "-", " ")
}

func (c *feedCommand) summary() string {
	return "Print what changed in the " + c.what() + " since a checkpoint"
}

const feedSynopsisFlags = " --end-user-id ID [--since CHECKPOINT]"

// printHelp writes the command's help: what each line is, and which one
// holds the checkpoint to store, when.
func (c *feedCommand) printHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s%s\n\n", c.name(), feedSynopsisFlags)
	what := c.what()
	for _, para := range []string{
		wrap(c.summary()+": each one created, updated or deleted, one JSON object a line, in the order to apply them to a copy:", "", 78),
		"",
		`  {"object": {...}}                                 one created or updated, whole`,
		`  {"deleted": {"id": "...", "deletedAt": "..."}}    one deleted`,
		`  {"checkpoint": "...", "caughtUp": true}           the last line`,
		"",
		wrap(`The last line holds the checkpoint: store it only after applying every line before it, and pass it as --since next time, to get the changes after those. Without --since (or with --since ""), the run starts from the beginning: every one of the `+what+` there is, then the checkpoint. Each run ends once it has caught up; run it again to follow the changes.`, "", 78),
		"",
		wrap(`When a run fails part way, its last line is {"checkpoint": "...", "caughtUp": false}, the checkpoint after the lines before it, which is as safe to store; the error goes to stderr and the exit status is 1. A checkpoint older than QuickBooks Desktop's 90 days of deletion history fails so too: run again without --since and replace the copy with what that run prints.`, "", 78),
		"",
		"Flags:",
	} {
		fmt.Fprintln(w, para)
	}
	for _, f := range c.flagHelp() {
		fmt.Fprintf(w, "  --%s %s\n%s\n", f.name, f.placeholder, wrap(f.text, "      ", 78))
	}
}

// flagHelp is the command's flags, as its help writes them.
func (c *feedCommand) flagHelp() []struct{ name, placeholder, text string } {
	return []struct{ name, placeholder, text string }{
		{"end-user-id", "ID", "The ID of the End-User whose " + c.what() + " to follow. Required."},
		{"since", "CHECKPOINT", `The checkpoint of the last line of an earlier run, to print the changes after it. Empty or left out: from the beginning.`},
	}
}

// printBrief writes what follows a usage error.
func (c *feedCommand) printBrief(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s%s\nRun \"%s --help\" for what it prints.\n", c.name(), feedSynopsisFlags, c.name())
}

// feedLine is a line the command prints: one of its fields is set.
type feedLine struct {
	Object  any          `json:"object,omitempty"`
	Deleted *deletedLine `json:"deleted,omitempty"`
	*checkpointLine
}

type deletedLine struct {
	ID        string    `json:"id"`
	DeletedAt time.Time `json:"deletedAt"`
}

type checkpointLine struct {
	Checkpoint conductor.Checkpoint `json:"checkpoint"`
	CaughtUp   bool                 `json:"caughtUp"`
}

// change is what the command reads of a conductor.Change of any type
// beyond its fields.
type change interface {
	Checkpoint() conductor.Checkpoint
	CaughtUp() bool
}

// run runs one run of the feed: it prints each change as it arrives, then
// the checkpoint. A --since the feed cannot read is found before the
// client is made, as the other commands find a bad flag.
func (c *feedCommand) run(ctx context.Context, args []string, e env) int {
	fs := flag.NewFlagSet(strings.Join(c.words, " "), flag.ContinueOnError)
	var endUser, since string
	fs.Var((*stringFlag)(&endUser), "end-user-id", "")
	fs.Var((*stringFlag)(&since), "since", "")
	if code, done := parseFlags(fs, args, nil, c.printHelp, c.printBrief, e.stdout, e.stderr); done {
		return code
	}
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "end-user-id" })
	if !given {
		fmt.Fprintf(e.stderr, "%s: --end-user-id is required\n\n", c.name())
		c.printBrief(e.stderr)
		return exitUsage
	}
	call := facade.Args{EndUserID: endUser, Since: conductor.Checkpoint(since)}
	switch err := dryRun(ctx, c.method, call, true); {
	case err == nil || errors.Is(err, errNotSent) || ctx.Err() != nil:
	case errors.As(err, new(*conductor.ValidationError)):
		return reportError(c.name(), err, c.flagFor, e.stderr)
	default:
		// Before it sends anything, the feed fails only for its
		// checkpoint.
		fmt.Fprintf(e.stderr, "%s: --since: %s\nPass the checkpoint of the last line of an earlier run of this command for this end-user, or leave --since out to start from the beginning.\n", c.name(), sinceReason(err))
		return exitUsage
	}

	client, done, code, err := newClient(e, e.getenv(conductor.EnvPublishableKey), conductor.EnvPublishableKey, false)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %s\n", c.name(), message(err))
		return code
	}
	defer done()
	seq, err := c.method.Call(ctx, client, call)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %s\n", c.name(), message(err))
		return exitAPI
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	for v, errv := range seq.Seq2() {
		err, _ := errv.Interface().(error)
		line, ok := lineOf(v, err)
		if !ok {
			fmt.Fprintf(e.stderr, "%s: %s yields %v, which is not a conductor.Change\n", c.name(), c.method.Where, v.Type())
			return exitAPI
		}
		if werr := enc.Encode(line); werr != nil {
			fmt.Fprintf(e.stderr, "%s: writing the changes: %v\n", c.name(), werr)
			return exitAPI
		}
		if err != nil {
			return c.report(err, e.stderr)
		}
	}
	return exitOK
}

// lineOf is the line that prints a conductor.Change of any type, v, that
// came with err: on error, the checkpoint to resume from, not caught up.
func lineOf(v reflect.Value, err error) (feedLine, bool) {
	ch, ok := v.Interface().(change)
	object, deleted := v.FieldByName("Object"), v.FieldByName("Deleted")
	if !ok || object.Kind() != reflect.Pointer || !deleted.IsValid() || deleted.Type() != reflect.TypeFor[*conductor.Deletion]() {
		return feedLine{}, false
	}
	var line feedLine
	switch d := deleted.Interface().(*conductor.Deletion); {
	case err != nil:
		line.checkpointLine = &checkpointLine{Checkpoint: ch.Checkpoint()}
	case ch.CaughtUp():
		line.checkpointLine = &checkpointLine{Checkpoint: ch.Checkpoint(), CaughtUp: true}
	case d != nil:
		line.Deleted = &deletedLine{ID: d.ID, DeletedAt: d.DeletedAt}
	default:
		line.Object = object.Interface()
	}
	return line, true
}

// sinceReason is what the feed's error for a checkpoint it cannot read
// says is wrong with it, without the feed's name or its advice to a Go
// program (the command gives its own).
func sinceReason(err error) string {
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, " changes: "); ok {
		msg = after
	}
	msg, _, _ = strings.Cut(msg, "; pass one")
	return msg
}

// report prints a run's error and returns its exit status, saying what to
// do when the checkpoint is too old to resume from.
func (c *feedCommand) report(err error, stderr io.Writer) int {
	if errors.Is(err, conductor.ErrResyncNeeded) {
		fmt.Fprintf(stderr, "%s: %s\nRun it again without --since and replace the copy with what that run prints: the deletions since the checkpoint are no longer all known.\n", c.name(), message(err))
		return exitAPI
	}
	return reportError(c.name(), err, c.flagFor, stderr)
}

// flagFor names the flag that set a field the client refused.
func (c *feedCommand) flagFor(field string) string {
	if field == "endUserID" {
		return "--end-user-id"
	}
	return field
}
