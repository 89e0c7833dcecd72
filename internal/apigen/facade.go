package apigen

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// The files Facade writes in package conductor.
const (
	ServicesFile = "api.gen.go"
	TypesFile    = "types.gen.go"
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
	sources, err := handWrittenFiles(dir)
	if err != nil {
		return nil, err
	}
	hand, err := handWritten(sources)
	if err != nil {
		return nil, err
	}
	return Facade(spec, genSource, hand)
}

// Facade derives package conductor's generated files from the spec and the
// generated client's source:
//
//   - types.gen.go: a type alias for every type of gen a caller may need,
//     under its own name (Invoice = gen.Invoice, since the overlay names
//     gen's types), documented with the spec's description, and the
//     constants of each enum type (see types);
//   - api.gen.go: a service per resource (client.QBD.Invoices) with one
//     method per operation, named as Conductor's SDKs name it, each one
//     call of a helper (call, list, all in conductor/call.go and page.go)
//     with a closure around the operation's generated request builder.
//
// handWritten are the names package conductor declares by hand: a type of
// gen with such a name is not aliased (conductor.AuthSession is its own),
// and a resource whose service is hand-written (AuthSessionsService) gets
// no generated one.
func Facade(specData, genSource []byte, handWritten []string) (map[string][]byte, error) {
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
	names := typeNames(spec.Document(), ops)
	f := &facade{gen: g, hand: hand, public: map[string]string{}, docs: names.types, doc: spec.Document(), checks: map[string]objectCheck{}, listed: map[string]bool{}, ops: ops}
	var wrapped []apispec.Operation
	for _, o := range ops {
		if !hand[serviceType(o)] {
			wrapped = append(wrapped, o)
		}
	}
	if err := f.name(wrapped); err != nil {
		return nil, err
	}
	services, err := f.services(wrapped)
	if err != nil {
		return nil, err
	}
	types, err := f.types()
	if err != nil {
		return nil, err
	}
	return map[string][]byte{ServicesFile: services, TypesFile: types}, nil
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
}

type genConst struct{ name, typ string }

func parseGen(src []byte) (*genInfo, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "conductor.gen.go", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("apigen: reading the generated client: %w", err)
	}
	g := &genInfo{types: map[string]bool{}, aliases: map[string]string{}, builders: map[string][]string{}, refs: map[string][]string{}}
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
					for _, n := range s.Names {
						g.consts = append(g.consts, genConst{n.Name, exprString(s.Type)})
					}
				}
			}
		case *ast.FuncDecl:
			name := d.Name.Name
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

// result is the Go type an operation returns, without its pointer.
func (f *facade) result(o apispec.Operation) (string, error) {
	switch {
	case o.Kind == apispec.List:
		return "Page[" + o.Model + "]", nil
	case o.ResultSchema != "":
		return o.Model, nil
	}
	if f.gen.types[o.ResultType()] {
		return f.public[o.ResultType()], nil
	}
	// An inline answer oapi-codegen leaves unnamed is free-form JSON.
	return "json.RawMessage", nil
}

func (f *facade) services(ops []apispec.Operation) ([]byte, error) {
	var b bytes.Buffer
	// Resources in order of first appearance (ops are sorted by SDK name).
	type resource struct {
		namespace, name, goName, typ string
		ops                          []apispec.Operation
	}
	var resources []*resource
	byType := map[string]*resource{}
	namespaces := map[string][]*resource{}
	for _, o := range ops {
		typ := serviceType(o)
		r := byType[typ]
		if r == nil {
			r = &resource{namespace: o.Namespace, name: o.Resource, goName: o.GoResource(), typ: typ}
			byType[typ] = r
			resources = append(resources, r)
			if o.Resource != "" && o.Namespace != "" {
				namespaces[o.Namespace] = append(namespaces[o.Namespace], r)
			}
		}
		r.ops = append(r.ops, o)
	}
	// Namespaces with resources need a service of their own even when
	// they have no operation of their own.
	for ns := range namespaces {
		typ := apispec.Exported(ns) + "Service"
		if byType[typ] == nil {
			r := &resource{namespace: ns, typ: typ}
			byType[typ] = r
			resources = append(resources, r)
		}
	}

	var errs []error
	for _, r := range resources {
		isNamespace := r.name == "" && r.namespace != ""
		switch {
		case isNamespace:
			fmt.Fprintf(&b, "// %s holds the %s operations, by resource; reach it as client.%s.\ntype %s struct {\n\tclient *Client\n\n", r.typ, apispec.NamespaceTitle(r.namespace), apispec.Exported(r.namespace), r.typ)
			for _, sub := range namespaces[r.namespace] {
				fmt.Fprintf(&b, "\t// %s is %s.%s.\n\t%s %s\n", sub.goName, r.namespace, sub.name, sub.goName, sub.typ)
			}
			b.WriteString("}\n\n")
		default:
			reach := "client." + r.goName
			if r.namespace != "" {
				reach = "client." + apispec.Exported(r.namespace) + "." + r.goName
			}
			fmt.Fprintf(&b, "// %s is %s; reach it as %s.\ntype %s struct{ client *Client }\n\n",
				r.typ, strings.TrimPrefix(r.namespace+"."+r.name, "."), reach, r.typ)
		}
		for _, o := range r.ops {
			if err := f.method(&b, r.typ, o); err != nil {
				errs = append(errs, err)
			}
		}
	}

	// initServices, called by NewClient.
	b.WriteString("// initServices sets c's services, one per resource of openapi.yaml.\nfunc (c *Client) initServices() {\n")
	for _, r := range resources {
		if r.namespace != "" || r.name == "" {
			continue
		}
		fmt.Fprintf(&b, "\tc.%s = &%s{client: c}\n", r.goName, r.typ)
	}
	for _, ns := range slices.Sorted(maps.Keys(namespaces)) {
		fmt.Fprintf(&b, "\tc.%s = &%sService{\n\t\tclient: c,\n", apispec.Exported(ns), apispec.Exported(ns))
		for _, sub := range namespaces[ns] {
			fmt.Fprintf(&b, "\t\t%s: %s{client: c},\n", sub.goName, sub.typ)
		}
		b.WriteString("\t}\n")
	}
	b.WriteString("}\n\n")
	f.checkResult(&b)
	f.routes(&b)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	imports := []string{`"context"`, `"net/http"`}
	for pkg, used := range map[string]bool{`"encoding/json"`: bytes.Contains(b.Bytes(), []byte("json.")), `"iter"`: bytes.Contains(b.Bytes(), []byte("iter."))} {
		if used {
			imports = append(imports, pkg)
		}
	}
	slices.Sort(imports)
	head := header + "\npackage conductor\n\nimport (\n\t" + strings.Join(imports, "\n\t") + "\n\n\t\"github.com/seed-6dcb809e/conductor-go/gen\"\n)\n\n"
	return gofmt(ServicesFile, append([]byte(head), b.Bytes()...))
}

const header = "// Code generated by cmd/apigen from openapi.yaml and gen/conductor.gen.go (make generate). DO NOT EDIT.\n"

// method writes the wrapper (or, for a list, the two wrappers) of o.
func (f *facade) method(b *bytes.Buffer, recv string, o apispec.Operation) error {
	builder := builderName(o)
	argTypes := f.gen.builders[builder]
	result, err := f.result(o)
	if err != nil {
		return err
	}

	// The method's parameters, in the order of the contract
	// (context, end-user, id, then the rest), and the builder's arguments
	// after the server, named after them.
	params := []string{"ctx context.Context"}
	endUser, id := `""`, `""`
	if o.NeedsEndUser {
		params = append(params, "endUserID string")
		endUser = "endUserID"
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
		args = []string{"id", o.PathParams[0], "params"}
	default:
		return fmt.Errorf("apigen: %s %s: the builder %s(server, %s) has a shape apigen does not know", o.Method, o.Path, builder, strings.Join(argTypes, ", "))
	}
	for i, a := range args {
		t, err := f.typeOf(argTypes[i])
		if err != nil {
			return fmt.Errorf("%s %s: %w", o.Method, o.Path, err)
		}
		params = append(params, a+" "+t)
	}
	params = append(params, "opts ...Option")
	sig := strings.Join(params, ", ")

	flags := []string{}
	if o.NeedsEndUser {
		flags = append(flags, "opEndUser")
	}
	if o.HasID {
		flags = append(flags, "opID")
		id = "id"
	}
	switch o.Kind {
	case apispec.Create:
		flags = append(flags, "opCreate")
	case apispec.Update:
		flags = append(flags, "opUpdate")
	case apispec.Action:
		flags = append(flags, "opAction")
	}
	if o.Kind == apispec.List && o.Paginated {
		flags = append(flags, "opPaginated")
	}
	if len(o.RequiredQuery) > 0 && o.HasQuery {
		flags = append(flags, "missing(params == nil)")
	}
	opFlags := strings.Join(flags, "|")
	if opFlags == "" {
		opFlags = "0"
	}
	build := fmt.Sprintf("func(server string) (*http.Request, error) { return gen.%s(%s) }", builder, strings.Join(append([]string{"server"}, args...), ", "))
	// The path parameters after the id are checked as the id is, before
	// anything is sent.
	var pathChecks string
	for _, p := range o.PathParams {
		pathChecks += fmt.Sprintf("\tif err := checkID(%q, string(%s), %q); err != nil {\n\t\treturn nil, err\n\t}\n", p, p, "the "+p+" path parameter")
	}
	if c, ok := f.resultCheck(o); ok {
		t := result
		if o.Kind == apispec.List {
			t = o.Model
		}
		if prev, dup := f.checks[t]; dup && prev != c {
			return fmt.Errorf("apigen: %s %s answers with %s, which another operation gives objectType %q and required keys %q", o.Method, o.Path, t, prev.objectType, prev.required)
		}
		f.checks[t] = c
		if o.Kind == apispec.List {
			f.listed[t] = true
		}
	}

	doc := docComment(o)
	switch {
	case o.Kind == apispec.List:
		fmt.Fprintf(b, "%sfunc (s *%s) List(%s) (*%s, error) {\n\tpage := new(%s)\n\tif err := s.client.list(ctx, %s, %s, %s, opts, page); err != nil {\n\t\treturn nil, err\n\t}\n\treturn page, nil\n}\n\n",
			doc, recv, sig, result, result, opFlags, endUser, build)
		more := "Conductor answers this list in one page, so All yields its objects from one call."
		if o.Paginated {
			more = "It asks for the next page as soon as a page arrives, while the loop works on that one,\n// so the cursor, which expires 10 seconds after the page before it, is used at once;\n// it holds at most one page ahead. A page that fails (after the usual retries) ends the\n// loop with its error, as does a page that says more follow but gives no cursor or\n// repeats the one before it. Breaking out of the loop cancels the fetch in flight."
		}
		fmt.Fprintf(b, "// All iterates over every object List would page through.\n// %s\nfunc (s *%s) All(%s) iter.Seq2[%s, error] {\n\treturn all[%s](ctx, s.client, %s, %s, %s, opts)\n}\n\n",
			more, recv, sig, o.Model, o.Model, opFlags, endUser, build)
	case result == "json.RawMessage":
		fmt.Fprintf(b, "%sfunc (s *%s) %s(%s) (json.RawMessage, error) {\n"+pathChecks+"\tvar out json.RawMessage\n\tif err := s.client.call(ctx, %s, %s, %s, %s, opts, &out); err != nil {\n\t\treturn nil, err\n\t}\n\treturn out, nil\n}\n\n",
			doc, recv, o.GoMethod(), sig, opFlags, endUser, id, build)
	default:
		fmt.Fprintf(b, "%sfunc (s *%s) %s(%s) (*%s, error) {\n"+pathChecks+"\tout := new(%s)\n\tif err := s.client.call(ctx, %s, %s, %s, %s, opts, out); err != nil {\n\t\treturn nil, err\n\t}\n\treturn out, nil\n}\n\n",
			doc, recv, o.GoMethod(), sig, result, result, opFlags, endUser, id, build)
	}
	return nil
}

// routes writes routes, the method and path template of every operation
// of the spec, which the engine matches each request against (see
// checkTarget in conductor/target.go).
func (f *facade) routes(b *bytes.Buffer) {
	b.WriteString("// routes are the method and path (under the base URL) of every operation\n// of the spec; a {param} stands for one path segment.\nvar routes = []route{\n")
	for _, o := range f.ops {
		fmt.Fprintf(b, "\t{%q, %q},\n", o.Method, o.Path)
	}
	b.WriteString("}\n\n")
}

// checkResult writes checkResult, which decodeInto calls on every decoded
// answer: for each result type whose schema has an objectType, a check of
// it (and of the id, where the schema requires one), and for every result
// type, that the keys its schema requires at the top level are there; for
// a page, of each of its objects.
func (f *facade) checkResult(b *bytes.Buffer) {
	if len(f.checks) == 0 {
		b.WriteString("// checkResult checks nothing: no answer of the spec has an objectType or required keys.\nfunc checkResult(any, []byte) string { return \"\" }\n")
		return
	}
	types := slices.Sorted(maps.Keys(f.checks))
	b.WriteString("// The keys each result's schema requires at its top level.\nvar (\n")
	for _, t := range types {
		if c := f.checks[t]; c.required != "" {
			fmt.Fprintf(b, "\trequired%s = []string{%s}\n", t, quoted(strings.Split(c.required, ",")))
		}
	}
	b.WriteString(")\n\n")
	b.WriteString("// checkResult checks a decoded answer, whose body is body, against what the\n// spec promises of it: the objectType of the object, or of each object of a\n// page, and its id where the schema requires one, and the keys the schema\n// requires at the object's top level. It returns why the answer is not what\n// the spec documents, or \"\".\nfunc checkResult(out any, body []byte) string {\n\tswitch v := out.(type) {\n")
	// check writes the case of result type t, or of a page of them (list).
	check := func(t string, list bool) {
		c := f.checks[t]
		caseType, i, obj, indent := "*"+t, "-1", "v", "\t\t"
		if list {
			caseType, i, obj, indent = "*Page["+t+"]", "i", "v.Data[i]", "\t\t\t"
		}
		fmt.Fprintf(b, "\tcase %s:\n", caseType)
		if c.objectType != "" {
			id := `""`
			if c.id {
				id = obj + ".ID"
			}
			if list {
				b.WriteString("\t\tfor i := range v.Data {\n")
			}
			fmt.Fprintf(b, "%sif why := checkObject(%s, string(%s.ObjectType), %q, %s, %v); why != \"\" {\n%s\treturn why\n%s}\n", indent, i, obj, c.objectType, id, c.id, indent, indent)
			if list {
				b.WriteString("\t\t}\n")
			}
		}
		if c.required == "" {
			b.WriteString("\t\treturn \"\"\n")
		} else {
			fmt.Fprintf(b, "\t\treturn checkKeys(body, %v, required%s)\n", list, t)
		}
	}
	for _, t := range types {
		check(t, false)
	}
	for _, t := range types {
		if f.listed[t] {
			check(t, true)
		}
	}
	b.WriteString("\t}\n\treturn \"\"\n}\n")
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
// of its enums, one block per type. A name that stutters or runs past
// MaxNameLength fails generation, naming it.
func (f *facade) types() ([]byte, error) {
	var errs []error
	check := func(name, typ string) {
		if len(name) > MaxNameLength {
			errs = append(errs, fmt.Errorf("apigen: conductor.%s is longer than %d characters; the naming rules in internal/apigen need a look", name, MaxNameLength))
		}
		w, ok := Stutters(name)
		if typ != "" {
			w, ok = StuttersAfter(typ, name)
		}
		if ok {
			errs = append(errs, fmt.Errorf("apigen: conductor.%s says %s twice; the naming rules in internal/apigen need a look", name, w))
		}
	}
	out := typesFile{Header: header, typeOf: map[string]string{}}
	consts := map[string][]string{}
	for _, c := range f.gen.consts {
		if _, ok := f.public[c.typ]; !ok || f.hand[c.name] {
			continue
		}
		consts[c.typ] = append(consts[c.typ], c.name)
		out.typeOf[c.name] = c.typ
		check(c.name, c.typ)
	}
	for _, t := range slices.Sorted(maps.Keys(f.public)) {
		check(t, "")
		out.Types = append(out.Types, aliasDecl{Name: t, Doc: aliasDoc(t, f.docs[t].Doc, consts[t] != nil)})
		if consts[t] != nil {
			out.Enums = append(out.Enums, enumDecl{Type: t, Consts: consts[t]})
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
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
// sources, which are the hand-written files of package conductor.
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
