// Package contract holds the contract tests, behind the build tag
// "contract": they run the conductor client against Prism (a mock server
// driven by openapi.yaml, pinned in prism/package.json) and against
// conductortest, so that the client, the spec and the fake agree. Run them
// with `make test-contract`, which installs Prism first.
package contract
