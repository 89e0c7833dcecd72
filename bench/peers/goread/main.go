// Command goread reads every invoice of issue 19's bulk read with the
// facade (client.QBD.Invoices.All) from a pageserver, as make bench-peers'
// Go side, and prints what the process used for the whole read, to
// compare with the Node SDK's read.js: CPU time (user + system), peak
// resident memory and the most heap in use at any point (sampled every
// half millisecond).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"runtime/metrics"
	"syscall"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/bulkpages"
)

func main() {
	base := flag.String("base", "", "the pageserver's base URL")
	key := flag.String("key", "", "the key to send")
	flag.Parse()
	log.SetFlags(0)
	c, err := conductor.NewClient(conductor.WithAPIKey(*key), conductor.WithBaseURL(*base))
	if err != nil {
		log.Fatal(err)
	}
	peak := make(chan uint64)
	stop := make(chan struct{})
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(500 * time.Microsecond)
		var p uint64
		for {
			metrics.Read(s)
			p = max(p, s[0].Value.Uint64())
			select {
			case <-stop:
				peak <- p
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	n := 0
	for _, err := range c.QBD.Invoices.All(context.Background(), bulkpages.EndUser, nil) {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	wall := time.Since(start)
	close(stop)
	heap := <-peak
	var u syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	cpu := time.Duration(u.Utime.Nano() + u.Stime.Nano())
	fmt.Printf("go facade: %d invoices, wall %.0f ms, cpu %.0f ms, peak rss %.1f MiB, peak heap %.1f MiB\n",
		n, wall.Seconds()*1000, cpu.Seconds()*1000, float64(u.Maxrss)/1024, float64(heap)/(1<<20))
}
