package conductor_test

import (
	"context"
	"os"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// releaseHeading is a released version's heading in CHANGELOG.md, in Keep
// a Changelog's form: "## [0.1.0] - 2026-12-06". "## [Unreleased]" does
// not match, as its name is no version.
var releaseHeading = regexp.MustCompile(`(?m)^## \[(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\] - \d{4}-\d{2}-\d{2}$`)

// TestVersionIsTheChangelogs: Version, which every request's User-Agent
// carries, is the top released version of CHANGELOG.md, so that a User-Agent
// in Conductor's logs or a bug report names the entry that describes the
// code, and a release cannot bump one and forget the other.
func TestVersionIsTheChangelogs(t *testing.T) {
	log, err := os.ReadFile("../CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	unreleased := regexp.MustCompile(`(?m)^## \[Unreleased\]$`).FindIndex(log)
	top := releaseHeading.FindSubmatchIndex(log)
	if unreleased == nil || top == nil {
		t.Fatalf("CHANGELOG.md needs an \"## [Unreleased]\" section and a released version below it (\"## [X.Y.Z] - YYYY-MM-DD\"); found unreleased %v, release %v", unreleased != nil, top != nil)
	}
	if unreleased[0] > top[0] {
		t.Errorf("CHANGELOG.md: \"## [Unreleased]\" must come before the top release, %s", log[top[0]:top[1]])
	}
	if got := string(log[top[2]:top[3]]); got != conductor.Version {
		t.Errorf("CHANGELOG.md's top release is %s, conductor.Version is %s: bump them together", got, conductor.Version)
	}
}

// TestUserAgentCarriesTheVersion: what a request sends on the wire, through
// real HTTP to the fake, names this library and Version.
func TestUserAgentCarriesTheVersion(t *testing.T) {
	fake := conductortest.NewServer()
	defer fake.Close()
	c, err := fake.Client()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.EndUsers.List(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the fake got %d requests, want 1", len(reqs))
	}
	if diff := cmp.Diff("conductor-go/"+conductor.Version, reqs[0].Header.Get("User-Agent")); diff != "" {
		t.Errorf("User-Agent (-want +got):\n%s", diff)
	}
}
