package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSpecFromAURL serves a candidate over HTTP, as `make spec-diff
// SPEC=https://...` would fetch it.
func TestSpecFromAURL(t *testing.T) {
	candidate := readFile(t, "testdata/removed-required-field.yaml")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/openapi.yml" {
			http.NotFound(w, r)
			return
		}
		w.Write(candidate)
	}))
	defer srv.Close()
	r := newPipelineRepo(t, readFile(t, "testdata/base.yaml"))

	exit, out := r.specpipe(t, "diff", srv.URL+"/openapi.yml")
	if exit != exitBreaking || !strings.Contains(out, "[response-required-property-removed]") {
		t.Errorf("specpipe diff URL exited %d, want %d and the removed property reported:\n%s", exit, exitBreaking, out)
	}
	exit, out = r.specpipe(t, "diff", srv.URL+"/missing.yml")
	if exit != exitFailure || !strings.Contains(out, "404") {
		t.Errorf("specpipe diff of a missing URL exited %d, want %d and the status:\n%s", exit, exitFailure, out)
	}
	if exit, out := r.specpipe(t, "update", srv.URL+"/openapi.yml"); exit != 0 {
		t.Fatalf("specpipe update URL exited %d:\n%s", exit, out)
	}
	if got := readFile(t, r.path("openapi.yaml")); !strings.Contains(string(got), "ErrorResponse:") || strings.Contains(string(got), "expiresAt:") {
		t.Errorf("openapi.yaml after update from a URL is not the candidate with the local additions:\n%s", got)
	}
}
