package main

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// The command calls the facade's methods by reflection, found by the Go
// names internal/apispec gives each operation, the names cmd/apigen
// generates them under: client.QBD.Invoices.List for qbd.invoices.list.
// So the command needs no list of its own, and a method whose signature
// is not the one its operation implies is found before anything is sent.

var (
	contextType = reflect.TypeFor[context.Context]()
	optionsType = reflect.TypeFor[[]conductor.Option]()
	errorType   = reflect.TypeFor[error]()
	clientType  = reflect.TypeFor[conductor.Client]()
)

// facadeMethod is a method of the facade for one operation: where it is
// and what it takes.
type facadeMethod struct {
	// fields lead from the client to the method's service: QBD, Invoices.
	fields []string
	name   string       // List, All, Void
	typ    reflect.Type // the method's type, without its receiver
	// pathParams are the types of the path parameters after the id
	// (integrationSlug), in order.
	pathParams []reflect.Type
	// params is the type of the query parameters (the struct a pointer
	// points at) or of the body; nil when the operation takes neither.
	params reflect.Type
}

// servicePath is the chain of the client's fields that leads to the
// service holding op's methods: [EndUsers], [QBD, Invoices], or [QBD]
// for an operation of the namespace itself.
func servicePath(op apispec.Operation) []string {
	var fields []string
	if op.Namespace != "" {
		fields = append(fields, apispec.Exported(op.Namespace))
	}
	if op.Resource != "" {
		fields = append(fields, op.GoResource())
	}
	return fields
}

// findMethod finds the facade method name of op's service (the operation's
// own, GoMethod, or All for a list's iterator) and checks that it takes
// what op implies, in the facade's order: the context, the end-user's id,
// the object's id, the other path parameters, the query parameters as a
// pointer or the body as a value, then options.
func findMethod(op apispec.Operation, name string) (*facadeMethod, error) {
	m := &facadeMethod{fields: servicePath(op), name: name}
	where := "client." + strings.Join(append(append([]string(nil), m.fields...), name), ".")
	t := clientType
	for _, f := range m.fields {
		sf, ok := t.FieldByName(f)
		if !ok {
			return nil, fmt.Errorf("the facade has no %s for %s", where, op.SDKName())
		}
		t = sf.Type
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
	}
	method, ok := reflect.PointerTo(t).MethodByName(name)
	if !ok {
		return nil, fmt.Errorf("the facade has no %s for %s", where, op.SDKName())
	}
	// Drop the receiver.
	in := make([]reflect.Type, 0, method.Type.NumIn()-1)
	for i := 1; i < method.Type.NumIn(); i++ {
		in = append(in, method.Type.In(i))
	}
	out := make([]reflect.Type, method.Type.NumOut())
	for i := range out {
		out[i] = method.Type.Out(i)
	}
	m.typ = reflect.FuncOf(in, out, method.Type.IsVariadic())

	bad := func(why string) error {
		return fmt.Errorf("%s does not take what %s (%s %s) needs: %s; it is %v", where, op.SDKName(), op.Method, op.Path, why, m.typ)
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
		m.pathParams = append(m.pathParams, t)
	}
	var err error
	switch {
	case op.HasQuery:
		m.params, err = next("the query parameters, as a pointer to a struct", func(t reflect.Type) bool {
			return t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct
		})
		if err != nil {
			return nil, err
		}
		m.params = m.params.Elem()
	case op.HasBody:
		m.params, err = next("the body, as a struct or map", func(t reflect.Type) bool {
			return t.Kind() == reflect.Struct || t.Kind() == reflect.Map
		})
		if err != nil {
			return nil, err
		}
	}
	if len(in) != 1 || in[0] != optionsType || !m.typ.IsVariadic() {
		return nil, bad("want options last, and nothing else")
	}
	switch {
	case name == "All":
		if len(out) != 1 || out[0].Kind() != reflect.Func {
			return nil, bad("want an iterator")
		}
	case len(out) != 2 || out[1] != errorType:
		return nil, bad("want a result and an error")
	}
	return m, nil
}

// bind returns m as a method value of client.
func (m *facadeMethod) bind(client *conductor.Client) reflect.Value {
	v := reflect.ValueOf(client)
	for _, f := range m.fields {
		v = v.Elem().FieldByName(f)
		if v.Kind() != reflect.Pointer {
			v = v.Addr()
		}
	}
	return v.MethodByName(m.name)
}
