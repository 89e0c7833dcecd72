// Package apigen derives, from openapi.yaml, what this repository generates
// besides oapi-codegen's own output: the overlay that names and types the
// generated client (gen/overlay.yaml), and the facade's declarations in
// package conductor (conductor/types.gen.go, conductor/api.gen.go,
// conductor/rules.gen.go): a type alias for every type of gen a caller
// needs, the Client's service fields, one wrapper method per operation,
// each one call of a hand-written helper with one request value, and the
// rules the spec states of each request, checked before it is sent.
// api.gen.go is written from the template services.tmpl, rules.gen.go
// from rules.tmpl. cmd/apigen runs it for
// `make generate`:
//
//	go run ../cmd/apigen overlay -spec ../openapi.yaml -o overlay.yaml
//	go run ../cmd/apigen facade -spec ../openapi.yaml -gen ../gen/conductor.gen.go -dir .
//
// The names come from internal/apispec, so the overlay, the facade, the
// command line and the tests agree on every one.
package apigen
