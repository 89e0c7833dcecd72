package conductor

import "github.com/oapi-codegen/runtime/types"

// Types and values the generated types use that package gen does not name
// itself, so that callers never import gen or oapi-codegen's runtime.

// Date is a calendar date, as the API's date fields hold it: "2024-10-01"
// in JSON and in queries. Its Time is midnight UTC of that day.
type Date = types.Date

// UUID is the type of the fields the spec gives format uuid, such as the
// externalId a create takes.
type UUID = types.UUID

// QuickBooksDesktop is the integration [EndUsersService.Passthrough] sends
// to.
const QuickBooksDesktop = IntegrationSlugQuickbooksDesktop
