package gen

import (
	"fmt"
	"time"
)

// DateTime is the value of a date and time filter (updatedAfter,
// updatedBefore, deletedAfter, deletedBefore), which the spec takes in
// three ISO 8601 forms. DateTime{Time: t} is sent in the one that names
// the same instant whatever the time zone of the end-user's computer,
// YYYY-MM-DDTHH:mm:ss±HH:mm: in whole seconds (a fraction is dropped) and
// in t's own offset, never Z, such as 2025-01-01T12:34:56+00:00.
//
// The other two forms, which QuickBooks reads in the time zone of the
// end-user's computer, come only from UnmarshalText: a date alone
// (2025-01-01, the start of that day) or a date and time without an
// offset (2025-01-01T12:34:56). Such a DateTime is sent back as it was
// read; its Time holds that date and wall clock in UTC.
//
// It is the one type of this package written by hand (see doc.go): the
// overlay points the filters at it, since the spec types them as strings,
// which let a malformed value go out. It is a struct with a named field,
// not a time.Time nor a struct embedding one, on purpose: the runtime
// formats anything convertible to time.Time as RFC 3339 with fractions and
// Z, and anything convertible to its Date (a struct embedding a time.Time)
// as a date alone; a DateTime is neither, so the runtime calls its
// MarshalText.
type DateTime struct {
	Time time.Time
	// form is the layout it was read in by UnmarshalText; "" for the
	// zero value's, dateTimeLayout.
	form string
}

// The spec's three forms, as time layouts.
const (
	dateTimeLayout  = "2006-01-02T15:04:05-07:00" // YYYY-MM-DDTHH:mm:ss±HH:mm
	wallClockLayout = "2006-01-02T15:04:05"       // YYYY-MM-DDTHH:mm:ss
	dateLayout      = time.DateOnly               // YYYY-MM-DD
)

// MarshalText writes d in its form (see DateTime). It fails for a year
// outside 0000 to 9999, which none of the forms can hold.
func (d DateTime) MarshalText() ([]byte, error) {
	t, layout := d.Time, d.form
	if layout == "" {
		layout = dateTimeLayout
		if _, offset := t.Zone(); offset%60 != 0 {
			// An offset with seconds (local mean time, before time
			// zones) does not fit ±HH:mm; the same instant in UTC does.
			t = t.UTC()
		}
	}
	if y := t.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("a date and time filter must be in the years 0000 to 9999, not %d", y)
	}
	return t.AppendFormat(nil, layout), nil
}

// UnmarshalText reads any of the spec's three forms (see DateTime), or an
// RFC 3339 date and time (with Z, or a fraction of a second, which is
// dropped when it is sent).
func (d *DateTime) UnmarshalText(text []byte) error {
	s := string(text)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		*d = DateTime{Time: t}
		return nil
	}
	for _, layout := range []string{wallClockLayout, dateLayout} {
		if t, err := time.Parse(layout, s); err == nil {
			*d = DateTime{Time: t, form: layout}
			return nil
		}
	}
	return fmt.Errorf("%q is not a date and time filter: want YYYY-MM-DDTHH:mm:ss±HH:mm (such as 2025-01-01T12:34:56+00:00), YYYY-MM-DDTHH:mm:ss or YYYY-MM-DD", s)
}
