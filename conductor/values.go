package conductor

import "github.com/seed-6dcb809e/conductor-go/gen"

// Types and values the generated types use that package gen does not name
// itself, so that callers never import gen or oapi-codegen's runtime.

// Date is a calendar date, as the API's date fields hold it: "2024-10-01"
// in JSON and in queries. Its Time is midnight UTC of that day.
type Date = gen.Date

// DateTime is the value of the date and time filters (updatedAfter,
// updatedBefore, deletedAfter, deletedBefore):
// &conductor.DateTime{Time: since} is sent as 2025-01-01T12:34:56+00:00,
// in since's own offset and whole seconds, the spec's form that names an
// instant. Its UnmarshalText also takes the spec's two forms that
// QuickBooks reads in the end-user's time zone (2025-01-01,
// 2025-01-01T12:34:56) and sends them as it read them while Time is
// unchanged. A zero Time, or a year outside 0000 to 9999, is a
// *ValidationError naming the filter; leave a filter nil not to filter.
// DateTimes compare with their Equal method (as go-cmp does).
type DateTime = gen.DateTime

// UUID is the type of the fields the spec gives format uuid, such as the
// externalId a create takes.
type UUID = gen.UUID

// QuickBooksDesktop is the integration [EndUsersService.Passthrough] sends
// to.
const QuickBooksDesktop = IntegrationSlugQuickbooksDesktop
