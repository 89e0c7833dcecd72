package gen

import (
	"errors"
	"fmt"
	"time"

	"github.com/oapi-codegen/runtime/types"
)

// The types of the spec's string formats, named in this package so that
// its types, and go doc of them, say Date and UUID, as package conductor
// does, rather than the runtime's package name. oapi-codegen.yaml maps the
// formats date and uuid to them.
type (
	// Date is a calendar date, as the API's date fields and filters hold
	// it: "2024-10-01" in JSON and in queries. Its Time is midnight UTC of
	// that day.
	Date = types.Date
	// UUID is the type of the fields the spec gives format uuid, such as
	// the externalId a create takes.
	UUID = types.UUID
)

// DateTime is the value of a date and time filter (updatedAfter,
// updatedBefore, deletedAfter, deletedBefore), which the spec takes in
// three ISO 8601 forms. DateTime{Time: t} is sent in the one that names
// the same instant whatever the time zone of the end-user's computer,
// YYYY-MM-DDTHH:mm:ss±HH:mm: in whole seconds (a fraction is dropped) and
// in t's own offset, never Z, such as 2025-01-01T12:34:56+00:00. An
// offset the form cannot write (with seconds, or of a day or more) is
// sent as the same instant in UTC. A zero Time is refused (leave the
// filter nil not to filter), as is a year outside 0000 to 9999.
//
// The other two forms, which QuickBooks reads in the time zone of the
// end-user's computer, come only from UnmarshalText: a date alone
// (2025-01-01, the start of that day) or a date and time without an
// offset (2025-01-01T12:34:56). Such a DateTime is sent back as it was
// read while its Time is the one read; its Time holds that date and wall
// clock in UTC. Once Time is changed, it is sent as DateTime{Time: t} is.
//
// It and the aliases above are the types of this package written by hand
// (see doc.go): the
// overlay points the filters at it, since the spec types them as strings,
// which let a malformed value go out. It is a struct with a named field,
// not a time.Time nor a struct embedding one, on purpose: the runtime
// formats anything convertible to time.Time as RFC 3339 with fractions and
// Z, and anything convertible to its Date (a struct embedding a time.Time)
// as a date alone; a DateTime is neither, so the runtime calls its
// MarshalText.
type DateTime struct {
	Time time.Time
	// form is the layout UnmarshalText read it in, and read the Time it
	// read: the form holds only while Time is still read.
	form string
	read time.Time
}

// The spec's three forms, as time layouts.
const (
	dateTimeLayout  = "2006-01-02T15:04:05-07:00" // YYYY-MM-DDTHH:mm:ss±HH:mm
	wallClockLayout = "2006-01-02T15:04:05"       // YYYY-MM-DDTHH:mm:ss
	dateLayout      = time.DateOnly               // YYYY-MM-DD
)

// errZeroDateTime is MarshalText's error for a zero Time.
var errZeroDateTime = errors.New("a date and time filter holds the zero time (a time.Time never set); leave the filter nil not to filter by it")

// layout is the form d is sent in.
func (d DateTime) layout() string {
	if d.form != "" && d.Time.Equal(d.read) && d.Time.Location() == d.read.Location() {
		return d.form
	}
	return dateTimeLayout
}

// MarshalText writes d in its form (see DateTime). It fails for a zero
// Time, and for a year outside 0000 to 9999, which none of the forms can
// hold.
func (d DateTime) MarshalText() ([]byte, error) {
	t, layout := d.Time, d.layout()
	if t.IsZero() {
		return nil, errZeroDateTime
	}
	if layout == dateTimeLayout {
		if _, offset := t.Zone(); offset%60 != 0 || offset <= -24*60*60 || offset >= 24*60*60 {
			// An offset with seconds (local mean time, before time
			// zones), or of a day or more, does not fit ±HH:mm; the
			// same instant in UTC does.
			t = t.UTC()
		}
	}
	if y := t.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("a date and time filter must be in the years 0000 to 9999, not %d", y)
	}
	return t.AppendFormat(nil, layout), nil
}

// Equal reports whether d and e name the same instant and are sent in
// the same form. go-cmp compares DateTimes with it.
func (d DateTime) Equal(e DateTime) bool {
	return d.Time.Equal(e.Time) && d.layout() == e.layout()
}

// UnmarshalText reads any of the spec's three forms (see DateTime), or an
// RFC 3339 date and time (with Z, or a fraction of a second, which is
// dropped when it is sent). Hours, minutes and seconds have two digits
// each, and an offset is at most 23:59 either way.
func (d *DateTime) UnmarshalText(text []byte) error {
	s := string(text)
	if wellFormed(s) {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			*d = DateTime{Time: t}
			return nil
		}
		for _, layout := range []string{wallClockLayout, dateLayout} {
			if t, err := time.Parse(layout, s); err == nil {
				*d = DateTime{Time: t, form: layout, read: t}
				return nil
			}
		}
	}
	return fmt.Errorf("%q is not a date and time filter: want YYYY-MM-DDTHH:mm:ss±HH:mm (such as 2025-01-01T12:34:56+00:00, an offset of at most ±23:59), YYYY-MM-DDTHH:mm:ss or YYYY-MM-DD", s)
}

// wellFormed reports whether s has the shape of a form UnmarshalText
// reads, with the numbers time.Parse is lenient about in range: hours,
// minutes and seconds of two digits, and an offset's hours below 24 and
// minutes below 60. time.Parse checks the rest (the month, the day).
func wellFormed(s string) bool {
	if len(s) < 10 || !digits(s[0:4]) || s[4] != '-' || !digits(s[5:7]) || s[7] != '-' || !digits(s[8:10]) {
		return false
	}
	rest := s[10:]
	if rest == "" {
		return true
	}
	if len(rest) < 9 || rest[0] != 'T' || !upTo(rest[1:3], 23) || rest[3] != ':' || !upTo(rest[4:6], 59) || rest[6] != ':' || !upTo(rest[7:9], 59) {
		return false
	}
	rest = rest[9:]
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		for i < len(rest) && '0' <= rest[i] && rest[i] <= '9' {
			i++
		}
		if i == 1 {
			return false
		}
		rest = rest[i:]
	}
	switch {
	case rest == "" || rest == "Z":
		return true
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		return upTo(rest[1:3], 23) && upTo(rest[4:6], 59)
	}
	return false
}

// digits reports whether s is all ASCII digits.
func digits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// upTo reports whether s is two digits making at most max.
func upTo(s string, max int) bool {
	return len(s) == 2 && digits(s) && int(s[0]-'0')*10+int(s[1]-'0') <= max
}
