package conductortest

import "time"

// The limits that keep a fake's memory bounded whatever it is sent, so
// that a fake left running (conductor fake-server in a shared test
// environment) neither grows until it is killed nor slows down. They
// apply to every Server, the budgets of objects and cursors unless its
// Options set others; the package documentation sums them up.
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
	// refused until some are deleted. Each field of an end-user
	// (companyName, sourceId, email) is at most 1 KiB, which bounds
	// their bytes too.
	MaxEndUsers = 1000
	// MaxObjectBytes is the default of Options.MaxObjectBytes: the
	// QuickBooks Desktop objects a fake holds, of all end-users, as JSON
	// plus some bookkeeping each, and the records of deleted ones (kept
	// 90 days of the fake's time, the oldest dropped first when an object
	// needs their room); a create or update that would pass it is refused
	// until some are deleted. 8 MiB is some 3,000 invoices of 2.7 KB; a
	// test of a real company's books sets more.
	MaxObjectBytes = 8 << 20
	// MaxCursors is the default of Options.MaxCursors: how many lists a
	// fake pages at once. A list that would pass it is refused, never a
	// page of a list whose cursor is within its TTL; an expired cursor,
	// or a finished list's, makes room.
	MaxCursors = 5000
	// MaxCursorBytes is the default of Options.MaxCursorBytes: what the
	// cursors of lists being paged keep, in all, their filters chiefly,
	// as a list's filters can be as long as its URL; a list that would
	// pass it is refused until a cursor expires.
	MaxCursorBytes = 2 << 20
	// MaxHeaderBytes bounds a request's headers; the fake answers 431 to
	// more (net/http lets up to 4 KiB beyond it through).
	MaxHeaderBytes = 64 << 10
	// MemoryBudget is the most heap a fake with the default budgets holds, at any moment and under
	// the loads TestMemoryStaysWithinBudget and
	// TestSlowListReadersHoldNoMoreThanTheBudget send (and, for a
	// top-level resource a newer spec adds, the lists of
	// TestANewTopLevelListStaysWithinTheFakesBudget): the request window,
	// the sessions, the end-users, their QuickBooks objects (those that
	// answers still being written show after they were deleted or
	// replaced included) and the lists being paged, the request bodies
	// being read and the answers being written, and the headers of the
	// connections open. Not included are the OpenAPI document, loaded once
	// and shared by every fake in the process (most of an idle
	// fake-server's resident memory, and decoding it sets the process's
	// peak; see BENCHMARKS.md); goroutine stacks and the kernel's socket
	// buffers; answers that are not a stored object or a list of them (a
	// void's, the end-user list), while they wait for room to be written;
	// the bodies of requests stalled by a queued Response.Delay, as
	// many as the test queued; and the requests of late writes of a
	// Fault, at most 4 MiB. A change to the fake, such as more state,
	// must stay within it. A bigger Options.MaxObjectBytes adds about as
	// much again (each object shown by an answer being written costs 8
	// bytes more), a bigger MaxCursorBytes as much as it adds.
	MemoryBudget = 32 << 20
)

const (
	// maxShownAtOnce bounds the objects the answers prepared and not yet
	// written show, in all. Each is a pointer to a stored object, 8 bytes
	// (2 MiB in all); the objects themselves count against
	// MaxObjectBytes. An answer waiting for room in maxInFlight is not
	// counted there, and a list Conductor does not page has no limit of
	// its own, so without this bound 128 connections asking for such a
	// list of tens of thousands of objects would hold tens of MiB. One
	// list alone always fits: every object costs objectOverhead or more,
	// so the fake holds at most MaxObjectBytes/objectOverhead (61,680);
	// with a bigger Options.MaxObjectBytes, the bound is that many.
	maxShownAtOnce = 1 << 18
	// maxRequestBody bounds what the fake reads of a request body; more
	// is a 413.
	maxRequestBody = 1 << 20
	// maxEndUserField bounds each of an end-user's fields. openapi.yaml
	// gives them no maxLength; 1 KiB is far beyond any company name,
	// id or e-mail address (254 bytes at most).
	maxEndUserField = 1 << 10
	// maxInFlight bounds the bytes of request bodies being read and of
	// answers being written, in all. A request reserves its body's
	// declared length (or maxRequestBody, for a body of unknown length)
	// before reading it, waiting while it would pass the bound; it holds
	// nothing while it waits, so waiting costs no memory, and a request
	// without a body waits for nothing. Once its answer is prepared, it
	// gives the body's room back and takes the answer's, waiting for it up
	// to Options.IOTimeout; a list's answer, or a stored object's, is
	// written from the stored objects and needs only a few bytes.
	maxInFlight = 4 << 20
	// maxConcurrent is how many requests the fake works on at once, once
	// their bodies have arrived; the others wait their turn. One being
	// worked on can hold decoded copies of its body and the answer being
	// built, some 3 MiB at worst. Working takes well under a millisecond
	// of CPU, so more would hardly answer sooner. Reading a body and
	// writing an answer hold no turn, so a slow client holds no one
	// else's turn.
	maxConcurrent = 2
	// maxConns is how many connections the fake keeps open, each able to
	// hold up to MaxHeaderBytes of headers being sent. With all of them
	// open, the fake closes the one that has waited longest (at least a
	// second) for a whole request header, idle or stalled mid-header, to
	// accept a new one; with none waiting, a new connection waits in the
	// kernel's queue until one is done or cut off.
	maxConns = 128
	// minBodyRate is the slowest a request body may arrive, in bytes a
	// second, once bodyGrace has passed since the fake started reading
	// it: a body of 1 MiB must be in within 18 s, and a client that
	// sends a byte now and then is cut off after about bodyGrace, giving
	// back the room it took for its body. Any client on a working network
	// sends far faster.
	minBodyRate = 64 << 10
	// bodyGrace is how long a body may take to start arriving.
	bodyGrace = 2 * time.Second
	// maxLate bounds how many ApplyLate writes wait for their moment, and
	// maxLateBytes what they keep of their requests, in all; a late write
	// beyond either is never carried out, as the fake's model allows of a
	// write Conductor timed out.
	maxLate      = 1000
	maxLateBytes = 4 << 20
	// defaultIOTimeout is Options.IOTimeout's default.
	defaultIOTimeout = 30 * time.Second
)
