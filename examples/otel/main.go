// Command otel traces and measures conductor calls with OpenTelemetry's
// standard net/http instrumentation, otelhttp, plugged in with
// conductor.WithMiddleware: one client span, and one measurement of
// http.client.request.duration, per attempt, so a retried call shows
// each of its tries under the span of the work that made it.
//
// It runs against the conductortest fake, with no network and no key:
//
//	cd examples/otel && go run .
//
// It prints the spans and the duration histogram it recorded. In a
// program of your own, set the tracer and meter providers up with your
// exporter as usual, and pass [Middleware]() to conductor.NewClient.
//
// This example is a module of its own so that the conductor library links
// nothing of OpenTelemetry.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

func main() {
	spans, metrics, _, err := run()
	if err != nil {
		log.Fatal(err)
	}
	print(os.Stdout, spans, metrics)
}

// Middleware returns a conductor middleware that sends each attempt
// through otelhttp's transport, configured by opts (the providers to use,
// by default the global ones): the span of an attempt is a child of the
// span in the call's context, carries the attempt's number as
// conductor.attempt, and goes out with the request in the propagators'
// headers (W3C traceparent, with otelhttp.WithPropagators or
// otel.SetTextMapPropagator). The transport is made once, here, since it makes its metric
// instruments; each attempt hands it that attempt's next in the request's
// context.
func Middleware(opts ...otelhttp.Option) conductor.Middleware {
	t := otelhttp.NewTransport(roundTripper(func(r *http.Request) (*http.Response, error) {
		if n, ok := conductor.AttemptFromContext(r.Context()); ok {
			trace.SpanFromContext(r.Context()).SetAttributes(attribute.Int("conductor.attempt", n))
		}
		return r.Context().Value(nextKey{}).(conductor.MiddlewareNext)(r)
	}), opts...)
	return func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
		return t.RoundTrip(req.WithContext(context.WithValue(req.Context(), nextKey{}, next)))
	}
}

// nextKey carries an attempt's next through otelhttp's transport.
type nextKey struct{}

// roundTripper makes a function an http.RoundTripper, the base that
// otelhttp's transport wraps.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// run makes a few calls against the fake, one of them retried after a
// 503, each under a span of its own, and returns the spans and metrics
// recorded, and the requests the fake received.
func run() ([]sdktrace.ReadOnlySpan, metricdata.ResourceMetrics, []conductortest.Request, error) {
	ctx := context.Background()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer tp.Shutdown(ctx)
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(ctx)
	var metrics metricdata.ResourceMetrics

	fake := conductortest.NewServer()
	defer fake.Close()
	client, err := fake.Client(conductor.WithMiddleware(Middleware(
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithMeterProvider(mp),
		otelhttp.WithPropagators(propagation.TraceContext{}),
	)))
	if err != nil {
		return nil, metrics, nil, err
	}
	tracer := tp.Tracer("example")

	ctx, span := tracer.Start(ctx, "onboard customer")
	endUser, err := client.EndUsers.Create(ctx, conductor.EndUserCreateParams{CompanyName: "Acme", SourceID: "acct_42", Email: "ap@acme.example"})
	span.End()
	if err != nil {
		return nil, metrics, nil, err
	}

	// The fake answers the next request with a 503, which the client
	// retries: two attempts, two spans, under one parent.
	if err := fake.Enqueue(conductortest.Response{
		Status: http.StatusServiceUnavailable,
		Header: http.Header{"Retry-After-Ms": {"10"}},
		Error:  &conductortest.Error{Type: "INTERNAL_ERROR", Code: "INTERNAL_SERVER_ERROR", Message: "try again"},
	}); err != nil {
		return nil, metrics, nil, err
	}
	ctx, span = tracer.Start(context.Background(), "look up customer")
	_, err = client.EndUsers.Retrieve(ctx, endUser.ID)
	span.End()
	if err != nil {
		return nil, metrics, nil, err
	}

	if err := reader.Collect(context.Background(), &metrics); err != nil {
		return nil, metrics, nil, err
	}
	return spans.Ended(), metrics, fake.Requests(), nil
}

// print writes one line per span, children under their parent, and the
// number of requests the duration histogram counted.
func print(w io.Writer, spans []sdktrace.ReadOnlySpan, metrics metricdata.ResourceMetrics) {
	fmt.Fprintln(w, "spans:")
	for _, s := range spans {
		if s.Parent().IsValid() {
			continue
		}
		fmt.Fprintf(w, "  %s (trace %s)\n", s.Name(), s.SpanContext().TraceID())
		for _, c := range spans {
			if c.Parent().SpanID() != s.SpanContext().SpanID() {
				continue
			}
			fmt.Fprintf(w, "    %s", c.Name())
			for _, a := range c.Attributes() {
				switch a.Key {
				case "conductor.attempt", "http.response.status_code", "url.full":
					fmt.Fprintf(w, " %s=%s", a.Key, a.Value.Emit())
				}
			}
			fmt.Fprintf(w, " status=%s\n", c.Status().Code)
		}
	}
	fmt.Fprintln(w, "metrics:")
	for _, sm := range metrics.ScopeMetrics {
		for _, m := range sm.Metrics {
			h, ok := m.Data.(metricdata.Histogram[float64])
			if !ok {
				continue
			}
			for _, p := range h.DataPoints {
				method, _ := p.Attributes.Value("http.request.method")
				status, _ := p.Attributes.Value("http.response.status_code")
				fmt.Fprintf(w, "  %s %s %s: %d requests, %.4f %s in all\n", m.Name, method.Emit(), status.Emit(), p.Count, p.Sum, m.Unit)
			}
		}
	}
}
