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
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// plainValuesFake is a fake with a connected end-user and a customer, and
// a function returning the last request it got.
func plainValuesFake(t *testing.T) (c *conductor.Client, endUser, customer string, last func() conductortest.Request) {
	t.Helper()
	srv := conductortest.NewServer()
	t.Cleanup(srv.Close)
	c, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	eu, err := c.EndUsers.Create(ctx, conductor.EndUserCreateParams{CompanyName: "Acme", SourceID: "acct_1", Email: "ap@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Connect(eu.ID); err != nil {
		t.Fatal(err)
	}
	cu, err := c.QBD.Customers.Create(ctx, eu.ID, conductor.CustomerCreateParams{Name: "Globex"})
	if err != nil {
		t.Fatal(err)
	}
	last = func() conductortest.Request {
		reqs := srv.Requests()
		return reqs[len(reqs)-1]
	}
	return c, eu.ID, cu.ID, last
}

// TestOptionalListsInABody: an optional list is a slice; nil is left out
// of the body, an empty one is sent as [], and one with items as they are.
// (Every optional list of the spec has minItems 1, so the client refuses
// the [] before sending it; with SkipSpecChecks it goes out, and
// Conductor, and the fake, refuse it with a 400 naming the field.)
func TestOptionalListsInABody(t *testing.T) {
	c, endUser, customer, last := plainValuesFake(t)
	date := conductor.Date{Time: time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name  string
		lines []conductor.InvoiceCreateParamsLine
		want  any // the body's "lines", or absent
		// refused is the status of a refusal, 0 for none.
		refused int
	}{
		{"nil: not sent", nil, absent{}, 0},
		{"empty: []", []conductor.InvoiceCreateParamsLine{}, []any{}, 400},
		{"one line", []conductor.InvoiceCreateParamsLine{{Description: new("Consulting")}}, []any{map[string]any{"description": "Consulting"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []conductor.Option
			if tt.refused != 0 {
				opts = append(opts, conductor.SkipSpecChecks())
			}
			_, err := c.QBD.Invoices.Create(context.Background(), endUser, conductor.InvoiceCreateParams{CustomerID: customer, TransactionDate: date, Lines: tt.lines}, opts...)
			var apiErr *conductor.Error
			switch {
			case tt.refused == 0 && err != nil:
				t.Fatal(err)
			case tt.refused != 0 && (!errors.As(err, &apiErr) || apiErr.StatusCode != tt.refused || !strings.Contains(apiErr.Message, "lines")):
				t.Fatalf("err = %v, want a %d naming lines", err, tt.refused)
			}
			var body map[string]any
			if err := json.Unmarshal(last().Body, &body); err != nil {
				t.Fatal(err)
			}
			got, ok := body["lines"]
			if !ok {
				got = absent{}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("lines in the body %s (-want +got):\n%s", last().Body, diff)
			}
		})
	}
}

// absent stands for a key a body lacks.
type absent struct{}

// TestOptionalListsInAQuery: a nil list is not sent; a list is sent as one
// parameter per item; an empty list, or an empty item, which a query
// cannot write (it would go out as ids=, asking for the object whose id
// is ""), is refused before anything is sent.
func TestOptionalListsInAQuery(t *testing.T) {
	c, endUser, customer, last := plainValuesFake(t)
	ctx := context.Background()

	if _, err := c.QBD.Customers.List(ctx, endUser, &conductor.CustomerListParams{IDs: nil, Limit: new(5)}); err != nil {
		t.Fatal(err)
	}
	if got := last().RawQuery; got != "limit=5" {
		t.Errorf("nil ids: query %q, want limit=5", got)
	}
	page, err := c.QBD.Customers.List(ctx, endUser, &conductor.CustomerListParams{IDs: []string{customer, customer}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "ids=" + customer + "&ids=" + customer; last().RawQuery != want || len(page.Data) != 1 {
		t.Errorf("two ids: query %q and %d customers, want %q and 1", last().RawQuery, len(page.Data), want)
	}

	before := last()
	for _, tt := range []struct {
		name   string
		params *conductor.CustomerListParams
	}{
		{"ids", &conductor.CustomerListParams{IDs: []string{}}},
		{"fullNames", &conductor.CustomerListParams{FullNames: []string{"Globex", ""}}},
		{"nameContains", &conductor.CustomerListParams{NameContains: new("")}},
	} {
		_, err := c.QBD.Customers.List(ctx, endUser, tt.params)
		var verr *conductor.ValidationError
		if !errors.As(err, &verr) || len(verr.Fields) != 1 || verr.Fields[0].Field != tt.name || !strings.Contains(verr.Fields[0].Reason, "leave it nil") {
			t.Errorf("%s empty: err = %v, want a *ValidationError naming it as its field and saying to leave it nil", tt.name, err)
		}
	}
	// Every empty parameter at once, each by its name, as the spec's
	// rules list theirs.
	_, err = c.QBD.Customers.List(ctx, endUser, &conductor.CustomerListParams{IDs: []string{}, FullNames: []string{"", ""}, NameContains: new("")})
	var verr *conductor.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("three empty parameters: err = %v, want a *ValidationError", err)
	}
	var fields []string
	for _, f := range verr.Fields {
		fields = append(fields, f.Field)
	}
	if diff := cmp.Diff([]string{"ids", "fullNames", "nameContains"}, fields); diff != "" {
		t.Errorf("three empty parameters: the fields named (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, last()); diff != "" {
		t.Errorf("a refused query was sent (-last sent before +after):\n%s", diff)
	}
}

// TestDateTimeFilters: a DateTime is sent as YYYY-MM-DDTHH:mm:ss±HH:mm,
// in its time's own offset and whole seconds, never Z; the spec's other
// two forms, read with UnmarshalText, are sent as read; and the fake
// applies each.
func TestDateTimeFilters(t *testing.T) {
	c, endUser, _, last := plainValuesFake(t)
	ctx := context.Background()
	read := func(s string) *conductor.DateTime {
		var d conductor.DateTime
		if err := d.UnmarshalText([]byte(s)); err != nil {
			t.Fatal(err)
		}
		return &d
	}
	// The fake stamps the customer with the current time: a day either
	// side of now.
	yesterday, tomorrow := time.Now().Add(-24*time.Hour), time.Now().Add(24*time.Hour)
	berlin := time.FixedZone("CEST", 2*60*60)
	tests := []struct {
		name   string
		params conductor.CustomerListParams
		query  string
		found  int
	}{
		{"UTC: +00:00, not Z; no fraction",
			conductor.CustomerListParams{UpdatedAfter: &conductor.DateTime{Time: time.Date(2024, 10, 1, 12, 34, 56, 789_000_000, time.UTC)}},
			"updatedAfter=2024-10-01T12%3A34%3A56%2B00%3A00", 1},
		{"its own offset",
			conductor.CustomerListParams{UpdatedBefore: &conductor.DateTime{Time: time.Date(2024, 10, 1, 14, 34, 56, 0, berlin)}},
			"updatedBefore=2024-10-01T14%3A34%3A56%2B02%3A00", 0},
		{"a negative offset",
			conductor.CustomerListParams{UpdatedAfter: &conductor.DateTime{Time: time.Date(2024, 10, 1, 7, 34, 56, 0, time.FixedZone("", -5*60*60))}},
			"updatedAfter=2024-10-01T07%3A34%3A56-05%3A00", 1},
		{"an offset in seconds (local mean time): the instant in UTC",
			conductor.CustomerListParams{UpdatedAfter: &conductor.DateTime{Time: time.Date(1900, 1, 1, 12, 19, 32, 0, time.FixedZone("LMT", 19*60+32))}},
			"updatedAfter=1900-01-01T12%3A00%3A00%2B00%3A00", 1},
		{"read with Z: sent with +00:00",
			conductor.CustomerListParams{UpdatedAfter: read("2024-10-01T12:34:56Z")},
			"updatedAfter=2024-10-01T12%3A34%3A56%2B00%3A00", 1},
		{"read as a date: sent as one",
			conductor.CustomerListParams{UpdatedBefore: read(tomorrow.UTC().Format(time.DateOnly))},
			"updatedBefore=" + tomorrow.UTC().Format(time.DateOnly), 1},
		{"read without an offset: sent without one",
			conductor.CustomerListParams{UpdatedAfter: read(tomorrow.UTC().Format("2006-01-02T15:04:05"))},
			"updatedAfter=" + strings.ReplaceAll(tomorrow.UTC().Format("2006-01-02T15:04:05"), ":", "%3A"), 0},
		{"a window around now",
			conductor.CustomerListParams{UpdatedAfter: &conductor.DateTime{Time: yesterday}, UpdatedBefore: &conductor.DateTime{Time: tomorrow}},
			"updatedAfter=" + strings.NewReplacer(":", "%3A", "+", "%2B").Replace(yesterday.Format("2006-01-02T15:04:05-07:00")) +
				"&updatedBefore=" + strings.NewReplacer(":", "%3A", "+", "%2B").Replace(tomorrow.Format("2006-01-02T15:04:05-07:00")), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := c.QBD.Customers.List(ctx, endUser, &tt.params)
			if err != nil {
				t.Fatal(err)
			}
			if got := last().RawQuery; got != tt.query || len(page.Data) != tt.found {
				t.Errorf("query %s, %d customers; want %s, %d", got, len(page.Data), tt.query, tt.found)
			}
		})
	}
}

// TestDateTimeCannotHoldAMalformedValue: text in none of the spec's forms
// does not make a DateTime, and a time outside the years the forms can
// write is refused before anything is sent.
func TestDateTimeCannotHoldAMalformedValue(t *testing.T) {
	for _, s := range []string{"", "yesterday", "2024-10-01 12:34:56", "2024-10-01T12:34", "2024-02-30", "2024-10-01T25:00:00Z", "1727787600"} {
		var d conductor.DateTime
		if err := d.UnmarshalText([]byte(s)); err == nil || !strings.Contains(err.Error(), "YYYY-MM-DDTHH:mm:ss±HH:mm") {
			t.Errorf("UnmarshalText(%q) = %v, %v; want an error listing the forms", s, d, err)
		}
	}

	c, endUser, _, last := plainValuesFake(t)
	// The years either side of what four digits hold: Go would write
	// them as 10000 and -0001, which no form of the spec reads.
	for _, year := range []int{10000, -1} {
		before := last()
		_, err := c.QBD.Customers.List(context.Background(), endUser, &conductor.CustomerListParams{
			UpdatedAfter: &conductor.DateTime{Time: time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)},
		})
		var verr *conductor.ValidationError
		if !errors.As(err, &verr) || !strings.Contains(verr.Fields[0].Reason, "0000 to 9999") {
			t.Errorf("year %d: err = %v, want a *ValidationError naming the years allowed", year, err)
		}
		if diff := cmp.Diff(before, last()); diff != "" {
			t.Errorf("year %d: a refused filter was sent:\n%s", year, diff)
		}
	}
}
