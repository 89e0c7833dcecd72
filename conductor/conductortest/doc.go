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
package conductortest
