// Package gen is the low-level Conductor client generated from openapi.yaml
// by oapi-codegen, shaped by gen/overlay.yaml, which cmd/apigen derives from
// openapi.yaml. Nothing here is edited by hand (change openapi.yaml or
// oapi-codegen.yaml and run `make generate`) but values.go: DateTime,
// the type the overlay gives the date and time filters, which formats
// itself as the spec asks, and Date and UUID, the names of the runtime's
// types for the formats date and uuid. oapi-codegen has no DateTime; they live here
// so that the generated code names it without an import (package
// conductor, which aliases it, imports gen, not the other way round).
//
// Its types have the names package conductor gives them (Invoice,
// InvoiceCustomer, InvoiceCreateParamsLine, AccountType), which the overlay
// derives from the spec, with the spec's description of each: go doc of a
// type here is the list of its fields that conductor's alias points to.
//
// A type keeps the name it was published with: the overlay's derivation
// reads the overlay it wrote last time (-prev), so a spec that only adds
// renames nothing. To let the rules rename on purpose, delete overlay.yaml
// and run `make generate`.
//
// Programs import the conductor package instead, which names every type of
// this one and adds defaults, validation, retries and typed errors.
package gen

//go:generate go run ../cmd/apigen overlay -spec ../openapi.yaml -prev overlay.yaml -o overlay.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config ../oapi-codegen.yaml ../openapi.yaml
