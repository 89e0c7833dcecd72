// Package decoderbench compares JSON decoders on the pages the client
// decodes (issue 19, "choose the decoder on evidence"): speed on one
// 150-object page of each large resource, and behaviour on the facade's
// types and on hostile inputs, against encoding/json's. BENCHMARKS.md,
// "Choosing the JSON decoder", has the figures and the decision.
//
// It is a module of its own (bench/decoders/go.mod, with a replace of the
// library to ../..), so that the candidates it links are neither in the
// library's go.mod nor in what a program importing conductor builds.
// Run it from this directory (or with make bench-decoders):
//
//	go test ./...
//	go test -run '^$' -bench DecodePage -benchmem
//
// and again with GOEXPERIMENT=jsonv2, where encoding/json is the json/v2
// implementation behind the v1 API, and github.com/go-json-experiment/json
// is an alias of the standard library's encoding/json/v2.
//
// The programs in size/ decode one page of invoices with one decoder
// each, to weigh what each links and does at start-up: write the pages
// with DECODER_PAGES_DIR=dir go test -run '^TestPages$', then build them
// with go build -o dir/ ./size/... and run each on dir/invoices.json.
package decoderbench
