//go:build contract

package contract

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"sync"
)

// recorder is a transport that keeps every answer's status and body, so
// that a test can hold what the client decoded to the spec.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	got  []exchange
}

type exchange struct {
	method, path string
	status       int
	body         []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.got = append(r.got, exchange{method: req.Method, path: req.URL.Path, status: resp.StatusCode, body: body})
	r.mu.Unlock()
	return resp, nil
}

// take returns the exchanges recorded since the last take.
func (r *recorder) take() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got = nil
	return got
}

// peek returns the exchanges recorded since the last take, keeping them.
func (r *recorder) peek() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}
