//go:build contract

package contract

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sync"

	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// refusedFilterRE reads the fake's refusal of a list's filters: one it
// does not apply ("postingStatus: the fake does not apply..."), or two
// QuickBooks takes only one of ("nameContains, nameEndsWith: ...").
var refusedFilterRE = regexp.MustCompile(`^(\w+)(?:, (\w+))?: (?:the fake does not apply|QuickBooks takes only one of)`)

// probe is the fake that withoutRefusedFilters asks, once per list.
var probe = struct {
	sync.Mutex
	fake *conductortest.Server
	kept map[string]map[string]any
}{kept: map[string]map[string]any{}}

// withoutRefusedFilters is a list's or a report's params without those
// the fake refuses, as its package docs say it does (a filter it does not
// apply, to a list or to a report it computes, or two QuickBooks takes
// only one of), so that every request sent is one both servers answer;
// the other operations' params as they are.
func withoutRefusedFilters(spec *contractSpec, o apispec.Operation, params map[string]any) map[string]any {
	filtered := o.Kind == apispec.List || o.Resource == "reports"
	if !filtered || o.Namespace != apispec.QBDNamespace || len(params) == 0 {
		return params
	}
	probe.Lock()
	defer probe.Unlock()
	if kept, ok := probe.kept[o.SDKName()]; ok {
		return kept
	}
	if probe.fake == nil {
		fake, err := conductortest.NewServerWithOptions(conductortest.Options{SecretKey: secretKey, PublishableKey: publishableKey, Fixtures: everyResource(spec)})
		if err != nil {
			panic(err)
		}
		probe.fake = fake
	}
	kept := map[string]any{}
	for k, v := range params {
		kept[k] = v
	}
	for range len(params) + 1 {
		q := url.Values{}
		for name, v := range kept {
			if items, ok := v.([]any); ok {
				for _, item := range items {
					q.Add(name, fmt.Sprint(item))
				}
				continue
			}
			q.Set(name, fmt.Sprint(v))
		}
		req, _ := http.NewRequest(o.Method, probe.fake.URL+o.Path+"?"+q.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+secretKey)
		req.Header.Set(apispec.EndUserHeader, opsEndUser)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var env struct{ Error struct{ Message string } }
		json.Unmarshal(body, &env)
		m := refusedFilterRE.FindStringSubmatch(env.Error.Message)
		if resp.StatusCode != http.StatusBadRequest || m == nil {
			break
		}
		drop := m[1]
		if m[2] != "" {
			drop = m[2]
		}
		delete(kept, drop)
	}
	probe.kept[o.SDKName()] = kept
	return kept
}

// stopProbe closes the probe's fake, if a test started it.
func stopProbe() {
	probe.Lock()
	defer probe.Unlock()
	if probe.fake != nil {
		probe.fake.Close()
		probe.fake = nil
	}
}
