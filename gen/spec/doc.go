// Package spec is openapi.yaml, the document gen is generated from, for
// conductor/conductortest: the fake checks each request body against it as
// Conductor does. Nothing in spec.gen.go is edited by hand: change
// openapi.yaml and run `make generate`.
//
// The document lives here rather than in gen so that a program importing
// conductor neither links kin-openapi nor decodes the document at start-up;
// only the fake, which tests import, pays for it. skip-prune keeps the
// schemas that no operation references (ErrorResponse, Error), so the
// document is openapi.yaml whole.
package spec

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -generate spec,skip-prune -package spec -o spec.gen.go ../../openapi.yaml
