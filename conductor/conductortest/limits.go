package conductortest

import "time"

// The limits that keep a fake's memory bounded whatever it is sent, so
// that a fake left running (conductor fake-server in a shared test
// environment) neither grows until it is killed nor slows down. They
// apply to every Server; the package documentation sums them up.
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
	// MaxEndUsers is how many end-users a fake holds; creating more is
	// refused until some are deleted.
	MaxEndUsers = 1000
	// MaxObjectBytes bounds the QuickBooks Desktop objects a fake holds,
	// of all end-users, as JSON plus some bookkeeping each; a create or
	// update that would pass it is refused until some are deleted.
	MaxObjectBytes = 8 << 20
	// MaxCursors is how many lists a fake pages at once; an expired
	// cursor makes room.
	MaxCursors = 1000
	// MaxHeaderBytes bounds a request's headers; the fake answers 431 to
	// more (net/http lets up to 4 KiB beyond it through).
	MaxHeaderBytes = 64 << 10
	// MemoryBudget is the most heap a fake holds, at any moment and under
	// any load: the request window, the sessions, the end-users, their
	// QuickBooks objects and the lists being paged, and the requests being
	// read and answered. Not included are the OpenAPI document, loaded
	// once and shared by every fake in the process; net/http's buffers for
	// each open connection (some 8 KiB, plus the headers of a request
	// being read); and the bodies of requests stalled by a queued
	// Response.Delay, as many as the test queued. A change to the fake,
	// such as more state, must stay within it; TestMemoryStaysWithinBudget
	// checks that it does.
	MemoryBudget = 32 << 20
)

const (
	// maxRequestBody bounds what the fake reads of a request body; more
	// is a 413.
	maxRequestBody = 1 << 20
	// maxConcurrent is how many requests the fake reads and answers at
	// once; the others wait, holding no body yet. One being answered can
	// hold its body, decoded copies of it and a response echoing it, some
	// 5 MiB at worst, so this bounds the requests in flight at about
	// 10 MiB. Answering takes well under a millisecond of CPU, so more
	// would hardly answer sooner.
	maxConcurrent = 2
	// readTimeout bounds the time from a request's start to its last body
	// byte, waiting for a slot included, so that a client that stalls
	// mid-body cannot hold one of the few slots for ever.
	readTimeout = 30 * time.Second
)
