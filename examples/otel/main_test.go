package main

import (
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// TestSpansPerAttempt: every attempt is a client span under the span of
// the work that made it, numbered by conductor.attempt, the retried
// lookup's two included, each sent with its span's traceparent; the
// duration histogram counted each attempt; and what print writes names
// them.
func TestSpansPerAttempt(t *testing.T) {
	spans, metrics, requests, err := run()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byName[s.Name()] = s
	}
	type attempt struct {
		parent  string
		attempt int64
		status  int64
	}
	var got []attempt
	var traceparents []string
	for _, s := range spans {
		if s.SpanKind() != trace.SpanKindClient {
			continue
		}
		traceparents = append(traceparents, "00-"+s.SpanContext().TraceID().String()+"-"+s.SpanContext().SpanID().String()+"-01")
		a := attempt{attempt: value(s, "conductor.attempt").AsInt64(), status: value(s, "http.response.status_code").AsInt64()}
		for name, p := range byName {
			if p.SpanContext().SpanID() == s.Parent().SpanID() {
				a.parent = name
			}
		}
		got = append(got, a)
	}
	want := []attempt{{"onboard customer", 1, 200}, {"look up customer", 1, 503}, {"look up customer", 2, 200}}
	if len(got) != len(want) {
		t.Fatalf("client spans %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("client span %d is %+v, want %+v", i, got[i], want[i])
		}
	}

	// Each attempt went out with its own span's traceparent.
	if len(requests) != len(traceparents) {
		t.Fatalf("the fake got %d requests, want one per client span (%d)", len(requests), len(traceparents))
	}
	for i, r := range requests {
		if got := r.Header.Get("Traceparent"); got != traceparents[i] {
			t.Errorf("request %d (%s %s) has traceparent %q, want its span's %q", i, r.Method, r.Path, got, traceparents[i])
		}
	}

	var counted uint64
	for _, sm := range metrics.ScopeMetrics {
		for _, m := range sm.Metrics {
			if h, ok := m.Data.(metricdata.Histogram[float64]); ok && m.Name == "http.client.request.duration" {
				for _, p := range h.DataPoints {
					counted += p.Count
				}
			}
		}
	}
	if counted != 3 {
		t.Errorf("http.client.request.duration counted %d requests, want 3", counted)
	}

	var out strings.Builder
	print(&out, spans, metrics)
	for _, w := range []string{"look up customer", "conductor.attempt=2", "http.client.request.duration GET 503"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("the output lacks %q:\n%s", w, out.String())
		}
	}
}

func value(s sdktrace.ReadOnlySpan, key attribute.Key) attribute.Value {
	for _, a := range s.Attributes() {
		if a.Key == key {
			return a.Value
		}
	}
	return attribute.Value{}
}
