package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestANewTopLevelResourceWithACreatePassesTheTests: the issue asks that a
// spec adding a top-level resource (testdata/next-spec.yaml's integration
// connections, which can be created and retrieved, not only listed, as
// end-users can; the copy is TestTheNextSpecGrowsTheLibrary's), "whatever it adds", goes through
// update-spec to a library that builds and passes its tests. A resource
// with a create builds, but the fake answers its create with a 500
// NOT_IMPLEMENTED, so the fake's every-operation test fails on the
// regenerated library. And the fake retrieves any id of such a resource,
// though its list is empty: a user's test of their not-found handling
// against the fake gets a 200 where Conductor answers 404.
func TestANewTopLevelResourceWithACreatePassesTheTests(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	c := nextSpecCopy(t)
	r := c.r
	r.write(t, filepath.Join("nextwrites", "main.go"), []byte(`package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

func main() {
	srv := conductortest.NewServer()
	defer srv.Close()
	client, err := srv.Client(conductor.WithMaxRetries(0))
	if err != nil {
		panic(err)
	}
	_, err = client.IntegrationConnections.Retrieve(context.Background(), "int_conn_never_created")
	var apiErr *conductor.Error
	fmt.Println("not found:", errors.As(err, &apiErr) && apiErr.StatusCode == 404)
}
`))
	if out := string(r.goOutput(t, "run", "./nextwrites")); !strings.Contains(out, "not found: true") {
		t.Errorf("retrieving an integration connection never created, from a fake with none: %s; want a 404", out)
	}
	if failed, out := c.fakesTestsFail(t); failed {
		t.Errorf("the fake's every-operation test fails on the regenerated library: %s", out)
	}
}
