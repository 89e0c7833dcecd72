// Command consumer is the README's quick start: an end-user, the auth
// session that connects their QuickBooks Desktop, then their data: the
// invoices, and a new customer. TestFootprint builds it to see what
// importing conductor costs a program using a few operations, in
// packages, bytes and start-up work.
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
		fail(err)
	}
	ctx := context.Background()

	endUser, err := client.EndUsers.Create(ctx, conductor.EndUserCreateParams{CompanyName: "Acme", SourceID: "acct_42", Email: "ap@acme.example"})
	if err != nil {
		fail(err)
	}
	session, err := client.AuthSessions.Create(ctx, conductor.AuthSessionCreateParams{EndUserID: endUser.ID})
	if err != nil {
		fail(err)
	}
	fmt.Println("Send your customer to", session.AuthFlowURL)

	// Once they have connected:
	for invoice, err := range client.QBD.Invoices.All(ctx, endUser.ID, &conductor.InvoiceListParams{Limit: new(150)}) {
		if err != nil {
			fail(err)
		}
		fmt.Println(invoice.ID, invoice.Subtotal)
	}
	customer, err := client.QBD.Customers.Create(ctx, endUser.ID, conductor.CustomerCreateParams{Name: "Globex"})
	if err != nil {
		fail(err)
	}
	fmt.Println("created", customer.ID)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
