package gen_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"iter"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestPlainValues reads the generated client and fails on any field that
// is a pointer to a slice or a map; on an optional list or map of a body
// that is left out when empty (omitempty) rather than only when nil
// (omitzero); and on a date and time filter (a field whose description
// lists the spec's ISO 8601 forms) that is not a DateTime. Each would
// come back if the overlay's rules (internal/apigen/overlay_values.go)
// stopped matching what the spec says.
func TestPlainValues(t *testing.T) {
	var lists, filters int
	for typeName, f := range genFields(t) {
		if len(f.Names) == 0 {
			continue
		}
		field := typeName + "." + f.Names[0].Name
		var tag reflect.StructTag
		if f.Tag != nil {
			s, _ := strconv.Unquote(f.Tag.Value)
			tag = reflect.StructTag(s)
		}
		typ := f.Type
		if star, ok := typ.(*ast.StarExpr); ok {
			switch star.X.(type) {
			case *ast.ArrayType, *ast.MapType:
				t.Errorf("%s is a pointer to a slice or map; want the slice or map, nil when not sent", field)
			}
			typ = star.X
		}
		switch typ.(type) {
		case *ast.ArrayType, *ast.MapType:
			json := tag.Get("json")
			_, query := tag.Lookup("form") // a query parameter's, never a body's
			if !query && strings.Contains(json, ",omitempty") {
				t.Errorf("%s has json %q: an empty list would not be sent; want omitzero, which leaves out only nil", field, json)
			}
			if strings.Contains(json, ",omitzero") {
				lists++
			}
		}
		if strings.Contains(f.Doc.Text(), "Accepts the following ISO 8601 formats") && strings.Contains(f.Doc.Text(), "±HH:mm") {
			filters++
			if id, ok := typ.(*ast.Ident); !ok || id.Name != "DateTime" || f.Type == typ {
				t.Errorf("%s, a date and time filter, is not a *DateTime", field)
			}
		}
	}
	// The counts in the 2026-08-21 spec; a later spec may have more.
	if lists < 159 || filters < 108 {
		t.Errorf("found %d optional lists with omitzero and %d date and time filters; want at least 159 and 108: does the test still read the fields?", lists, filters)
	}
}

// genFields yields every field of every struct type of the generated
// client, with its type's name, read with the comments go doc shows.
func genFields(t *testing.T) iter.Seq2[string, *ast.Field] {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "conductor.gen.go", nil, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	return func(yield func(string, *ast.Field) bool) {
		for _, decl := range file.Decls {
			d, ok := decl.(*ast.GenDecl)
			if !ok || d.Tok != token.TYPE {
				continue
			}
			for _, spec := range d.Specs {
				ts := spec.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, f := range st.Fields.List {
					if !yield(ts.Name.Name, f) {
						return
					}
				}
			}
		}
	}
}
