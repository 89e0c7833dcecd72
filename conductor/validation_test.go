package conductor_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor"
)

func TestCreateRefusesBadParamsBeforeSending(t *testing.T) {
	srv := newScriptServer(t, okReply)
	c := srv.client(t)
	// A client with no default publishable key, to test the required rule.
	t.Setenv(conductor.EnvPublishableKey, "")
	bare, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}

	with := func(f func(*conductor.AuthSessionCreateParams)) conductor.AuthSessionCreateParams {
		p := validParams
		f(&p)
		return p
	}
	tests := []struct {
		name   string
		client *conductor.Client
		params conductor.AuthSessionCreateParams
		field  string
		reason string // a part of the reason that says what is allowed
	}{
		{"empty end user", c, with(func(p *conductor.AuthSessionCreateParams) { p.EndUserID = "" }), "EndUserID", "is required"},
		{"blank end user", c, with(func(p *conductor.AuthSessionCreateParams) { p.EndUserID = " \t\n" }), "EndUserID", "is required"},
		{"no publishable key anywhere", bare, validParams, "PublishableKey", "is required"},
		{"secret key as publishable key", c, with(func(p *conductor.AuthSessionCreateParams) { p.PublishableKey = "sk_conductor_oops" }), "PublishableKey", "secret key"},
		{"expiry 14m", c, with(func(p *conductor.AuthSessionCreateParams) { p.LinkExpiry = 14 * time.Minute }), "LinkExpiry", "from 15m to 168h"},
		{"expiry 14m59s", c, with(func(p *conductor.AuthSessionCreateParams) { p.LinkExpiry = 14*time.Minute + 59*time.Second }), "LinkExpiry", "got 14m59s"},
		{"expiry 90s", c, with(func(p *conductor.AuthSessionCreateParams) { p.LinkExpiry = 90 * time.Second }), "LinkExpiry", "whole number of minutes"},
		{"expiry -1m", c, with(func(p *conductor.AuthSessionCreateParams) { p.LinkExpiry = -time.Minute }), "LinkExpiry", "got -1m0s"},
		{"expiry 168h1m", c, with(func(p *conductor.AuthSessionCreateParams) { p.LinkExpiry = 168*time.Hour + time.Minute }), "LinkExpiry", "got 168h1m0s"},
		{"expiry 10081m", c, with(func(p *conductor.AuthSessionCreateParams) { p.LinkExpiry = 10081 * time.Minute }), "LinkExpiry", "(7 days)"},
		{"expiry 30m30s", c, with(func(p *conductor.AuthSessionCreateParams) { p.LinkExpiry = 30*time.Minute + 30*time.Second }), "LinkExpiry", "whole number of minutes"},
		{"relative redirect", c, with(func(p *conductor.AuthSessionCreateParams) { p.RedirectURL = "/callback" }), "RedirectURL", "absolute http or https URL"},
		{"redirect without host", c, with(func(p *conductor.AuthSessionCreateParams) { p.RedirectURL = "https:///callback" }), "RedirectURL", "with a host"},
		{"redirect ftp", c, with(func(p *conductor.AuthSessionCreateParams) { p.RedirectURL = "ftp://example.com/x" }), "RedirectURL", `got "ftp://example.com/x"`},
		{"redirect javascript", c, with(func(p *conductor.AuthSessionCreateParams) { p.RedirectURL = "javascript:alert(1)" }), "RedirectURL", "absolute http or https"},
		{"redirect unparsable", c, with(func(p *conductor.AuthSessionCreateParams) { p.RedirectURL = "http://exa mple.com/%zz" }), "RedirectURL", "absolute http or https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			session, err := create(t, tt.client, tt.params)
			var verr *conductor.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("err = %v (%T), session = %v; want *conductor.ValidationError", err, err, session)
			}
			if session != nil {
				t.Errorf("session = %v alongside an error; want nil", session)
			}
			if verr.Fields[0].Field != tt.field {
				t.Errorf("Field = %q, want %q", verr.Fields[0].Field, tt.field)
			}
			if !strings.Contains(verr.Fields[0].Reason, tt.reason) {
				t.Errorf("Reason = %q, want it to mention %q", verr.Fields[0].Reason, tt.reason)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("Error() = %q does not name the field", err)
			}
		})
	}
	if got := srv.got(); len(got) != 0 {
		t.Errorf("the server received %d requests for invalid params; want none", len(got))
	}
}

func TestSecretKeyNeverEchoedByValidation(t *testing.T) {
	srv := newScriptServer(t, okReply)
	p := validParams
	p.PublishableKey = testAPIKey
	_, err := create(t, srv.client(t), p)
	if err == nil || strings.Contains(err.Error(), testAPIKey) || strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("err = %v; want a validation error that does not quote the key", err)
	}
}

func TestCreateSendsValidParamsAtTheEdges(t *testing.T) {
	tests := []struct {
		name   string
		params conductor.AuthSessionCreateParams
		want   map[string]any
	}{
		{"defaults", validParams, map[string]any{"endUserId": "end_usr_1234567abcdefg", "publishableKey": testPublishableKey}},
		{"15m", conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", LinkExpiry: 15 * time.Minute},
			map[string]any{"endUserId": "end_usr_a", "publishableKey": testPublishableKey, "linkExpiryMins": 15.0}},
		{"168h", conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", LinkExpiry: 168 * time.Hour},
			map[string]any{"endUserId": "end_usr_a", "publishableKey": testPublishableKey, "linkExpiryMins": 10080.0}},
		{"own publishable key and redirect", conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", PublishableKey: "pk_other", RedirectURL: "http://localhost:3000/cb?x=1"},
			map[string]any{"endUserId": "end_usr_a", "publishableKey": "pk_other", "redirectUrl": "http://localhost:3000/cb?x=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptServer(t, okReply)
			if _, err := create(t, srv.client(t), tt.params); err != nil {
				t.Fatalf("Create: %v", err)
			}
			got := srv.got()
			if len(got) != 1 {
				t.Fatalf("server got %d requests, want 1", len(got))
			}
			var body map[string]any
			if err := json.Unmarshal(got[0].body, &body); err != nil {
				t.Fatalf("request body %q: %v", got[0].body, err)
			}
			if diff := cmp.Diff(tt.want, body); diff != "" {
				t.Errorf("request body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIDsAndRequiredParamsAreCheckedBeforeSending: an empty or unsendable
// end-user id or object id, or missing required query parameters, is a
// *ValidationError naming the argument, and nothing is sent.
func TestIDsAndRequiredParamsAreCheckedBeforeSending(t *testing.T) {
	srv := newScriptServer(t, okReply)
	c := srv.client(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		call  func() error
		field string
	}{
		{"empty end-user id", func() error { _, err := c.QBD.Invoices.List(ctx, "", nil); return err }, "endUserID"},
		{"blank end-user id", func() error { _, err := c.QBD.HealthCheck(ctx, "  "); return err }, "endUserID"},
		{"end-user id with a line break", func() error {
			_, err := c.QBD.Customers.Create(ctx, "end_usr_a\nX-Injected: 1", conductor.CustomerCreateParams{Name: "Acme"})
			return err
		}, "endUserID"},
		{"empty object id", func() error { _, err := c.QBD.Invoices.Retrieve(ctx, testEndUserID, ""); return err }, "id"},
		{"empty end-user to delete", func() error { _, err := c.EndUsers.Delete(ctx, ""); return err }, "id"},
		{"object id with a control character", func() error { _, err := c.QBD.Bills.Void(ctx, testEndUserID, "a\x00b"); return err }, "id"},
		{"nil params with a required reportType", func() error { _, err := c.QBD.Reports.Aging(ctx, testEndUserID, nil); return err }, "reportType"},
		{"iterating with an empty end-user id", func() error {
			for _, err := range c.QBD.Customers.All(ctx, "", nil) {
				return err
			}
			return nil
		}, "endUserID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var verr *conductor.ValidationError
			if !errors.As(err, &verr) || verr.Fields[0].Field != tt.field || verr.Fields[0].Reason == "" {
				t.Errorf("err = %v; want a *ValidationError for %s", err, tt.field)
			}
		})
	}
	if n := len(srv.got()); n != 0 {
		t.Errorf("server got %d requests, want 0", n)
	}
}
