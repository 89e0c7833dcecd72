package conductor

import (
	"bytes"
	"fmt"
	"io"
)

// readBody is a response body the engine has read whole within the
// attempt's timeout; parsers read it again, and errors keep its bytes.
type readBody struct {
	bytes.Reader
	data []byte
}

func (*readBody) Close() error { return nil }

// errBodyTooLarge is wrapped when a body exceeds MaxResponseBodyBytes.
var errBodyTooLarge = fmt.Errorf("response body exceeds the %d MiB limit", MaxResponseBodyBytes>>20)

// firstChunkedRead is the buffer a body of unknown length (a chunked
// answer) is first read into when there is no spare one: large enough for
// most single objects, and doubled as a page fills it (as io.ReadAll grows
// its own), so a 400 KB page takes 6 buffers. The pages after a listing's
// first are read into the buffer of the page before, already the size.
const firstChunkedRead = 16 << 10

// readCapped reads r, a body of contentLength bytes (-1 when unknown), up
// to MaxResponseBodyBytes, into spare's memory when it holds the body,
// and into new memory otherwise.
func readCapped(r io.Reader, contentLength int64, spare []byte) ([]byte, error) {
	if contentLength > MaxResponseBodyBytes {
		return nil, errBodyTooLarge
	}
	if contentLength < 0 {
		return readUnknown(r, spare)
	}
	// One spare byte, to read on to EOF: that is what lets net/http reuse
	// the connection.
	buf := spare[:0]
	if int64(cap(buf)) < contentLength+1 {
		buf = make([]byte, contentLength+1)
	}
	buf = buf[:contentLength+1]
	if _, err := io.ReadFull(r, buf[:contentLength]); err != nil {
		return nil, err
	}
	if _, err := r.Read(buf[contentLength:]); err != io.EOF {
		return nil, fmt.Errorf("body longer than its Content-Length %d", contentLength)
	}
	return buf[:contentLength], nil
}

// readUnknown reads a body of unknown length until EOF or one byte past
// the cap, doubling its buffer as it fills.
func readUnknown(r io.Reader, spare []byte) ([]byte, error) {
	buf := spare[:0]
	if cap(buf) == 0 {
		buf = make([]byte, 0, firstChunkedRead)
	}
	for {
		if len(buf) == cap(buf) {
			if len(buf) > MaxResponseBodyBytes {
				return nil, errBodyTooLarge
			}
			grown := make([]byte, len(buf), min(2*cap(buf), MaxResponseBodyBytes+1))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		switch {
		case err == io.EOF && len(buf) > MaxResponseBodyBytes:
			return nil, errBodyTooLarge
		case err == io.EOF:
			return buf, nil
		case err != nil:
			return nil, err
		}
	}
}

// bodyBuffer lends the pages of one listing a buffer to read their bodies
// into, so that reading 10,000 invoices allocates one page's worth of
// body, not 67. The pages are fetched one after another (see pages), and
// each attempt reads into the buffer, so only one body is in it at a
// time; fetchPage gives a body's memory back once the page is decoded
// and nothing refers to it (WithResponse keeps a copy). A body an error
// keeps is never given back, and ends the listing. nil, outside a
// listing, lends nothing.
type bodyBuffer struct {
	buf []byte
}

// lendingBodies returns the settings to fetch one listing's pages with,
// which lend each page's read the buffer of the page before it.
func (s *settings) lendingBodies() *settings {
	c := *s // settings are never modified once made: sharing the rest is safe
	c.bodies = new(bodyBuffer)
	return &c
}

// spare is the buffer to read into, or nil.
func (b *bodyBuffer) spare() []byte {
	if b == nil {
		return nil
	}
	return b.buf
}

// giveBack lends body's memory to the next read.
func (b *bodyBuffer) giveBack(body []byte) {
	if b != nil {
		b.buf = body
	}
}
