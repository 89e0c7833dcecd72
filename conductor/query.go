package conductor

import (
	"net/url"
	"slices"
	"strings"
)

// checkQuery refuses a built request whose query gives a parameter an
// empty value, before anything is sent. A nil list or pointer is not sent
// at all. An empty list, however, cannot be written in a query: the
// builders write a list as ids=a&ids=b, so an empty one goes out as one
// empty value, ids=, which asks for the object whose id is "" (QuickBooks
// refuses an id it cannot find) rather than for none. An empty item of a
// list, or an empty string (nameContains=), is as far from what such a
// filter means. So all of them are refused, each parameter once, by its
// name, as the spec's rules name theirs.
func checkQuery(rawQuery string) *ValidationError {
	var c checker
	for part := range strings.SplitSeq(rawQuery, "&") {
		name, value, _ := strings.Cut(part, "=")
		if part == "" || value != "" {
			continue
		}
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if !slices.ContainsFunc(c.fields, func(f FieldError) bool { return f.Field == name }) {
			c.add(nil, name, "would be sent empty, from an empty list, an empty item of a list, or an empty string; leave it nil not to filter by it")
		}
	}
	if len(c.fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: c.fields}
}
