package conductortest

import "fmt"

// DemoEndUserID is the end-user of the demo company ([Options.Demo]):
// connected, with customers, service items and invoices.
const DemoEndUserID = "end_usr_demo"

// demoFixtures is a small company to try the API on: three customers, two
// service items and an invoice for each customer.
func demoFixtures() *Fixtures {
	customers := []map[string]any{
		{"id": "80000001-1700000001", "name": "Acme Corporation", "companyName": "Acme Corporation", "email": "ap@acme.example"},
		{"id": "80000002-1700000002", "name": "Globex", "companyName": "Globex Inc.", "email": "billing@globex.example"},
		{"id": "80000003-1700000003", "name": "Initech", "companyName": "Initech LLC", "email": "accounts@initech.example"},
	}
	items := []map[string]any{
		{"id": "80000004-1700000004", "name": "Consulting"},
		{"id": "80000005-1700000005", "name": "Support plan"},
	}
	var invoices []map[string]any
	for i, c := range customers {
		invoices = append(invoices, map[string]any{
			"id":              fmt.Sprintf("%X-17000001%02d", 0x80000100+i, i),
			"customerId":      c["id"],
			"refNumber":       fmt.Sprintf("INV-%d", 1001+i),
			"transactionDate": fmt.Sprintf("2024-10-%02d", 1+i),
			"memo":            "Thank you for your business.",
			"lines": []any{
				map[string]any{"itemId": items[0]["id"], "description": "Consulting, October", "quantity": float64(4 + i), "rate": "150.00"},
				map[string]any{"itemId": items[1]["id"], "description": "Support plan", "quantity": float64(1), "rate": "99.00"},
			},
		})
	}
	return &Fixtures{EndUsers: []FixtureEndUser{{
		ID: DemoEndUserID, CompanyName: "Demo Company (fake)", SourceID: "demo", Email: "demo@example.com", Connected: true,
		QBD: map[string][]map[string]any{"customers": customers, "serviceItems": items, "invoices": invoices},
	}}}
}
