// Package conductortest is a fake Conductor API for testing code that uses
// the conductor package without the network and without a Conductor
// account.
//
//	srv := conductortest.NewServer()
//	defer srv.Close()
//	client, err := srv.Client()
//
// # The whole API, with state
//
// The fake answers every operation in openapi.yaml, and remembers what it
// is told: end-users created, deleted and listed; auth sessions; and each
// end-user's QuickBooks Desktop objects, which are created, retrieved,
// updated, listed, queried, voided and deleted as the API describes. It
// checks the bearer key, and checks every request against the operation's
// parameters and request schema (plus the rules openapi.yaml states only
// in words, such as linkExpiryMins) before it changes anything; an unknown
// field is refused, as a typo would be. An amount, rate or price must be a
// plain decimal string in the format the spec gives for the field (up to
// 13 digits before the point and, with cents, exactly 2 after it for an
// amount; up to 10 and 5 for a rate): "NaN", "1e3", "+5" or an amount
// "1.5" is refused with a 400 naming the field, and so is a JSON number
// too large for a float64 (1e400) where a number is expected. Its answers
// follow the response schemas: ids, timestamps and revision numbers are
// filled in, a reference's fullName is the referenced object's name, a
// line's amount (unless given) is its quantity times its rate, and a
// transaction's totals (those not given) are the sum of its lines',
// computed exactly and rounded to cents half away from zero; an amount so
// computed with more than 13 digits before the point is refused with a
// 400 naming the field, as QuickBooks refuses amounts beyond its limits.
// Every decimal string is answered as QuickBooks writes it, whether given
// or computed: an amount with two decimals, a rate or price with two to
// five, with no leading zeros and no "-0" ("007.5" is "7.50"). Fixtures
// are checked by the same rules; one that breaks them is an error naming
// the fixture and the field.
//
// A create or update naming an object the end-user does not have, in a
// reference at any depth (customerId, lines[].itemId, classId,
// depositToAccountId, parentId, each id of a list such as
// salesTaxItemIds or linkToTransactionIds, a payment's
// applyCredits[].creditTransactionId), or an object of another kind (an
// item's id as a customerId), is refused as QuickBooks refuses it, with
// nothing changed: INTEGRATION_ERROR, QBD_REQUEST_ERROR, QuickBooks'
// status code 3140 as integrationCode, and a message naming the kind, the
// id and the field ("There is an invalid reference to QuickBooks Customer
// "..." in the Invoice (customerId): ..."). The kind comes from the
// longest end of the reference's name a table has
// (preferredPaymentMethodId: a payment method); a parent is of the
// object's own kind; a transaction linked, credited, refunded or
// deposited may be any object the end-user has. A test checks that every
// reference of the spec's create and update bodies is checked, except
// those listed with why: ids that are not QuickBooks objects' (externalId),
// kinds the fake holds no resource for (customer messages, job types,
// site locations), and lines of another transaction. Fixtures are not
// checked, and may name each other in any order.
//
// A payment (a receive-payment, a bill check or credit-card payment)
// keeps what it applies in its appliedToTransactions (amount,
// discountAmount, the balance left), and what it applies is taken off
// each invoice's balanceRemaining or bill's openAmount: paymentAmount
// plus discountAmount, entries naming the same transaction added up. The
// transaction gets a new revision and the payment among its
// linkedTransactions (type, date, refNumber, linkType amount, the amount
// it takes off). Deleting or voiding the payment gives back what it
// applied (never past the transaction's total: a voided one stays at
// zero); updating its applyToTransactions gives back the old and
// applies the new (an update that does not name them keeps them
// unchecked). Deleting an invoice or bill unlinks its payments, as
// QuickBooks does: what they applied to it is unused again. A receive-payment with isAutoApply true is applied as the spec says: to
// the customer's open invoice of exactly its totalAmount, else to its
// open invoices oldest first (by transactionDate) until it is used up,
// passing pending ones by;
// unusedPayment is what is left of totalAmount, and a bill payment's
// amount is what it pays. isPaid is true exactly when nothing is left to
// pay, after every write, so a voided invoice or bill (amounts zeroed)
// reads as paid. An update's lines replace the stored ones, as the spec
// says: a line given by the id of a stored one keeps that line's fields
// but those it gives (its amount computed again from a new quantity or
// rate), and one with the id -1 is new and gets an id of its own; an
// invoice or bill given new lines keeps what was
// applied to it (its balance is its new subtotal plus salesTaxTotal, or
// amountDue, less what was applied), and a new total below that is
// refused. Refused as the spec says QuickBooks refuses them, with nothing
// changed (a payment refused while its targets are stored, past
// MaxObjectBytes, is not kept either): a target the end-user does not
// have, one already paid, one pending (isPending: it posts to no
// register), or one of another customer (a bill of another vendor), as an invalid
// reference (3140: "cannot be found", "does not exist", the spec says);
// paymentAmounts adding up to more than totalAmount, an entry with none of
// paymentAmount, discountAmount and applyCredits ("an empty
// transaction"), and one applying more than is left to pay, with
// QuickBooks' 3180 (an error saving the transaction); isAutoApply with
// applyToTransactions ("never both"), and a negative amount, with a 400.
// applyCredits are not applied (their credits are checked to exist), an invoice's appliedAmount
// is not kept, and payments given as fixtures are taken as already
// reflected in their targets' balances. A bill's amountDue and openAmount
// are the sum of its expense and item lines. A fixture whose isPaid
// contradicts its balance is refused.
//
// A customer's balance is what its open invoices leave to pay
// (balanceRemaining of those neither isPaid nor isPending: a pending one
// posts to no register) and its totalBalance that with its jobs' (the
// customers under it, at any depth); a vendor's balance is what its open
// bills, pending ones left out, leave (openAmount, else amountDue). They are computed from the books whenever a customer
// or vendor is answered or filtered (the totalBalance filters), so they
// are never stale; a fixture's own balance or totalBalance is replaced
// by the computed one, and a customer's openBalance, credit memos and
// vendor credits are not counted.
//
// QuickBooks operations need the Conductor-End-User-Id header of an
// end-user that has connected QuickBooks Desktop. An end-user connects by
// following an auth session's authFlowUrl, which points at the fake: its
// page's link completes the flow and redirects to the session's
// redirectUrl, so a callback can be tested offline. A test can also call
// [Server.Connect], or start from [Options.Fixtures] with Connected set.
// Until then QuickBooks operations fail as Conductor's do when the
// end-user's QuickBooks is not reachable.
//
// Lists page as Conductor's do: at most 150 objects a page, oldest first,
// with a cursor that must be used within [Options.CursorTTL] (10 seconds,
// as Conductor's) of the page before it, by the end-user it was given to.
// A list Conductor does not page (no cursor: accounts, classes,
// currencies, inventory adjustments and the like) answers every object
// that passes its filters, or at most its limit when one is given, as
// openapi.yaml says of their limit.
// Filters are applied by the spec's names for every list, as its
// descriptions say QuickBooks applies them. ids, names, fullNames and
// refNumbers each override every other filter, as the spec says: the
// others are then neither applied nor refused, and a value of theirs
// that matches nothing refuses the whole list with QuickBooks' "object
// not found" error (integrationCode 500), as the spec says it does. Names,
// fullNames, and the name matches and ranges compare without case;
// refNumbers and the refNumber matches with case, and refNumber ranges
// of digits only as numbers; updatedAfter/Before,
// transactionDateFrom/To, dueDate, status, paymentStatus (paid,
// not_paid), pendingStatus, the totalBalance comparisons, a filter named
// as one of the object's fields (accountType) by equality; and each <x>Ids or <x>Id as the id
// of what the object or one of its lines refers to as x
// (customerIds: customer; accountIds: payablesAccount or a line's
// account). includeLineItems=false answers the lines empty,
// includeLinkedTransactions (false by default) the linked transactions,
// includeComponentLineItems=false the component lines, and
// excludeAlternateShippingAddresses=true the addresses null. A filter
// the fake does not apply to that list (transactions' postingStatus,
// detailLevel, itemIds; those whose field its objects lack) is refused with a 400
// naming it, never ignored, and so are filters the spec says QuickBooks
// takes only one of at a time (nameContains with nameStartsWith; two
// totalBalance filters). Bills to pay (vendorId, required) are read off
// the books as QuickBooks reads them, not kept (fixtures of billsToPay are
// refused): the vendor's bills with a positive amount left to pay
// (openAmount, else amountDue; not isPaid) as bill, amountDue what is
// left, then its vendor credits with credit left (openAmount, else
// creditAmount; an appliedAmount is not taken off) as credit, each oldest
// first, the home-currency amount that times exchangeRate (null with
// none); dueDate, payablesAccountId and currencyIds filter these (a
// credit has no due date and stays). Without payablesAccountId every A/P
// account's are listed, as the fake keeps no default A/P account.
// Transactions (GET /transactions, and /transactions/{id} for any
// transaction's id) are read off the books too, as QuickBooks'
// TransactionQuery is, not kept (fixtures of transactions are refused:
// give the transactions themselves): every invoice, bill, payment,
// check, journal entry and other transaction, oldest first, with its
// transactionType, its customer, vendor or payee as entity, its A/R, A/P
// or bank account as account, and its totalAmount (else subtotal,
// amount, amountDue, creditAmount) as amount; paged and filtered as any
// list, transactionTypes (all, or the types given) included; a later
// page reads only the transactions after the one before.
// Date filters take YYYY-MM-DD; updatedAfter/Before (and
// deletedAfter/Before) also a date and time with an offset (Z, +02:00),
// that instant, or without one, read in the time zone of the end-user's
// computer ([FixtureEndUser.TimeZone], default UTC). A date alone is the start of that day for a lower
// bound and its end for an upper one, and every bound is inclusive. A
// filter in another form, or a single-value parameter given twice, is
// refused with a 400 naming it.
//
// # Time
//
// The fake's clock is [Options.Now], moved on by [Server.Advance], so a
// test can reach a cursor's expiry or a 90-day window without waiting:
// every timestamp the fake writes and every expiry it checks reads it.
// QuickBooks stamps an end-user's objects (createdAt, updatedAt) with the
// clock of the end-user's computer, in its time zone with its offset
// (2024-10-01T05:34:56-07:00): the fake's time plus
// [FixtureEndUser.ClockSkew], in [FixtureEndUser.TimeZone]. End-users
// created through the API are on UTC with no skew. Every answer, errors
// and faults included, carries a Date header of the fake's clock (in
// http.TimeFormat, to the second), as a real server's gives its own, so
// a client that reads the server's time from it sees Advance; a queued
// [Response] may set its own.
//
// # Deletions
//
// QuickBooks keeps what it deleted for 90 days, and so does the fake, by
// its clock: deleting a transaction (the API's delete operations), or an
// object the end-user deletes in QuickBooks itself
// ([Server.DeleteInQuickBooks], for customers, items and the other list
// objects the API cannot delete), keeps its id, type, createdAt,
// refNumber or fullName, and deletedAt on the end-user's clock.
// GET /quickbooks-desktop/deleted-transactions (transactionTypes) and
// /quickbooks-desktop/deleted-list-objects (objectTypes) list them, of the
// types asked for, filtered by deletedAfter and deletedBefore, grouped by
// type (in the order of the types' names) and oldest first within a type.
// The type of each resource (serviceItems are item_service,
// creditCardRefunds ar_refund_credit_card) is a table checked against
// openapi.yaml; the types no resource of the fake has (charge,
// vehicle_mileage, billing_rate, ...) are accepted and list nothing. A
// resource no type names, as QuickBooks keeps no deletion history of it
// (transfers, item sites, templates), is deleted with no record: neither
// list shows it.
//
// # Reports
//
// The aging reports (GET /quickbooks-desktop/reports/aging: A/R and A/P,
// summary and detail) are computed from the end-user's open invoices
// (balanceRemaining) and bills (openAmount, else amountDue): those not
// paid, with a non-zero open amount, dated in the report's period
// (reportDateFrom to reportDateTo, or reportDateMacro's period; with no
// end, today on the end-user's clock; with no date at all, everything
// dated by today, not the spec's "current fiscal year to date", so that
// an aging shows every open item), aged at the period's end or at today
// with agingAsOf=today, by days past the due date (the transaction date
// when there is none, as for an invoice without terms), in QuickBooks'
// buckets: Current (not past due), 1 - 30, 31 - 60, 61 - 90 and > 90. A
// pending (draft) invoice or bill posts to no register: it is left out
// unless postingStatus is non_posting (only those) or either. A summary
// has a row per customer or vendor, by name, with an amount per bucket
// and TOTAL, then a total row; a detail has, per bucket, a heading, a row
// per transaction (type, date, number, name, due date, days past due,
// open balance) by due date and the bucket's subtotal, then the total.
// The customer and vendor balance summaries (general-summary) are the
// same open amounts, a TOTAL per customer or vendor; basis only names
// the basis in the answer (accrual unless cash is asked for), as what is
// owed is the same on either. These reports apply the date, entity,
// account, class, transactionTypes, postingStatus, updated-date,
// detailLevel and agingAsOf parameters and refuse, with a 400 naming it,
// one they cannot (itemIds, includeColumns, accountsToInclude, ...), and
// two of a group the spec allows one of.
//
// A report as of a past date counts what the payments dated after it
// apply as still open, as QuickBooks ages a past date; other changes
// since (an invoice's lines edited, a void) are read as they stand now.
//
// Every other report (balance sheets, profit and loss, sales, payroll,
// time, budgets, the collections report, custom reports) is answered with
// its reportType and category and no rows: they need a general ledger
// (postings to accounts, payroll, time, budgets) that the fake does not
// keep.
//
// # Starting state
//
// [NewServer] starts empty. [Options.Fixtures] (or [LoadFixtures], and
// conductor fake-server --fixtures) starts from known end-users and
// objects; [Options.Demo] adds a connected end-user, [DemoEndUserID], with
// a small company's customers, items and invoices to try the API on.
//
// # Errors
//
// Every response, errors included, carries a Conductor-Request-Id header
// equal to the error envelope's requestId. The error types are
// Conductor's, as are the codes API_KEY_INVALID, RESOURCE_MISSING (404),
// QBD_REQUEST_ERROR (400, with QuickBooks' integrationCode: 500 for an id
// QuickBooks does not have, 3200 for a stale revisionNumber) and
// QBD_CONNECTION_ERROR (502, QuickBooks not connected), and, for a fault
// (below), QBD_REQUEST_TIMEOUT (504). The codes
// INVALID_REQUEST, INVALID_CURSOR and METHOD_NOT_ALLOWED are the fake's
// own, as Conductor documents none for those cases; an INTERNAL_ERROR
// (500) with the code INTERNAL or NOT_IMPLEMENTED is a bug in the fake.
//
// [Server.Enqueue] makes the next calls fail or stall, to test retries and
// timeouts; [Server.Requests] shows what the fake received.
//
// # Faults
//
// A write can fail in ways that leave its client unable to tell whether it
// took effect. The fake plays four, as its model of what Conductor and
// QuickBooks Desktop do (an assumption, not Conductor's documented
// behaviour), for one call (a queued [Response] with a Fault) or at random
// for writes to QuickBooks Desktop ([Server.SetFaults], seeded, so that a
// failing run can be repeated):
//
//   - [ApplyThenDrop]: the write is carried out, then the connection is
//     dropped without an answer;
//   - [ApplyThen5xx]: the write is carried out, then answered 500
//     INTERNAL_ERROR (code INTERNAL_SERVER_ERROR);
//   - [TimeoutNoApply]: answered with Conductor's timeout, and never
//     carried out;
//   - [ApplyLate]: answered with Conductor's timeout, and carried out
//     later, as QuickBooks Desktop carries out a request it had queued
//     while Conductor stopped waiting: at a random moment before the
//     request's Conductor-Timeout-Seconds (an integer from 1 to 3600, else
//     Conductor's default 90) have passed since the fake received it,
//     as it arrived (end-user, body), against the state of that moment.
//     Requests after it may land first; an update it then finds stale
//     fails unseen. One that cannot get a turn before its seconds pass,
//     or that finds 1,000 late writes or 4 MiB of their requests already
//     waiting, is never carried out. [Server.Settle] waits until none is
//     pending.
//
// Conductor's timeout, as the fake gives it, is HTTP 504 with type
// INTEGRATION_ERROR and code QBD_REQUEST_TIMEOUT; the fake assumes it is
// not INTEGRATION_CONNECTION_ERROR, which means the request never reached
// QuickBooks. Carrying a write out is exactly what the fake does for it
// without a fault: a fault changes the answer and when the effect happens,
// never the effect, and a write the fake would refuse (a stale
// revisionNumber, an unknown id, a bad body) has no effect to carry out.
//
// # Memory
//
// A fake holds a bounded amount of memory however long it runs and
// whatever it is sent, so that conductor fake-server can serve a shared
// test environment for weeks:
//
//   - [Server.Requests] keeps the most recent [RequestWindowLen] (1,000)
//     requests, refused ones included, within [RequestWindowBytes]
//     (4 MiB) of bodies and headers; the most recent is always there;
//   - the auth-flow pages know the most recent [MaxSessions] (1,000)
//     sessions, within [MaxSessionBytes] (4 MiB) of secrets and redirect
//     URLs; an older one gets 404, as an expired one does;
//   - at most [MaxEndUsers] (1,000) end-users, whose companyName, sourceId
//     and email are at most 1 KiB each (400 beyond; openapi.yaml sets no
//     maxLength there, while the maxLength it sets elsewhere is applied),
//     [MaxObjectBytes] (8 MiB) of QuickBooks objects in all (the
//     records of deleted objects count against it too, until their 90
//     days pass or, the oldest first, an object needs their room), and
//     [MaxCursors] (5,000) lists being paged within [MaxCursorBytes]
//     (2 MiB) of filters; a call that would pass one is refused with a
//     message naming the limit, until something is deleted or a cursor
//     expires (a page of a list whose cursor is kept is never refused
//     for them). [Options.MaxObjectBytes], [Options.MaxCursors] and
//     [Options.MaxCursorBytes] set others, for a test of a real
//     company's books: 50,000 invoices of 2.7 KB need some 150 MiB, and
//     the fake's memory grows by as much;
//   - the answers not yet written show 262,144 objects at most, in all
//     (each a reference to a stored object, so 2 MiB), as a list
//     Conductor does not page has no limit of its own; a list that would
//     pass it is refused with a message naming it until they are written
//     (a list alone always fits: no fake holds that many objects);
//   - a request's body is at most 1 MiB (413 beyond) and its headers at
//     most [MaxHeaderBytes] (64 KiB, 431 beyond); bodies are read, and
//     answers written, 4 MiB at most at once (a request waits, holding
//     nothing, until there is room; one without a body, or with a small
//     one that fits, does not wait behind a large one); a list's answer,
//     or a stored object's, is written from the stored objects, which
//     stay counted against MaxObjectBytes until it is written, even once
//     deleted; two requests at a time are worked on once their bodies
//     have arrived; and 128 connections are kept open, the one that has
//     waited longest for a whole request header (idle, or stalled
//     mid-header) being closed to make room for a new one.
//
// Reading a body and writing an answer take none of the two turns, so a
// client slow to send or to read holds no one else's turn. A body must
// arrive at 64 KiB/s or more once 2 seconds have passed since the fake
// started reading it (1 MiB within 18 s); a client that sends it slower
// is disconnected without an answer, and gives back the room its body
// took. A client that takes more than [Options.IOTimeout] (30 seconds) to
// send a request or to read its answer is disconnected too. Slow readers
// of lists can so make creates fail with MaxObjectBytes until their
// lists are written or they are cut off, and slow senders can delay
// other large bodies by a few seconds, not more.
//
// A page of a list costs what it shows, and the objects its filters pass
// over to fill it, however many the end-user has: the first page counts
// the objects that follow it, once, and the cursor keeps the count from
// page to page; a write to the list's resource during the listing makes
// its next page count them again.
//
// Together these keep the fake's heap under [MemoryBudget], 32 MiB (with
// the default budgets), which
// TestMemoryStaysWithinBudget checks with every limit reached at once and
// TestSlowListReadersHoldNoMoreThanTheBudget with slow readers of lists
// of deleted objects; MemoryBudget says what it leaves out, chiefly the
// OpenAPI document that every fake in a process shares: an idle
// conductor fake-server is about 50 MB resident, after a start-up peak
// of 170-200 MB (VmHWM) while it decodes that document.
package conductortest
