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
	"os"
	"time"
)

func main() {
	body, err := json.Marshal(map[string]string{
		"endUserId":      "end_usr_1234567abcdefg",
		"publishableKey": os.Getenv("CONDUCTOR_PUBLISHABLE_KEY"),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost,
		os.Getenv("CONDUCTOR_BASE_URL")+"/auth-sessions", bytes.NewReader(body))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	req.Header.Set("Authorization", "Bearer "+os.Getenv("CONDUCTOR_SECRET_KEY"))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	var session struct {
		ID          string    `json:"id"`
		AuthFlowURL string    `json:"authFlowUrl"`
		ExpiresAt   time.Time `json:"expiresAt"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&session); err != nil || resp.StatusCode != http.StatusOK {
		fmt.Fprintf(os.Stderr, "status %d: %v\n", resp.StatusCode, err)
		os.Exit(1)
	}
	fmt.Println(session.AuthFlowURL)
}
