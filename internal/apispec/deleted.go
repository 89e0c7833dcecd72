package apispec

// The deletion history of QuickBooks Desktop: deleted-transactions and
// deleted-list-objects name what was deleted by a type of their own, which
// the fake records and a change feed asks for. The tables are checked
// against the spec's enums by the fake's tests, and the generator fails
// for a resource with a change feed but no type here.

// TransactionTypes is the transactionType of deleted-transactions for
// each resource whose objects are transactions, by resource as
// Operation.Resource names it. It is a table, not a naming rule: creditCardRefunds are
// ar_refund_credit_card and timeTrackingActivities time_tracking.
var TransactionTypes = map[string]string{
	"billCheckPayments":      "bill_payment_check",
	"billCreditCardPayments": "bill_payment_credit_card",
	"bills":                  "bill",
	"buildAssemblies":        "build_assembly",
	"checks":                 "check",
	"creditCardCharges":      "credit_card_charge",
	"creditCardCredits":      "credit_card_credit",
	"creditCardRefunds":      "ar_refund_credit_card",
	"creditMemos":            "credit_memo",
	"deposits":               "deposit",
	"estimates":              "estimate",
	"inventoryAdjustments":   "inventory_adjustment",
	"invoices":               "invoice",
	"itemReceipts":           "item_receipt",
	"journalEntries":         "journal_entry",
	"purchaseOrders":         "purchase_order",
	"receivePayments":        "receive_payment",
	"salesOrders":            "sales_order",
	"salesReceipts":          "sales_receipt",
	"salesTaxPaymentChecks":  "sales_tax_payment_check",
	"timeTrackingActivities": "time_tracking",
	"vendorCredits":          "vendor_credit",
}

// TransactionTypesUnserved are the transactionTypes of openapi.yaml that
// no resource of the spec has.
var TransactionTypesUnserved = []string{"charge", "transfer_inventory", "vehicle_mileage"}

// ListTypes is the listType (and objectTypes filter) of
// deleted-list-objects for each resource whose objects are list objects.
var ListTypes = map[string]string{
	"accounts":               "account",
	"classes":                "class",
	"currencies":             "currency",
	"customerTypes":          "customer_type",
	"customers":              "customer",
	"dateDrivenTerms":        "date_driven_terms",
	"discountItems":          "item_discount",
	"employees":              "employee",
	"inventoryAssemblyItems": "item_inventory_assembly",
	"inventoryItems":         "item_inventory",
	"inventorySites":         "inventory_site",
	"itemGroups":             "item_group",
	"nonInventoryItems":      "item_non_inventory",
	"otherChargeItems":       "item_other_charge",
	"otherNames":             "other_name",
	"paymentMethods":         "payment_method",
	"payrollWageItems":       "payroll_item_wage",
	"priceLevels":            "price_level",
	"salesRepresentatives":   "sales_representative",
	"salesTaxCodes":          "sales_tax_code",
	"salesTaxGroupItems":     "item_sales_tax_group",
	"salesTaxItems":          "item_sales_tax",
	"serviceItems":           "item_service",
	"shippingMethods":        "ship_method",
	"standardTerms":          "standard_terms",
	"subtotalItems":          "item_subtotal",
	"unitOfMeasureSets":      "unit_of_measure_set",
	"vendors":                "vendor",
}

// ListTypesUnserved are the listTypes of openapi.yaml that no resource
// of the spec has.
var ListTypesUnserved = []string{"billing_rate", "customer_message", "item_fixed_asset", "item_payment", "job_type",
	"payroll_item_non_wage", "to_do", "vehicle", "vendor_type", "workers_comp_code"}
