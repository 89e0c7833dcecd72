// Package facade finds the conductor facade's method for an operation of
// the spec, by the Go names internal/apispec gives it (client.QBD.Invoices.List
// for qbd.invoices.list, the names cmd/apigen generates), checks that it
// takes what the operation implies, and calls it by reflection. The
// command calls every operation this way, so it needs no list of its own;
// the tests that hold all 262 operations to the spec do the same.
package facade

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

var (
	contextType    = reflect.TypeFor[context.Context]()
	optionsType    = reflect.TypeFor[[]conductor.Option]()
	errorType      = reflect.TypeFor[error]()
	clientType     = reflect.TypeFor[conductor.Client]()
	checkpointType = reflect.TypeFor[conductor.Checkpoint]()
)

// ErrNoMethod is what Find fails with (errors.Is) when the facade has no
// method of the name for the operation, as opposed to one that does not
// take what the operation implies: a resource with no change feed has no
// Changes.
var ErrNoMethod = errors.New("no such facade method")

// noMethod is Find's error for a method that is not there.
type noMethod struct{ msg string }

func (e noMethod) Error() string      { return e.msg }
func (noMethod) Is(target error) bool { return target == ErrNoMethod }

// Method is the facade's method for one operation: where it is and what
// it takes.
type Method struct {
	// Where is the method as a caller writes it: client.QBD.Invoices.List.
	Where string
	// PathParams are the types of the path parameters after the object's
	// id (integrationSlug), in order.
	PathParams []reflect.Type
	// Params is the type of the query parameters (the struct the method
	// takes a pointer to) or of the body; nil when it takes neither.
	Params reflect.Type

	op     apispec.Operation
	fields []string // from the client to the service: QBD, Invoices
	name   string   // List, All, Void
}

// Find finds the method name of op's service (the operation's own,
// op.GoMethod(), All for a list's iterator, or Changes for the change
// feed of a list's resource) and checks that it takes what op implies, in
// the facade's order: the context, the end-user's id, the object's id,
// the other path parameters, the query parameters as a pointer or the
// body as a value, then options; and that it returns a result and an
// error, or for All an iterator. Changes takes the context, the
// end-user's id, a conductor.Checkpoint and options, and returns an
// iterator.
func Find(op apispec.Operation, name string) (*Method, error) {
	m := &Method{op: op, name: name}
	if op.Namespace != "" {
		m.fields = append(m.fields, apispec.Exported(op.Namespace))
	}
	if op.Resource != "" {
		m.fields = append(m.fields, op.GoResource())
	}
	m.Where = "client." + strings.Join(append(append([]string(nil), m.fields...), name), ".")
	missing := noMethod{fmt.Sprintf("%s %s (%s) has no facade method %s", op.Method, op.Path, op.SDKName(), m.Where)}
	t := clientType
	for _, f := range m.fields {
		sf, ok := t.FieldByName(f)
		if !ok {
			return nil, missing
		}
		if t = sf.Type; t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
	}
	method, ok := reflect.PointerTo(t).MethodByName(name)
	if !ok {
		return nil, missing
	}
	mt := method.Type
	in := make([]reflect.Type, 0, mt.NumIn()-1)
	for i := 1; i < mt.NumIn(); i++ { // not the receiver
		in = append(in, mt.In(i))
	}
	bad := func(why string) error {
		return fmt.Errorf("%s does not take what %s (%s %s) needs: %s; it is %v", m.Where, op.SDKName(), op.Method, op.Path, why, mt)
	}
	// next takes the next argument, which must be what ok accepts.
	next := func(what string, ok func(reflect.Type) bool) (reflect.Type, error) {
		if len(in) == 0 || !ok(in[0]) {
			return nil, bad("want " + what + " next")
		}
		t := in[0]
		in = in[1:]
		return t, nil
	}
	isString := func(t reflect.Type) bool { return t.Kind() == reflect.String }
	if _, err := next("the context", func(t reflect.Type) bool { return t == contextType }); err != nil {
		return nil, err
	}
	if name == "Changes" {
		// A feed reads the list by itself: it takes none of its parameters.
		if _, err := next("the end-user's id", isString); err != nil {
			return nil, err
		}
		if _, err := next("a conductor.Checkpoint", func(t reflect.Type) bool { return t == checkpointType }); err != nil {
			return nil, err
		}
		if len(in) != 1 || in[0] != optionsType || !mt.IsVariadic() {
			return nil, bad("want options last, and nothing else")
		}
		if mt.NumOut() != 1 || mt.Out(0).Kind() != reflect.Func {
			return nil, bad("want an iterator")
		}
		return m, nil
	}
	if op.NeedsEndUser {
		if _, err := next("the end-user's id", isString); err != nil {
			return nil, err
		}
	}
	if op.HasID {
		if _, err := next("the object's id", isString); err != nil {
			return nil, err
		}
	}
	for _, p := range op.PathParams {
		t, err := next("the path parameter "+p, isString)
		if err != nil {
			return nil, err
		}
		m.PathParams = append(m.PathParams, t)
	}
	var err error
	switch {
	case op.HasQuery:
		m.Params, err = next("the query parameters, as a pointer to a struct", func(t reflect.Type) bool {
			return t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct
		})
		if err != nil {
			return nil, err
		}
		m.Params = m.Params.Elem()
	case op.HasBody:
		m.Params, err = next("the body, as a struct or map", func(t reflect.Type) bool {
			return t.Kind() == reflect.Struct || t.Kind() == reflect.Map
		})
		if err != nil {
			return nil, err
		}
	}
	if len(in) != 1 || in[0] != optionsType || !mt.IsVariadic() {
		return nil, bad("want options last, and nothing else")
	}
	switch {
	case name == "All":
		if mt.NumOut() != 1 || mt.Out(0).Kind() != reflect.Func {
			return nil, bad("want an iterator")
		}
	case mt.NumOut() != 2 || mt.Out(1) != errorType:
		return nil, bad("want a result and an error")
	}
	return m, nil
}

// Args are what a call sends, beyond the context.
type Args struct {
	// EndUserID and ID are used where the operation takes them.
	EndUserID, ID string
	// PathParams are the other path parameters, in order.
	PathParams []string
	// Since is the checkpoint a change feed (Changes) starts from; it
	// takes no other of these but EndUserID.
	Since conductor.Checkpoint
	// Params are the query parameters or the body: a value of the
	// method's Params type or a pointer to one, a map[string]any filled
	// into that type through JSON (as a caller's struct literal would
	// be; a key the type lacks is an error), or nil (or a nil map) for
	// none.
	Params  any
	Options []conductor.Option
}

// Call calls m on client. It returns the result and the error the method
// returned; for All and Changes, the iterator and nil.
func (m *Method) Call(ctx context.Context, client *conductor.Client, a Args) (reflect.Value, error) {
	args := []reflect.Value{reflect.ValueOf(ctx)}
	if m.name == "Changes" {
		args = append(args, reflect.ValueOf(a.EndUserID), reflect.ValueOf(a.Since))
		for _, o := range a.Options {
			args = append(args, reflect.ValueOf(o))
		}
		return m.service(client).MethodByName(m.name).Call(args)[0], nil
	}
	if m.op.NeedsEndUser {
		args = append(args, reflect.ValueOf(a.EndUserID))
	}
	if m.op.HasID {
		args = append(args, reflect.ValueOf(a.ID))
	}
	if len(a.PathParams) != len(m.PathParams) {
		return reflect.Value{}, fmt.Errorf("%s takes %d path parameters after the ids, not %d", m.Where, len(m.PathParams), len(a.PathParams))
	}
	for i, p := range a.PathParams {
		args = append(args, reflect.ValueOf(p).Convert(m.PathParams[i]))
	}
	if m.Params != nil {
		p, err := m.params(a.Params)
		if err != nil {
			return reflect.Value{}, err
		}
		args = append(args, p)
	}
	for _, o := range a.Options {
		args = append(args, reflect.ValueOf(o))
	}
	out := m.service(client).MethodByName(m.name).Call(args)
	if m.name == "All" {
		return out[0], nil
	}
	err, _ := out[1].Interface().(error)
	return out[0], err
}

// service is the service of client that has m, as a pointer.
func (m *Method) service(client *conductor.Client) reflect.Value {
	v := reflect.ValueOf(client)
	for _, f := range m.fields {
		if v = v.Elem().FieldByName(f); v.Kind() != reflect.Pointer {
			v = v.Addr()
		}
	}
	return v
}

// params is the argument for the query parameters or body given as p.
func (m *Method) params(p any) (reflect.Value, error) {
	ptr := reflect.New(m.Params)
	switch given := p.(type) {
	case nil:
		if m.op.HasQuery {
			return reflect.Zero(ptr.Type()), nil
		}
	case map[string]any:
		if given == nil && m.op.HasQuery {
			return reflect.Zero(ptr.Type()), nil
		}
		b, err := json.Marshal(given)
		if err != nil {
			return reflect.Value{}, err
		}
		// Strictly: a key the type has no field for would otherwise be
		// dropped, and the call made without it.
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(ptr.Interface()); err != nil {
			return reflect.Value{}, fmt.Errorf("%s does not fit %v: %w", b, m.Params, err)
		}
	default:
		v := reflect.ValueOf(p)
		switch v.Type() {
		case m.Params:
			ptr.Elem().Set(v)
		case ptr.Type():
			ptr = v
		default:
			return reflect.Value{}, fmt.Errorf("%s takes %v, not %T", m.Where, m.Params, p)
		}
	}
	if m.op.HasQuery {
		return ptr, nil
	}
	return ptr.Elem(), nil
}
