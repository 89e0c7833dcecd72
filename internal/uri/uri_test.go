package uri_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/internal/uri"
)

// prismURI is how the Prism mock checks `format: uri`: the regular
// expression of ajv-formats 2.1.1 ("full" mode, case-insensitive), which
// Prism 5.16.0 validates bodies with, copied into testdata from
// contract/prism/node_modules/ajv-formats/dist/formats.js. The contract
// tests check that the copy is still the one Prism runs.
var prismURI = regexp.MustCompile("(?i)" + ajvSource())

// rfcURI is prismURI with its two known loosenesses taken out, to hold
// Check to RFC 3986 where they differ. The expression lets the
// hierarchical part start with one slash or two before an authority, so
// that https://X reads as https:/, an empty authority and the path /X,
// where X may hold any path character (a port 8a, a second @); RFC 3986
// has two slashes before an authority. And its dec-octet takes leading
// zeros ([::ffff:1.2.3.04]), which RFC 3986's does not.
var rfcURI = regexp.MustCompile("(?i)" + strings.NewReplacer(
	`(?:\/?\/`, `(?:\/\/`,
	`(?:25[0-5]|2[0-4]\d|[01]?\d\d?)`, `(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`,
).Replace(ajvSource()))

// ajvMatch matches s as JavaScript would: without the u flag, the i flag
// folds no other character into ASCII, where Go's (?i) folds ſ into s and
// the Kelvin sign into k. Every class in the expression is ASCII, so a
// string with another character never matches.
func ajvMatch(re *regexp.Regexp, s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return re.MatchString(s)
}

func ajvSource() string {
	src, err := os.ReadFile("testdata/ajv-formats-uri.txt")
	if err != nil {
		panic(err)
	}
	if strings.Count(string(src), `(?:\/?\/`) != 1 || !strings.Contains(string(src), `(?:25[0-5]|2[0-4]\d|[01]?\d\d?)`) {
		panic("testdata/ajv-formats-uri.txt no longer has the loosenesses rfcURI takes out")
	}
	return strings.TrimSpace(string(src))
}

// emptyPath reports the other difference, where Check follows the RFC:
// ajv's expression lacks the empty path, so it refuses foo: and foo:?q,
// which are URIs. Neither is an http URL with a host, the only kind the
// client sends.
func emptyPath(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon < 0 {
		return false
	}
	rest := s[colon+1:]
	return rest == "" || rest[0] == '?' || rest[0] == '#'
}

// FuzzCheckAgreesWithPrism holds Check to Prism's expression but for the
// two known differences above: what Check accepts, Prism accepts. Its seeds are the edge cases; plain go test runs them as
// a table.
func FuzzCheckAgreesWithPrism(f *testing.F) {
	for _, s := range []string{
		"https://example.com/auth/callback?state=a&b=1",
		"http://localhost:3000/cb",
		"https://example.com",
		"HTTPS://EXAMPLE.COM/CB",
		"https://user:pass@example.com/",
		"https://:80",
		"https://",
		"https:///callback",
		"https:/example.com",
		"https://example.com/ space",
		"https://exa mple.com/",
		"https://example.com/\t",
		"https://example.com/\x00",
		"https://example.com/\x7f",
		"https://example.com/é",
		"https://exämple.com/",
		"https://example.com/\xff",
		"https://example.com/%zz",
		"https://example.com/%2",
		"https://example.com/%",
		"https://example.com/%C3%A9",
		"https://example.com/cb#done",
		"https://example.com/cb#a#b",
		"https://example.com/cb#",
		"https://example.com/?",
		"https://example.com:8443/cb",
		"https://example.com:/cb",
		"https://example.com:65536/",
		"https://example.com:99999999999999999999/",
		"https://example.com:8a/",
		"https://example.com::80/",
		"https://[::1]:8080/cb",
		"https://[2001:db8::1]/",
		"https://[::ffff:192.0.2.1]/",
		"https://[1:2:3:4:5:6:7:8]/",
		"https://[1:2:3:4:5:6:7:8:9]/",
		"https://[1:2:3:4::5:6:7:8]/",
		"https://[::]/",
		"https://[1::]/",
		"https://[::1:2:3:4:5:6:7]/",
		"https://[1:2:3:4:5:6:7::]/",
		"https://[1:2:3:4:5:6::8]/",
		"https://[1:2:3:4:5:6:1.2.3.4]/",
		"https://[1:2:3:4:5:6:7:1.2.3.4]/",
		"https://[::1.2.3.4]/",
		"https://[::ffff:1.2.3.04]/",
		"https://[12345::]/",
		"https://[:::]/",
		"https://[1:2]/",
		"https://[::1/",
		"https://[::1]x/",
		"https://[fe80::1%25eth0]/",
		"https://[192.0.2.1]/",
		"https://[v1.fe]/",
		"https://[v.x]/",
		"https://192.0.2.1/",
		"https://999.999.999.999/",
		"https://ex%41mple.com/",
		"https://a_b!$&'()*+,;=.example/",
		"https://example.com/a\"b",
		"https://example.com/<script>",
		"https://example.com/a\\b",
		"https://example.com/{x}",
		"https://example.com/a|b^c`d",
		"https://example.com/[x]",
		"https://u@@example.com/",
		"javascript:alert(1)",
		"mailto:someone@example.com",
		"urn:isbn:0451450523",
		"file:///etc/passwd",
		"a+b-c.d:x",
		"1http://example.com",
		"//example.com/cb",
		"/callback",
		"not a uri",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if emptyPath(s) {
			return
		}
		err := uri.Check(s)
		if err == nil && !ajvMatch(prismURI, s) {
			t.Fatalf("Check(%q) accepts what Prism refuses", s)
		}
		if rfc := ajvMatch(rfcURI, s); rfc != (err == nil) {
			t.Fatalf("Check(%q) = %v, but Prism's expression without its looseness says valid = %v", s, err, rfc)
		}
	})
}
