package conductor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// checkKeys is why body, a JSON object (or, when list is set, each object
// of its data array), lacks a key the spec requires at its top level, or
// "". body has already decoded, so it is valid JSON; nested objects are
// not looked into.
func checkKeys(body []byte, list bool, required []string) string {
	if len(required) == 0 {
		return ""
	}
	seen := make([]bool, len(required))
	check := func(i int, at int) (int, string) {
		clear(seen)
		end := objectKeysAt(body, at, func(key []byte, _ int) {
			for j, name := range required {
				if name == string(key) {
					seen[j] = true
				}
			}
		})
		for j, ok := range seen {
			if !ok {
				return end, fmt.Sprintf("%s has no %q, which the spec requires", objectName(i), required[j])
			}
		}
		return end, ""
	}
	at := skipSpace(body, 0)
	if !list {
		_, why := check(-1, at)
		return why
	}
	// The data array: the value of the top-level key "data".
	data := -1
	objectKeysAt(body, at, func(key []byte, value int) {
		if string(key) == "data" {
			data = value
		}
	})
	if data < 0 || body[data] != '[' {
		return "" // a page without its data array is refused elsewhere
	}
	i := skipSpace(body, data+1)
	for n := 0; i < len(body) && body[i] != ']'; n++ {
		if body[i] == '{' {
			end, why := check(n, i)
			if why != "" {
				return why
			}
			i = end
		} else {
			i = skipValue(body, i)
		}
		i = skipSpace(body, i)
		if i < len(body) && body[i] == ',' {
			i = skipSpace(body, i+1)
		}
	}
	return ""
}

// objectKeysAt calls key for each key of the object at body[at], with
// where its value starts, and returns the offset just past the object.
func objectKeysAt(body []byte, at int, key func(k []byte, value int)) int {
	if at >= len(body) || body[at] != '{' {
		return skipValue(body, at)
	}
	i := skipSpace(body, at+1)
	for i < len(body) && body[i] == '"' {
		end := skipString(body, i)
		k := body[i+1 : end-1]
		if bytes.IndexByte(k, '\\') >= 0 {
			var s string
			if json.Unmarshal(body[i:end], &s) == nil {
				k = []byte(s)
			}
		}
		i = skipSpace(body, end)
		if i < len(body) && body[i] == ':' {
			i = skipSpace(body, i+1)
		}
		key(k, i)
		i = skipSpace(body, skipValue(body, i))
		if i < len(body) && body[i] == ',' {
			i = skipSpace(body, i+1)
		}
	}
	return min(i+1, len(body))
}

// skipValue returns the offset just past the JSON value at body[i].
func skipValue(body []byte, i int) int {
	if i >= len(body) {
		return i
	}
	switch body[i] {
	case '"':
		return skipString(body, i)
	case '{', '[':
		depth := 0
		for ; i < len(body); i++ {
			switch body[i] {
			case '"':
				i = skipString(body, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return i
	}
	for i < len(body) && !strings.ContainsRune(",}] \t\r\n", rune(body[i])) {
		i++
	}
	return i
}

// skipString returns the offset just past the string at body[i].
func skipString(body []byte, i int) int {
	for i++; i < len(body); i++ {
		switch body[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

func skipSpace(body []byte, i int) int {
	for i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n') {
		i++
	}
	return i
}
