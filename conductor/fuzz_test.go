package conductor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/gen"
)

// The fuzz targets drive the public API over an in-memory transport, so
// that millions of responses and parameters go through the same code a
// real call does, without sockets. Seed corpora are in testdata/fuzz.

// fixedResponse returns a client whose every request is answered with
// status, header and body, and a counter of the requests it sent.
func fixedResponse(t testing.TB, status int, header http.Header, body []byte) (*conductor.Client, *atomic.Int32, *[]byte) {
	var sent atomic.Int32
	var lastBody []byte
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent.Add(1)
		lastBody, _ = io.ReadAll(r.Body)
		return &http.Response{
			StatusCode: status, Header: header.Clone(), Body: io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body)), Request: r, ProtoMajor: 1, ProtoMinor: 1,
		}, nil
	})}
	c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL("https://api.test/v1"),
		conductor.WithHTTPClient(hc), conductor.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	return c, &sent, &lastBody
}

func FuzzErrorResponse(f *testing.F) {
	f.Add(401, "application/json", []byte(envelope(401, "AUTHENTICATION_ERROR", "API_KEY_INVALID", "bad key")))
	f.Add(502, "text/html", []byte("<html>Bad Gateway</html>"))
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		status = 300 + int(uint(status)%300) // every non-2xx, non-1xx status
		c, _, _ := fixedResponse(t, status, http.Header{"Content-Type": {contentType}, "Conductor-Request-Id": {"req_h"}}, body)
		session, err := c.AuthSessions.Create(context.Background(), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", PublishableKey: "pk_a"})
		var apiErr *conductor.Error
		if session != nil || !errors.As(err, &apiErr) {
			t.Fatalf("Create = %v, %v; want a *conductor.Error", session, err)
		}
		if apiErr.StatusCode != status || !bytes.Equal(apiErr.Body, body) || apiErr.RequestID == "" {
			t.Fatalf("got status %d, body %q, request id %q; want %d, the body and a request id", apiErr.StatusCode, apiErr.Body, apiErr.RequestID, status)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "conductor: ") || apiErr.Message == "" {
			t.Fatalf("Error() = %q, Message = %q; want a message", msg, apiErr.Message)
		}
		if errors.Is(err, conductor.ErrServer) != (status >= 500) || errors.Is(err, conductor.ErrInvalidResponse) {
			t.Fatalf("sentinels disagree with status %d: %v", status, err)
		}
	})
}

func FuzzAuthSessionResponse(f *testing.F) {
	f.Add([]byte(sessionJSON))
	f.Add([]byte(`{"objectType":"auth_session"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, _, _ := fixedResponse(t, 200, http.Header{"Content-Type": {"application/json"}}, body)
		session, err := c.AuthSessions.Create(context.Background(), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", PublishableKey: "pk_a"})
		if err != nil {
			if session != nil || !errors.Is(err, conductor.ErrInvalidResponse) {
				t.Fatalf("Create = %v, %v; a refused 200 must be an ErrInvalidResponse and no session", session, err)
			}
			return
		}
		if session.ObjectType != "auth_session" || session.ID == "" || session.EndUserID == "" || session.ClientSecret == "" ||
			session.AuthFlowURL == "" || session.CreatedAt.IsZero() && !strings.Contains(string(body), "0001-01-01") {
			t.Fatalf("half-filled session %+v from %q", session, body)
		}
	})
}

func FuzzCreateParams(f *testing.F) {
	f.Add("end_usr_a", "pk_a", int64(2*time.Hour), "https://example.com/cb")
	f.Add(" ", "sk_live", int64(-1), "javascript:x")
	f.Fuzz(func(t *testing.T, endUserID, publishableKey string, linkExpiry int64, redirectURL string) {
		c, sent, lastBody := fixedResponse(t, 200, http.Header{"Content-Type": {"application/json"}}, []byte(sessionJSON))
		_, err := c.AuthSessions.Create(context.Background(), conductor.AuthSessionCreateParams{
			EndUserID: endUserID, PublishableKey: publishableKey, LinkExpiry: time.Duration(linkExpiry), RedirectURL: redirectURL,
		})
		var verr *conductor.ValidationError
		if errors.As(err, &verr) {
			if sent.Load() != 0 {
				t.Fatalf("refused params (%v) but sent a request", err)
			}
			if verr.Fields[0].Reason == "" {
				t.Fatalf("no reason: %v", err)
			}
			// A secret key given as publishable key must not be quoted
			// back: the message is the same whatever the key.
			if verr.Fields[0].Field == "PublishableKey" && strings.HasPrefix(publishableKey, "sk_") {
				_, ref := c.AuthSessions.Create(context.Background(), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", PublishableKey: "sk_x"})
				if err.Error() != ref.Error() {
					t.Fatalf("message depends on the secret key: %v", err)
				}
			}
			return
		}
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		// Accepted: what was sent must satisfy every rule.
		var body struct {
			EndUserID      string   `json:"endUserId"`
			PublishableKey string   `json:"publishableKey"`
			LinkExpiryMins *float64 `json:"linkExpiryMins"`
			RedirectURL    *string  `json:"redirectUrl"`
		}
		if err := json.Unmarshal(*lastBody, &body); err != nil {
			t.Fatalf("sent %q: %v", *lastBody, err)
		}
		if strings.TrimSpace(body.EndUserID) == "" || body.PublishableKey == "" || strings.HasPrefix(body.PublishableKey, "sk_") {
			t.Fatalf("accepted a bad end user or key: %+v", body)
		}
		if m := body.LinkExpiryMins; (m == nil) != (linkExpiry == 0) || m != nil && (*m < 15 || *m > 10080 || *m != math.Trunc(*m)) {
			t.Fatalf("accepted LinkExpiry %v as linkExpiryMins %v", time.Duration(linkExpiry), m)
		}
		if r := body.RedirectURL; (r == nil) != (redirectURL == "") {
			t.Fatalf("redirectUrl %v for RedirectURL %q", r, redirectURL)
		} else if r != nil {
			u, err := url.Parse(*r)
			if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
				t.Fatalf("accepted RedirectURL %q", *r)
			}
		}
	})
}

// FuzzEchoedKey has a response of any status carry the key in its body,
// in headers, in its reason phrase and in a trailer, each character spelled
// as itself, as a \uXXXX escape or as a URL %XX escape (hex digits of
// either case), and checks that no spelling of it reaches the caller: not
// through a facade call's error, nor through what client.Gen() hands back,
// once everything shown is decoded as JSON, Go quoting and URLs would be.
func FuzzEchoedKey(f *testing.F) {
	const allJSON, allPercent, mixed = 0x5555555555555555, 0xaaaaaaaaaaaaaaaa, 0x1b1b1b1b1b1b1b1b
	f.Add(401, []byte(`{"error":{"message":"`), []byte(`"}}`), uint64(0), "application/json")
	f.Add(200, []byte(`{"objectType":"`), []byte(`","id":"x"}`), uint64(0xffffffffffffffff), "application/json")
	f.Add(502, []byte("<p>Bearer "), []byte("</p>"), uint64(allJSON), "text/html")
	f.Add(303, []byte(`<a href="/x?key=`), []byte(`">`), uint64(allPercent), "text/html")
	f.Add(200, []byte(`{"url":"/x?key=`), []byte(`"}`), uint64(mixed), "application/json")
	f.Add(200, []byte(`{"memo":"one\nline"}`+strings.Repeat(`{"s":"sks sk_ s%s \u0073"},`, 300)), []byte(`"`+strings.Repeat(`\n\"s`, 300)), uint64(mixed), "application/json")
	f.Add(400, []byte(strings.Repeat(`line\nsk_conductor_test_ %73k %25 \u0025`, 200)), []byte(strings.Repeat("s", 1000)), uint64(allPercent^0xff), "application/json")
	f.Fuzz(func(t *testing.T, status int, before, after []byte, escapes uint64, contentType string) {
		status = 200 + int(uint(status)%400)
		var spelled strings.Builder
		for i := range len(testAPIKey) {
			switch c := testAPIKey[i]; escapes >> (2 * uint(i) % 64) & 3 {
			case 0:
				spelled.WriteByte(c)
			case 1:
				fmt.Fprintf(&spelled, `\u%04X`, c)
			case 2:
				fmt.Fprintf(&spelled, "%%%02X", c)
			case 3:
				fmt.Fprintf(&spelled, "%%%02x", c)
			}
		}
		key := spelled.String()
		body := append(append(append([]byte(nil), before...), key...), after...)
		header := http.Header{"Content-Type": {contentType}, "Conductor-Request-Id": {key}, "Location": {"https://x.example/?key=" + key}, "X-Echo": {key}, "X-" + key: {"name"}}
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{
				StatusCode: status, Status: fmt.Sprintf("%d %s", status, key), Header: header.Clone(),
				Trailer: http.Header{"X-Echo": {key}}, Body: io.NopCloser(bytes.NewReader(body)),
				ContentLength: int64(len(body)), Request: r, ProtoMajor: 1, ProtoMinor: 1,
			}, nil
		})}
		logger, logs := newLogger()
		c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL("https://api.test/v1"),
			conductor.WithHTTPClient(hc), conductor.WithMaxRetries(0), conductor.WithLogger(logger))
		if err != nil {
			t.Fatal(err)
		}
		var seen []string
		_, err = c.AuthSessions.Create(context.Background(), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", PublishableKey: "pk_a"})
		if err != nil {
			seen = append(seen, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
			var apiErr *conductor.Error
			if errors.As(err, &apiErr) {
				seen = append(seen, string(apiErr.Body), apiErr.Message, apiErr.UserFacingMessage, string(apiErr.Type), apiErr.Code, apiErr.IntegrationCode, apiErr.RequestID)
			}
		}
		resp, err := c.Gen().AuthSessionCreate(context.Background(), gen.AuthSessionCreateParams{EndUserID: "end_usr_a", PublishableKey: "pk_a"})
		if err != nil {
			seen = append(seen, fmt.Sprintf("%v|%+v|%#v", err, err, err))
		} else {
			b, _ := io.ReadAll(resp.Body)
			seen = append(seen, resp.Status, fmt.Sprint(resp.Header), fmt.Sprint(resp.Trailer), string(b))
		}
		seen = append(seen, logs.String())
		for _, s := range seen {
			if leaksKey(s) {
				t.Fatalf("the key shows in %q", s)
			}
		}
	})
}
