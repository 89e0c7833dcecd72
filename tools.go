//go:build tools

// Package tools pins the code generators and checkers this repository runs
// with `go run`, so their versions live in go.mod like any dependency and a
// fresh clone needs nothing installed by hand.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "github.com/oasdiff/oasdiff"
	_ "golang.org/x/perf/cmd/benchstat"
	_ "honnef.co/go/tools/cmd/staticcheck"
)
