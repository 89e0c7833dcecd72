package conductor

// QuickBooksDesktop is the integration EndUsers.Passthrough sends to.
const QuickBooksDesktop = EndUserPassthroughParamsIntegrationSlugQuickbooksDesktop
