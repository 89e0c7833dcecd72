package conductortest

// The limits that keep a fake's memory bounded whatever it is sent, so
// that a fake left running (conductor fake-server in a shared test
// environment) neither grows until it is killed nor slows down. They
// apply to every Server.
const (
	// RequestWindowLen is how many requests [Server.Requests] keeps: the
	// most recent ones.
	RequestWindowLen = 1000
	// RequestWindowBytes bounds the bodies and headers [Server.Requests]
	// keeps in all; older requests are dropped first to stay within it,
	// but the most recent request is always kept.
	RequestWindowBytes = 4 << 20
	// MaxSessions is how many auth sessions the fake remembers for its
	// auth-flow page: the most recent ones. An older session's page is a
	// 404, as for an expired one.
	MaxSessions = 1000
	// MaxSessionBytes bounds the client secrets and redirect URLs of the
	// remembered sessions in all; older sessions are forgotten first to
	// stay within it.
	MaxSessionBytes = 4 << 20
)

const (
	// maxRequestBody bounds what the fake reads of a request body; more
	// is a 413.
	maxRequestBody = 1 << 20
)
