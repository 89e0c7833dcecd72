// Command std decodes one page of invoices, read from the file its
// argument names, into the facade's type with encoding/json: the binary a
// program that decodes pages with it is, to set beside the others'.
package main

import (
	"fmt"
	"os"

	json "encoding/json"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var page conductor.InvoiceList
	if err := json.Unmarshal(data, &page); err != nil {
		panic(err)
	}
	fmt.Println(len(page.Data), "invoices")
}
