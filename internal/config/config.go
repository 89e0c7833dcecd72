// Package config holds the rules on the three values that configure a
// client of the API: the secret key, the publishable key and the base
// URL. The conductor package applies them to its options and environment
// variables, conductortest to its Options, and the conductor command to
// its flags and environment before it builds a client, so that it can
// name what its user can change (a flag, an environment variable) rather
// than a Go option the command gives no way to pass.
//
// Errors say only what is wrong with the value, to follow the name of
// where it came from ("CONDUCTOR_SECRET_KEY is empty"), and never quote a
// key. The package is internal because it belongs to no package's API.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// SecretKey checks key as a secret key (sk_...), sent in a header.
func SecretKey(key string) error {
	switch {
	case key == "":
		return errors.New("is empty")
	case strings.HasPrefix(key, "pk_"):
		return errors.New("is a publishable key (pk_...); the API needs your secret key (sk_...)")
	case strings.ContainsFunc(key, isNotHeaderSafe):
		return errors.New("contains whitespace or control characters")
	}
	return nil
}

// PublishableKey checks key as a publishable key (pk_...), which goes
// into a URL shown to end-users.
func PublishableKey(key string) error {
	switch {
	case key == "":
		return errors.New("is empty; want your publishable key (pk_...)")
	case strings.HasPrefix(key, "sk_"):
		return errors.New("is a secret key (sk_...), which would be put in a URL shown to end-users; want your publishable key (pk_...)")
	}
	return nil
}

func isNotHeaderSafe(r rune) bool { return r <= ' ' || r == 0x7f }

// BaseURL checks rawURL as the API's base URL, an absolute http or https
// URL with neither query nor fragment, and returns it without a trailing
// slash. Errors quote the URL with any password hidden, and never quote
// net/url's reason when that could be a piece of the password.
func BaseURL(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	shown := rawURL
	switch {
	case err == nil && u.User != nil:
		shown = u.Redacted()
	case err != nil || u.Opaque != "": // user:pass@host parses as opaque
		shown = hidePassword(rawURL)
	}
	if err != nil {
		if shown == rawURL {
			return "", fmt.Errorf("cannot parse %q: %w", rawURL, err)
		}
		if _, err := url.Parse(shown); err != nil {
			return "", fmt.Errorf("cannot parse %q: %w", shown, err)
		}
		return "", fmt.Errorf("cannot parse %q: its user name or password is not valid in a URL (percent-encode characters such as %% / @ :)", shown)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an absolute http or https URL", shown)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		// Not quoted: a query may carry a token or a key.
		if i := strings.IndexAny(shown, "?#"); i >= 0 {
			shown = shown[:i]
		}
		return "", fmt.Errorf("%q is followed by a query or fragment (not shown here, as it may hold a secret); a base URL has neither", shown)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// Shown is baseURL, as BaseURL returns it, as a message, a log record or
// a printed client may show it: with any password replaced by xxxxx.
func Shown(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return hidePassword(baseURL)
	}
	return u.Redacted()
}

// hidePassword hides what may be a password in a URL that does not parse
// as one with user info: whatever follows the first colon after the
// scheme's //, up to the last @ (a password may hold an unescaped / ? # or
// @). It may hide more than a password, never less.
func hidePassword(raw string) string {
	start := 0
	if i := strings.Index(raw, "://"); i >= 0 {
		start = i + len("://")
	}
	at := strings.LastIndexByte(raw[start:], '@')
	if at < 0 {
		return raw
	}
	userinfo := raw[start : start+at]
	colon := strings.IndexByte(userinfo, ':')
	if colon < 0 {
		return raw
	}
	return raw[:start] + userinfo[:colon+1] + "xxxxx" + raw[start+at:]
}

// InClear reports whether calls to baseURL, as BaseURL returns it, would
// carry the secret key unencrypted off this machine: plain http to a host
// that is not loopback. When they would, shown is baseURL as an error may
// quote it, with any password redacted.
func InClear(baseURL string) (shown string, inClear bool) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Scheme != "http" || isLoopback(u.Hostname()) {
		return "", false
	}
	return u.Redacted(), true
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
