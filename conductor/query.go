package conductor

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
)

// checkQuery refuses a built request whose query gives a parameter an
// empty value, before anything is sent. A nil list or pointer is not sent
// at all. An empty list, however, cannot be written in a query: the
// builders write a list as ids=a&ids=b, so an empty one goes out as one
// empty value, ids=, which asks for the object whose id is "" (QuickBooks
// refuses an id it cannot find) rather than for none. An empty item of a
// list, or an empty string (nameContains=), is as far from what such a
// filter means. So all of them are refused, naming the parameter.
func checkQuery(rawQuery string) *ValidationError {
	for part := range strings.SplitSeq(rawQuery, "&") {
		name, value, _ := strings.Cut(part, "=")
		if part == "" || value != "" {
			continue
		}
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		return invalid("params", fmt.Sprintf(
			"would send the query parameter %s empty, from an empty list, an empty item of a list, or an empty string; leave the field nil not to filter by it", name))
	}
	return nil
}

// dateTimeFilter is the type of a date and time filter's field.
var dateTimeFilter = reflect.TypeFor[*DateTime]()

// checkDateTimes refuses, before the request is built, a date and time
// filter of query (a pointer to an operation's query parameters, or nil)
// that cannot be sent, naming it: the builder's own error names neither
// the filter nor its value in a form a user can read.
func checkDateTimes(query any) *ValidationError {
	v := reflect.ValueOf(query)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	for f, fv := range v.Elem().Fields() {
		if f.Type != dateTimeFilter || fv.IsNil() {
			continue
		}
		if _, err := fv.Interface().(*DateTime).MarshalText(); err != nil {
			name, _, _ := strings.Cut(f.Tag.Get("form"), ",")
			return invalid(f.Name, fmt.Sprintf("cannot be sent as the query parameter %s: %v", name, err))
		}
	}
	return nil
}
