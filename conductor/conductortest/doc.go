// Package conductortest is a fake Conductor API for testing code that uses
// the conductor package without the network and without a Conductor
// account.
//
// The fake answers POST /auth-sessions as Conductor does: it checks the
// bearer key, checks the body against the request schema in openapi.yaml
// plus the rules the document states only in words, and returns an
// auth_session whose authFlowUrl points at the fake itself. A GET there
// serves a page whose link completes the flow by redirecting to the
// session's redirectUrl, so a callback can be tested offline; an unknown or
// expired session gets 404. Every response, errors included, carries a
// Conductor-Request-Id header equal to the error envelope's requestId.
//
//	srv := conductortest.NewServer()
//	defer srv.Close()
//	client, err := srv.Client()
//
// [Server.Enqueue] makes the next calls fail or stall, to test retries and
// timeouts; [Server.Requests] shows what the fake received.
//
// The error types, and the codes API_KEY_INVALID and RESOURCE_MISSING, are
// Conductor's; the codes INVALID_REQUEST, METHOD_NOT_ALLOWED and
// SPEC_UNAVAILABLE are the fake's own, as Conductor documents none for
// those cases.
//
// # Memory
//
// A fake holds a bounded amount of memory however long it runs and
// whatever it is sent, so that conductor fake-server can serve a shared
// test environment for weeks:
//
//   - [Server.Requests] keeps the most recent [RequestWindowLen] (1,000)
//     requests, refused ones included, within [RequestWindowBytes]
//     (4 MiB) of bodies and headers; the most recent is always there;
//   - the auth-flow pages know the most recent [MaxSessions] (1,000)
//     sessions, within [MaxSessionBytes] (4 MiB) of secrets and redirect
//     URLs; an older one gets 404, as an expired one does;
//   - two requests at a time are read and answered, each with a body of
//     at most 1 MiB (413 beyond) and headers of at most [MaxHeaderBytes]
//     (64 KiB, 431 beyond); the others wait their turn, and a request must
//     arrive whole within 30 seconds of its start.
//
// Together these keep the fake's heap under [MemoryBudget], 32 MiB. It is
// a promise: state the fake gains later, such as a stateful fake of the
// whole API, must fit in the same budget.
package conductortest
