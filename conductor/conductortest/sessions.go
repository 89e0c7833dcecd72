package conductortest

import "time"

// session is what the fake keeps of an auth session, for its auth-flow page.
type session struct {
	endUserID   string
	redirectURL *string
	expiresAt   time.Time
}

// sessionStore is the sessions the fake remembers, by client secret: the
// most recent MaxSessions within MaxSessionBytes. Forgetting by age rather
// than by expiry keeps each add O(1); an expired session still held is
// refused when looked up, and the limits bound how many there can be. The
// Server's mutex guards it.
type sessionStore struct {
	bySecret map[string]session
	order    window[string] // client secrets, oldest first
}

func newSessionStore() sessionStore {
	bySecret := map[string]session{}
	return sessionStore{
		bySecret: bySecret,
		order:    window[string]{maxLen: MaxSessions, maxBytes: MaxSessionBytes, onDrop: func(secret string) { delete(bySecret, secret) }},
	}
}

func (st *sessionStore) add(secret string, sess session) {
	size := len(secret) + len(sess.endUserID)
	if sess.redirectURL != nil {
		size += len(*sess.redirectURL)
	}
	st.bySecret[secret] = sess
	st.order.add(secret, size)
}

func (st *sessionStore) get(secret string) (session, bool) {
	sess, ok := st.bySecret[secret]
	return sess, ok
}
