// Package conductor is a Go client for the Conductor API (conductor.is),
// which connects a backend to its customers' QuickBooks Desktop.
//
// Create a [Client] once and share it; it is safe for concurrent use. Each
// call checks its request before any byte is sent, against every rule the
// spec states of it (required fields, lengths, bounds, enums, list sizes,
// dates, at every depth) and for ids that can be sent, retries what is
// safe to retry, and returns either a typed result or an error you can
// inspect with [errors.Is] and [errors.As]:
//
//   - [*ValidationError]: the request was wrong; its Fields list every
//     problem, each field by its JSON path; nothing was sent.
//     [SkipSpecChecks] sends one call without the spec's rules.
//   - [*Error]: the API answered with a non-2xx status, or with a 2xx body
//     that is not what the API documents: not a JSON object, not of the
//     result's objectType with its id, without a key the spec requires
//     (for results with no objectType), or too costly to decode (see
//     [ErrInvalidResponse] for exactly what is checked).
//   - anything else: the request never got an answer (connection refused,
//     timeout, cancelled context); the cause is wrapped.
//
// A call given [WithResponse] also fills in a [Response]: the HTTP status,
// headers, Conductor-Request-Id and raw JSON of its answer. A field
// Conductor sends that openapi.yaml does not list, and so the result's
// type lacks, is dropped from the result but kept in that raw JSON.
//
// A write whose outcome the client could not read (the connection broke
// after it was sent, a timeout, a 5xx, a 3xx, a 2xx whose body cannot be
// read) is not sent again blindly. By default ([ResolveWrites]) the
// client finds out what it did: an update is sent again with the same
// revisionNumber, a delete or void is checked with a retrieve, and a
// create whose body takes externalId (set by the client when the caller
// did not) is looked up by it until the first attempt can no longer land,
// and sent again only then; one record per resolution goes to
// [WithLogger]'s logger. What stays unknown ends with an
// [*UnconfirmedWriteError] matching [ErrWriteUnconfirmed], which states
// the write policy: what is retried, and when a write may have taken
// effect. [WithWritePolicy] chooses another policy.
//
// To keep a copy of an end-user's QuickBooks Desktop objects, call a
// resource's Changes method (such as [InvoicesService.Changes]) every few
// minutes: each run delivers the objects created or updated and those
// deleted since a [Checkpoint], in an order a copy can apply one by one,
// then the Checkpoint to store for the next run. A checkpoint older than
// QuickBooks' 90 days of deletions fails with [ErrResyncNeeded]. The
// README's "Keeping a copy in sync" has an example and states what the
// feed assumes of QuickBooks' clocks.
//
// [WithMiddleware] wraps each attempt of a call (request in, response or
// error out), for tracing and metrics with what a program already uses,
// OpenTelemetry's otelhttp among them (the README's "Middleware and
// tracing"); what a middleware sees has the key redacted. [WithLogger], or
// the CONDUCTOR_LOG environment variable ([EnvLog]) without code, logs one
// redacted record per attempt.
//
// The low-level client generated from the OpenAPI document lives in the gen
// package; every operation has a method here, and [Client.Gen] reaches
// the generated one. Every request it makes through a conductor [Client]
// goes through the same layer that adds authentication, retries, timeouts
// and error decoding, so a request built there behaves as the methods here
// do.
package conductor

//go:generate go run ../cmd/apigen facade -spec ../openapi.yaml -gen ../gen/conductor.gen.go -dir .
