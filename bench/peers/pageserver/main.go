// Command pageserver serves the pages of issue 19's bulk read
// (internal/bulkpages: 10,000 invoices of 3 lines, 67 pages of some
// 400 KB) on 127.0.0.1, for make bench-peers: pre-built, with a
// Content-Length, or with -fake from the conductortest fake holding the
// same books (chunked answers). It prints its base URL and key as
// shell assignments on one line (BASE=... KEY=...), then serves until it
// is killed.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/seed-6dcb809e/conductor-go/internal/bulkpages"
)

func main() {
	fake := flag.Bool("fake", false, "serve from the conductortest fake (chunked) rather than the pre-built pages")
	flag.Parse()
	log.SetFlags(0)
	if *fake {
		srv, err := bulkpages.NewFake()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("BASE=%s KEY=%s\n", srv.URL, srv.SecretKey)
		select {}
	}
	pages, err := bulkpages.Pages()
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("BASE=http://%s KEY=sk_conductor_bench\n", ln.Addr())
	os.Stdout.Sync()
	log.Fatal(http.Serve(ln, bulkpages.NewServer(pages)))
}
