package conductortest

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// connLimit is a listener that keeps at most maxConns connections open,
// as each can hold the headers a client is sending: without it, a
// thousand clients that each send most of a header block and stop would
// hold a thousand header blocks. When all are open, it closes the
// connection that has waited the longest for a whole request header, if
// for at least minIdleToClose: an idle keep-alive connection, or one
// whose client sent part of a header and stopped, since neither clients'
// pools of idle connections nor clients that stall must lock others out.
// A client that sends a request on a connection just as the fake closes
// it may see the request fail, as with any server's idle timeout, and a
// pool reuses the connection it used last, so the oldest idle one is the
// least likely to be in use. Otherwise, with every connection's request
// being worked on, read or answered, Accept waits, and the new connection
// waits in the kernel's queue, until one closes; the timeouts make sure
// one does.
type connLimit struct {
	net.Listener
	open      chan struct{} // a token for each connection open
	done      chan struct{} // closed by Close
	closeOnce sync.Once

	// read counts the bytes read from every connection, for tests that
	// wait until the fake has read what they sent.
	read atomic.Int64

	mu   sync.Mutex
	idle map[net.Conn]time.Time // connections waiting for a whole request header, since when
}

// minIdleToClose is how long a connection must have waited for a request
// header for connLimit to close it.
const minIdleToClose = time.Second

func newConnLimit(l net.Listener) *connLimit {
	return &connLimit{Listener: l, open: make(chan struct{}, maxConns), done: make(chan struct{}), idle: map[net.Conn]time.Time{}}
}

func (l *connLimit) Accept() (net.Conn, error) {
	if err := l.take(); err != nil {
		return nil, err
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.open
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.open }, read: &l.read}, nil
}

// take takes a token for a new connection, closing the connection that
// has waited the longest for a request header every minIdleToClose while
// none is free; it fails once the listener is closed.
func (l *connLimit) take() error {
	for {
		select {
		case l.open <- struct{}{}:
			return nil
		default:
		}
		l.closeIdle()
		t := time.NewTimer(minIdleToClose)
		select {
		case l.open <- struct{}{}:
			t.Stop()
			return nil
		case <-t.C:
		case <-l.done:
			t.Stop()
			return net.ErrClosed
		}
	}
}

func (l *connLimit) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// connState is the http.Server's ConnState hook: it keeps track of the
// connections waiting for a request header, new or idle; net/http makes
// one active only once it has read a whole header.
func (l *connLimit) connState(c net.Conn, st http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st == http.StateIdle || st == http.StateNew {
		l.idle[c] = time.Now()
	} else {
		delete(l.idle, c)
	}
}

// closeIdle closes the connection that has waited the longest for a
// request header, if it has for minIdleToClose.
func (l *connLimit) closeIdle() {
	l.mu.Lock()
	var victim net.Conn
	oldest := time.Now().Add(-minIdleToClose)
	for c, since := range l.idle {
		if !since.After(oldest) {
			victim, oldest = c, since
		}
	}
	delete(l.idle, victim)
	l.mu.Unlock()
	if victim != nil {
		victim.Close()
	}
}

// limitedConn gives back its token when it is first closed.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
	read    *atomic.Int64
}

func (c *limitedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// CloseWrite lets net/http half-close the connection after an error it
// answers itself, such as a 431, so that the client reads the answer
// rather than a reset.
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
