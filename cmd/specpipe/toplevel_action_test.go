package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestANewTopLevelActionPassesTheFakesTests: "whatever it adds", a spec
// with a new top-level resource goes through update-spec to a library
// that passes its tests. testdata/next-spec.yaml's integration
// connections have an action (a POST on one object, refresh), as
// end-users have passthrough; the copy is TestTheNextSpecGrowsTheLibrary's. The fake answers an action of the new resource
// (a POST on one object) with the object it keeps, filled out by the
// action's answer schema, so its every-operation test passes on the
// regenerated library; an action on an id it never made is a 404, as a
// retrieve of one is.
func TestANewTopLevelActionPassesTheFakesTests(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	c := nextSpecCopy(t)
	r := c.r
	if failed, out := c.fakesTestsFail(t); failed {
		t.Errorf("the fake's every-operation test fails on the regenerated library: %s", out)
	}
	r.write(t, filepath.Join("nextaction", "main.go"), []byte(`package main

import (
	"fmt"
	"io"
	"net/http"

	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

func main() {
	srv := conductortest.NewServer()
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/integration-connections/int_conn_never/refresh", nil)
	req.Header.Set("Authorization", "Bearer "+srv.SecretKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Printf("%d %s", resp.StatusCode, body)
}
`))
	got := string(r.goOutput(t, "run", "./nextaction"))
	if !strings.HasPrefix(got, "404 ") || !strings.Contains(got, `"RESOURCE_MISSING"`) {
		t.Errorf("refreshing an integration connection the fake never made: got %s; want a 404 RESOURCE_MISSING", got)
	}
}
