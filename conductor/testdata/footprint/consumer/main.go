// Command consumer is the README's quick start: the least a program does
// with this library. TestFootprint builds it to see what importing
// conductor costs a user's binary, in packages, bytes and start-up work.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

func main() {
	// Reads CONDUCTOR_SECRET_KEY, CONDUCTOR_PUBLISHABLE_KEY and
	// CONDUCTOR_BASE_URL from the environment.
	client, err := conductor.NewClient()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	session, err := client.AuthSessions.Create(context.Background(), conductor.AuthSessionCreateParams{
		EndUserID: "end_usr_1234567abcdefg",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(session.AuthFlowURL)
}
