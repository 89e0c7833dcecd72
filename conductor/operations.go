package conductor

// Every operation in openapi.yaml, named "METHOD /path", is decided here:
// either a facade method wraps it, or it is reached only through
// [Client.Gen], with the reason. TestEveryOperationIsDecided fails on an
// operation in neither list, and on an entry the spec no longer has.

// wrappedOperations maps an operation to the facade method that wraps it,
// as "Service.Method" on [Client].
var wrappedOperations = map[string]string{
	"POST /auth-sessions": "AuthSessions.Create",
}

// unwrappedOperations maps an operation to why it has no facade method;
// callers use client.Gen() for it.
var unwrappedOperations = map[string]string{}
