// Package uri holds the one rule on redirect URLs that the conductor
// client and its fake, conductortest, share: what the client sends as
// redirectUrl, the fake must accept, as Conductor's API and the Prism mock
// do, all three checking the spec's `format: uri`. [Check] is that format,
// RFC 3986's URI syntax, as JSON Schema defines it; [CheckRedirect] is the
// client's stricter rule built on it.
//
// It is internal because it belongs to neither package's API: both word
// its errors for their own callers, and it may change with the rule
// without a new major version.
package uri

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Check reports whether s is a URI in the syntax of RFC 3986 (the rule
// "URI" of its appendix A): a scheme, a colon, a hierarchical part with
// an optional authority, then an optional query and fragment, with every
// other character percent-encoded. The error says what is wrong and
// where, in words that follow "which" or a field name: "has a space at
// byte 20; ...".
func Check(s string) error {
	if s == "" {
		return errors.New("is empty")
	}
	colon := schemeEnd(s)
	if colon < 0 {
		return errors.New("has no scheme, such as https:, at its start")
	}
	// The scheme holds neither ? nor #, so the first of each in s starts
	// the query and the fragment.
	fragment := len(s)
	if i := strings.IndexByte(s, '#'); i >= 0 {
		fragment = i
	}
	query := fragment
	if i := strings.IndexByte(s[:fragment], '?'); i >= 0 {
		query = i
	}
	path := colon + 1
	if strings.HasPrefix(s[path:query], "//") {
		end := query
		if slash := strings.IndexByte(s[path+2:query], '/'); slash >= 0 {
			end = path + 2 + slash
		}
		if err := checkAuthority(s, path+2, end); err != nil {
			return err
		}
		path = end
	}
	if err := scan(s, path, query, isPathByte); err != nil {
		return err
	}
	if query < fragment {
		if err := scan(s, query+1, fragment, isQueryByte); err != nil {
			return err
		}
	}
	if fragment < len(s) {
		return scan(s, fragment+1, len(s), isQueryByte)
	}
	return nil
}

// schemeEnd is the index of the colon that ends s's scheme, or -1 if s
// does not start with one: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func schemeEnd(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlpha(c):
		case i > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return i
		default:
			return -1
		}
	}
	return -1
}

// checkAuthority checks s[start:end], an authority:
// [ userinfo "@" ] host [ ":" port ].
func checkAuthority(s string, start, end int) error {
	if at := strings.IndexByte(s[start:end], '@'); at >= 0 {
		if err := scan(s, start, start+at, isUserinfoByte); err != nil {
			return err
		}
		start += at + 1
	}
	hostEnd := end
	if start < end && s[start] == '[' {
		closing := strings.IndexByte(s[start:end], ']')
		if closing < 0 {
			return fmt.Errorf("has a [ at byte %d with no ] to close its IP address", start+1)
		}
		if err := checkIPLiteral(s[start+1 : start+closing]); err != nil {
			return err
		}
		hostEnd = start + closing + 1
		if hostEnd < end && s[hostEnd] != ':' {
			return fmt.Errorf("has %q at byte %d, after an IP address where only a :port may follow", s[hostEnd], hostEnd+1)
		}
	} else {
		if colon := strings.IndexByte(s[start:end], ':'); colon >= 0 {
			hostEnd = start + colon
		}
		if err := scan(s, start, hostEnd, isRegNameByte); err != nil {
			return err
		}
	}
	if hostEnd < end {
		for i := hostEnd + 1; i < end; i++ {
			if !isDigit(s[i]) {
				return fmt.Errorf("has a port %q that is not a number", s[hostEnd+1:end])
			}
		}
	}
	return nil
}

// checkIPLiteral checks what is between [ and ]: IPv6address / IPvFuture.
// RFC 3986 allows no zone (fe80::1%eth0) there.
func checkIPLiteral(lit string) error {
	if lit != "" && (lit[0] == 'v' || lit[0] == 'V') {
		version, rest, ok := strings.Cut(lit[1:], ".")
		if !ok || version == "" || strings.IndexFunc(version, func(r rune) bool { return r > 0x7f || !isHexDigit(byte(r)) }) >= 0 ||
			rest == "" || strings.IndexFunc(rest, func(r rune) bool { return r > 0x7f || !(isUnreserved(byte(r)) || isSubDelim(byte(r)) || r == ':') }) >= 0 {
			return fmt.Errorf("has [%s], which is neither an IPv6 address nor a valid IPvFuture literal", lit)
		}
		return nil
	}
	addr, err := netip.ParseAddr(lit)
	if err != nil || !addr.Is6() || strings.Contains(lit, "%") {
		return fmt.Errorf("has [%s], which is not an IPv6 address (RFC 3986 allows no zone)", lit)
	}
	return nil
}

// scan checks that s[from:to] holds only bytes that allowed accepts, or
// percent-encoded bytes.
func scan(s string, from, to int, allowed func(byte) bool) error {
	for i := from; i < to; i++ {
		switch c := s[i]; {
		case c == '%':
			if i+2 >= to || !isHexDigit(s[i+1]) || !isHexDigit(s[i+2]) {
				return fmt.Errorf("has %q at byte %d, where %% must start two hex digits, such as %%20", s[i:min(i+3, to)], i+1)
			}
			i += 2
		case !allowed(c):
			return badByte(s, i)
		}
	}
	return nil
}

// badByte says why the byte at s[i] cannot be there.
func badByte(s string, i int) error {
	switch c := s[i]; {
	case c == ' ':
		return fmt.Errorf("has a space at byte %d; percent-encode it as %%20", i+1)
	case c < 0x20 || c == 0x7f:
		return fmt.Errorf("has the control character %U at byte %d", rune(c), i+1)
	case c >= utf8.RuneSelf:
		r, _ := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError {
			return fmt.Errorf("has a byte 0x%02x at byte %d that is not UTF-8 text", c, i+1)
		}
		return fmt.Errorf("has the non-ASCII character %q at byte %d; percent-encode its UTF-8 bytes (or use punycode in a host name)", r, i+1)
	default:
		return fmt.Errorf("has %q at byte %d, which is allowed there only percent-encoded, as %%%02X", c, i+1, c)
	}
}

func isAlpha(c byte) bool    { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool    { return '0' <= c && c <= '9' }
func isHexDigit(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func isUnreserved(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~'
}

func isSubDelim(c byte) bool { return strings.IndexByte("!$&'()*+,;=", c) >= 0 }

func isRegNameByte(c byte) bool  { return isUnreserved(c) || isSubDelim(c) }
func isUserinfoByte(c byte) bool { return isRegNameByte(c) || c == ':' }
func isPchar(c byte) bool        { return isRegNameByte(c) || c == ':' || c == '@' }
func isPathByte(c byte) bool     { return isPchar(c) || c == '/' }
func isQueryByte(c byte) bool    { return isPathByte(c) || c == '?' }

// CheckRedirect is the conductor client's rule for a redirect URL: a URI
// (see [Check]) with the scheme http or https, an authority with a host
// name, a port, if any, of at most 65535, as a browser requires, and that
// Go's net/url parses. Every URL it accepts, Check accepts, so the fake
// and the API accept what the client sends.
func CheckRedirect(s string) error {
	if err := Check(s); err != nil {
		return err
	}
	u, err := url.Parse(s)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("cannot be parsed as a URL: %v", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("is not an http or https URL")
	case u.Hostname() == "":
		return errors.New("has no host name")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n > 65535 {
			return fmt.Errorf("has the port %s, above 65535", p)
		}
	}
	return nil
}
