package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"fmt"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/internal/config"
	"github.com/seed-6dcb809e/conductor-go/internal/facade"
)

// newClient returns a client for the real API when CONDUCTOR_SECRET_KEY is
// set, else for a fake started in-process with the demo company, which
// accepts publishableKey, said so on stderr. done stops the fake, if any.
// On error, code is the exit status. keySource names where publishableKey
// came from. needPublishable says that the command cannot work without a
// publishable key (auth sessions); other commands send one only if given.
//
// Each value is checked here first, by the rules the client applies, so
// that an error names the flag or variable to change rather than the Go
// option the client would name.
func newClient(e env, publishableKey, keySource string, needPublishable bool) (client *conductor.Client, done func(), code int, err error) {
	// A publishable key of the wrong kind is refused before a fake is
	// started, as the real API would refuse it.
	if publishableKey != "" {
		if err := config.PublishableKey(publishableKey); err != nil {
			return nil, nil, exitUsage, fmt.Errorf("%s %v", keySource, err)
		}
	}
	secret := e.getenv(conductor.EnvSecretKey)
	if secret == "" {
		// The demo company gives the fake an end-user to act for: it
		// refuses auth sessions and QuickBooks calls for any other, as
		// Conductor does. The fake accepts the publishable key given, so
		// that the flag behaves as it would against the real API.
		opts := conductortest.Options{Demo: true, PublishableKey: publishableKey}
		srv, err := conductortest.NewServerWithOptions(opts)
		if err != nil {
			return nil, nil, exitAPI, fmt.Errorf("cannot start the in-process fake: %v", cause(err))
		}
		fmt.Fprintf(e.stderr, "conductor: %s is not set: using an in-process fake Conductor API with a demo company, end-user %s, that stops on exit (conductor fake-server --demo runs one that stays up)\n", conductor.EnvSecretKey, conductortest.DemoEndUserID)
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
	opts := []conductor.Option{conductor.WithAPIKey(secret)}
	switch {
	case publishableKey == "" && needPublishable:
		return nil, nil, exitUsage, fmt.Errorf("with %s set, a publishable key is needed too: pass --publishable-key or set %s", conductor.EnvSecretKey, conductor.EnvPublishableKey)
	case publishableKey != "":
		opts = append(opts, conductor.WithPublishableKey(publishableKey))
	}
	base := e.getenv(conductor.EnvBaseURL)
	if base == "" {
		base = conductor.DefaultBaseURL
	}
	base, err = config.BaseURL(base)
	if err != nil {
		return nil, nil, exitUsage, fmt.Errorf("%s: %v", conductor.EnvBaseURL, err)
	}
	if shown, inClear := config.InClear(base); inClear {
		return nil, nil, exitUsage, fmt.Errorf("%s %q uses plain http to a host that is not loopback, which would send your secret key in clear; use https (plain http is allowed to loopback only, such as a conductor fake-server on 127.0.0.1)", conductor.EnvBaseURL, shown)
	}
	// Every setting is passed as an option, so that the client does not
	// read the environment again (tests pass it through getenv).
	client, err = conductor.NewClient(append(opts, conductor.WithBaseURL(base))...)
	if err != nil {
		return nil, nil, exitUsage, err
	}
	return client, client.CloseIdleConnections, exitOK, nil
}

// refusal is the client's refusal of a call, a *conductor.ValidationError,
// or nil when the client would send it, as dryRun finds it.
func refusal(ctx context.Context, m *facade.Method, call facade.Args, iterates bool) *conductor.ValidationError {
	verr, _ := errors.AsType[*conductor.ValidationError](dryRun(ctx, m, call, iterates))
	return verr
}

// dryRun makes a call on a client whose transport sends nothing, so that
// the command finds what the client refuses before it makes the client it
// sends with (and starts no fake for a request that cannot go). It
// returns the error the call ends with, which is errNotSent (errors.Is)
// when the client would send it. iterates says that m returns an
// iterator (a list's All, a feed's Changes), whose error is its first.
func dryRun(ctx context.Context, m *facade.Method, call facade.Args, iterates bool) error {
	client, err := conductor.NewClient(
		conductor.WithAPIKey("sk_conductor_nothing_is_sent"),
		conductor.WithBaseURL(conductor.DefaultBaseURL),
		conductor.WithMaxRetries(0),
		// A write the transport did not send has no outcome to find
		// out: resolving it would wait as for a real one, seconds,
		// before the command made the call it checks.
		conductor.WithWritePolicy(conductor.ReportWrites),
		conductor.WithHTTPClient(&http.Client{Transport: sendsNothing{}}),
		// Its attempt fails on purpose: CONDUCTOR_LOG must not log it as
		// a failed request to Conductor.
		conductor.WithLogger(slog.New(slog.DiscardHandler)),
	)
	if err != nil {
		// Its options are constants, which NewClient takes; were it to
		// refuse them, the client the command sends with still checks.
		return nil
	}
	out, err := m.Call(ctx, client, call)
	if iterates && err == nil {
		for _, errv := range out.Seq2() {
			err, _ = errv.Interface().(error)
			if err != nil {
				break
			}
		}
	}
	return err
}

// errNotSent is how sendsNothing fails every request.
var errNotSent = errors.New("not sent: the request was only checked")

// sendsNothing is a transport that fails every request it is given.
type sendsNothing struct{}

func (sendsNothing) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	return nil, errNotSent
}
