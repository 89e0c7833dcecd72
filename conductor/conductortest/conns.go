package conductortest

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// connLimit is a listener that keeps at most maxConns connections open,
// as each can hold the headers a client is sending: without it, a
// thousand clients that each send most of a header block and stop would
// hold a thousand header blocks. When all are open, it closes the
// connection idle the longest, if for at least minIdleToClose, since
// clients' pools of idle connections must not lock others out; a client
// that sends a request on a connection just as the fake closes it may
// see the request fail, as with any server's idle timeout, and a pool
// reuses the connection it used last, so the oldest idle one is the least
// likely to be in use. Otherwise Accept waits, and the new connection
// waits in the kernel's queue, until one closes; the timeouts make sure
// one does.
type connLimit struct {
	net.Listener
	open      chan struct{} // a token for each connection open
	done      chan struct{} // closed by Close
	closeOnce sync.Once

	mu   sync.Mutex
	idle map[net.Conn]time.Time // connections waiting for their next request, since when
}

// minIdleToClose is how long a connection must have been idle for
// connLimit to close it.
const minIdleToClose = time.Second

func newConnLimit(l net.Listener) *connLimit {
	return &connLimit{Listener: l, open: make(chan struct{}, maxConns), done: make(chan struct{}), idle: map[net.Conn]time.Time{}}
}

func (l *connLimit) Accept() (net.Conn, error) {
	for taken := false; !taken; {
		select {
		case l.open <- struct{}{}:
			taken = true
			continue
		default:
		}
		l.closeIdle()
		t := time.NewTimer(minIdleToClose)
		select {
		case l.open <- struct{}{}:
			taken = true
		case <-t.C:
		case <-l.done:
			t.Stop()
			return nil, net.ErrClosed
		}
		t.Stop()
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.open
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.open }}, nil
}

func (l *connLimit) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// connState is the http.Server's ConnState hook: it keeps track of the
// idle connections.
func (l *connLimit) connState(c net.Conn, st http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st == http.StateIdle {
		l.idle[c] = time.Now()
	} else {
		delete(l.idle, c)
	}
}

// closeIdle closes the connection idle the longest, if it has been for
// minIdleToClose.
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
