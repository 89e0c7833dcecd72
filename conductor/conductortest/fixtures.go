package conductortest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// Fixtures are the end-users and QuickBooks Desktop objects a fake starts
// with, so that tests start from known data. [LoadFixtures] reads them
// from a JSON file of the same shape, as conductor fake-server --fixtures
// does:
//
//	{"endUsers": [{
//	  "id": "end_usr_acme", "companyName": "Acme", "sourceId": "acct_42",
//	  "email": "ap@acme.example", "connected": true,
//	  "qbd": {
//	    "customers": [{"id": "80000001-1700000000", "name": "Globex"}],
//	    "invoices": [{"id": "80000002-1700000000", "customerId": "80000001-1700000000",
//	                  "transactionDate": "2024-10-01", "refNumber": "INV-1",
//	                  "lines": [{"description": "Consulting", "quantity": 2, "rate": "150.00"}]}]
//	  }
//	}]}
type Fixtures struct {
	EndUsers []FixtureEndUser `json:"endUsers"`
}

// FixtureEndUser is one end-user of [Fixtures] and its QuickBooks data.
type FixtureEndUser struct {
	// ID is the end-user's id. Default: a new end_usr_... id.
	ID          string `json:"id"`
	CompanyName string `json:"companyName"`
	SourceID    string `json:"sourceId"`
	Email       string `json:"email"`
	// Connected says that the end-user has connected QuickBooks Desktop,
	// so that QuickBooks operations for it answer at once.
	Connected bool `json:"connected"`
	// TimeZone is the IANA name of the time zone of the end-user's
	// computer, such as "America/Los_Angeles": QuickBooks writes
	// createdAt and updatedAt in it, with its offset, and reads an
	// updatedAfter (or updatedBefore, deletedAfter, deletedBefore)
	// without an offset in it. Default UTC.
	TimeZone string `json:"timeZone"`
	// ClockSkew is how far the end-user's computer's clock is ahead of
	// the fake's (behind, if negative), as a Go duration such as "-3h"
	// or "90s": every timestamp QuickBooks writes for the end-user is
	// the fake's time plus it. Default none.
	ClockSkew string `json:"clockSkew"`
	// QBD are the end-user's QuickBooks Desktop objects by resource, named
	// as Conductor's SDKs name it ("customers", "invoices",
	// "serviceItems"). Each is written as the API returns it, or as a
	// create takes it (customerId for a reference: the fake fills in the
	// reference's fullName from the object with that id); ids given are
	// kept, and what is missing is filled as a create fills it. Amounts,
	// rates and prices are held to the rules a request's are, and kept in
	// the form QuickBooks writes them.
	QBD map[string][]map[string]any `json:"qbd"`
}

// LoadFixtures reads fixtures from a JSON file; a field it does not know
// is an error, so that a misspelt one is not silently ignored.
func LoadFixtures(path string) (*Fixtures, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("conductortest: fixtures: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f Fixtures
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("conductortest: fixtures %s: %w", path, err)
	}
	return &f, nil
}

// with is f and then g; either may be nil.
func (f *Fixtures) with(g *Fixtures) *Fixtures {
	out := &Fixtures{}
	for _, x := range []*Fixtures{f, g} {
		if x != nil {
			out.EndUsers = append(out.EndUsers, x.EndUsers...)
		}
	}
	return out
}

// load puts fixtures into a fake that has not started.
func (s *Server) load(f *Fixtures) error {
	if f == nil {
		return nil
	}
	for i, fx := range f.EndUsers {
		id := fx.ID
		if id == "" {
			id = "end_usr_" + randomToken()[:14]
		}
		if s.state.endUsers[id] != nil {
			return fmt.Errorf("endUsers[%d]: the id %q is given twice", i, id)
		}
		if len(s.state.endUsers) >= MaxEndUsers {
			return fmt.Errorf("more than MaxEndUsers (%d) end-users", MaxEndUsers)
		}
		if msg := checkEndUserFields(fx.CompanyName, fx.SourceID, fx.Email); msg != "" {
			return fmt.Errorf("endUsers[%d]: %s", i, msg)
		}
		loc, skew, err := fx.clock()
		if err != nil {
			return fmt.Errorf("endUsers[%d] (%s): %w", i, id, err)
		}
		eu := s.addEndUser(id, fx.CompanyName, fx.SourceID, fx.Email)
		eu.loc, eu.skew = loc, skew
		if fx.Connected {
			s.connect(eu)
		}
		if err := s.loadObjects(eu, fx.QBD); err != nil {
			return fmt.Errorf("endUsers[%d] (%s): %w", i, id, err)
		}
	}
	return nil
}

// clock is the time zone and clock skew of the end-user's computer, as
// fx gives them.
func (fx FixtureEndUser) clock() (*time.Location, time.Duration, error) {
	loc := time.UTC
	if fx.TimeZone != "" {
		l, err := time.LoadLocation(fx.TimeZone)
		if err != nil || fx.TimeZone == "Local" {
			return nil, 0, fmt.Errorf("timeZone: %q is not an IANA time zone name; use one such as \"America/Los_Angeles\", \"Europe/Paris\" or \"UTC\"", fx.TimeZone)
		}
		loc = l
	}
	var skew time.Duration
	if fx.ClockSkew != "" {
		d, err := time.ParseDuration(fx.ClockSkew)
		if err != nil {
			return nil, 0, fmt.Errorf("clockSkew: %q is not a duration; use one such as \"-3h\", \"90s\" or \"1h30m\"", fx.ClockSkew)
		}
		skew = d
	}
	return loc, skew, nil
}

// loadObjects stores an end-user's objects in two passes: first each
// object's id and name, so that a reference to any of them finds its
// name whatever the order, then each object whole.
func (s *Server) loadObjects(eu *endUser, byResource map[string][]map[string]any) error {
	resources := slices.Sorted(maps.Keys(byResource))
	for _, r := range resources {
		if !s.api.hasModel(qbdKey(r)) {
			return fmt.Errorf("qbd: %q is not a QuickBooks Desktop resource; they are %s", r, strings.Join(s.qbdResources(), ", "))
		}
		if _, err := s.api.resources[qbdKey(r)].objects(); err != nil {
			return fmt.Errorf("qbd: %q: the fake cannot read its schema: %w", r, err)
		}
		if computedList(r) {
			from := "the bills and vendorCredits it is read from"
			if r == transactionsResource {
				from = "the transactions themselves (invoices, bills, receivePayments, checks, journalEntries, ...), which it shows"
			}
			return fmt.Errorf("qbd: %q is computed from the books, as QuickBooks computes it, not kept: give %s instead", r, from)
		}
	}
	b := s.builderFor(eu)
	ids := map[string][]string{}
	for _, r := range resources {
		for i, in := range byResource[r] {
			id, _ := in[idField(s.api.model(qbdKey(r)))].(string)
			if id == "" {
				id, _ = in["id"].(string)
			}
			if id == "" {
				id = s.newQBDID()
			}
			ids[r] = append(ids[r], id)
			names := map[string]any{"id": id}
			for _, k := range []string{"fullName", "name", "refNumber"} {
				if v, ok := in[k]; ok {
					names[k] = v
				}
			}
			if err := s.state.put(eu, qbdKey(r), id, names); err != nil {
				return fmt.Errorf("qbd.%s[%d]: %w", r, i, err)
			}
		}
	}
	for _, r := range resources {
		model := s.api.model(qbdKey(r))
		for i, in := range byResource[r] {
			v := b.object(model, in)
			if b.failed != "" {
				return fmt.Errorf("qbd.%s[%d]: %s", r, i, b.failed)
			}
			if field := idField(model); field != "" {
				v[field] = ids[r][i]
			}
			for _, k := range []string{"createdAt", "updatedAt"} {
				if _, given := in[k]; !given {
					if _, has := model.Properties[k]; has {
						v[k] = b.now.Format(time.RFC3339)
					}
				}
			}
			if err := s.state.put(eu, qbdKey(r), ids[r][i], v); err != nil {
				return fmt.Errorf("qbd.%s[%d]: %w", r, i, err)
			}
		}
	}
	return nil
}

// qbdResources are the resources fixtures can hold, sorted.
func (s *Server) qbdResources() []string {
	var out []string
	for key := range s.api.resources {
		if r, ok := strings.CutPrefix(key, qbdKey("")); ok && s.api.hasModel(key) && !computedList(r) {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}

// idField is the property that holds an object's id: id, or for the
// transactions view transactionId; "" when the objects have none (account
// tax lines, bills to pay), and the fake keeps an id of its own for them.
func idField(model *openapi3.Schema) string {
	for _, f := range []string{"id", "transactionId"} {
		if _, ok := model.Properties[f]; ok {
			return f
		}
	}
	return ""
}
