package conductortest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// The answers QuickBooks Desktop gives through Conductor, as
// INTEGRATION_ERROR with QuickBooks' own status code: the object does not
// exist (500), or the revision number sent is not the object's (3200).
// The fake's HTTP status for them is 400, as for any request QuickBooks
// refuses.
const (
	qbdNotFound    = "500"
	qbdStaleRevise = "3200"
)

func notInQuickBooks(what, id string) *Error {
	return notInQuickBooksBy(what, "id", id)
}

// notInQuickBooksBy is notInQuickBooks for an object looked for by
// another field (a list's fullNames or refNumbers).
func notInQuickBooksBy(what, field, value string) *Error {
	return &Error{Type: "INTEGRATION_ERROR", Code: "QBD_REQUEST_ERROR", IntegrationCode: qbdNotFound,
		Message:           fmt.Sprintf("QuickBooks Desktop has no %s with the %s %q.", what, field, value),
		UserFacingMessage: "The object was not found in QuickBooks Desktop."}
}

// serveQBD answers a QuickBooks Desktop operation for a connected
// end-user. s.mu is held.
func (s *Server) serveQBD(rt *route, params map[string]string, query, body map[string]any, eu *endUser) (int, any, *Error) {
	o := rt.op
	res := resourceKey(o)
	b := s.builderFor(eu)
	answer := responseSchema(rt.spec())
	if o.Resource == transactionsResource && (o.Kind == apispec.List || o.Kind == apispec.Retrieve) {
		// Read off the books (transactions.go), then listed or
		// retrieved as any resource's objects are.
		var after int64
		if c := s.state.cursors[fmt.Sprint(query["cursor"])]; c != nil && c.endUser == eu.ID {
			after = c.after
		}
		view, failed := s.transactionsView(eu, params["id"], after)
		if failed != nil {
			return 0, nil, failed
		}
		kept, had := eu.objects[res]
		eu.objects[res] = view
		defer func() {
			if had {
				eu.objects[res] = kept
			} else {
				delete(eu.objects, res)
			}
		}()
	}
	switch o.Kind {
	case apispec.Create:
		model := s.api.model(res)
		v := b.object(model, body)
		if b.failed != "" {
			return 0, nil, invalid(b.failed)
		}
		if bad := s.badReferenceIn(eu, o.Resource, o.Model, body); bad != nil {
			return 0, nil, bad.refusal(o.Model)
		}
		id := s.newQBDID()
		for k, val := range map[string]any{idField(model): id, "createdAt": b.now.Format(time.RFC3339), "updatedAt": b.now.Format(time.RFC3339), "revisionNumber": "0"} {
			if _, ok := model.Properties[k]; ok {
				v[k] = val
			}
		}
		link, refused := s.linkPayment(b, eu, o.Resource, o.Model, id, nil, v, body)
		if refused != nil {
			return 0, nil, refused
		}
		if err := s.state.put(eu, res, id, v); err != nil {
			return 0, nil, invalid(err.Error())
		}
		if failed := link(); failed != nil {
			s.putBack(eu, res, id, nil)
			return 0, nil, failed
		}
		return http.StatusOK, s.shownNow(eu, res, id), nil

	case apispec.Retrieve:
		if !o.HasID {
			// The company file's own objects: company, preferences.
			return http.StatusOK, s.singleton(b, answer, eu), nil
		}
		if eu.objects[res].find(params["id"]) == nil {
			return 0, nil, notInQuickBooks(o.Model, params["id"])
		}
		return http.StatusOK, s.shownNow(eu, res, params["id"]), nil

	case apispec.Update:
		id := params["id"]
		v, ok := s.state.get(eu, res, id)
		if !ok {
			return 0, nil, notInQuickBooks(o.Model, id)
		}
		if sent, _ := body["revisionNumber"].(string); sent != v["revisionNumber"] {
			return 0, nil, &Error{Type: "INTEGRATION_ERROR", Code: "QBD_REQUEST_ERROR", IntegrationCode: qbdStaleRevise,
				Message:           fmt.Sprintf("The revisionNumber %q is out of date: the %s has changed since it was read, and is now at %v. Retrieve it, then update it with its current revisionNumber.", sent, o.Model, v["revisionNumber"]),
				UserFacingMessage: "Someone else changed this object in QuickBooks Desktop since you read it. Reload it and try again."}
		}
		body = keptLines(body, v)
		changes := b.object(s.api.model(res), body)
		if b.failed != "" {
			return 0, nil, invalid(b.failed)
		}
		if bad := s.badReferenceIn(eu, o.Resource, o.Model, body); bad != nil {
			return 0, nil, bad.refusal(o.Model)
		}
		applied, wasApplied := appliedTo(v), appliedOf(v)
		for k := range body {
			if k == "revisionNumber" {
				continue
			}
			if _, ok := changes[k]; ok {
				v[k] = changes[k]
			}
			if base, ok := strings.CutSuffix(k, "Id"); ok {
				if ref, ok := changes[base]; ok {
					v[base] = ref
				}
			}
		}
		// What QuickBooks derives from what changed.
		if _, renamed := body["name"]; renamed && changes["fullName"] != nil {
			v["fullName"] = changes["fullName"]
		}
		if slices.ContainsFunc(lineLists, func(l string) bool { _, relined := body[l]; return relined }) {
			for _, total := range totals {
				if _, given := body[total]; !given && changes[total] != nil {
					v[total] = changes[total]
				}
			}
			if failed := keepApplied(v, applied, o.Model); failed != nil {
				return 0, nil, failed
			}
		}
		link, refused := s.linkPayment(b, eu, o.Resource, o.Model, id, wasApplied, v, body)
		if refused != nil {
			return 0, nil, refused
		}
		stored, _ := s.state.get(eu, res, id)
		if failed := s.revise(b, eu, res, id, v); failed != nil {
			return 0, nil, failed
		}
		if failed := link(); failed != nil {
			s.putBack(eu, res, id, stored)
			return 0, nil, failed
		}
		return http.StatusOK, s.shownNow(eu, res, id), nil

	case apispec.Delete:
		id := params["id"]
		v, ok := s.state.get(eu, res, id)
		if !ok {
			return 0, nil, notInQuickBooks(o.Model, id)
		}
		// A deleted payment gives back what it applied.
		link, refused := s.linkPayment(b, eu, o.Resource, o.Model, id, appliedOf(v), nil, nil)
		if refused != nil {
			return 0, nil, refused
		}
		s.state.remove(eu, res, id)
		if failed := link(); failed != nil {
			s.putBack(eu, res, id, v)
			return 0, nil, failed
		}
		s.recordDeletion(eu, o.Resource, id, v)
		s.unlinkPayments(b, eu, o.Resource, id)
		v["deleted"] = true
		return http.StatusOK, b.object(answer, v), nil

	case apispec.Action: // void
		id := params["id"]
		v, ok := s.state.get(eu, res, id)
		if !ok {
			return 0, nil, notInQuickBooks(o.Model, id)
		}
		// QuickBooks keeps a voided transaction, with its amounts zeroed
		// and VOID: before its memo; a voided payment no longer applies
		// to anything, and gives back what it applied.
		wasApplied := appliedOf(v)
		if _, ok := v["appliedToTransactions"]; ok {
			v["appliedToTransactions"] = []any{}
		}
		for _, k := range totals {
			if _, ok := v[k].(string); ok {
				v[k] = "0.00"
			}
		}
		if memo, ok := v["memo"].(string); ok && !strings.HasPrefix(memo, "VOID:") {
			v["memo"] = "VOID: " + memo
		} else if _, has := v["memo"]; has && v["memo"] == nil {
			v["memo"] = "VOID:"
		}
		link, refused := s.linkPayment(b, eu, o.Resource, o.Model, id, wasApplied, v, nil)
		if refused != nil {
			return 0, nil, refused
		}
		stored, _ := s.state.get(eu, res, id)
		if failed := s.revise(b, eu, res, id, v); failed != nil {
			return 0, nil, failed
		}
		if failed := link(); failed != nil {
			s.putBack(eu, res, id, stored)
			return 0, nil, failed
		}
		v["voided"] = true
		return http.StatusOK, b.object(answer, v), nil

	case apispec.List:
		// QuickBooks refuses filters it cannot take together, once
		// Conductor has reached it; so does the fake, and those it
		// does not apply.
		if msg := checkFilters(rt, query); msg != "" {
			return 0, nil, invalid(msg)
		}
		switch o.Resource {
		case "deletedTransactions":
			return s.listDeleted(rt, query, eu, false)
		case "deletedListObjects":
			return s.listDeleted(rt, query, eu, true)
		case "billsToPay":
			return s.billsToPay(b, rt, query, eu)
		}
		filters := query
		if token, ok := query["cursor"].(string); ok {
			if c := s.state.cursors[token]; c != nil {
				filters = map[string]any{}
				json.Unmarshal([]byte(c.filters), &filters) // a later page is shaped as its first
			}
		}
		status, v, failed := s.list(rt, query, eu)
		if p, ok := v.(*page); ok {
			s.state.shape(p, filters, s.api.model(res))
			s.showBalances(eu, res, p)
		}
		return status, v, failed

	case apispec.Query:
		if o.Resource == "" { // the health check
			return http.StatusOK, map[string]any{"duration": 1, "status": "ok"}, nil
		}
		// A report: computed from the end-user's books where the fake
		// can (reports.go), else the kind asked for with no rows; two
		// parameters the spec says to choose one of are refused first,
		// as for a list.
		if msg := exclusiveFilters(rt, query); msg != "" {
			return 0, nil, invalid(msg)
		}
		return s.report(b, answer, strings.ReplaceAll(path.Base(o.Path), "-", "_"), query, eu)
	}
	return 0, nil, &Error{Type: "INTERNAL_ERROR", Code: "NOT_IMPLEMENTED", Message: fmt.Sprintf("The fake does not know how to answer %s %s.", o.Method, o.Path)}
}

// keptLines is an update's body with each line it gives by the id of one
// of the stored object's lines completed with that line's fields, and
// each it gives with the id "-1" without it, as the spec says QuickBooks
// takes them: the id of "an existing invoice line you wish to retain or
// update", and "-1" for "new invoice lines you wish to add", which get
// ids of their own. A kept line given a quantity or rate but no amount
// has its amount computed again, and one given a reference by id (itemId)
// loses the stored reference.
func keptLines(body, stored map[string]any) map[string]any {
	out := maps.Clone(body)
	for _, list := range lineLists {
		given, ok := body[list].([]any)
		if !ok {
			continue
		}
		old := map[string]map[string]any{}
		had, _ := stored[list].([]any)
		for _, l := range had {
			if m, ok := l.(map[string]any); ok {
				if id, ok := m["id"].(string); ok {
					old[id] = m
				}
			}
		}
		lines := make([]any, len(given))
		for i, l := range given {
			m, ok := l.(map[string]any)
			id, _ := m["id"].(string)
			switch {
			case !ok:
			case id == "-1":
				m = maps.Clone(m)
				delete(m, "id")
			case old[id] != nil:
				kept := maps.Clone(old[id])
				_, quantity := m["quantity"]
				_, rate := m["rate"]
				if _, amount := m["amount"]; (quantity || rate) && !amount {
					delete(kept, "amount")
				}
				for k := range m {
					if ref, ok := strings.CutSuffix(k, "Id"); ok {
						delete(kept, ref)
					}
				}
				maps.Copy(kept, m)
				m = kept
			}
			if ok {
				lines[i] = m
			} else {
				lines[i] = l
			}
		}
		out[list] = lines
	}
	return out
}

// singleton is the company file's company or preferences object.
func (s *Server) singleton(b *builder, schema *openapi3.Schema, eu *endUser) map[string]any {
	return b.object(schema, map[string]any{"companyName": eu.CompanyName})
}

// revise stores v, changed, as the next revision of the object id, as
// QuickBooks does on every change: a new revisionNumber and updatedAt.
func (s *Server) revise(b *builder, eu *endUser, res, id string, v map[string]any) *Error {
	derivePaid(v)
	rev, _ := strconv.Atoi(fmt.Sprint(v["revisionNumber"]))
	v["revisionNumber"] = strconv.Itoa(rev + 1)
	v["updatedAt"] = b.now.Format(time.RFC3339)
	if err := s.state.put(eu, res, id, v); err != nil {
		return invalid(err.Error())
	}
	return nil
}

// unlinkPayments does what QuickBooks does to the payments of a deleted
// transaction (of resource): unlinks them, so that what they applied to
// it is unused again. One that cannot be stored (MaxObjectBytes) is left
// as it was; it drops the deleted transaction when next updated.
func (s *Server) unlinkPayments(b *builder, eu *endUser, resource, id string) {
	for _, r := range slices.Sorted(maps.Keys(paidBy)) {
		if paidBy[r].target != resource {
			continue
		}
		for _, o := range slices.Clone(eu.objects[qbdKey(r)].all()) {
			v := decodeObject(o.data)
			if !slices.ContainsFunc(appliedOf(v), func(a application) bool { return a.id == id }) {
				continue
			}
			stored := decodeObject(o.data)
			link, refused := s.linkPayment(b, eu, r, r, o.id, appliedOf(v), v, map[string]any{})
			if refused != nil || s.revise(b, eu, qbdKey(r), o.id, v) != nil {
				continue
			}
			if link() != nil {
				s.putBack(eu, qbdKey(r), o.id, stored)
			}
		}
	}
}

// putBack undoes a write of the object id refused part way, when
// storing a payment's targets fails after the payment was stored: it
// stores old again, or removes the object when old is nil (it was just
// created), so that a refused request leaves the books as they were. It
// fits, as it did before the write.
func (s *Server) putBack(eu *endUser, resource, id string, old map[string]any) {
	if old == nil {
		s.state.remove(eu, resource, id)
		return
	}
	s.state.put(eu, resource, id, old)
}

// builderFor builds objects for eu at the fake's time.
func (s *Server) builderFor(eu *endUser) *builder {
	return &builder{
		now:   eu.clock(s.now()).Truncate(1e9),
		name:  func(id string) (string, bool) { return s.state.findName(eu, id) },
		newID: s.newQBDID,
		newNumber: func() int64 {
			s.idSeq++
			return s.idSeq
		},
	}
}

// newQBDID is an id in QuickBooks' form: 80000001-1234567890, a sequence
// number in hex and a timestamp.
func (s *Server) newQBDID() string {
	s.idSeq++
	return fmt.Sprintf("%X-%d", 0x80000000+s.idSeq, s.now().Unix())
}
