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
// slash. Errors quote the URL with any password hidden.
func BaseURL(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("cannot parse %q: %w", rawURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an absolute http or https URL", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q has a query or fragment; a base URL has neither", u.Redacted())
	}
	return strings.TrimSuffix(u.String(), "/"), nil
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
