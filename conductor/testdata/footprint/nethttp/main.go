// Command nethttp does what consumer does with net/http and encoding/json
// alone, reading the same environment: the floor TestFootprint measures
// consumer's binary against.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
)

func main() {
	endUser := call(http.MethodPost, "/end-users", "", map[string]any{"companyName": "Acme", "sourceId": "acct_42", "email": "ap@acme.example"})
	id, _ := endUser["id"].(string)
	session := call(http.MethodPost, "/auth-sessions", "", map[string]any{"endUserId": id, "publishableKey": os.Getenv("CONDUCTOR_PUBLISHABLE_KEY")})
	fmt.Println("Send your customer to", session["authFlowUrl"])

	cursor := ""
	for {
		q := url.Values{"limit": {"150"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		page := call(http.MethodGet, "/quickbooks-desktop/invoices?"+q.Encode(), id, nil)
		data, _ := page["data"].([]any)
		for _, d := range data {
			invoice, _ := d.(map[string]any)
			fmt.Println(invoice["id"], invoice["subtotal"])
		}
		next, _ := page["nextCursor"].(string)
		if more, _ := page["hasMore"].(bool); !more || next == "" {
			break
		}
		cursor = next
	}
	customer := call(http.MethodPost, "/quickbooks-desktop/customers", id, map[string]any{"name": "Globex"})
	fmt.Println("created", customer["id"])
}

func call(method, path, endUserID string, body map[string]any) map[string]any {
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			fail(err)
		}
	}
	req, err := http.NewRequestWithContext(context.Background(), method, os.Getenv("CONDUCTOR_BASE_URL")+path, bytes.NewReader(b))
	if err != nil {
		fail(err)
	}
	req.Header.Set("Authorization", "Bearer "+os.Getenv("CONDUCTOR_SECRET_KEY"))
	req.Header.Set("Content-Type", "application/json")
	if endUserID != "" {
		req.Header.Set("Conductor-End-User-Id", endUserID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fail(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		fail(fmt.Errorf("status %d: %v", resp.StatusCode, err))
	}
	return out
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
