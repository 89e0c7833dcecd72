package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/gen"
)

const createSynopsis = "auth-sessions create --end-user-id ID [--publishable-key K] [--link-expiry 2h] [--redirect-url URL]"

// sessionJSON is what create prints: the API's auth_session, so that the
// output reads like the API reference, and the request id for support.
type sessionJSON struct {
	gen.AuthSession
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

	if params.PublishableKey == "" {
		params.PublishableKey = getenv(conductor.EnvPublishableKey)
	}
	client, done, err := newClient(getenv, params.PublishableKey, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "conductor auth-sessions create: %v\n", err)
		return exitUsage
	}
	defer done()

	session, err := client.AuthSessions.Create(ctx, params)
	if err != nil {
		return reportError(err, stderr)
	}
	out := sessionJSON{
		AuthSession: gen.AuthSession{
			Id:           session.ID,
			ObjectType:   gen.AuthSessionObjectType(session.ObjectType),
			CreatedAt:    session.CreatedAt.UTC().Format(timestampLayout),
			EndUserId:    session.EndUserID,
			ClientSecret: session.ClientSecret,
			AuthFlowUrl:  session.AuthFlowURL,
			ExpiresAt:    session.ExpiresAt.UTC().Format(timestampLayout),
		},
		RequestID: session.RequestID,
	}
	if session.RedirectURL != "" {
		out.RedirectUrl = &session.RedirectURL
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
// set, else for a fake started in-process that accepts publishableKey,
// said so on stderr. done stops the fake, if any.
func newClient(getenv func(string) string, publishableKey string, stderr io.Writer) (client *conductor.Client, done func(), err error) {
	secret := getenv(conductor.EnvSecretKey)
	if secret == "" {
		// The fake accepts the publishable key given, so that the flag
		// behaves as it would against the real API; except a secret key,
		// which the client itself then refuses with a clearer message.
		var opts conductortest.Options
		if !strings.HasPrefix(publishableKey, "sk_") {
			opts.PublishableKey = publishableKey
		}
		srv, err := conductortest.NewServerWithOptions(opts)
		if err != nil {
			return nil, nil, err
		}
		fmt.Fprintf(stderr, "conductor: %s is not set: using an in-process fake Conductor API that stops on exit (conductor fake-server runs one that stays up)\n", conductor.EnvSecretKey)
		client, err := srv.Client()
		if err != nil {
			srv.Close()
			return nil, nil, err
		}
		return client, srv.Close, nil
	}
	if publishableKey == "" {
		return nil, nil, fmt.Errorf("with %s set, a publishable key is needed too: pass --publishable-key or set %s", conductor.EnvSecretKey, conductor.EnvPublishableKey)
	}
	// The environment comes in through getenv, so pass it as options:
	// they win over what NewClient reads from the process itself.
	opts := []conductor.Option{conductor.WithAPIKey(secret)}
	if base := getenv(conductor.EnvBaseURL); base != "" {
		opts = append(opts, conductor.WithBaseURL(base))
	}
	client, err = conductor.NewClient(opts...)
	return client, func() {}, err
}

// reportError prints a failed call on stderr and returns its exit status:
// parameters the client refused are a usage error, anything else is the
// API's or the network's.
func reportError(err error, stderr io.Writer) int {
	var verr *conductor.ValidationError
	if errors.As(err, &verr) {
		fmt.Fprintf(stderr, "conductor auth-sessions create: invalid %s: %s\n", flagName(verr.Field), verr.Reason)
		return exitUsage
	}
	var apiErr *conductor.Error
	if !errors.As(err, &apiErr) {
		fmt.Fprintf(stderr, "conductor auth-sessions create: %v\n", err)
		return exitAPI
	}
	fmt.Fprintf(stderr, "conductor auth-sessions create: the API refused the call with status %d\n", apiErr.StatusCode)
	for _, f := range []struct{ name, value string }{
		{"type", apiErr.Type}, {"code", apiErr.Code}, {"message", apiErr.Message}, {"request id", apiErr.RequestID},
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
	case "PublishableKey":
		return "--publishable-key (or CONDUCTOR_PUBLISHABLE_KEY)"
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
