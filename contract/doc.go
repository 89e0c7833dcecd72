// Package contract holds the contract tests, behind the build tag
// "contract": they run the conductor client's every operation against
// Prism (a mock server driven by openapi.yaml as the client sees it, pinned
// in prism/package.json) and against conductortest, hold every answer to
// the spec, and write down, with its reason, each place where Prism and
// the fake differ. Run them with `make test-contract`, which installs
// Prism first.
package contract
