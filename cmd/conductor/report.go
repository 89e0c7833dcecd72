package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// reportError prints a failed call of the command name on stderr and
// returns its exit status: parameters the client refused are a usage
// error, named by flagFor (from the Go name of the parameter to the flag
// or variable that set it); a write the client could not confirm says so
// first, with what to look for, whatever error it ended with; anything
// else is the API's or the network's.
func reportError(name string, err error, flagFor func(field string) string, stderr io.Writer) int {
	var verr *conductor.ValidationError
	if errors.As(err, &verr) {
		for _, f := range verr.Fields {
			fmt.Fprintf(stderr, "%s: %s %s\n", name, flagFor(f.Field), f.Reason)
		}
		return exitUsage
	}
	var unsure *conductor.UnconfirmedWriteError
	if errors.As(err, &unsure) {
		// Its error may be a 5xx the API sent, but "the API refused the
		// call" would read as "nothing happened": it may have.
		fmt.Fprintf(stderr, "%s: %s\n", name, message(err))
		return exitUnconfirmed
	}
	var apiErr *conductor.Error
	if !errors.As(err, &apiErr) {
		fmt.Fprintf(stderr, "%s: %s\n", name, message(err))
		return exitAPI
	}
	if errors.Is(err, conductor.ErrInvalidResponse) || apiErr.StatusCode < 400 {
		// An answer the client could not read (a 2xx cut short): the
		// API did not refuse the call.
		fmt.Fprintf(stderr, "%s: %s\n", name, message(err))
		return exitAPI
	}
	fmt.Fprintf(stderr, "%s: the API refused the call with status %d\n", name, apiErr.StatusCode)
	for _, f := range []struct{ name, value string }{
		{"type", string(apiErr.Type)}, {"code", apiErr.Code}, {"message", apiErr.Message}, {"request id", apiErr.RequestID},
	} {
		if f.value == "" {
			f.value = "(none)"
		}
		fmt.Fprintf(stderr, "  %-11s %s\n", f.name+":", f.value)
	}
	return exitAPI
}

// libraryPrefix begins the library's error messages, which name it for a
// program's logs; the command's own prefix already says where a message
// comes from, so it is dropped where the command adds that.
const libraryPrefix = "conductor: "

// message is err's text for a line the command starts with its own
// prefix (conductor end-users list:), without the library's, so that a
// line names its source once.
func message(err error) string {
	return strings.TrimPrefix(err.Error(), libraryPrefix)
}
