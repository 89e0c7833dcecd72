//go:build contract

package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"sync"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// facadeMethod finds the method named name ("List", "All", "Void") of o's
// service on c, where internal/apispec places it: c.QBD.Invoices.List,
// c.EndUsers.Passthrough, c.QBD.HealthCheck.
func facadeMethod(c *conductor.Client, o apispec.Operation, name string) (reflect.Value, error) {
	v := reflect.ValueOf(c).Elem()
	for _, field := range []string{apispec.Exported(o.Namespace), o.GoResource()} {
		if field == "" {
			continue
		}
		if v = v.FieldByName(field); !v.IsValid() {
			return reflect.Value{}, fmt.Errorf("the client has no service %s for %s", field, o.SDKName())
		}
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
	}
	m := v.Addr().MethodByName(name)
	if !m.IsValid() {
		return reflect.Value{}, fmt.Errorf("no method %s for %s", name, o.SDKName())
	}
	return m, nil
}

// callArgs are the arguments of a facade method, in the order every
// method takes them: the context; the end-user's id, for an operation that
// acts for one; the object's id, where the path has one; the path's other
// parameters (a named string type each); then the query parameters (a
// pointer; nil when params is nil) or the body (a value), filled from
// params through JSON, as a caller's struct literal would be.
func callArgs(ctx context.Context, mt reflect.Type, o apispec.Operation, endUserID, id string, pathParams []string, params map[string]any) ([]reflect.Value, error) {
	args := []reflect.Value{reflect.ValueOf(ctx)}
	var strs []string
	if o.NeedsEndUser {
		strs = append(strs, endUserID)
	}
	if o.HasID {
		strs = append(strs, id)
	}
	for i := 1; i < mt.NumIn(); i++ {
		in := mt.In(i)
		switch {
		case mt.IsVariadic() && i == mt.NumIn()-1:
			// no per-call options
		case in.Kind() == reflect.String && in.PkgPath() == "":
			if len(strs) == 0 {
				return nil, fmt.Errorf("%v takes more ids than %s has", mt, o.SDKName())
			}
			args = append(args, reflect.ValueOf(strs[0]))
			strs = strs[1:]
		case in.Kind() == reflect.String:
			if len(pathParams) == 0 {
				return nil, fmt.Errorf("%v takes more path parameters than %s has", mt, o.SDKName())
			}
			args = append(args, reflect.ValueOf(pathParams[0]).Convert(in))
			pathParams = pathParams[1:]
		case in.Kind() == reflect.Pointer && params == nil:
			args = append(args, reflect.Zero(in))
		case in.Kind() == reflect.Pointer:
			p, err := fill(in.Elem(), params)
			if err != nil {
				return nil, err
			}
			args = append(args, p)
		default:
			p, err := fill(in, params)
			if err != nil {
				return nil, err
			}
			args = append(args, p.Elem())
		}
	}
	return args, nil
}

// fill returns a pointer to a new t holding values, through JSON.
func fill(t reflect.Type, values map[string]any) (reflect.Value, error) {
	p := reflect.New(t)
	b, err := json.Marshal(values)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(b, p.Interface()); err != nil {
		return p, fmt.Errorf("%s does not fit %v: %v", b, t, err)
	}
	return p, nil
}

// iterate runs an iter.Seq2[T, error], given as a reflect.Value, until it
// ends or has yielded limit values (no limit when limit < 0), and returns
// how many values it yielded and the error it yielded, if any.
func iterate(seq reflect.Value, limit int) (int, error) {
	n := 0
	var failed error
	yield := reflect.MakeFunc(seq.Type().In(0), func(args []reflect.Value) []reflect.Value {
		if err, _ := args[1].Interface().(error); err != nil {
			failed = err
			return []reflect.Value{reflect.ValueOf(false)}
		}
		n++
		return []reflect.Value{reflect.ValueOf(limit < 0 || n < limit)}
	})
	seq.Call([]reflect.Value{yield})
	return n, failed
}

// recorder is a transport that keeps every answer's status and body, so
// that a test can hold what the client decoded to the spec.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	got  []exchange
}

type exchange struct {
	method, path string
	status       int
	body         []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.got = append(r.got, exchange{method: req.Method, path: req.URL.Path, status: resp.StatusCode, body: body})
	r.mu.Unlock()
	return resp, nil
}

// take returns the exchanges recorded since the last take.
func (r *recorder) take() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got = nil
	return got
}

// peek returns the exchanges recorded since the last take, keeping them.
func (r *recorder) peek() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}
