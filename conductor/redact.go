package conductor

import (
	"bytes"
	"net/http"
	"strings"
)

// redacted replaces the secret key wherever a server echoes it.
const redacted = "[redacted]"

// redactor hides one secret key in what a server sends back. The engine
// applies it to every response body, status line, header, trailer and
// transport error as soon as an attempt ends, before anything else reads
// them: error messages, [*Error] fields, log records, decoded results and
// what [Client.Gen] hands back are all built from its output, so no later
// step can let the key through.
//
// A server may spell the key otherwise than plainly, and a reader of what
// it sent (a JSON decoder, a browser following a Location) would turn the
// spelling back into the key. So each character of the key also matches
//
//   - a JSON escape of it: \u0073 (hex in either case), and \" \\ \/;
//   - a URL percent-escape of it: %73 or %5f, whose %, and hex digits, may
//     themselves be JSON-escaped (\u0025), or percent-escaped again (%2573,
//     a URL carried inside a URL), up to three times;
//
// in any mix, in bodies and headers alike: one rule wherever text comes
// from the server.
//
// The scan is one pass over the text: it visits only the places where a
// spelling of the key's first character can start (that character, a
// backslash, a percent sign), finding each kind with a search that resumes
// where the last one stopped, and tries to match the key there, reading
// ahead no further than one spelled key. Its cost is linear in the text
// (times the key's length at worst, for text made of the key's prefixes).
// A body with no backslash and no percent sign takes one plain search, and
// no body allocates unless the key is found.
type redactor struct {
	secret string
}

// containsKey reports whether b holds key as written. It searches for
// the key's rarest character in JSON text, not its first: keys start
// "sk_", and an s begins a false start every 16 bytes of English, while
// an upper-case letter or a digit from the key's random part seldom
// occurs in an answer.
func containsKey(b []byte, key string) bool {
	at := rareByte(key)
	for i := at; i < len(b); i++ {
		j := bytes.IndexByte(b[i:], key[at])
		if j < 0 {
			return false
		}
		i += j
		if start := i - at; start+len(key) <= len(b) && string(b[start:start+len(key)]) == key {
			return true
		}
	}
	return false
}

// rareByte is the index in key of the character least likely in JSON
// text: its first upper-case letter, else its first digit, else its last
// character.
func rareByte(key string) int {
	if i := strings.IndexFunc(key, func(r rune) bool { return 'A' <= r && r <= 'Z' }); i >= 0 {
		return i
	}
	if i := strings.IndexAny(key, "0123456789"); i >= 0 {
		return i
	}
	return len(key) - 1
}

// maxPercentLayers bounds how many times a percent-escape may be escaped
// again (%252573 is three), so that a long run of %25 costs no more than
// any other text.
const maxPercentLayers = 3

// bytes returns b with every spelling of the secret replaced, or b itself
// when there is none, so the common case costs no allocation.
func (r redactor) bytes(b []byte) []byte {
	if r.secret == "" || len(b) < len(r.secret) {
		return b // every spelling is at least as long as the key
	}
	if bytes.IndexByte(b, '\\') < 0 && bytes.IndexByte(b, '%') < 0 {
		// No escape, so only the plain spelling: one fast search.
		if !containsKey(b, r.secret) {
			return b
		}
		return bytes.ReplaceAll(b, []byte(r.secret), []byte(redacted))
	}
	var out []byte
	last := 0
	c := candidates{b: b, stops: [3]byte{r.secret[0], '\\', '%'}, at: [3]int{-1, -1, -1}}
	for i := c.next(0); i >= 0; {
		n := r.matchAt(b[i:])
		if n == 0 {
			i = c.next(i + 1)
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(b))
		}
		out = append(append(out, b[last:i]...), redacted...)
		last = i + n
		i = c.next(last)
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// candidates finds, in order, the places in b where a spelling of the key
// can start. It keeps, for each byte that can open one, the next place it
// occurs, and searches for the one after only once the scan has passed it:
// each byte of b is searched at most once per kind, so the whole scan is
// linear whatever b holds.
type candidates struct {
	b     []byte
	stops [3]byte // the key's first character, '\\', '%'
	at    [3]int  // next index of each stop not before the scan, -1 unknown
	done  [3]bool // no more of that stop in b
}

// next returns the first candidate at or after i, or -1.
func (c *candidates) next(i int) int {
	best := -1
	for k := range c.stops {
		if c.done[k] {
			continue
		}
		if c.at[k] < i {
			j := bytes.IndexByte(c.b[i:], c.stops[k])
			if j < 0 {
				c.done[k] = true
				continue
			}
			c.at[k] = i + j
		}
		if best < 0 || c.at[k] < best {
			best = c.at[k]
		}
	}
	return best
}

// matchAt returns the length of a spelling of the secret at the start of
// b, or 0.
func (r redactor) matchAt(b []byte) int {
	j := 0
	for k := 0; k < len(r.secret); k++ {
		n := spells(b[j:], r.secret[k])
		if n == 0 {
			return 0
		}
		j += n
	}
	return j
}

// spells returns the length of a spelling of c at the start of b: c
// itself or a JSON escape of it, or a percent-escape of it; 0 if neither.
func spells(b []byte, c byte) int {
	u, n := unit(b)
	switch {
	case n == 0:
		return 0
	case u == c:
		return n
	case u == '%':
		if m := percent(b[n:], c, maxPercentLayers); m > 0 {
			return n + m
		}
	}
	return 0
}

// percent returns the length of the two hex digits (each itself perhaps
// JSON-escaped) that follow a '%' at the start of b when they spell c, or
// spell '%' again followed by a spelling of c; 0 otherwise.
func percent(b []byte, c byte, layers int) int {
	hi, n1 := unit(b)
	lo, n2 := unit(b[n1:])
	if n1 == 0 || n2 == 0 {
		return 0
	}
	h, l := hexDigit(hi), hexDigit(lo)
	if h < 0 || l < 0 {
		return 0
	}
	switch v := byte(h<<4 | l); {
	case v == c:
		return n1 + n2
	case v == '%' && layers > 1:
		if m := percent(b[n1+n2:], c, layers-1); m > 0 {
			return n1 + n2 + m
		}
	}
	return 0
}

// unit decodes one character at the start of b as a JSON string would:
// a \uXXXX escape of an ASCII character, \" \\ or \/, or else the byte
// itself. It returns the character and the bytes it took, 0 at the end.
func unit(b []byte) (byte, int) {
	if len(b) == 0 {
		return 0, 0
	}
	if b[0] != '\\' || len(b) < 2 {
		return b[0], 1
	}
	switch b[1] {
	case 'u':
		if len(b) >= 6 {
			if r := hex4(b[2:6]); 0 <= r && r < 0x80 {
				return byte(r), 6
			}
		}
	case '"', '\\', '/':
		return b[1], 2
	}
	return '\\', 1
}

// hex4 decodes four hex digits, or returns -1.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		d := hexDigit(c)
		if d < 0 {
			return -1
		}
		r = r<<4 | rune(d)
	}
	return r
}

// hexDigit is c's value as a hex digit of either case, or -1.
func hexDigit(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func (r redactor) string(s string) string {
	if r.secret == "" || len(s) < len(r.secret) ||
		!strings.Contains(s, r.secret) && strings.IndexByte(s, '\\') < 0 && strings.IndexByte(s, '%') < 0 {
		return s
	}
	return string(r.bytes([]byte(s)))
}

// header redacts h's names and values in place; the engine owns the
// response.
func (r redactor) header(h http.Header) {
	for name, values := range h {
		for i, v := range values {
			if w := r.string(v); w != v {
				values[i] = w
			}
		}
		if clean := r.string(name); clean != name {
			delete(h, name)
			h[clean] = append(h[clean], values...)
		}
	}
}

// error returns err, or, when its message carries the secret (a transport
// error quoting what a server sent, say), an error with the same chain
// whose message does not.
func (r redactor) error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := r.string(msg); clean != msg {
		return &redactedError{msg: clean, err: err}
	}
	return err
}

// redactedError keeps errors.Is and errors.As working on the original
// error while printing, with any verb, only the redacted message.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string    { return e.msg }
func (e *redactedError) GoString() string { return e.msg }
func (e *redactedError) Unwrap() error    { return e.err }
