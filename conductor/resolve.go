package conductor

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Resolution: what a facade write does, under ResolveWrites, when its
// outcome is unknown (README "Writes exactly once"). call hands every
// unconfirmed facade write here; writes through Client.Gen() never come.
// Every read it makes goes through the engine as a read (with the call's
// retries, timeouts, logging and end-user), every re-send as the same
// write, so the engine never sends one again by itself. The paths it
// reads are derived from the request the operation's builder made, so no
// operation needs code of its own.

// maxResends bounds the writes resolution sends again in one call. Each
// after the first waits as a retry does (retryDelay), so five span some
// 8 s of trouble; at one unanswered attempt in ten, one call in a million
// would still end unconfirmed.
const maxResends = 5

// A resolution is one unconfirmed write being settled.
type resolution struct {
	c   *Client
	s   *settings
	r   request
	req *http.Request // the write as first built and sent
	out any
	u   *UnconfirmedWriteError

	checks   []string // what was done, in order, for the log record
	requests int      // extra requests sent
	resends  int
	// fresh: the client set the create's externalId, a random UUID no
	// other object has, so the first object found with it is this call's.
	fresh bool
}

// newExternalID sets a fresh random UUID (version 4) as the externalId of
// a create whose caller left it nil, so that resolution can look for it.
func newExternalID() *UUID {
	id := new(UUID)
	rand.Read(id[:])
	id[6] = id[6]&0x0f | 0x40 // version 4
	id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
	return id
}

// resolve settles u, the unknown outcome of r's write req, and returns the
// call's error: nil once the write is known done (out then holds its
// result), the server's own error once it is known not done, or an
// *UnconfirmedWriteError when the client still cannot tell.
func (c *Client) resolve(ctx context.Context, s *settings, r request, req *http.Request, out any, u *UnconfirmedWriteError, fresh bool) error {
	if u.Kind == "create" && u.ExternalID == "" || u.Kind == "write" {
		return u // nothing to look for, or nothing known to check
	}
	res := &resolution{c: c, s: s, r: r, req: req, out: out, u: u, fresh: fresh}
	start := time.Now()
	var outcome string
	var err error
	switch u.Kind {
	case "update":
		outcome, err = res.update(ctx)
	case "delete":
		outcome, err = res.delete(ctx)
	case "void":
		outcome, err = res.void(ctx)
	default:
		outcome, err = res.create(ctx)
	}
	if err != nil && ctx.Err() != nil && !isUnknown(err) {
		err = res.ended(ctx, err) // a read cut short: nothing is known
	}
	var still *UnconfirmedWriteError
	if errors.As(err, &still) {
		outcome = "unconfirmed"
		if ctx.Err() != nil {
			res.checks = append(res.checks, "context ended")
		}
	}
	res.log(ctx, outcome, time.Since(start))
	return err
}

// unconfirmed is the call's error when the client still cannot tell what
// the write did, last being the last thing it learnt; the call's context
// ending is wrapped, so that errors.Is finds it.
func (res *resolution) unconfirmed(last error) error {
	u := *res.u
	u.Err = last
	return &u
}

// ended is the error of a resolution whose context ended while it waited
// or read: unconfirmed, wrapping the context's error.
func (res *resolution) ended(ctx context.Context, last error) error {
	return res.unconfirmed(fmt.Errorf("conductor: %w while finding out whether the write took effect; last: %w", ctx.Err(), last))
}

// update sends the update again with the same revisionNumber: QuickBooks
// refuses an update it already applied as stale (3200), and then a
// retrieve tells whether the object holds what was sent.
func (res *resolution) update(ctx context.Context) (string, error) {
	last := res.u.Err
	for res.resends < maxResends {
		err := res.resend(ctx)
		switch {
		case err == nil:
			return "applied", nil
		case isUnknown(err):
			last = unknownCause(err)
			if ctx.Err() != nil {
				return "", res.ended(ctx, last)
			}
			continue
		case integrationCode(err) == "3200":
			res.checks = append(res.checks, "stale revision")
			body, rerr := res.retrieve(ctx)
			if rerr != nil {
				return "", res.unconfirmed(rerr)
			}
			holds, known := res.holdsSent(body)
			switch {
			case !known:
				res.checks = append(res.checks, "cannot compare what was sent")
				return "", res.unconfirmed(err)
			case !holds:
				res.checks = append(res.checks, "differs from what was sent")
				return "conflict", err
			}
			res.checks = append(res.checks, "holds what was sent")
			if derr := res.decode(body); derr != nil {
				return "", res.unconfirmed(derr)
			}
			return "applied", nil
		case !refused(err):
			return "", res.unconfirmed(err)
		default:
			return "not applied", err
		}
	}
	return "", res.unconfirmed(last)
}

// delete retrieves the object: no such object means it is deleted;
// otherwise it sends the delete again.
func (res *resolution) delete(ctx context.Context) (string, error) {
	last := res.u.Err
	for res.resends < maxResends {
		_, err := res.retrieve(ctx)
		switch {
		case notFound(err):
			return res.deleted()
		case err != nil:
			return "", res.unconfirmed(err)
		}
		err = res.resend(ctx)
		switch {
		case err == nil:
			return "deleted", nil
		case notFound(err):
			return res.deleted()
		case isUnknown(err):
			last = unknownCause(err)
			if ctx.Err() != nil {
				return "", res.ended(ctx, last)
			}
		case !refused(err):
			return "", res.unconfirmed(err)
		default:
			return "not applied", err
		}
	}
	return "", res.unconfirmed(last)
}

// deleted fills in the result of a delete found done: the answer the
// delete would have had, but for refNumber or fullName, which are null.
func (res *resolution) deleted() (string, error) {
	res.checks = append(res.checks, "no such object")
	body, err := json.Marshal(map[string]any{"id": res.r.id, "objectType": objectTypeOf(res.out), "deleted": true})
	if err == nil {
		err = json.Unmarshal(body, res.out)
	}
	if err != nil {
		return "", res.unconfirmed(err)
	}
	return "deleted", nil
}

// void retrieves the transaction: QuickBooks marks a voided one with a
// memo starting "VOID:". Otherwise it sends the void again.
func (res *resolution) void(ctx context.Context) (string, error) {
	last := res.u.Err
	for res.resends < maxResends {
		body, err := res.retrieve(ctx)
		if err != nil {
			if notFound(err) {
				return "not applied", err
			}
			return "", res.unconfirmed(err)
		}
		if voided(body) {
			return res.voided(body)
		}
		err = res.resend(ctx)
		switch {
		case err == nil:
			return "voided", nil
		case isUnknown(err):
			last = unknownCause(err)
			if ctx.Err() != nil {
				return "", res.ended(ctx, last)
			}
		default:
			// A definite refusal may be about a void the first attempt
			// carried out in the meantime.
			body, rerr := res.retrieve(ctx)
			if rerr == nil && voided(body) {
				return res.voided(body)
			}
			if !refused(err) {
				return "", res.unconfirmed(err)
			}
			return "not applied", err
		}
	}
	return "", res.unconfirmed(last)
}

// voided reports whether a retrieved transaction looks voided.
func voided(body []byte) bool {
	var obj struct {
		Memo *string `json:"memo"`
	}
	return json.Unmarshal(body, &obj) == nil && obj.Memo != nil && strings.HasPrefix(*obj.Memo, "VOID:")
}

// voided fills in the result of a void found done from the retrieved
// transaction.
func (res *resolution) voided(body []byte) (string, error) {
	res.checks = append(res.checks, "voided")
	var obj map[string]any
	err := json.Unmarshal(body, &obj)
	if err == nil {
		obj["voided"] = true
		if body, err = json.Marshal(obj); err == nil {
			err = json.Unmarshal(body, res.out)
		}
	}
	if err != nil {
		return "", res.unconfirmed(err)
	}
	return "voided", nil
}

// create looks for the object by its externalId for as long as the first
// attempt could still be carried out, and sends the create again (with
// the same externalId) only after that.
func (res *resolution) create(ctx context.Context) (string, error) {
	last := res.u.Err
	landBy := res.landBy()
	wait := time.Second
	for {
		found, err := res.lookup(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return "", res.ended(ctx, err)
			}
			return "", res.unconfirmed(err)
		}
		if found {
			return "created", nil
		}
		if now := time.Now(); now.Before(landBy) {
			d := min(wait, landBy.Sub(now))
			wait = min(2*wait, 10*time.Second)
			res.checks = append(res.checks, "waited "+d.String())
			if !sleep(ctx, d) {
				return "", res.ended(ctx, last)
			}
			continue
		}
		if res.resends == maxResends {
			return "", res.unconfirmed(last)
		}
		err = res.resend(ctx)
		switch {
		case err == nil:
			return "created", nil
		case isUnknown(err):
			last = unknownCause(err)
			if ctx.Err() != nil {
				return "", res.ended(ctx, last)
			}
			landBy, wait = res.landBy(), time.Second
		default:
			return "not applied", err
		}
	}
}

// landBy is when a write whose outcome is unknown now can no longer be
// carried out: Conductor stops waiting for QuickBooks after the
// Conductor-Timeout-Seconds the write was sent with (assumption, README),
// and the margin covers the trip between.
func (res *resolution) landBy() time.Time {
	secs, err := strconv.Atoi(res.req.Header.Get(timeoutHeader))
	if err != nil || secs < 1 {
		secs = 90
	}
	timeout := time.Duration(secs) * time.Second
	return time.Now().Add(timeout + max(2*time.Second, timeout/4))
}

// lookup lists the create's collection for objects updated since a day
// before the call, following the cursor, and reports whether one has the
// create's externalId; it decodes that one into out. Two or more are an
// error: which is this call's cannot be told.
func (res *resolution) lookup(ctx context.Context) (bool, error) {
	res.checks = append(res.checks, "looked up externalId")
	since := res.u.SentAt.Add(-24 * time.Hour).UTC()
	want := normalGUID(res.u.ExternalID)
	cursor := ""
	var l listing // tells a listing that does not end, as All does
	matches, found := 0, json.RawMessage(nil)
	for n := 1; ; n++ {
		q := url.Values{"updatedAfter": {since.Format(time.RFC3339)}}
		if res.r.listsActive {
			q.Set("status", "all")
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		body, err := res.read(ctx, false, q.Encode())
		if err != nil {
			return false, err
		}
		var page struct {
			Data           []json.RawMessage `json:"data"`
			HasMore        bool              `json:"hasMore"`
			NextCursor     *string           `json:"nextCursor"`
			RemainingCount int               `json:"remainingCount"`
		}
		if err := json.Unmarshal(body, &page); err != nil || page.Data == nil {
			if err == nil {
				err = errors.New("it has no data")
			}
			return false, fmt.Errorf("conductor: looking up externalId %s: the list cannot be read: %w", res.u.ExternalID, err)
		}
		for _, raw := range page.Data {
			var obj struct {
				ExternalID *string `json:"externalId"`
				CreatedAt  string  `json:"createdAt"`
			}
			if json.Unmarshal(raw, &obj) != nil || obj.ExternalID == nil || normalGUID(*obj.ExternalID) != want {
				continue
			}
			if created, err := time.Parse(time.RFC3339, obj.CreatedAt); err == nil && created.Before(since) {
				continue
			}
			// Every page is read for an externalId the caller set: it
			// may have been used before, and then which object is this
			// call's cannot be told.
			matches++
			found = append(json.RawMessage(nil), raw...)
			if res.fresh {
				break
			}
		}
		if !page.HasMore || res.fresh && matches > 0 {
			switch matches {
			case 0:
				res.checks = append(res.checks, "not found")
				return false, nil
			case 1:
				res.checks = append(res.checks, "found")
				return true, res.decode(found)
			}
			res.checks = append(res.checks, "found "+strconv.Itoa(matches))
			return false, fmt.Errorf("conductor: looking up externalId %s: %d objects have it, so which one this call created cannot be told; give each create an externalId of its own", res.u.ExternalID, matches)
		}
		// Conductor keeps nextCursor the same for a whole listing: a
		// repeated cursor is the next page, not the end.
		cursor = ""
		if page.NextCursor != nil {
			cursor = *page.NextCursor
		}
		if err := l.follow(n, pageInfo{hasMore: true, cursor: cursor, remaining: page.RemainingCount, len: len(page.Data)}, digest(body)); err != nil {
			return false, fmt.Errorf("conductor: looking up externalId %s: %w", res.u.ExternalID, err)
		}
	}
}

// normalGUID is a GUID as compared: lowercase, without braces.
func normalGUID(s string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "{"), "}"))
}

// resend builds the write again and sends it as the same write; on a 2xx
// it decodes the answer into out. An answer that cannot be read leaves
// the outcome unknown again.
func (res *resolution) resend(ctx context.Context) error {
	if res.resends > 0 {
		// The last re-send went unanswered too: back off, as a retry does.
		if !sleep(ctx, retryDelay(nil, res.resends-1)) {
			return &UnconfirmedWriteError{Err: ctx.Err()}
		}
	}
	res.resends++
	res.requests++
	res.checks = append(res.checks, "resent")
	req, err := res.r.build(res.s)
	resp, err := res.c.roundTrip(ctx, res.s, res.r, req, err)
	if err == nil {
		err = decodeInto(resp, nil, res.out)
		if err != nil {
			err = &UnconfirmedWriteError{Err: err}
		}
	}
	return err
}

// retrieve reads the object the write is about: the write's own path,
// without the /void of a void.
func (res *resolution) retrieve(ctx context.Context) ([]byte, error) {
	res.checks = append(res.checks, "retrieved")
	body, err := res.read(ctx, res.u.Kind == "void", "")
	if notFound(err) {
		res.checks = append(res.checks, "not found")
	}
	return body, err
}

// read GETs the write's URL (without its last segment, /void, when
// parent) with query, for the call's end-user, through the engine as a
// read.
func (res *resolution) read(ctx context.Context, parent bool, query string) ([]byte, error) {
	res.requests++
	u := *res.req.URL
	u.RawQuery = query
	if parent {
		u.Path, u.RawPath = strings.TrimSuffix(u.Path, "/void"), strings.TrimSuffix(u.RawPath, "/void")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	if r := res.r; r.op&opEndUser != 0 {
		req.Header[endUserHeader] = []string{r.endUser}
	}
	resp, err := res.c.engine.send(ctx, req, res.s, notWrite)
	if err != nil {
		return nil, err
	}
	return resp.Body.(*readBody).data, nil
}

// decode decodes a retrieved or listed object into out.
func (res *resolution) decode(body []byte) error {
	return json.Unmarshal(body, res.out)
}

// isUnknown reports an error that leaves a write's outcome unknown.
func isUnknown(err error) bool {
	var u *UnconfirmedWriteError
	return errors.As(err, &u)
}

// unknownCause is the error inside an unknown outcome.
func unknownCause(err error) error {
	var u *UnconfirmedWriteError
	if errors.As(err, &u) {
		return u.Err
	}
	return err
}

// integrationCode is the QuickBooks error code of an INTEGRATION_ERROR.
func integrationCode(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Type == ErrorTypeIntegration {
		return e.IntegrationCode
	}
	return ""
}

// refused reports an error of a re-send that is an answer about the
// write itself, which the first attempt would have had too: QuickBooks
// refused it, or Conductor found it invalid. Any other (QuickBooks
// offline, a rate limit, a conflict with another request, a timeout, the
// key refused) means only that the re-send was turned away, and says
// nothing of what the first attempt did.
func refused(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.StatusCode {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooManyRequests:
		return false
	}
	return e.Type == ErrorTypeIntegration || e.Type == ErrorTypeInvalidRequest
}

// notFound reports an answer that there is no such object: QuickBooks's
// error 500 ("object not found") or an HTTP 404.
func notFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.StatusCode == http.StatusNotFound || e.Type == ErrorTypeIntegration && e.IntegrationCode == "500")
}

// holdsSent reports whether the retrieved object holds every field of the
// update's body but revisionNumber, and whether that could be told.
func (res *resolution) holdsSent(body []byte) (holds, known bool) {
	req, err := res.r.build(res.s)
	if err != nil || req.Body == nil {
		return false, false
	}
	sentBody, err := io.ReadAll(req.Body)
	if err != nil {
		return false, false
	}
	var sent, obj map[string]any
	if decodeNumbers(sentBody, &sent) != nil || decodeNumbers(body, &obj) != nil {
		return false, false
	}
	delete(sent, "revisionNumber")
	return holdsObject(obj, sent)
}

// decodeNumbers decodes JSON keeping numbers as written.
func decodeNumbers(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	return d.Decode(v)
}

// holdsObject compares an object with the fields sent of it: each key k
// matches obj[k]; or k is xId and obj[x].id equals it.
func holdsObject(obj, sent map[string]any) (holds, known bool) {
	for k, want := range sent {
		got, ok := obj[k]
		if !ok {
			if x, isRef := strings.CutSuffix(k, "Id"); isRef {
				if ref, isObj := obj[x].(map[string]any); isObj {
					got, ok = ref["id"], true
				}
			}
		}
		if !ok {
			return false, false
		}
		if k == "id" && want == "-1" {
			continue // a line the update adds: QuickBooks gives it its id
		}
		h, kn := holdsValue(got, want)
		if !kn || !h {
			return h, kn
		}
	}
	return true, true
}

// holdsValue compares one value of the object with the value sent.
func holdsValue(got, want any) (holds, known bool) {
	switch w := want.(type) {
	case nil:
		return got == nil, true
	case bool:
		g, ok := got.(bool)
		return ok && g == w, true
	case json.Number:
		return sameNumber(got, string(w)), true
	case string:
		if g, ok := got.(string); ok && g == w {
			return true, true
		}
		return plainDecimal(w) && sameNumber(got, w), true
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false, true
		}
		return holdsObject(g, w)
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false, true
		}
		for i := range w {
			if h, kn := holdsValue(g[i], w[i]); !kn || !h {
				return h, kn
			}
		}
		return true, true
	}
	return false, false
}

// sameNumber reports two decimals equal as numbers: "100" and "100.00".
func sameNumber(got any, want string) bool {
	var g string
	switch v := got.(type) {
	case string:
		if !plainDecimal(v) {
			return false // text that reads as a number: "0042", "1/2", "0x10"
		}
		g = v
	case json.Number:
		g = string(v)
	default:
		return false
	}
	a, okA := new(big.Rat).SetString(g)
	b, okB := new(big.Rat).SetString(want)
	return okA && okB && a.Cmp(b) == 0
}

// plainDecimal reports a string written as an amount is: an optional
// minus, digits without a leading zero, and an optional fraction. Only
// such text is compared as a number; big.Rat would also read a name of
// "0042" as 42, "1/2" as 2/4 and "0x10" as 16.
func plainDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	digits := func(d string) bool {
		return d != "" && strings.Trim(d, "0123456789") == ""
	}
	return digits(whole) && (whole == "0" || whole[0] != '0') && (!hasFrac || digits(frac))
}

// log writes the resolution's one record, when the call has a logger.
func (res *resolution) log(ctx context.Context, outcome string, d time.Duration) {
	if res.s.logger == nil {
		return
	}
	level := slog.LevelInfo
	if outcome == "unconfirmed" {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("kind", res.u.Kind),
		slog.String("method", res.req.Method),
		slog.String("path", redactor{res.s.apiKey}.string(res.req.URL.Path)),
		slog.String("id", redactor{res.s.apiKey}.string(res.u.ID)), // an id can be anything, even the key
	}
	if res.u.ExternalID != "" {
		attrs = append(attrs, slog.String("external_id", res.u.ExternalID))
	}
	attrs = append(attrs,
		slog.String("checks", strings.Join(res.checks, "; ")),
		slog.String("outcome", outcome),
		slog.Int("requests", res.requests),
		slog.Duration("duration", d),
	)
	res.s.logger.LogAttrs(ctx, level, "conductor: write resolved", attrs...)
}
