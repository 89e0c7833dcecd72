package conductor

import (
	"bytes"
	"net/http"
	"strings"
)

// redacted replaces the secret key wherever a server echoes it.
const redacted = "[redacted]"

// redactor hides one secret key in what a server sends back. The engine
// applies it to every response body, header and transport error as soon
// as an attempt ends, before anything else reads them: error messages,
// [*Error] fields, log records and decoded results are all built from its
// output, so no later step can let the key through.
//
// A JSON body may spell the key with \uXXXX escapes for any of its
// characters (\u0073k_...), which decode to the key itself; the redactor
// matches those spellings too.
type redactor struct {
	secret string
}

// bytes returns b with every spelling of the secret replaced, or b itself
// when there is none, so the common case costs no allocation.
func (r redactor) bytes(b []byte) []byte {
	if r.secret == "" || len(b) < len(r.secret) {
		return b
	}
	if bytes.IndexByte(b, '\\') < 0 {
		// No escape, so only the plain spelling: one fast search.
		if !bytes.Contains(b, []byte(r.secret)) {
			return b
		}
		return bytes.ReplaceAll(b, []byte(r.secret), []byte(redacted))
	}
	var out []byte
	last := 0
	for i := 0; i <= len(b)-len(r.secret); {
		next := r.nextCandidate(b, i)
		if next < 0 {
			break
		}
		n := r.matchAt(b[next:])
		if n == 0 {
			i = next + 1
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(b))
		}
		out = append(append(out, b[last:next]...), redacted...)
		i = next + n
		last = i
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// nextCandidate is the first index from i where a spelling of the secret
// can start: its first character, or a backslash opening an escape.
func (r redactor) nextCandidate(b []byte, i int) int {
	lit := bytes.IndexByte(b[i:], r.secret[0])
	esc := bytes.IndexByte(b[i:], '\\')
	switch {
	case lit < 0 && esc < 0:
		return -1
	case lit < 0:
		return i + esc
	case esc < 0:
		return i + lit
	}
	return i + min(lit, esc)
}

// matchAt returns the length of the secret's spelling at the start of b,
// each character either itself or a \uXXXX escape of it, or 0.
func (r redactor) matchAt(b []byte) int {
	j := 0
	for k := 0; k < len(r.secret); k++ {
		switch {
		case j < len(b) && b[j] == r.secret[k]:
			j++
		case j+6 <= len(b) && b[j] == '\\' && b[j+1] == 'u' && hex4(b[j+2:j+6]) == rune(r.secret[k]):
			j += 6
		default:
			return 0
		}
	}
	return j
}

// hex4 decodes four hex digits, or returns -1.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

func (r redactor) string(s string) string {
	if r.secret == "" || !strings.Contains(s, r.secret) && strings.IndexByte(s, '\\') < 0 {
		return s
	}
	return string(r.bytes([]byte(s)))
}

// header redacts h's values in place; the engine owns the response.
func (r redactor) header(h http.Header) {
	for name, values := range h {
		for i, v := range values {
			if w := r.string(v); w != v {
				h[name][i] = w
			}
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
