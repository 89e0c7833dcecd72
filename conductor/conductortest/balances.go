package conductortest

import (
	"encoding/json"
	"math/big"
)

// owed are the resources whose objects show what is owed by or to them,
// computed from the end-user's books whenever one is answered or
// filtered, as QuickBooks keeps them, never as stored: a customer's
// balance is what its open invoices leave to pay (read as the aging
// report reads them, openOf) and its totalBalance that with its jobs'
// (the customers whose parent it is, at any depth); a vendor's balance,
// what its open bills leave. A fixture's own balance is replaced.
var owed = map[string]struct {
	books ledger
	total bool // whether the objects have a totalBalance with their jobs'
}{
	"qbd.customers": {receivables, true},
	"qbd.vendors":   {payables, false},
}

// balanceSheet is every balance of one resource of an end-user, as an
// amount: by id, its own and (customers) with its jobs'. Those not in it
// are 0.00.
type balanceSheet struct {
	own, total map[string]string
	// what it was computed from, to be computed again only when either
	// changed.
	books, owners     *collection
	booksAt, ownersAt int64
	hasTotal          bool
}

// balancesOf is the balances of resource's objects for eu, or nil if
// they show none. It is computed once per change of the books or of the
// objects (one pass over each), not per object answered, so that a list
// stays linear in what it holds.
func (s *Server) balancesOf(eu *endUser, resource string) *balanceSheet {
	rule, ok := owed[resource]
	if !ok {
		return nil
	}
	books, owners := eu.objects[rule.books.resource], eu.objects[resource]
	if c := eu.balances[resource]; c != nil && c.books == books && c.owners == owners && c.booksAt == writesOf(books) && c.ownersAt == writesOf(owners) {
		return c
	}
	own := map[string]*big.Rat{}
	for _, o := range books.all() {
		v := decodeObject(o.data)
		open := openOf(v, rule.books)
		if open == nil || v["isPending"] == true {
			// A pending transaction posts to no register.
			continue
		}
		id, _ := refOf(v[rule.books.entity])
		if own[id] == nil {
			own[id] = new(big.Rat)
		}
		own[id].Add(own[id], open)
	}
	sheet := &balanceSheet{own: map[string]string{}, total: map[string]string{}, hasTotal: rule.total,
		books: books, owners: owners, booksAt: writesOf(books), ownersAt: writesOf(owners)}
	for id, r := range own {
		sheet.own[id], _ = amountFormat.write(r)
	}
	if rule.total {
		parents := map[string]string{}
		for _, o := range owners.all() {
			parents[o.id], _ = refOf(decodeObject(o.data)["parent"])
		}
		total := map[string]*big.Rat{}
		for id, r := range own {
			// The job's balance counts for it and each customer above it;
			// a loop of parents (fixtures may make one) counts once.
			seen := map[string]bool{}
			for at := id; at != "" && !seen[at]; at = parents[at] {
				seen[at] = true
				if total[at] == nil {
					total[at] = new(big.Rat)
				}
				total[at].Add(total[at], r)
			}
		}
		for id, r := range total {
			sheet.total[id], _ = amountFormat.write(r)
		}
	}
	if eu.balances == nil {
		eu.balances = map[string]*balanceSheet{}
	}
	eu.balances[resource] = sheet
	return sheet
}

func writesOf(c *collection) int64 {
	if c == nil {
		return -1
	}
	return c.writes
}

// fill sets v's balances, those of the object id, from the sheet; a nil
// sheet leaves v as it is.
func (b *balanceSheet) fill(id string, v map[string]any) {
	if b == nil {
		return
	}
	v["balance"] = amountOr0(b.own[id])
	if b.hasTotal {
		v["totalBalance"] = amountOr0(b.total[id])
	}
}

func amountOr0(s string) string {
	if s == "" {
		return "0.00"
	}
	return s
}

// showBalances makes the objects p shows of resource show their balances
// as computed now: copies, the stored objects untouched.
func (s *Server) showBalances(eu *endUser, resource string, p *page) {
	sheet := s.balancesOf(eu, resource)
	if sheet == nil {
		return
	}
	copies := make([]*object, len(p.data))
	for i, o := range p.data {
		v := decodeObject(o.data)
		sheet.fill(o.id, v)
		data, err := json.Marshal(v)
		if err != nil {
			copies[i] = o
			continue
		}
		copies[i] = &object{id: o.id, seq: o.seq, data: data}
	}
	s.state.unpin(p.data)
	p.data = copies
	s.state.pin(p.data)
}

// shownNow is the object id of resource as an answer shows it (see
// state.shown), with what is computed from the books filled in.
func (s *Server) shownNow(eu *endUser, resource, id string) *page {
	p := s.state.shown(eu, resource, id)
	s.showBalances(eu, resource, p)
	return p
}
