package apispec

// The spec as the fake embeds it (internal/embeddedspec) is a zip archive
// that internal/apigen writes: an index, a document for each resource, and
// one for what no operation reaches. These are its names, shared by the
// two packages; neither the writer's dependencies nor the reader's embedded
// bytes reach the other.

// ArchiveIndex is the index entry of the archive.
type ArchiveIndex struct {
	// Operations are the spec's, as Parse names them.
	Operations []Operation
	// Resources are the documents of the archive, by ResourceKey.
	Resources map[string]ArchiveResource
	// DecimalProperties are the string properties of the request bodies
	// whose descriptions say they hold a decimal string, by property name:
	// those descriptions, in which the spec states the format. The
	// answers' schemas state none, and the fake writes a property of the
	// same name in the same format.
	DecimalProperties map[string]string
	// OverridingFilters are the query parameters with which, as their
	// descriptions say, "QuickBooks will ignore all other query
	// parameters", sorted.
	OverridingFilters []string
}

// ArchiveResource is one resource's document.
type ArchiveResource struct {
	// Entry is the document's name in the archive.
	Entry string
	// Model is the component schema of the resource's objects, or "".
	Model string
}

// The entries of the archive other than the resources'.
const (
	IndexEntry = "index.json"
	RestEntry  = "rest.json"
)

// ResourceKey names a resource: its namespace and resource,
// "qbd.invoices", or ".endUsers" for a top-level one.
func ResourceKey(o Operation) string { return o.Namespace + "." + o.Resource }
