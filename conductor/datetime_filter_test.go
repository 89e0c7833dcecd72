package conductor_test

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// specForms are the spec's three forms of a date and time filter, with
// an offset's hours 00 to 23 (RFC 3339's time-numoffset, ISO 8601's).
var specForms = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:[0-5]\d([+-]([01]\d|2[0-3]):[0-5]\d)?)?$`)

// TestDateTimeNeverSendsAMalformedOffset: whatever a DateTime holds, what
// goes out is in one of the spec's forms, or the call is refused before
// anything is sent. A time.Time may carry any fixed offset; a DateTime
// read from text may carry +24:00, which time.Parse lets through.
func TestDateTimeNeverSendsAMalformedOffset(t *testing.T) {
	c, endUser, _, last := plainValuesFake(t)
	read := func(s string) *conductor.DateTime {
		var d conductor.DateTime
		if err := d.UnmarshalText([]byte(s)); err != nil {
			return nil // refused: fine
		}
		return &d
	}
	for name, d := range map[string]*conductor.DateTime{
		"an offset of 24 hours":      {Time: time.Date(2024, 10, 1, 12, 0, 0, 0, time.FixedZone("", 24*60*60))},
		"an offset of 100 hours":     {Time: time.Date(2024, 10, 1, 12, 0, 0, 0, time.FixedZone("", 100*60*60))},
		"an offset of -30 hours":     {Time: time.Date(2024, 10, 1, 12, 0, 0, 0, time.FixedZone("", -30*60*60))},
		"read with +24:00":           read("2024-10-01T12:00:00+24:00"),
		"read with a one-digit hour": read("2024-10-01T1:00:00Z"),
	} {
		t.Run(name, func(t *testing.T) {
			if d == nil {
				return
			}
			before := last()
			_, err := c.QBD.Customers.List(context.Background(), endUser, &conductor.CustomerListParams{UpdatedAfter: d})
			var verr *conductor.ValidationError
			if errors.As(err, &verr) {
				if diff := cmp.Diff(before, last()); diff != "" {
					t.Errorf("refused, but sent:\n%s", diff)
				}
				return
			}
			q, _ := url.ParseQuery(last().RawQuery)
			if got := q.Get("updatedAfter"); !specForms.MatchString(got) {
				t.Errorf("sent updatedAfter=%s (err %v), in none of the spec's forms", got, err)
			}
		})
	}
}

// TestDateTimeSendsTheTimeItHolds: Time is an exported field; a DateTime
// read as a date whose Time is then moved (to the next noon, say) must
// send that time, not the day alone, which silently drops twelve hours.
func TestDateTimeSendsTheTimeItHolds(t *testing.T) {
	c, endUser, _, last := plainValuesFake(t)
	var d conductor.DateTime
	if err := d.UnmarshalText([]byte("2024-10-01")); err != nil {
		t.Fatal(err)
	}
	d.Time = d.Time.Add(36 * time.Hour) // 2024-10-02T12:00:00 UTC
	if _, err := c.QBD.Customers.List(context.Background(), endUser, &conductor.CustomerListParams{UpdatedAfter: &d}); err != nil {
		t.Fatal(err)
	}
	q, _ := url.ParseQuery(last().RawQuery)
	var sent conductor.DateTime
	if err := sent.UnmarshalText([]byte(q.Get("updatedAfter"))); err != nil {
		t.Fatal(err)
	}
	if !sent.Time.Equal(d.Time) {
		t.Errorf("Time %v sent as updatedAfter=%s, which names %v", d.Time, q.Get("updatedAfter"), sent.Time)
	}
}

// TestParamsWithADateTimeCompareWithCmp: the project's own rule is that
// values are compared with go-cmp; a user comparing list params (in a
// table test of their own code) must not get a panic because DateTime
// hides its form in an unexported field.
func TestParamsWithADateTimeCompareWithCmp(t *testing.T) {
	at := time.Date(2024, 10, 1, 12, 0, 0, 0, time.UTC)
	a := conductor.CustomerListParams{UpdatedAfter: &conductor.DateTime{Time: at}}
	b := conductor.CustomerListParams{UpdatedAfter: &conductor.DateTime{Time: at}}
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("cmp.Diff of two equal params panics: %v", r)
		}
	}()
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("equal params differ:\n%s", diff)
	}
}

// TestAZeroDateTimeIsRefused: a nil *DateTime is "no filter"; a zero one
// is almost always a time.Time never set (a NULL column, a forgotten
// assignment) and goes out as 0001-01-01T00:00:00+00:00, which filters
// nothing, as silently as the empty string the client already refuses.
func TestAZeroDateTimeIsRefused(t *testing.T) {
	c, endUser, _, last := plainValuesFake(t)
	before := last()
	_, err := c.QBD.Customers.List(context.Background(), endUser, &conductor.CustomerListParams{UpdatedAfter: &conductor.DateTime{}})
	var verr *conductor.ValidationError
	if !errors.As(err, &verr) {
		t.Errorf("a zero DateTime: err = %v, sent %s; want a *ValidationError", err, last().RawQuery)
	}
	if diff := cmp.Diff(before, last()); diff != "" && verr != nil {
		t.Errorf("refused, but sent:\n%s", diff)
	}
}

// TestAnOutOfRangeDateTimeNamesItsFilter: a DateTime the forms cannot
// write is refused before sending, and the refusal must say which filter
// (updatedBefore, not updatedAfter) rather than the runtime's
// "error marshaling '{10000-01-01 00:00:00 +0000 UTC }' as text".
func TestAnOutOfRangeDateTimeNamesItsFilter(t *testing.T) {
	c, endUser, _, _ := plainValuesFake(t)
	_, err := c.QBD.Customers.List(context.Background(), endUser, &conductor.CustomerListParams{
		UpdatedAfter:  &conductor.DateTime{Time: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		UpdatedBefore: &conductor.DateTime{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
	})
	var verr *conductor.ValidationError
	if !errors.As(err, &verr) || !strings.Contains(verr.Error(), "updatedBefore") && !strings.Contains(verr.Error(), "UpdatedBefore") {
		t.Errorf("err = %v; want a *ValidationError naming updatedBefore", err)
	}
}

// TestDateTimeReadsOnlyWellFormedText: UnmarshalText takes hours,
// minutes and seconds of two digits and an offset of at most ±23:59,
// where time.Parse lets through a one-digit hour, +24:00 or +05:60; what
// it does read, it sends back meaning the same.
func TestDateTimeReadsOnlyWellFormedText(t *testing.T) {
	for _, s := range []string{
		"2024-10-01T1:00:00Z", "2024-10-01T12:00:00+24:00", "2024-10-01T12:00:00-99:00",
		"2024-10-01T12:00:00+05:60", "2024-10-01T12:00:00.Z", "2024-1-01", "2024-10-01T12:00", " 2024-10-01",
	} {
		var d conductor.DateTime
		if err := d.UnmarshalText([]byte(s)); err == nil {
			t.Errorf("read %q as %v; want an error", s, d.Time)
		}
	}
	for s, sent := range map[string]string{
		"2024-10-01":                     "2024-10-01",
		"2024-10-01T12:34:56":            "2024-10-01T12:34:56",
		"2024-10-01T12:34:56+23:59":      "2024-10-01T12:34:56+23:59",
		"2024-10-01T12:34:56.123456789Z": "2024-10-01T12:34:56+00:00",
		"2024-10-01T12:34:56.5-05:30":    "2024-10-01T12:34:56-05:30",
	} {
		var d conductor.DateTime
		if err := d.UnmarshalText([]byte(s)); err != nil {
			t.Errorf("%q: %v", s, err)
			continue
		}
		got, err := d.MarshalText()
		if diff := cmp.Diff(sent, string(got)); diff != "" || err != nil {
			t.Errorf("%q sent as %q (err %v); want %q", s, got, err, sent)
		}
	}
}
