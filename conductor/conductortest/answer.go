package conductortest

import (
	"bytes"
	"net/http"
)

// answer is a response prepared in full before any of it is written: the
// fake works on a request in one of its few turns (see maxConcurrent) and
// writes the answer after giving the turn back, so that a client slow to
// read it delays nobody else. It is the http.ResponseWriter the fake's
// handlers write to.
type answer struct {
	header http.Header // the real response's, set in place
	status int         // 0 until written: then there is no answer
	body   bytes.Buffer
	// page is a list's page, written object by object from the stored
	// JSON rather than copied into body.
	page *page
}

func newAnswer(w http.ResponseWriter) *answer { return &answer{header: w.Header()} }

func (a *answer) Header() http.Header { return a.header }

func (a *answer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

func (a *answer) Write(p []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return a.body.Write(p)
}

// writePage makes p the answer's body.
func (a *answer) writePage(status int, p *page) {
	a.WriteHeader(status)
	a.page = p
}

// size is what the answer holds beyond what the fake stores anyway.
func (a *answer) size() int {
	n := a.body.Cap()
	if a.page != nil {
		n += 64 + 24*len(a.page.data)
	}
	return n
}

// writeTo writes the answer to w, if there is one.
func (a *answer) writeTo(w http.ResponseWriter) {
	if a.status == 0 {
		return
	}
	w.WriteHeader(a.status)
	if a.page != nil {
		a.page.writeTo(w) // an error is the client gone or cut off: nobody to tell
		return
	}
	w.Write(a.body.Bytes())
}
