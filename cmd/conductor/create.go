package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/gen"
)

const createSynopsis = "auth-sessions create --end-user-id ID [--publishable-key K] [--link-expiry 2h] [--redirect-url URL]"

// sessionJSON is what create prints: the API's auth_session, so that the
// output reads like the API reference, with its timestamps as Conductor
// writes them (these fields hide the embedded time.Time ones), and the
// request id for support.
type sessionJSON struct {
	gen.AuthSession
	CreatedAt string `json:"createdAt"`
	ExpiresAt string `json:"expiresAt"`
	RequestID string `json:"requestId"`
}

// timestampLayout is Conductor's own: UTC, milliseconds, Z.
const timestampLayout = "2006-01-02T15:04:05.000Z"

// createFlags defines auth-sessions create's flags, on a set of their
// own, bound to params: the command parses it, and completion lists its
// flags.
func createFlags(params *conductor.AuthSessionCreateParams) *flag.FlagSet {
	fs := flag.NewFlagSet("auth-sessions create", flag.ContinueOnError)
	fs.StringVar(&params.EndUserID, "end-user-id", "", "the `ID` of the end-user (end_usr_...); required")
	fs.StringVar(&params.PublishableKey, "publishable-key", "", "your publishable `key` (pk_...); default: CONDUCTOR_PUBLISHABLE_KEY")
	fs.Var(durationFlag{&params.LinkExpiry}, "link-expiry", "how long the auth-flow link stays valid, a `duration` from 15m to 168h;\ndefault: the API's, 30m")
	fs.StringVar(&params.RedirectURL, "redirect-url", "", "the `URL` the end-user's browser goes to after the flow")
	return fs
}

func runCreate(ctx context.Context, args []string, e env) int {
	stdout, stderr := e.stdout, e.stderr
	var params conductor.AuthSessionCreateParams
	fs := createFlags(&params)
	usage := func(w io.Writer) { printUsage(fs, createSynopsis, w) }
	if code, done := parseFlags(fs, args, nil, usage, usage, stdout, stderr); done {
		return code
	}
	if params.EndUserID == "" {
		fmt.Fprintf(stderr, "conductor auth-sessions create: --end-user-id is required\n\n")
		printUsage(fs, createSynopsis, stderr)
		return exitUsage
	}

	keySource := "--publishable-key"
	if params.PublishableKey == "" {
		params.PublishableKey = e.getenv(conductor.EnvPublishableKey)
		keySource = conductor.EnvPublishableKey
	}
	client, done, code, err := newClient(e, params.PublishableKey, keySource, true)
	if err != nil {
		fmt.Fprintf(stderr, "conductor auth-sessions create: %s\n", message(err))
		return code
	}
	defer done()

	session, err := client.AuthSessions.Create(ctx, params)
	if err != nil {
		return reportError("conductor auth-sessions create", err, func(field string) string {
			if field == "PublishableKey" {
				return keySource
			}
			return flagName(field)
		}, stderr)
	}
	out := sessionJSON{
		AuthSession: gen.AuthSession{
			ID:           session.ID,
			ObjectType:   gen.ObjectType(session.ObjectType),
			EndUserID:    session.EndUserID,
			ClientSecret: session.ClientSecret,
			AuthFlowURL:  session.AuthFlowURL,
		},
		CreatedAt: session.CreatedAt.UTC().Format(timestampLayout),
		ExpiresAt: session.ExpiresAt.UTC().Format(timestampLayout),
		RequestID: session.RequestID,
	}
	if session.RedirectURL != "" {
		out.RedirectURL = &session.RedirectURL
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // keep & in URLs readable
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(stderr, "conductor auth-sessions create: writing the session: %v\n", err)
		return exitAPI
	}
	return exitOK
}

// flagName maps a parameter's Go name to the flag that sets it.
func flagName(field string) string {
	switch field {
	case "EndUserID":
		return "--end-user-id"
	case "LinkExpiry":
		return "--link-expiry"
	case "RedirectURL":
		return "--redirect-url"
	}
	return field
}

// durationFlag is a flag.Value for a time.Duration that says what to write
// when the value is not one; package flag's own says "parse error".
type durationFlag struct{ d *time.Duration }

func (f durationFlag) String() string {
	if f.d == nil || *f.d == 0 {
		return ""
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	switch {
	case err == nil:
		*f.d = d
		return nil
	case isNumber(s):
		return errors.New("a duration needs a unit, such as 2h or 90m")
	default:
		return errors.New("not a duration; write it as 2h, 90m or 1h30m (the units are h, m and s)")
	}
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}
