package conductortest

import (
	"cmp"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// The reports the fake computes from an end-user's books, as QuickBooks
// Desktop lays them out: the aging reports (A/R from open invoices, A/P
// from open bills) and the customer and vendor balance summaries. Every
// other report is answered with its kind and no rows (see the package
// docs for why).

// ledger is which open transactions a report reads: the resource, the
// reference to the entity owed or owing, the account it is posted to, its
// open amount, and the transactionTypes value that names it.
type ledger struct {
	resource, entity, entityType, account, txnType, typeTitle string
	open                                                      []string // the amount still open, first field present
}

var (
	receivables = ledger{resource: "qbd.invoices", entity: "customer", entityType: "customer", account: "receivablesAccount", txnType: "invoice", typeTitle: "Invoice", open: []string{"balanceRemaining"}}
	payables    = ledger{resource: "qbd.bills", entity: "vendor", entityType: "vendor", account: "payablesAccount", txnType: "bill", typeTitle: "Bill", open: []string{"openAmount", "amountDue"}}
)

// computedReports are the reports the fake computes, by reportType: their
// title, the books they read, and whether they age what is open.
var computedReports = map[string]struct {
	title  string
	books  ledger
	detail bool
	aging  bool
}{
	"ar_aging_summary":         {"A/R Aging Summary", receivables, false, true},
	"ar_aging_detail":          {"A/R Aging Detail", receivables, true, true},
	"ap_aging_summary":         {"A/P Aging Summary", payables, false, true},
	"ap_aging_detail":          {"A/P Aging Detail", payables, true, true},
	"customer_balance_summary": {"Customer Balance Summary", receivables, false, false},
	"vendor_balance_summary":   {"Vendor Balance Summary", payables, false, false},
}

// reportFilters are the report parameters the fake applies, each of
// which changes the answer (reports_test.go shows each); any other a
// computed report is given is refused rather than ignored, so that a
// test does not pass for the wrong reason.
var reportFilters = map[string]bool{
	"reportType": true, "reportDateFrom": true, "reportDateTo": true, "reportDateMacro": true,
	"accountIds": true, "accountFullNames": true,
	"entityType": true, "entityIds": true, "entityFullNames": true,
	"classIds": true, "classFullNames": true, "transactionTypes": true,
	"detailLevel": true, "postingStatus": true,
	"updatedAfter": true, "updatedBefore": true, "updatedDateMacro": true,
	"agingAsOf": true, "basis": true,
}

// agingBucket is one of QuickBooks' aging periods.
type agingBucket struct {
	title   string
	maxDays int // the most days past due in the bucket
}

// agingBuckets are QuickBooks' aging periods, by days past due: current
// (not yet due), then 30 days each, then over 90.
var agingBuckets = []agingBucket{
	{"Current", 0}, {"1 - 30", 30}, {"31 - 60", 60}, {"61 - 90", 90}, {"> 90", int(^uint(0) >> 1)},
}

// openItem is one open transaction of a report.
type openItem struct {
	id, refNumber, name, entityID string
	date, due                     time.Time
	open                          *big.Rat
	daysPastDue                   int
}

// report answers a report operation of category (the path's last part,
// "aging") for eu.
func (s *Server) report(b *builder, answer *openapi3.Schema, category string, query map[string]any, eu *endUser) (int, any, *Error) {
	reportType, _ := query["reportType"].(string)
	kind, computed := computedReports[reportType]
	if !computed {
		given := maps.Clone(query)
		given["category"] = category
		return 200, b.object(answer, given), nil
	}
	for _, name := range slices.Sorted(maps.Keys(query)) {
		if !reportFilters[name] {
			return 0, nil, invalid(fmt.Sprintf("%s: the fake does not apply this filter to a %s report; it applies %s.", name, reportType, strings.Join(slices.Sorted(maps.Keys(reportFilters)), ", ")))
		}
	}
	today := dateOf(b.now)
	dated, msg := period(query, "reportDateFrom", "reportDateTo", "reportDateMacro", today)
	if msg != "" {
		return 0, nil, invalid(msg)
	}
	// What is dated in the period is in (the spec: "Filter report rows
	// dated on or after" reportDateFrom, "on or before" reportDateTo),
	// open as the books stand now, aged at the period's end (today when
	// it has none), or at today with agingAsOf=today.
	if !dated.hasTo {
		dated.to, dated.hasTo = today, true
	}
	end := dated.to
	asOf := end
	if query["agingAsOf"] == "today" {
		asOf = today
	}
	items, msg := s.openItems(eu, kind.books, query, dated, asOf, today)
	if msg != "" {
		return 0, nil, invalid(msg)
	}

	rep := map[string]any{
		"objectType": "qbd_report", "category": category, "reportType": reportType,
		"title": kind.title, "subtitle": "As of " + end.Format("January 2, 2006"),
		"basis": nil, "columnTitleRowCount": 1,
	}
	if !kind.aging {
		// What is owed is the same on any basis (the spec: cash moves
		// income and expenses to when money changes hands), so basis
		// changes only the report's word for it; none is QuickBooks'
		// default for the report, accrual.
		basis, _ := query["basis"].(string)
		if basis == "" || basis == "none" {
			basis = "accrual"
		}
		rep["basis"] = basis
	}
	detailLevel, _ := query["detailLevel"].(string)
	var columns, rows []any
	switch {
	case kind.detail:
		columns, rows = agingDetail(items, kind.books)
	case kind.aging:
		columns, rows = agingSummary(items, kind.books, true)
	default:
		columns, rows = agingSummary(items, kind.books, false)
	}
	rows = slices.DeleteFunc(rows, func(r any) bool {
		k := r.(map[string]any)["kind"]
		switch detailLevel {
		case "all_except_summary":
			return k == "subtotal" || k == "total"
		case "summary_only":
			return k == "data" || k == "text"
		}
		return false
	})
	for i, r := range rows {
		r.(map[string]any)["rowNumber"] = i + 1
	}
	rep["columns"], rep["rows"] = columns, rows
	rep["columnCount"], rep["rowCount"] = len(columns), len(rows)
	return 200, rep, nil
}

// openItems are eu's open transactions of books whose date is in
// dated and that pass the query's filters, aged at asOf, by due date
// then number.
func (s *Server) openItems(eu *endUser, books ledger, query map[string]any, dated span, asOf, today time.Time) ([]openItem, string) {
	updated, msg := period(query, "updatedAfter", "updatedBefore", "updatedDateMacro", today)
	if msg != "" {
		return nil, msg
	}
	// A pending (draft) invoice or bill is non-posting: QuickBooks records
	// it in no register, so a report has it only when asked for
	// non-posting rows or either.
	posting, _ := query["postingStatus"].(string)
	posting = cmp.Or(posting, "posting")
	if et, ok := query["entityType"].(string); ok && et != books.entityType {
		return nil, ""
	}
	if types, ok := query["transactionTypes"].([]any); ok && !contains(types, books.txnType) && !contains(types, "all") {
		return nil, ""
	}
	later := s.paidAfter(eu, books, dated.to)
	var items []openItem
	for _, o := range eu.objects[books.resource].all() {
		v := decodeObject(o.data)
		open := openOf(v, books)
		if back := later[o.id]; back != nil {
			open = new(big.Rat).Add(cmp.Or(open, new(big.Rat)), back)
		}
		if open == nil || open.Sign() == 0 {
			continue
		}
		if pending := v["isPending"] == true; (posting == "posting" && pending) || (posting == "non_posting" && !pending) {
			continue
		}
		date, err := time.Parse(time.DateOnly, fmt.Sprint(v["transactionDate"]))
		if err != nil || !dated.holds(date) {
			continue
		}
		due, err := time.Parse(time.DateOnly, fmt.Sprint(v["dueDate"]))
		if err != nil {
			due = date // no terms: due on the transaction's date.
		}
		if at, err := time.Parse(time.RFC3339, fmt.Sprint(v["updatedAt"])); err == nil && !updated.holds(dateOf(at)) {
			continue
		}
		entityID, entityName := refOf(v[books.entity])
		if name, ok := s.state.findName(eu, entityID); ok && name != "" {
			entityName = name
		}
		accountID, accountName := refOf(v[books.account])
		if !refPasses(query, "entityIds", "entityFullNames", entityID, entityName) ||
			!refPasses(query, "accountIds", "accountFullNames", accountID, accountName) ||
			!slices.ContainsFunc(classesOf(v), func(class any) bool {
				id, name := refOf(class)
				return refPasses(query, "classIds", "classFullNames", id, name)
			}) {
			continue
		}
		ref, _ := v["refNumber"].(string)
		items = append(items, openItem{id: o.id, refNumber: ref, name: entityName, entityID: entityID,
			date: date, due: due, open: open, daysPastDue: int(asOf.Sub(due).Hours() / 24)})
	}
	slices.SortStableFunc(items, func(x, y openItem) int {
		return cmp.Or(x.due.Compare(y.due), x.date.Compare(y.date), cmp.Compare(x.refNumber, y.refNumber))
	})
	return items, ""
}

// paidAfter is what the payments dated after end apply to each of eu's
// transactions of books, by id: on the report's date they were still
// open for it, as QuickBooks ages a past date.
func (s *Server) paidAfter(eu *endUser, books ledger, end time.Time) map[string]*big.Rat {
	out := map[string]*big.Rat{}
	for resource, link := range paidBy {
		if qbdKey(link.target) != books.resource {
			continue
		}
		for _, o := range eu.objects[qbdKey(resource)].all() {
			v := decodeObject(o.data)
			date, err := time.Parse(time.DateOnly, fmt.Sprint(v["transactionDate"]))
			if err != nil || !date.After(end) {
				continue
			}
			for _, a := range appliedOf(v) {
				out[a.id] = new(big.Rat).Add(cmp.Or(out[a.id], new(big.Rat)), a.total())
			}
		}
	}
	return out
}

// openOf is what is still open of v, a transaction of books: the first
// of books.open it holds, or nil when it holds none or is paid.
func openOf(v map[string]any, books ledger) *big.Rat {
	if v["isPaid"] == true {
		return nil
	}
	for _, f := range books.open {
		if r, ok := parseDecimal(v[f]); ok {
			return r
		}
	}
	return nil
}

// refPasses says whether a reference (id, fullName) passes the query's
// filter by ids or, case-insensitively, by full names.
func refPasses(query map[string]any, idsParam, namesParam, id, name string) bool {
	if ids, ok := query[idsParam].([]any); ok && !contains(ids, id) {
		return false
	}
	if names, ok := query[namesParam].([]any); ok {
		return slices.ContainsFunc(names, func(n any) bool { s, _ := n.(string); return strings.EqualFold(s, name) })
	}
	return true
}

func refOf(v any) (id, fullName string) {
	m, _ := v.(map[string]any)
	id, _ = m["id"].(string)
	fullName, _ = m["fullName"].(string)
	return id, fullName
}

// classesOf are the classes a transaction is posted to: its own, and
// its lines' (a bill has only its lines'); nil if none.
func classesOf(v map[string]any) []any {
	classes := []any{v["class"]}
	for _, field := range v {
		lines, _ := field.([]any)
		for _, l := range lines {
			if line, ok := l.(map[string]any); ok && line["class"] != nil {
				classes = append(classes, line["class"])
			}
		}
	}
	return classes
}

// bucketOf is the index in agingBuckets of what is days past due.
func bucketOf(days int) int {
	return slices.IndexFunc(agingBuckets, func(b agingBucket) bool { return days <= b.maxDays })
}

// agingSummary lays out a summary report, a row per entity: with aged,
// an amount per aging bucket and the entity's total; else only the total.
func agingSummary(items []openItem, books ledger, aged bool) (columns, rows []any) {
	columns = []any{column(1, "label", "string", "")}
	if aged {
		for _, b := range agingBuckets {
			columns = append(columns, column(len(columns)+1, "amount", "amount", b.title))
		}
	}
	columns = append(columns, column(len(columns)+1, "amount", "amount", "TOTAL"))
	width := len(columns) - 1 // the amounts of a row
	type entity struct {
		name    string
		amounts []*big.Rat
	}
	byID := map[string]*entity{}
	var order []*entity
	total := zeros(width)
	for _, it := range items {
		e := byID[it.entityID]
		if e == nil {
			e = &entity{name: it.name, amounts: zeros(width)}
			byID[it.entityID] = e
			order = append(order, e)
		}
		if aged {
			b := bucketOf(it.daysPastDue)
			e.amounts[b].Add(e.amounts[b], it.open)
			total[b].Add(total[b], it.open)
		}
		e.amounts[width-1].Add(e.amounts[width-1], it.open)
		total[width-1].Add(total[width-1], it.open)
	}
	slices.SortStableFunc(order, func(x, y *entity) int { return cmp.Compare(strings.ToLower(x.name), strings.ToLower(y.name)) })
	for _, e := range order {
		rows = append(rows, row("data", map[string]any{"type": books.entityType, "value": e.name}, labelled(e.name, e.amounts)))
	}
	rows = append(rows, row("total", nil, labelled("TOTAL", total)))
	return columns, rows
}

// agingDetail lays out a detail report: per aging bucket, a heading, a
// row per open transaction and the bucket's subtotal; then the total.
func agingDetail(items []openItem, books ledger) (columns, rows []any) {
	for i, c := range [][3]string{
		{"label", "string", ""}, {"transaction_type", "string", "Type"}, {"date", "date", "Date"},
		{"ref_number", "string", "Num"}, {"name", "string", "Name"}, {"due_date", "date", "Due Date"},
		{"aging", "integer", "Aging"}, {"open_balance", "amount", "Open Balance"},
	} {
		columns = append(columns, column(i+1, c[0], c[1], c[2]))
	}
	total := new(big.Rat)
	for b, bucket := range agingBuckets {
		var in []openItem
		for _, it := range items {
			if bucketOf(it.daysPastDue) == b {
				in = append(in, it)
			}
		}
		if len(in) == 0 {
			continue
		}
		rows = append(rows, map[string]any{"kind": "text", "text": bucket.title})
		sum := new(big.Rat)
		for _, it := range in {
			cells := []any{
				cell(2, books.typeTitle, "string"), cell(3, it.date.Format(time.DateOnly), "date"),
				cell(4, it.refNumber, "string"), cell(5, it.name, "string"),
				cell(6, it.due.Format(time.DateOnly), "date"),
			}
			if it.daysPastDue > 0 {
				cells = append(cells, cell(7, strconv.Itoa(it.daysPastDue), "integer"))
			}
			cells = append(cells, cell(8, amount(it.open), "amount"))
			rows = append(rows, row("data", map[string]any{"type": "transaction_id", "value": it.id}, cells))
			sum.Add(sum, it.open)
		}
		total.Add(total, sum)
		rows = append(rows, row("subtotal", nil, []any{cell(1, "Total "+bucket.title, "string"), cell(8, amount(sum), "amount")}))
	}
	rows = append(rows, row("total", nil, []any{cell(1, "TOTAL", "string"), cell(8, amount(total), "amount")}))
	return columns, rows
}

func column(id int, columnType, dataType, title string) map[string]any {
	var t any
	if title != "" {
		t = title
	}
	return map[string]any{"columnId": strconv.Itoa(id), "columnType": columnType, "dataType": dataType,
		"titles": []any{map[string]any{"rowNumber": 1, "value": t}}}
}

func row(kind string, descriptor map[string]any, cells []any) map[string]any {
	r := map[string]any{"kind": kind, "rowDescriptor": nil, "cells": cells}
	if descriptor != nil {
		r["rowDescriptor"] = descriptor
	}
	return r
}

func cell(column int, value, dataType string) map[string]any {
	return map[string]any{"columnId": strconv.Itoa(column), "value": value, "dataType": dataType}
}

// labelled is a summary row's cells: its label, then its amounts.
func labelled(label string, amounts []*big.Rat) []any {
	cells := []any{cell(1, label, "string")}
	for i, a := range amounts {
		cells = append(cells, cell(i+2, amount(a), "amount"))
	}
	return cells
}

func amount(r *big.Rat) string {
	s, _ := amountFormat.write(r)
	return s
}

func zeros(n int) []*big.Rat {
	out := make([]*big.Rat, n)
	for i := range out {
		out[i] = new(big.Rat)
	}
	return out
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// dateOf is t's calendar day, as a UTC midnight for day arithmetic.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// span is a period of days. A bound is given or open by its flag, not by
// a zero time: 0001-01-01 is a date a request can name.
type span struct {
	from, to       time.Time
	hasFrom, hasTo bool
}

// holds says whether day is in the period, both bounds included.
func (p span) holds(day time.Time) bool {
	return (!p.hasFrom || !day.Before(p.from)) && (!p.hasTo || !day.After(p.to))
}

// period is the days a report's from, to and macro parameters name.
// Dates are days, in the end-user's calendar.
func period(query map[string]any, fromParam, toParam, macroParam string, today time.Time) (p span, msg string) {
	if m, ok := query[macroParam].(string); ok {
		if p.from, p.to, ok = dateMacro(m, today); !ok {
			return p, fmt.Sprintf("%s: the fake does not know the macro %q.", macroParam, m)
		}
		p.hasFrom, p.hasTo = m != "all", m != "all"
		return p, ""
	}
	for _, b := range []struct {
		name  string
		at    *time.Time
		given *bool
	}{{fromParam, &p.from, &p.hasFrom}, {toParam, &p.to, &p.hasTo}} {
		if s, ok := query[b.name].(string); ok {
			d, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return p, fmt.Sprintf("%s: must be a date, YYYY-MM-DD; got %q.", b.name, s)
			}
			*b.at, *b.given = d, true
		}
	}
	if p.hasFrom && p.hasTo && p.to.Before(p.from) {
		return p, fmt.Sprintf("%s: is before %s; give a period that ends after it starts.", toParam, fromParam)
	}
	return p, ""
}

// dateMacro is the period a QuickBooks date macro names on today. Weeks
// start on Sunday, the year in January, as in QuickBooks' defaults.
func dateMacro(m string, today time.Time) (from, to time.Time, ok bool) {
	week := today.AddDate(0, 0, -int(today.Weekday()))
	month := today.AddDate(0, 0, 1-today.Day())
	quarter := time.Date(today.Year(), (today.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	year := time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	day := func(t time.Time, d int) time.Time { return t.AddDate(0, 0, d) }
	switch m {
	case "all":
		return time.Time{}, time.Time{}, true
	case "today":
		return today, today, true
	case "yesterday":
		return day(today, -1), day(today, -1), true
	case "this_week":
		return week, day(week, 6), true
	case "this_week_to_date":
		return week, today, true
	case "this_month":
		return month, day(month.AddDate(0, 1, 0), -1), true
	case "this_month_to_date":
		return month, today, true
	case "this_quarter":
		return quarter, day(quarter.AddDate(0, 3, 0), -1), true
	case "this_quarter_to_date":
		return quarter, today, true
	case "this_year":
		return year, day(year.AddDate(1, 0, 0), -1), true
	case "this_year_to_date":
		return year, today, true
	case "last_week":
		return day(week, -7), day(week, -1), true
	case "last_week_to_date":
		return day(week, -7), day(today, -7), true
	case "last_month":
		return month.AddDate(0, -1, 0), day(month, -1), true
	case "last_month_to_date":
		return month.AddDate(0, -1, 0), earlier(today.AddDate(0, -1, 0), day(month, -1)), true
	case "last_quarter":
		return quarter.AddDate(0, -3, 0), day(quarter, -1), true
	case "last_quarter_to_date":
		return quarter.AddDate(0, -3, 0), earlier(today.AddDate(0, -3, 0), day(quarter, -1)), true
	case "last_year":
		return year.AddDate(-1, 0, 0), day(year, -1), true
	case "last_year_to_date":
		return year.AddDate(-1, 0, 0), today.AddDate(-1, 0, 0), true
	case "next_week":
		return day(week, 7), day(week, 13), true
	case "next_four_weeks":
		return day(week, 7), day(week, 34), true
	case "next_month":
		return month.AddDate(0, 1, 0), day(month.AddDate(0, 2, 0), -1), true
	case "next_quarter":
		return quarter.AddDate(0, 3, 0), day(quarter.AddDate(0, 6, 0), -1), true
	case "next_year":
		return year.AddDate(1, 0, 0), day(year.AddDate(2, 0, 0), -1), true
	}
	return time.Time{}, time.Time{}, false
}
