package apigen

import (
	"bytes"
	_ "embed"
	"strconv"
	"strings"
	"text/template"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// servicesText is the template of api.gen.go; servicesFile is what it is
// executed with.
//
//go:embed services.tmpl
var servicesText string

var servicesTemplate = template.Must(template.New("services.tmpl").Funcs(template.FuncMap{
	"quote":   strconv.Quote,
	"comment": comment,
}).Parse(servicesText))

// servicesFile is what api.gen.go declares.
type servicesFile struct {
	Header string
	// Imports are the standard packages the methods use; with none, no
	// method calls gen either.
	Imports []string
	// Fields are the Client's: one per top-level resource and namespace,
	// by SDK name.
	Fields []clientField
	// Services are the generated service types, in order of their first
	// operation.
	Services []*service
	// Checks are checkResult's cases, by result type, pages last.
	Checks []resultCase
	// Routes are every operation of the spec, hand-wrapped ones included.
	Routes []apispec.Operation
}

// A clientField is a field of the Client: a resource's service, or a
// namespace's with its resources as Subs.
type clientField struct {
	Name, Type, Doc string
	Subs            []*service
}

// A service is a resource's service, or a namespace's, which holds
// its resources (Subs) and the namespace's own operations.
type service struct {
	// Name is the field that holds it (Invoices), Type its type
	// (InvoicesService), SDKName its SDK name (qbd.invoices).
	Name, Type, SDKName string
	// Title is a namespace's in words (QuickBooks Desktop); Reach is how
	// a caller reaches the service (client.QBD.Invoices).
	Title, Reach string
	Subs         []*service
	Methods      []methodData

	namespace, resource string
}

// methodData is one generated method, or for a list the List and All pair.
type methodData struct {
	// Doc is the method's comment, each line starting with //.
	Doc string
	// Recv is the service type; Name the method; Params its parameters.
	Recv, Name, Params string
	// Kind is "list", "raw" (a json.RawMessage result) or "object".
	Kind string
	// Result is the type an object method returns a pointer to; Model a
	// list's objects' type; AllDoc what All adds to its comment.
	Result, Model, AllDoc string

	// The request value: Op its flags ("" for none), EndUser and ID
	// whether it passes endUserID and id, Path the Go names of the path
	// parameters after the id (apispec.ParamName), Builder the generated builder and Args its arguments after
	// the server; Check the call of the request's rules (rules.go), or "".
	Op          string
	EndUser, ID bool
	Path, Args  []string
	Builder     string
	Check       string
	// ExternalID says that the operation is a create whose body takes an
	// externalId, which the client sets when the caller did not, so that
	// resolution can look the object up (conductor/resolve.go).
	ExternalID bool
	// ListsActive says that the list resolution looks the object up in
	// shows active objects only, unless asked for all.
	ListsActive bool
	// Feed, for a list, is its resource's change feed, or nil.
	Feed *feedData

	// op names the operation in errors: POST /invoices/{id}/void (qbd.invoices.void).
	op string
}

// feedData is a resource's change feed (conductor/changes.go).
type feedData struct {
	// Name is the resource's SDK name (qbd.invoices), which its
	// checkpoints are bound to; Words is the resource in words (credit
	// card refunds).
	Name, Words string
	// ListsActive says that its list shows active objects only unless
	// asked for all.
	ListsActive bool
	// DeletedList says that its deletions are listed by
	// deleted-list-objects (else deleted-transactions), as DeletedType.
	DeletedList bool
	DeletedType string
}

// A resultCase is checkResult's case of a result type, or of a page of it.
type resultCase struct {
	Type       string
	Page       bool
	ObjectType string
	ID         bool
	// Required are the keys the schema requires, as Go string literals.
	Required string
}

// comment turns text into Go comment lines, indented by indent.
func comment(indent, text string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(indent+"// "+l, " ")
	}
	return strings.Join(lines, "\n")
}

// render executes the template of api.gen.go and gofmts the result.
func (d *servicesFile) render() ([]byte, error) {
	var b bytes.Buffer
	if err := servicesTemplate.Execute(&b, d); err != nil {
		return nil, err
	}
	return gofmt(ServicesFile, b.Bytes())
}
