package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/gen"
	"github.com/seed-6dcb809e/conductor-go/internal/config"
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

func runCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("auth-sessions create", flag.ContinueOnError)
	var params conductor.AuthSessionCreateParams
	fs.StringVar(&params.EndUserID, "end-user-id", "", "the `ID` of the end-user (end_usr_...); required")
	fs.StringVar(&params.PublishableKey, "publishable-key", "", "your publishable `key` (pk_...); default: CONDUCTOR_PUBLISHABLE_KEY")
	fs.Var(durationFlag{&params.LinkExpiry}, "link-expiry", "how long the auth-flow link stays valid, a `duration` from 15m to 168h;\ndefault: the API's, 30m")
	fs.StringVar(&params.RedirectURL, "redirect-url", "", "the `URL` the end-user's browser goes to after the flow")
	if code, done := parseFlags(fs, createSynopsis, args, stdout, stderr); done {
		return code
	}
	if params.EndUserID == "" {
		fmt.Fprintf(stderr, "conductor auth-sessions create: --end-user-id is required\n\n")
		printUsage(fs, createSynopsis, stderr)
		return exitUsage
	}

	keySource := "--publishable-key"
	if params.PublishableKey == "" {
		params.PublishableKey = getenv(conductor.EnvPublishableKey)
		keySource = conductor.EnvPublishableKey
	}
	client, done, code, err := newClient(getenv, params.PublishableKey, keySource, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "conductor auth-sessions create: %v\n", err)
		return code
	}
	defer done()

	session, err := client.AuthSessions.Create(ctx, params)
	if err != nil {
		return reportError(err, keySource, stderr)
	}
	out := sessionJSON{
		AuthSession: gen.AuthSession{
			ID:           session.ID,
			ObjectType:   gen.AuthSessionObjectType(session.ObjectType),
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

// newClient returns a client for the real API when CONDUCTOR_SECRET_KEY is
// set, else for a fake started in-process with the demo company, which
// accepts publishableKey, said so on stderr. done stops the fake, if any. On error, code is the
// exit status. keySource names where publishableKey came from.
//
// Each value is checked here first, by the rules the client applies, so
// that an error names the flag or variable to change rather than the Go
// option the client would name.
func newClient(getenv func(string) string, publishableKey, keySource string, stderr io.Writer) (client *conductor.Client, done func(), code int, err error) {
	secret := getenv(conductor.EnvSecretKey)
	if secret == "" {
		// The fake accepts the publishable key given, so that the flag
		// behaves as it would against the real API; except a key the
		// client refuses (a secret key), which goes to the client as
		// given, for it to refuse.
		// The demo company gives the fake an end-user to act for: it
		// refuses auth sessions and QuickBooks calls for any other, as
		// Conductor does.
		opts := conductortest.Options{Demo: true}
		if config.PublishableKey(publishableKey) == nil {
			opts.PublishableKey = publishableKey
		}
		srv, err := conductortest.NewServerWithOptions(opts)
		if err != nil {
			if cause := errors.Unwrap(err); cause != nil {
				err = cause
			}
			return nil, nil, exitAPI, fmt.Errorf("cannot start the in-process fake: %v", err)
		}
		fmt.Fprintf(stderr, "conductor: %s is not set: using an in-process fake Conductor API with a demo company, end-user %s, that stops on exit (conductor fake-server --demo runs one that stays up)\n", conductor.EnvSecretKey, conductortest.DemoEndUserID)
		client, err := srv.Client()
		if err != nil {
			srv.Close()
			return nil, nil, exitAPI, err
		}
		return client, srv.Close, exitOK, nil
	}
	if err := config.SecretKey(secret); err != nil {
		return nil, nil, exitUsage, fmt.Errorf("%s %v", conductor.EnvSecretKey, err)
	}
	if publishableKey == "" {
		return nil, nil, exitUsage, fmt.Errorf("with %s set, a publishable key is needed too: pass --publishable-key or set %s", conductor.EnvSecretKey, conductor.EnvPublishableKey)
	}
	if err := config.PublishableKey(publishableKey); err != nil {
		return nil, nil, exitUsage, fmt.Errorf("%s %v", keySource, err)
	}
	base := getenv(conductor.EnvBaseURL)
	if base == "" {
		base = conductor.DefaultBaseURL
	}
	base, err = config.BaseURL(base)
	if err != nil {
		return nil, nil, exitUsage, fmt.Errorf("%s: %v", conductor.EnvBaseURL, err)
	}
	if config.InClear(base) {
		shown := base
		if u, err := url.Parse(base); err == nil {
			shown = u.Redacted()
		}
		return nil, nil, exitUsage, fmt.Errorf("%s %q uses plain http to a host that is not loopback, which would send your secret key in clear; use https (plain http is allowed to loopback only, such as a conductor fake-server on 127.0.0.1)", conductor.EnvBaseURL, shown)
	}
	// Every setting is passed as an option, so that the client does not
	// read the environment again (tests pass it through getenv).
	client, err = conductor.NewClient(conductor.WithAPIKey(secret), conductor.WithBaseURL(base), conductor.WithPublishableKey(publishableKey))
	if err != nil {
		return nil, nil, exitUsage, err
	}
	return client, func() {}, exitOK, nil
}

// reportError prints a failed call on stderr and returns its exit status:
// parameters the client refused are a usage error, anything else is the
// API's or the network's. keySource names where the publishable key came
// from.
func reportError(err error, keySource string, stderr io.Writer) int {
	var verr *conductor.ValidationError
	if errors.As(err, &verr) {
		name := flagName(verr.Field)
		if verr.Field == "PublishableKey" {
			name = keySource
		}
		fmt.Fprintf(stderr, "conductor auth-sessions create: %s %s\n", name, verr.Reason)
		return exitUsage
	}
	var apiErr *conductor.Error
	if !errors.As(err, &apiErr) {
		fmt.Fprintf(stderr, "conductor auth-sessions create: %v\n", err)
		return exitAPI
	}
	fmt.Fprintf(stderr, "conductor auth-sessions create: the API refused the call with status %d\n", apiErr.StatusCode)
	for _, f := range []struct{ name, value string }{
		{"type", string(apiErr.Type)}, {"code", apiErr.Code}, {"message", apiErr.Message}, {"request id", apiErr.RequestID},
	} {
		if f.value == "" {
			f.value = "(none)"
		}
		fmt.Fprintf(stderr, "  %-11s %s\n", f.name+":", f.value)
	}
	return exitAPI
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
