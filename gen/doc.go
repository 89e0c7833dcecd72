// Package gen is the low-level Conductor client generated from openapi.yaml
// by oapi-codegen. Nothing in conductor.gen.go is edited by hand: change
// openapi.yaml or oapi-codegen.yaml and run `make generate`.
//
// Most programs should import the conductor package instead, which adds
// defaults, validation, retries and typed errors on top of this one.
package gen

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config ../oapi-codegen.yaml ../openapi.yaml
