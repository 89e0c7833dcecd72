// Package apispec reads the operations of Conductor's OpenAPI document and
// names each one the way Conductor's own SDKs do (qbd.invoices.list,
// endUsers.passthrough, qbd.reports.aging), with the Go names this
// repository gives it. It is the one table every operation is wrapped
// from: the overlay that shapes the generated client, the facade, the
// command line and the tests all take their names from here, so a new
// operation in the spec reaches all of them with no hand work.
//
// The names follow from the shape of each path, not from a list:
//
//	GET    /ns/res            list (a "data" array), retrieve (a schema), or res itself (health-check)
//	POST   /ns/res            create
//	GET    /ns/res/{id}       retrieve
//	POST   /ns/res/{id}       update
//	DELETE /ns/res/{id}       delete
//	POST   /ns/res/{id}/verb  verb (void, passthrough; later path parameters follow)
//	GET    /ns/res/name       name (reports/aging)
//
// where ns is quickbooks-desktop (the qbd namespace) or nothing, and each
// segment makes a Go name. Any other path, or an inline answer outside a
// namespace, is an error naming the operation: generating from it would
// give code that does not compile.
package apispec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/token"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Namespaces: the path prefix of a namespace and its SDK name.
const (
	QBDPathPrefix = "/quickbooks-desktop"
	QBDNamespace  = "qbd"
)

// NamespaceTitle is what a namespace is, in words for people: "QuickBooks
// Desktop" for qbd; another namespace is its own name.
func NamespaceTitle(ns string) string {
	if ns == QBDNamespace {
		return "QuickBooks Desktop"
	}
	return ns
}

// EndUserHeader is the request header every QuickBooks Desktop operation
// takes the end-user in. The overlay removes it from the generated client,
// whose callers never set it: the facade does, from its endUserID argument.
const EndUserHeader = "Conductor-End-User-Id"

// Kind is what an operation does, which decides its Go signature and, for
// writes, whether it may be retried.
type Kind string

// The kinds of operation.
const (
	List     Kind = "list"
	Retrieve Kind = "retrieve"
	Create   Kind = "create"
	Update   Kind = "update"
	Delete   Kind = "delete"
	// Action is a POST on an object that changes it (void) or reaches
	// through it (passthrough).
	Action Kind = "action"
	// Query is a GET that is neither a list nor an object: a report, the
	// health check.
	Query Kind = "query"
)

// Operation is one operation of the spec and its names.
type Operation struct {
	Method string // GET, POST, DELETE
	Path   string // /quickbooks-desktop/invoices/{id}

	// Namespace is "qbd" for QuickBooks Desktop operations, else "".
	Namespace string
	// Resource is the SDK's camel-case resource, such as "invoices" or
	// "billCheckPayments"; "" for an operation of the namespace itself
	// (qbd.healthCheck).
	Resource string
	// Name is the SDK's method name: "list", "void", "aging", "healthCheck".
	Name string
	Kind Kind

	// PathParams are the path's parameters after the object id, in order
	// (integrationSlug for passthrough).
	PathParams []string
	// HasID says that the path has an {id} of the object.
	HasID bool
	// HasQuery says that the operation takes query parameters.
	HasQuery bool
	// RequiredQuery are the query parameters the operation requires.
	RequiredQuery []string
	// HasBody says that the operation takes a JSON request body.
	HasBody bool
	// Paginated says that a list takes a cursor and answers with hasMore
	// and nextCursor.
	Paginated bool
	// NeedsEndUser says that the operation takes the end-user header.
	NeedsEndUser bool

	// Summary and Description are the spec's, for documentation.
	Summary, Description string

	// Model is the Go name of the object the operation is about, from the
	// component schema it returns or lists: "Invoice" for qbd_invoice.
	Model string
	// ResultSchema is the component schema of the 200 body ("qbd_invoice"),
	// or of a list's items, or "" when the body is inline.
	ResultSchema string
}

// SDKName is the name Conductor's Node SDK gives the operation, such as
// "qbd.invoices.list" or "endUsers.create".
func (o Operation) SDKName() string {
	parts := slices.DeleteFunc([]string{o.Namespace, o.Resource, o.Name}, func(s string) bool { return s == "" })
	return strings.Join(parts, ".")
}

// GoResource is the Go name of the operation's resource, as a field of the
// client or of client.QBD: "Invoices", "EndUsers"; "" for the namespace's
// own operations.
func (o Operation) GoResource() string { return Exported(o.Resource) }

// GoMethod is the Go name of the facade method: "List", "Void", "Aging",
// "HealthCheck".
func (o Operation) GoMethod() string { return Exported(o.Name) }

// ID is the operationId the overlay gives the operation, which oapi-codegen
// turns into the names of its request builder (New<ID>Request) and of its
// query parameters type (<ID>Params): the model and the method, such as
// InvoiceList, InvoiceCreate, ReportAging, HealthCheck.
func (o Operation) ID() string {
	if o.Model == "" {
		return o.GoMethod()
	}
	return o.Model + o.GoMethod()
}

// ParamsType is the Go name of the operation's query parameters or request
// body, whichever it takes: InvoiceListParams, InvoiceCreateParams; "" when
// it takes neither.
func (o Operation) ParamsType() string {
	if !o.HasQuery && !o.HasBody {
		return ""
	}
	return o.ID() + "Params"
}

// ResultType is the Go name of the 200 body for an operation whose body is
// inline and not a list: InvoiceDeleteResponse, HealthCheckResponse. It
// is "" when the body is a component schema (Model) or a list.
func (o Operation) ResultType() string {
	if o.ResultSchema != "" || o.Kind == List {
		return ""
	}
	return o.ID() + "Response"
}

// Spec is an OpenAPI document, read as plain JSON or YAML.
type Spec struct {
	root map[string]any
}

// Parse reads an OpenAPI document. JSON, as the command and the fake
// embed it, is read as JSON: the YAML decoder reads it too, but some ten
// times slower, and it is their start-up.
func Parse(data []byte) (*Spec, error) {
	var root map[string]any
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		if err := json.Unmarshal(data, &root); err != nil {
			return nil, fmt.Errorf("apispec: not a JSON document: %w", err)
		}
	} else if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&root); err != nil {
		return nil, fmt.Errorf("apispec: not a YAML or JSON document: %w", err)
	}
	if _, ok := root["paths"].(map[string]any); !ok {
		return nil, errors.New("apispec: the document has no paths")
	}
	return &Spec{root: root}, nil
}

// Document is the document as Parse decoded it, for readers that need
// more of it than the operations' names, so that they need not decode the
// spec again. It is shared: do not change it.
func (s *Spec) Document() map[string]any { return s.root }

// Operations returns every operation of the spec, named, in the order of
// their SDK names. It fails when a path has a shape the rules above do not
// name, or when two operations would get one name: both mean the rules
// need a look, and nothing should be generated meanwhile.
func (s *Spec) Operations() ([]Operation, error) {
	paths := s.root["paths"].(map[string]any)
	var ops []Operation
	var errs []error
	for path, item := range paths {
		methods, ok := item.(map[string]any)
		if !ok {
			continue
		}
		for method, raw := range methods {
			op, ok := raw.(map[string]any)
			if !ok || !isMethod(method) {
				continue
			}
			o, err := s.operation(strings.ToUpper(method), path, op)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			ops = append(ops, o)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := nameModels(ops); err != nil {
		return nil, err
	}
	slices.SortFunc(ops, func(a, b Operation) int {
		if c := strings.Compare(a.SDKName(), b.SDKName()); c != 0 {
			return c
		}
		return strings.Compare(a.Method+a.Path, b.Method+b.Path)
	})
	seen := map[string]Operation{}
	for _, o := range ops {
		for _, name := range []string{o.SDKName(), o.ID()} {
			if prev, dup := seen[name]; dup {
				errs = append(errs, fmt.Errorf("apispec: %s %s and %s %s are both named %s", prev.Method, prev.Path, o.Method, o.Path, name))
			}
			seen[name] = o
		}
	}
	return ops, errors.Join(errs...)
}

func isMethod(m string) bool {
	switch m {
	case "get", "post", "put", "patch", "delete":
		return true
	}
	return false
}

func (s *Spec) operation(method, path string, op map[string]any) (Operation, error) {
	o := Operation{Method: method, Path: path}
	rest := path
	if after, ok := strings.CutPrefix(path, QBDPathPrefix+"/"); ok {
		o.Namespace, rest = QBDNamespace, after
	} else {
		rest = strings.TrimPrefix(path, "/")
	}
	segs := strings.Split(rest, "/")
	isParam := func(s string) bool { return strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") }
	unknown := fmt.Errorf("apispec: %s %s has a shape the naming rules do not cover; extend them in internal/apispec", method, path)
	// Every segment must make a Go name (a parameter's, an exported
	// one otherwise), or what is generated from it would not compile.
	for _, seg := range segs {
		name := seg
		if isParam(seg) {
			name = strings.Trim(seg, "{}")
		}
		if !goWord.MatchString(name) || token.IsKeyword(camel(name)) {
			return o, unknown
		}
		if isParam(seg) && predeclared[ParamName(name)] {
			return o, fmt.Errorf("apispec: %s %s: the path parameter %s would be the Go name %s, which Go predeclares and the generated code uses; extend the naming rules in internal/apispec", method, path, name, ParamName(name))
		}
	}
	if isParam(segs[0]) {
		return o, unknown
	}
	o.Resource = camel(segs[0])

	for _, p := range list(op["parameters"]) {
		param := s.deref(p)
		switch param["in"] {
		case "query":
			o.HasQuery = true
			if param["required"] == true {
				name, _ := param["name"].(string)
				o.RequiredQuery = append(o.RequiredQuery, name)
			}
			if param["name"] == "cursor" {
				o.Paginated = true
			}
		case "header":
			if param["name"] == EndUserHeader {
				o.NeedsEndUser = true
			}
		}
	}
	o.HasBody = op["requestBody"] != nil
	o.Summary, _ = op["summary"].(string)
	o.Description, _ = op["description"].(string)
	result := resultSchema(op)

	switch {
	case len(segs) == 1 && method == "GET":
		switch {
		case s.isList(result):
			o.Name, o.Kind = "list", List
		case result["$ref"] != nil:
			o.Name, o.Kind = "retrieve", Retrieve
		case o.Namespace == "":
			// An inline answer outside a namespace would be an operation
			// of no resource, with no service to hold it.
			return o, unknown
		default: // an inline answer about the namespace itself: health-check
			o.Name, o.Kind, o.Resource = o.Resource, Query, ""
		}
	case len(segs) == 1 && method == "POST":
		o.Name, o.Kind = "create", Create
	case len(segs) == 2 && segs[1] == "{id}":
		o.HasID = true
		switch method {
		case "GET":
			o.Name, o.Kind = "retrieve", Retrieve
		case "POST":
			o.Name, o.Kind = "update", Update
		case "DELETE":
			o.Name, o.Kind = "delete", Delete
		default:
			return o, unknown
		}
	case len(segs) >= 3 && segs[1] == "{id}" && !isParam(segs[2]) && method == "POST":
		o.HasID = true
		o.Name, o.Kind = camel(segs[2]), Action
		for _, seg := range segs[3:] {
			if !isParam(seg) {
				return o, unknown
			}
			o.PathParams = append(o.PathParams, strings.Trim(seg, "{}"))
		}
	case len(segs) == 2 && !isParam(segs[1]) && method == "GET":
		o.Name, o.Kind = camel(segs[1]), Query
	default:
		return o, unknown
	}

	o.ResultSchema = refName(result)
	if o.Kind == List {
		o.ResultSchema = refName(mapOf(mapOf(mapOf(s.deref(result)["properties"])["data"])["items"]))
	}
	o.Model = ModelName(o.ResultSchema)
	return o, nil
}

// goWord is a path segment that makes a Go name: a letter, then letters,
// digits, hyphens or underscores, with a letter or digit after each of
// those.
var goWord = regexp.MustCompile(`^[A-Za-z](?:[-_]?[A-Za-z0-9])*$`)

// ModelName is the Go name of a component schema: "Invoice" for
// qbd_invoice, "EndUser" for end_user.
func ModelName(schema string) string {
	return Exported(camel(strings.TrimPrefix(schema, QBDNamespace+"_")))
}

// nameModels gives operations whose answer is inline (delete, void,
// passthrough) the model of their resource, from its other operations.
func nameModels(ops []Operation) error {
	models := map[string]string{}
	for _, o := range ops {
		key := o.Namespace + "." + o.Resource
		if o.Model != "" && o.Resource != "" && models[key] == "" {
			models[key] = o.Model
		}
	}
	var errs []error
	for i, o := range ops {
		if o.Model != "" || o.Resource == "" {
			continue
		}
		if ops[i].Model = models[o.Namespace+"."+o.Resource]; ops[i].Model == "" {
			errs = append(errs, fmt.Errorf("apispec: %s %s: no operation of %s returns a component schema to name its model after", o.Method, o.Path, o.Resource))
		}
	}
	return errors.Join(errs...)
}

// resultSchema is the JSON schema of the operation's 200 answer, with a
// top-level $ref kept (it names the model).
func resultSchema(op map[string]any) map[string]any {
	ok := mapOf(mapOf(op["responses"])["200"])
	return mapOf(mapOf(mapOf(mapOf(ok["content"])["application/json"]))["schema"])
}

// isList reports whether a schema is a list: an object with a data array.
func (s *Spec) isList(schema map[string]any) bool {
	data := mapOf(mapOf(s.deref(schema)["properties"])["data"])
	return data["type"] == "array"
}

// deref follows a local $ref to a component of any kind (a schema, a
// parameter), keeping nothing of the referring node.
func (s *Spec) deref(v any) map[string]any {
	m := mapOf(v)
	ref, _ := m["$ref"].(string)
	path, ok := strings.CutPrefix(ref, "#/components/")
	if !ok {
		return m
	}
	kind, name, _ := strings.Cut(path, "/")
	return mapOf(mapOf(mapOf(s.root["components"])[kind])[name])
}

// refName is the component schema a {$ref: "#/components/schemas/X"}
// points at, or "".
func refName(m map[string]any) string {
	ref, _ := m["$ref"].(string)
	name, ok := strings.CutPrefix(ref, "#/components/schemas/")
	if !ok {
		return ""
	}
	return name
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// ParamName is the Go name of a path parameter, as gen's builders and the
// facade's methods name it: "widgetSlug" for widget-slug.
func ParamName(name string) string { return camel(name) }

// predeclared are the names Go predeclares: a parameter taking one would
// shadow what the generated code uses (nil, new, string).
var predeclared = map[string]bool{
	"any": true, "bool": true, "byte": true, "comparable": true, "complex64": true, "complex128": true,
	"error": true, "float32": true, "float64": true, "int": true, "int8": true, "int16": true,
	"int32": true, "int64": true, "rune": true, "string": true, "uint": true, "uint8": true,
	"uint16": true, "uint32": true, "uint64": true, "uintptr": true,
	"true": true, "false": true, "iota": true, "nil": true,
	"append": true, "cap": true, "clear": true, "close": true, "complex": true, "copy": true,
	"delete": true, "imag": true, "len": true, "make": true, "max": true, "min": true, "new": true,
	"panic": true, "print": true, "println": true, "real": true, "recover": true,
}

// camel turns "bill-check-payments" or "qbd_account_tax_line" into
// "billCheckPayments" or "qbdAccountTaxLine".
func camel(s string) string {
	var b strings.Builder
	upper := false
	for _, r := range s {
		switch {
		case r == '-' || r == '_':
			upper = true
		case upper:
			b.WriteString(strings.ToUpper(string(r)))
			upper = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Exported turns a camel-case name into an exported Go name, with Go's
// initialisms: "endUsers" → "EndUsers", "qbdHealthCheck" → "QBDHealthCheck".
func Exported(s string) string {
	if s == "" {
		return ""
	}
	words := splitCamel(s)
	for i, w := range words {
		if up := strings.ToUpper(w); initialisms[up] {
			words[i] = up
		} else {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, "")
}

// initialisms are the words Go writes in capitals (from the list golint
// used, less what Conductor's names never contain), plus QBD.
var initialisms = map[string]bool{
	"API": true, "HTTP": true, "ID": true, "JSON": true, "QBD": true, "URL": true, "URI": true, "UUID": true,
}

// splitCamel splits "billCheckPayments" into bill, Check, Payments.
func splitCamel(s string) []string {
	var words []string
	start := 0
	for i := 1; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			words = append(words, s[start:i])
			start = i
		}
	}
	return append(words, s[start:])
}
