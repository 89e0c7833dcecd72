package apigen

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// The files Facade writes in package conductor.
const (
	ServicesFile = "api.gen.go"
	TypesFile    = "types.gen.go"
	// RulesFile is the file of the spec's rules of each request.
	RulesFile = "rules.gen.go"
)

// genPlumbing are the generated client's own types, which the facade
// replaces rather than exposes.
var genPlumbing = map[string]bool{
	"Client": true, "ClientInterface": true, "ClientOption": true, "HttpRequestDoer": true, "RequestEditorFn": true,
}

// FacadeFiles is [Facade] of the files it reads: the spec at specPath, the
// generated client at genPath, and the hand-written files of package
// conductor in dir. `make generate` writes what it returns into dir; the
// drift test compares it with what is there.
func FacadeFiles(specPath, genPath, dir string) (map[string][]byte, error) {
	spec, err := os.ReadFile(specPath)
	if err != nil {
		return nil, err
	}
	genSource, err := os.ReadFile(genPath)
	if err != nil {
		return nil, err
	}
	// The overlay gen was generated with, beside it, holds the names the
	// types were given (those published before, kept); none is a first
	// generation's.
	overlay, err := os.ReadFile(filepath.Join(filepath.Dir(genPath), "overlay.yaml"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	sources, err := handWrittenFiles(dir)
	if err != nil {
		return nil, err
	}
	hand, err := handWritten(sources)
	if err != nil {
		return nil, err
	}
	return Facade(spec, overlay, genSource, hand)
}

// Facade derives package conductor's generated files from the spec, the
// overlay gen was generated with (for its types' names) and the generated
// client's source:
//
//   - types.gen.go: a type alias for every type of gen a caller may need,
//     under its own name (Invoice = gen.Invoice, since the overlay names
//     gen's types), documented with the spec's description, and the
//     constants of each enum type (see types);
//   - api.gen.go, from services.tmpl: the Client struct, a field per
//     top-level resource and namespace around the hand-written core; a
//     service per resource (client.QBD.Invoices) with one method per
//     operation, named as Conductor's SDKs name it, each one call of a
//     helper (call, list, all in conductor/call.go and page.go) with one
//     request value holding a closure around the operation's generated
//     request builder and one around its rules; and checkResult and
//     routes;
//   - rules.gen.go, from rules.tmpl: the rules the spec states of each
//     wrapped operation's query parameters or body, one function per Go
//     type of a request (see rules.go); a rule it cannot write fails.
//
// handWritten are the names package conductor declares by hand, and its
// Client's methods as Client.Name: a type of gen with such a name is not
// aliased (conductor.AuthSession is its own), a resource whose service is
// hand-written (AuthSessionsService, which must have a client field) gets
// its Client field but no generated service, and no field may take the
// name of a method. What would not compile is an error naming the
// operation.
func Facade(specData, overlay, genSource []byte, handWritten []string) (map[string][]byte, error) {
	spec, err := apispec.Parse(specData)
	if err != nil {
		return nil, err
	}
	ops, err := spec.Operations()
	if err != nil {
		return nil, err
	}
	g, err := parseGen(genSource)
	if err != nil {
		return nil, err
	}
	hand := map[string]bool{}
	for _, n := range handWritten {
		hand[n] = true
	}
	prev, err := readPublished(overlay)
	if err != nil {
		return nil, err
	}
	names := typeNames(spec.Document(), ops, prev)
	f := &facade{gen: g, hand: hand, public: map[string]string{}, docs: names.types, doc: spec.Document(), checks: map[string]objectCheck{}, listed: map[string]bool{}, ops: ops, models: names.models}
	var wrapped []apispec.Operation
	for _, o := range ops {
		if !hand[serviceType(o)] {
			wrapped = append(wrapped, o)
		}
	}
	if err := f.name(wrapped); err != nil {
		return nil, err
	}
	if f.rules, err = newRulesGen(g, f.public, specData); err != nil {
		return nil, err
	}
	services, err := f.services(ops, wrapped)
	if err != nil {
		return nil, err
	}
	rules, err := f.rules.render()
	if err != nil {
		return nil, err
	}
	types, err := f.types()
	if err != nil {
		return nil, err
	}
	return map[string][]byte{ServicesFile: services, TypesFile: types, RulesFile: rules}, nil
}

// genInfo is what the facade needs of the generated client.
type genInfo struct {
	// types are the defined (not alias) types, by name.
	types map[string]bool
	// aliases map an alias to what it stands for.
	aliases map[string]string
	// consts are the typed constants, in source order, with their type.
	consts []genConst
	// builders are the New...Request functions' parameter types after the
	// server URL, by function name.
	builders map[string][]string
	// refs are the names each type's definition mentions.
	refs map[string][]string
	// structs are the fields of each struct type, in order; underlying
	// is the type expression of every other defined type (string, a
	// map); valid are the types with a Valid method (the enums).
	structs    map[string][]genField
	underlying map[string]string
	valid      map[string]bool
}

// A genConst is a typed constant of gen: its name, its type and, for a
// string, its value.
type genConst struct{ name, typ, value string }

// A genField is a field of a struct type of gen: its Go name, its name in
// JSON (or in the query, for a query parameter's), and its type.
type genField struct{ name, json, typ string }

func parseGen(src []byte) (*genInfo, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "conductor.gen.go", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("apigen: reading the generated client: %w", err)
	}
	g := &genInfo{types: map[string]bool{}, aliases: map[string]string{}, builders: map[string][]string{}, refs: map[string][]string{},
		structs: map[string][]genField{}, underlying: map[string]string{}, valid: map[string]bool{}}
	for _, decl := range file.Decls {
		switch d := decl.(type) {
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if !s.Name.IsExported() {
						continue
					}
					if s.Assign.IsValid() {
						g.aliases[s.Name.Name] = exprString(s.Type)
					} else {
						g.types[s.Name.Name] = true
						if st, ok := s.Type.(*ast.StructType); ok {
							g.structs[s.Name.Name] = structFields(st)
						} else {
							g.underlying[s.Name.Name] = exprString(s.Type)
						}
					}
					ast.Inspect(s.Type, func(n ast.Node) bool {
						if id, ok := n.(*ast.Ident); ok && id.IsExported() {
							g.refs[s.Name.Name] = append(g.refs[s.Name.Name], id.Name)
						}
						return true
					})
				case *ast.ValueSpec:
					if d.Tok != token.CONST || s.Type == nil {
						continue
					}
					for i, n := range s.Names {
						c := genConst{name: n.Name, typ: exprString(s.Type)}
						if i < len(s.Values) {
							if lit, ok := s.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
								c.value, _ = strconv.Unquote(lit.Value)
							}
						}
						g.consts = append(g.consts, c)
					}
				}
			}
		case *ast.FuncDecl:
			name := d.Name.Name
			if d.Recv != nil && name == "Valid" {
				if id, ok := d.Recv.List[0].Type.(*ast.Ident); ok {
					g.valid[id.Name] = true
				}
			}
			if d.Recv != nil || !strings.HasPrefix(name, "New") || !strings.HasSuffix(name, "Request") || strings.HasSuffix(name, "WithBody") {
				continue
			}
			var params []string
			for _, field := range d.Type.Params.List {
				for range max(1, len(field.Names)) {
					params = append(params, exprString(field.Type))
				}
			}
			if len(params) == 0 || params[0] != "string" {
				continue
			}
			g.builders[name] = params[1:]
		}
	}
	return g, nil
}

// structFields are a struct type's fields, named in JSON by their json
// tag, or their form tag when they have one (a query parameter's).
func structFields(st *ast.StructType) []genField {
	var fields []genField
	for _, fl := range st.Fields.List {
		var tag reflect.StructTag
		if fl.Tag != nil {
			t, _ := strconv.Unquote(fl.Tag.Value)
			tag = reflect.StructTag(t)
		}
		json, _, _ := strings.Cut(tag.Get("json"), ",")
		if form, _, _ := strings.Cut(tag.Get("form"), ","); form != "" {
			json = form
		}
		for _, n := range fl.Names {
			fields = append(fields, genField{name: n.Name, json: json, typ: exprString(fl.Type)})
		}
	}
	return fields
}

func exprString(e ast.Expr) string {
	var b bytes.Buffer
	format.Node(&b, token.NewFileSet(), e)
	return b.String()
}

// resolve follows aliases to the defined type.
func (g *genInfo) resolve(name string) string {
	for range 10 {
		target, ok := g.aliases[name]
		if !ok {
			break
		}
		name = target
	}
	return name
}

type facade struct {
	gen  *genInfo
	hand map[string]bool
	// public maps a defined type of gen to its name in package conductor,
	// which is its own.
	public map[string]string
	// docs are what the spec says each type is, by name.
	docs map[string]typeName
	// doc is the spec, for the schemas of the answers.
	doc map[string]any
	// checks are what checkResult checks of each result type; listed are
	// those that lists answer with pages of.
	checks map[string]objectCheck
	listed map[string]bool
	// ops are every operation of the spec, hand-wrapped ones included,
	// for the routes the engine lets requests go to.
	ops []apispec.Operation
	// models are the Go names of the component schemas, by key.
	models map[string]string
	// rules derive each wrapped operation's rules (rules.go).
	rules *rulesGen
	// activeLists are the paths of the lists that take a status filter,
	// which lists active objects only unless asked for all.
	activeLists map[string]bool
}

// An objectCheck is what the spec promises of an object in a result: its
// objectType (the const of its objectType property, "" when it has none),
// when the schema requires it, a non-empty id, and the keys it requires at
// its top level (comma-separated, so that checks compare with ==).
type objectCheck struct {
	objectType string
	id         bool
	required   string
}

// resultCheck is what the spec promises of the object o answers with, or
// of each object of its page; ok is false when the schema has neither an
// objectType nor required keys.
func (f *facade) resultCheck(o apispec.Operation) (objectCheck, bool) {
	deref := func(v any) map[string]any {
		m, _ := v.(map[string]any)
		if ref, ok := m["$ref"].(string); ok {
			name, _ := strings.CutPrefix(ref, "#/components/schemas/")
			components, _ := f.doc["components"].(map[string]any)
			schemas, _ := components["schemas"].(map[string]any)
			m, _ = schemas[name].(map[string]any)
		}
		return m
	}
	get := func(m map[string]any, keys ...string) map[string]any {
		for _, k := range keys {
			m = deref(m[k])
		}
		return m
	}
	paths, _ := f.doc["paths"].(map[string]any)
	item, _ := paths[o.Path].(map[string]any)
	schema := get(item, strings.ToLower(o.Method), "responses", "200", "content", "application/json", "schema")
	if o.Kind == apispec.List {
		schema = get(schema, "properties", "data", "items")
	}
	prop := get(schema, "properties", "objectType")
	objectType, _ := prop["const"].(string)
	if enum, _ := prop["enum"].([]any); objectType == "" && len(enum) == 1 {
		objectType, _ = enum[0].(string)
	}
	required, _ := schema["required"].([]any)
	var keys []string
	for _, k := range required {
		if k, ok := k.(string); ok {
			keys = append(keys, k)
		}
	}
	if objectType != "" {
		// Its objectType (and id) tell the object; every required key
		// would be a second scan of every answer, and the hand-made
		// answers of tests and examples leave most of them out.
		return objectCheck{objectType: objectType, id: slices.Contains(keys, "id")}, true
	}
	if len(keys) == 0 {
		return objectCheck{}, false
	}
	return objectCheck{required: strings.Join(keys, ",")}, true
}

// name chooses the name in package conductor of every type of gen: its
// own, since the overlay names gen's types as the facade does (see
// typeNames). A type of gen the overlay did not name (QbdInvoice_Customer,
// its path joined by underscores) means the naming rules missed a kind of
// schema; a type the wrapped operations take under another name than
// their ParamsType, or one named like something written by hand, is an
// error too.
func (f *facade) name(ops []apispec.Operation) error {
	var errs []error
	for _, o := range ops {
		params, ok := f.gen.builders[builderName(o)]
		if !ok {
			errs = append(errs, fmt.Errorf("apigen: the generated client has no %s for %s %s: is gen/ up to date with openapi.yaml (make generate)?", builderName(o), o.Method, o.Path))
			continue
		}
		if o.HasBody || o.HasQuery {
			// The last argument is the query (*P) or the body (B).
			last := f.gen.resolve(strings.TrimPrefix(params[len(params)-1], "*"))
			if last != o.ParamsType() {
				errs = append(errs, fmt.Errorf("apigen: %s %s takes gen.%s, not gen.%s: is gen/ up to date with openapi.yaml (make generate)?", o.Method, o.Path, last, o.ParamsType()))
			}
		}
	}
	// A type of gen named like a hand-written one (Error) is not
	// conductor's, nor is any type that holds one (ErrorResponse): go doc
	// would show conductor.ErrorResponse's Error field as Error, which in
	// conductor is another type.
	unnamed := map[string]bool{}
	for t := range f.gen.types {
		if genPlumbing[t] || f.hand[t] {
			unnamed[t] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for t := range f.gen.types {
			if !unnamed[t] && slices.ContainsFunc(f.gen.refs[t], func(r string) bool { return unnamed[f.gen.resolve(r)] && !genPlumbing[r] }) {
				unnamed[t], changed = true, true
			}
		}
	}
	for t := range f.gen.types {
		if unnamed[t] {
			continue
		}
		if strings.Contains(t, "_") {
			errs = append(errs, fmt.Errorf("apigen: gen.%s has no name of the overlay's: internal/apigen's naming rules miss its kind of schema", t))
			continue
		}
		f.public[t] = t
	}
	return errors.Join(errs...)
}

// typeOf is the public name of a gen type expression such as
// "*InvoiceListParams" or "IntegrationSlug".
func (f *facade) typeOf(expr string) (string, error) {
	star := ""
	if strings.HasPrefix(expr, "*") {
		star, expr = "*", expr[1:]
	}
	if expr == "string" {
		return star + expr, nil
	}
	public, ok := f.public[f.gen.resolve(expr)]
	if !ok {
		return "", fmt.Errorf("apigen: gen.%s has no name in package conductor", expr)
	}
	return star + public, nil
}

func builderName(o apispec.Operation) string { return "New" + o.ID() + "Request" }

// serviceType is the Go type of an operation's resource: InvoicesService;
// for an operation of a namespace itself, the namespace's: QBDService.
func serviceType(o apispec.Operation) string {
	if o.Resource == "" {
		return apispec.Exported(o.Namespace) + "Service"
	}
	return o.GoResource() + "Service"
}

// model is the Go type of the component schema an operation answers with
// (or lists): its model's name, unless a published name made the overlay
// qualify it (see modelNames).
func (f *facade) model(o apispec.Operation) string {
	if name := f.models[o.ResultSchema]; name != "" {
		return name
	}
	return o.Model
}

// result is the Go type an operation returns, without its pointer.
func (f *facade) result(o apispec.Operation) (string, error) {
	switch {
	case o.Kind == apispec.List:
		return "Page[" + f.model(o) + "]", nil
	case o.ResultSchema != "":
		return f.model(o), nil
	}
	if f.gen.types[o.ResultType()] {
		return f.public[o.ResultType()], nil
	}
	// An inline answer oapi-codegen leaves unnamed is free-form JSON.
	return "json.RawMessage", nil
}

// fieldDocs document the Client's fields the project knows, by SDK name;
// any other top-level resource a spec adds is documented from its
// operations' summaries (see fieldDoc).
var fieldDocs = map[string]string{
	"authSessions": "creates the sessions that connect an end-user's QuickBooks Desktop.",
	"endUsers":     "are your customers, each of whom connects a QuickBooks Desktop company file.",
	apispec.QBDNamespace: "reads and writes an end-user's QuickBooks Desktop data, by resource: " +
		"client.QBD.Invoices, client.QBD.Customers, ...",
}

// fieldDoc is the comment of the Client's field for r.
func fieldDoc(r *service, ops []apispec.Operation) string {
	if doc, ok := fieldDocs[r.SDKName]; ok {
		return strings.Join(wrap(r.Name+" "+doc, 72), "\n")
	}
	var what []string
	for _, o := range ops {
		if o.Namespace == r.namespace && (o.Resource == r.resource || r.resource == "") {
			what = append(what, strings.TrimSuffix(o.Summary, "."))
		}
	}
	text := r.Name + " is " + r.SDKName + " of the API"
	if what = slices.Compact(what); len(what) > 4 {
		what = append(what[:4], "...")
	}
	if len(what) > 0 {
		text += ": " + strings.Join(what, "; ")
	}
	return strings.Join(wrap(text+".", 72), "\n")
}

// services makes api.gen.go: the Client's fields, a service per resource
// of the wrapped operations with a method per operation, initServices,
// checkResult and routes. all are every operation, hand-wrapped ones
// included: their resources are fields of the Client too.
func (f *facade) services(all, ops []apispec.Operation) ([]byte, error) {
	d := &servicesFile{Header: header, Routes: f.ops}
	var errs []error
	// The services, by type, in order of first appearance (ops are sorted
	// by SDK name); a namespace's service exists once it has a resource or
	// an operation of its own.
	byType := map[string]*service{}
	owner := map[string]apispec.Operation{}
	serviceOf := func(o apispec.Operation, namespace, resource string) *service {
		typ := apispec.Exported(resource) + "Service"
		if resource == "" {
			typ = apispec.Exported(namespace) + "Service"
		}
		if s := byType[typ]; s != nil {
			if s.namespace != namespace || s.resource != resource {
				errs = append(errs, fmt.Errorf("apigen: %s %s (%s) and %s %s (%s) would both be served by %s: rename a resource", owner[typ].Method, owner[typ].Path, owner[typ].SDKName(), o.Method, o.Path, o.SDKName(), typ))
			}
			return s
		}
		s := &service{Type: typ, namespace: namespace, resource: resource}
		s.Name = apispec.Exported(resource)
		s.SDKName = strings.TrimPrefix(namespace+"."+resource, ".")
		s.Reach = "client." + s.Name
		if namespace != "" {
			s.Reach = "client." + apispec.Exported(namespace) + "." + s.Name
		}
		if resource == "" {
			s.Name, s.SDKName, s.Title, s.Reach = apispec.Exported(namespace), namespace, apispec.NamespaceTitle(namespace), "client."+apispec.Exported(namespace)
		}
		byType[typ], owner[typ] = s, o
		return s
	}
	// The Client's fields: the top-level resources and the namespaces.
	fields := map[string]*service{}
	for _, o := range all {
		top := serviceOf(o, o.Namespace, o.Resource)
		if o.Namespace != "" {
			ns := serviceOf(o, o.Namespace, "")
			if o.Resource != "" && !slices.Contains(ns.Subs, top) {
				ns.Subs = append(ns.Subs, top)
			}
			top = ns
		}
		if !f.hand[top.Type] && !slices.Contains(d.Services, top) {
			d.Services = append(d.Services, top)
		}
		fields[top.SDKName] = top
	}
	f.activeLists = map[string]bool{}
	for _, l := range all {
		if argTypes := f.gen.builders[builderName(l)]; l.Kind == apispec.List && len(argTypes) == 1 {
			t := strings.TrimPrefix(argTypes[0], "*")
			for a, ok := f.gen.aliases[t]; ok; a, ok = f.gen.aliases[t] {
				t = a
			}
			for _, fl := range f.gen.structs[t] {
				if fl.name == "Status" {
					f.activeLists[l.Path] = true
				}
			}
		}
	}
	for _, o := range ops {
		s := serviceOf(o, o.Namespace, o.Resource)
		if !slices.Contains(d.Services, s) {
			d.Services = append(d.Services, s)
		}
		m, err := f.method(s.Type, o)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.Methods = append(s.Methods, m)
	}
	// Generated services follow their namespace's (ops are sorted, so a
	// namespace's own operations may come after its first resource's).
	slices.SortStableFunc(d.Services, func(a, b *service) int {
		return strings.Compare(a.namespace, b.namespace)
	})
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		s := fields[name]
		d.Fields = append(d.Fields, clientField{Name: s.Name, Type: s.Type, Doc: fieldDoc(s, all), Subs: s.Subs})
		if f.hand["Client."+s.Name] {
			errs = append(errs, fmt.Errorf("apigen: %s %s (%s) would be the field Client.%s, which a hand-written method of Client already is", owner[s.Type].Method, owner[s.Type].Path, owner[s.Type].SDKName(), s.Name))
		}
	}
	errs = append(errs, checkMembers(d.Services, f.public)...)
	d.Checks = f.resultCases()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	imports := map[string]bool{}
	for _, s := range d.Services {
		for _, m := range s.Methods {
			imports[`"context"`], imports[`"net/http"`] = true, true
			switch m.Kind {
			case "list":
				imports[`"iter"`] = true
			case "raw":
				imports[`"encoding/json"`] = true
			}
		}
	}
	d.Imports = slices.Sorted(maps.Keys(imports))
	return d.render()
}

// checkMembers refuses what would not compile: a service whose methods
// (List's All among them) and resources share a name, or a service type
// named like a type of the API.
func checkMembers(services []*service, public map[string]string) []error {
	types := map[string]string{}
	for genType, name := range public {
		types[name] = genType
	}
	var errs []error
	for _, s := range services {
		if genType, ok := types[s.Type]; ok {
			errs = append(errs, fmt.Errorf("apigen: the service of %s would be %s, which is also the name of gen.%s", s.SDKName, s.Type, genType))
		}
		members := map[string]string{"client": "its client"}
		for _, sub := range s.Subs {
			members[sub.Name] = "the resource " + sub.SDKName
		}
		for _, m := range s.Methods {
			names := []string{m.Name}
			if m.Kind == "list" {
				names = []string{"List", "All"}
			}
			for _, n := range names {
				if prev, dup := members[n]; dup {
					errs = append(errs, fmt.Errorf("apigen: %s and %s would both be %s.%s; extend the naming rules in internal/apispec", prev, m.op, s.Type, n))
				}
				members[n] = m.op
			}
		}
	}
	return errs
}

const header = "// Code generated by cmd/apigen from openapi.yaml and gen/conductor.gen.go (make generate). DO NOT EDIT.\n"

// reservedParams are the names a generated method gives its own
// parameters and variables, which a path parameter must not take.
var reservedParams = map[string]bool{
	"ctx": true, "endUserID": true, "id": true, "params": true, "opts": true, "svc": true, "out": true,
	"page": true, "err": true, "s": true, "gen": true, "http": true, "json": true, "iter": true,
	"context": true, "string": true, "request": true, "pathParam": true, "settings": true, "all": true,
}

// method is the wrapper (or, for a list, the two wrappers) of o.
func (f *facade) method(recv string, o apispec.Operation) (methodData, error) {
	builder := builderName(o)
	argTypes := f.gen.builders[builder]
	result, err := f.result(o)
	if err != nil {
		return methodData{}, err
	}
	m := methodData{op: fmt.Sprintf("%s %s (%s)", o.Method, o.Path, o.SDKName()), Doc: docComment(o), Recv: recv, Name: o.GoMethod(), Builder: builder, EndUser: o.NeedsEndUser, ID: o.HasID}
	for _, p := range o.PathParams {
		m.Path = append(m.Path, apispec.ParamName(p))
	}

	// The method's parameters, in the order of the contract
	// (context, end-user, id, then the rest), and the builder's arguments
	// after the server, named after them.
	params := []string{"ctx context.Context"}
	if o.NeedsEndUser {
		params = append(params, "endUserID string")
	}
	for _, p := range m.Path {
		if reservedParams[p] {
			return m, fmt.Errorf("apigen: %s %s (%s): the path parameter %s would clash with the method's own %s; extend the naming rules", o.Method, o.Path, o.SDKName(), p, p)
		}
	}
	var args []string
	switch {
	case len(argTypes) == 0:
	case len(argTypes) == 1 && argTypes[0] == "string" && o.HasID:
		args = []string{"id"}
	case len(argTypes) == 1 && strings.HasPrefix(argTypes[0], "*") && o.HasQuery:
		args = []string{"params"}
	case len(argTypes) == 1 && o.HasBody:
		args = []string{"params"}
	case len(argTypes) == 2 && argTypes[0] == "string" && o.HasID && o.HasBody:
		args = []string{"id", "params"}
	case len(argTypes) == 3 && argTypes[0] == "string" && o.HasID && o.HasBody && len(o.PathParams) == 1:
		args = []string{"id", m.Path[0], "params"}
	default:
		return m, fmt.Errorf("apigen: %s %s: the builder %s(server, %s) has a shape apigen does not know", o.Method, o.Path, builder, strings.Join(argTypes, ", "))
	}
	for i, a := range args {
		t, err := f.typeOf(argTypes[i])
		if err != nil {
			return m, fmt.Errorf("%s %s: %w", o.Method, o.Path, err)
		}
		params = append(params, a+" "+t)
	}
	params = append(params, "opts ...Option")
	m.Params, m.Args = strings.Join(params, ", "), args

	flags := []string{}
	if o.NeedsEndUser {
		flags = append(flags, "opEndUser")
	}
	if o.HasID {
		flags = append(flags, "opID")
	}
	switch o.Kind {
	case apispec.Create:
		flags = append(flags, "opCreate")
	case apispec.Update:
		flags = append(flags, "opUpdate")
	case apispec.Action:
		if o.Name == "void" {
			flags = append(flags, "opVoid")
		} else {
			flags = append(flags, "opAction")
		}
	}
	if o.Kind == apispec.List && o.Paginated {
		flags = append(flags, "opPaginated")
	}
	m.Op = strings.Join(flags, " | ")
	if o.Kind == apispec.Create && len(args) == 1 && args[0] == "params" {
		t := strings.TrimPrefix(argTypes[0], "*")
		for a, ok := f.gen.aliases[t]; ok; a, ok = f.gen.aliases[t] {
			t = a
		}
		for _, fl := range f.gen.structs[t] {
			if fl.name == "ExternalID" && fl.typ == "*UUID" {
				m.ExternalID = true
				m.ListsActive = f.activeLists[o.Path]
			}
		}
	}
	m.Check = f.rules.check(o)

	if c, ok := f.resultCheck(o); ok {
		t := result
		if o.Kind == apispec.List {
			t = f.model(o)
		}
		if prev, dup := f.checks[t]; dup && prev != c {
			return m, fmt.Errorf("apigen: %s %s answers with %s, which another operation gives objectType %q and required keys %q", o.Method, o.Path, t, prev.objectType, prev.required)
		}
		f.checks[t] = c
		if o.Kind == apispec.List {
			f.listed[t] = true
		}
	}

	switch {
	case o.Kind == apispec.List:
		m.Kind, m.Model = "list", f.model(o)
		if m.Feed, err = f.feed(o, argTypes, m.Model); err != nil {
			return m, err
		}
		m.AllDoc = "Conductor answers this list in one page, so All yields its objects from one call."
		if o.Paginated {
			m.AllDoc = "It asks for the next page as soon as a page arrives, while the loop works on that one,\nso the cursor, which expires 10 seconds after the page before it, is used at once;\nit holds at most one page ahead. A page that fails (after the usual retries) ends the\nloop with its error, as does a page that says more follow but gives no cursor or\nrepeats the one before it. Breaking out of the loop cancels the fetch in flight."
		}
	case result == "json.RawMessage":
		m.Kind = "raw"
	default:
		m.Kind, m.Result = "object", result
	}
	return m, nil
}

// noDeletionHistory are the resources whose objects a change feed could
// follow but whose deletions QuickBooks Desktop lists nowhere (no type of
// deleted-transactions or deleted-list-objects is theirs): they get no
// Changes method, since a feed that cannot see deletions would leave
// deleted objects in every copy.
var noDeletionHistory = map[string]bool{"transfers": true}

// feed is the change feed of the list o, whose builder takes argTypes and
// whose objects are model's, or nil when o has none: a feed needs the
// updatedAfter filter, and objects with an id, an updatedAt and a
// revisionNumber. A resource that has all that must have a deletion type
// (apispec.TransactionTypes or ListTypes) or be one of noDeletionHistory;
// any other is an error, so that a new resource of the spec is not
// silently left without a feed, or given one blind to deletions.
func (f *facade) feed(o apispec.Operation, argTypes []string, model string) (*feedData, error) {
	if o.Namespace != apispec.QBDNamespace || len(argTypes) != 1 || !o.NeedsEndUser {
		return nil, nil
	}
	fields := func(t string) map[string]string {
		t = strings.TrimPrefix(t, "*")
		for a, ok := f.gen.aliases[t]; ok; a, ok = f.gen.aliases[t] {
			t = a
		}
		out := map[string]string{}
		for _, fl := range f.gen.structs[t] {
			out[fl.name] = fl.typ
		}
		return out
	}
	if _, ok := fields(argTypes[0])["UpdatedAfter"]; !ok {
		return nil, nil
	}
	var obj map[string]string
	for g, public := range f.public {
		if public == model && f.gen.structs[g] != nil {
			obj = fields(g)
		}
	}
	if obj["ID"] != "string" || obj["UpdatedAt"] != "time.Time" || obj["RevisionNumber"] != "string" {
		return nil, nil
	}
	fd := &feedData{Name: o.Namespace + "." + o.Resource, Words: inWords(o.Resource), ListsActive: f.activeLists[o.Path]}
	if t, ok := apispec.TransactionTypes[o.Resource]; ok {
		fd.DeletedType = t
	} else if t, ok := apispec.ListTypes[o.Resource]; ok {
		fd.DeletedList, fd.DeletedType = true, t
	} else if noDeletionHistory[o.Resource] {
		return nil, nil
	} else {
		return nil, fmt.Errorf("apigen: %s %s (%s) can be followed by updatedAfter, but has no deletion type: add its transactionType or listType to internal/apispec/deleted.go, or the resource to noDeletionHistory if QuickBooks lists its deletions nowhere", o.Method, o.Path, o.SDKName())
	}
	return fd, nil
}

// inWords is a camelCase name in lowercase words: creditCardRefunds is
// "credit card refunds".
func inWords(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte(' ')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// resultCases are checkResult's cases: for each result type whose schema
// has an objectType, a check of it (and of the id, where the schema
// requires one), and for every result type, that the keys its schema
// requires at the top level are there; then the same of each object of a
// page, for the types lists answer with.
func (f *facade) resultCases() []resultCase {
	var cases, pages []resultCase
	for _, t := range slices.Sorted(maps.Keys(f.checks)) {
		c := f.checks[t]
		rc := resultCase{Type: t, ObjectType: c.objectType, ID: c.id}
		if c.required != "" {
			rc.Required = quoted(strings.Split(c.required, ","))
		}
		cases = append(cases, rc)
		if f.listed[t] {
			rc.Page = true
			pages = append(pages, rc)
		}
	}
	return append(cases, pages...)
}

// quoted is names as Go string literals, comma-separated.
func quoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// docComment is a method's documentation: what it calls, the spec's
// summary, and the first paragraph of its description.
func docComment(o apispec.Operation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "// %s calls %s %s (%s): %s.\n", o.GoMethod(), o.Method, o.Path, o.SDKName(), strings.TrimSuffix(o.Summary, "."))
	para, _, _ := strings.Cut(strings.TrimSpace(o.Description), "\n\n")
	if para != "" {
		b.WriteString("//\n")
		for _, line := range wrap(strings.Join(strings.Fields(para), " "), 76) {
			b.WriteString("// " + line + "\n")
		}
	}
	return b.String()
}

func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// types writes types.gen.go: an alias for every type of gen the facade
// names, documented with the spec's description of it, and the constants
// of its enums, one block per type. Every name here is one the overlay
// gave, and checked there (overlay_check.go).
func (f *facade) types() ([]byte, error) {
	out := typesFile{Header: header, typeOf: map[string]string{}}
	consts := map[string][]string{}
	for _, c := range f.gen.consts {
		if _, ok := f.public[c.typ]; !ok || f.hand[c.name] {
			continue
		}
		consts[c.typ] = append(consts[c.typ], c.name)
		out.typeOf[c.name] = c.typ
	}
	for _, t := range slices.Sorted(maps.Keys(f.public)) {
		out.Types = append(out.Types, aliasDecl{Name: t, Doc: aliasDoc(t, f.docs[t].Doc, consts[t] != nil)})
		if consts[t] != nil {
			out.Enums = append(out.Enums, enumDecl{Type: t, Consts: consts[t]})
		}
	}
	return out.render()
}

func gofmt(name string, src []byte) ([]byte, error) {
	out, err := format.Source(src)
	if err != nil {
		return nil, fmt.Errorf("apigen: %s does not parse (a bug in apigen): %w", name, err)
	}
	return out, nil
}

// handWritten returns the top-level names declared by the given Go
// sources, which are the hand-written files of package conductor, and the
// methods of its Client, as Client.Name.
func handWritten(sources map[string][]byte) ([]string, error) {
	fset := token.NewFileSet()
	var names []string
	for name, src := range sources {
		file, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, decl := range file.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						names = append(names, s.Name.Name)
					case *ast.ValueSpec:
						for _, n := range s.Names {
							names = append(names, n.Name)
						}
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil {
					names = append(names, d.Name.Name)
					break
				}
				// The Client's methods, as Client.Name: no generated
				// field of the Client may take such a name.
				recv := d.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				if id, ok := recv.(*ast.Ident); ok && id.Name == "Client" {
					names = append(names, "Client."+d.Name.Name)
				}
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// handWrittenFiles reads the Go files of package conductor in dir that
// apigen does not write: not generated (*.gen.go), not tests.
func handWrittenFiles(dir string) (map[string][]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	sources := map[string][]byte{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, ".gen.go") {
			continue
		}
		if sources[name], err = os.ReadFile(filepath.Join(dir, name)); err != nil {
			return nil, err
		}
	}
	return sources, nil
}
