package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// topLevelWithAnAction is a next spec whose new top-level resource has an
// action (a POST on one object), as end-users have passthrough.
const topLevelWithAnAction = `#> after: paths:
  /integration-connections/{id}:
    get:
      summary: Retrieve an integration connection
      description: Retrieves an integration connection object.
      parameters:
        - in: path
          name: id
          schema:
            type: string
          required: true
          description: The ID of the integration connection to retrieve.
      responses:
        "200":
          description: Returns the integration connection.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/integration_connection"
  /integration-connections/{id}/refresh:
    post:
      summary: Refresh an integration connection
      description: Refreshes an integration connection.
      parameters:
        - in: path
          name: id
          schema:
            type: string
          required: true
          description: The ID of the integration connection to refresh.
      responses:
        "200":
          description: Returns the integration connection.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/integration_connection"
`

// TestANewTopLevelActionPassesTheFakesTests: "whatever it adds", a spec
// with a new top-level resource goes through update-spec to a library
// that passes its tests. The fake answers an action of the new resource
// (a POST on one object) with the object it keeps, filled out by the
// action's answer schema, so its every-operation test passes on the
// regenerated library; an action on an id it never made is a 404, as a
// retrieve of one is.
func TestANewTopLevelActionPassesTheFakesTests(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	r := copyRepository(t)
	candidate := filepath.Join(t.TempDir(), "next.yaml")
	if err := os.WriteFile(candidate, splice(t, readFile(t, r.path("openapi.yaml")), []byte(topLevelWithAnAction)), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := r.specpipe(t, "update", candidate); code != 0 {
		t.Fatalf("specpipe update exited %d:\n%s", code, out)
	}
	r.goCmd(t, "generate", "./gen/...", "./conductor", "./internal/embeddedspec")
	cmd := exec.Command("go", "test", "-count=1", "-run", "^TestEveryOperationAnswersAsTheSpecSays$", "./conductor/conductortest")
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("the fake's every-operation test fails on the regenerated library: %v\n%s", err, out)
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
