package conductor

import (
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// unmarshal decodes an answer's JSON into v; every answer the client
// decodes goes through it. It has encoding/json's behaviour (the same
// values, the same errors for what the tests look at: a wrong type names
// its field, a bad time wraps *time.ParseError) but runs on the json/v2
// engine, which checks and decodes in one pass: a page of invoices
// decodes in some 0.6 of the time and with a quarter fewer allocations
// (BENCHMARKS.md, "Choosing the JSON decoder"). Built with
// GOEXPERIMENT=jsonv2, the module is an alias of the standard library's
// encoding/json, which then runs the same engine.
func unmarshal(data []byte, v any) error {
	return jsonv1.Unmarshal(data, v)
}

// validJSON reports whether data is one JSON value, by the rules
// unmarshal decodes with.
func validJSON(data []byte) bool {
	return jsonv1.Valid(data)
}
