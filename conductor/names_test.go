package conductor_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"iter"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/seed-6dcb809e/conductor-go/internal/apigen"
)

// parseDir parses the non-test Go files of dir, with their comments.
func parseDir(t *testing.T, dir string) []*ast.File {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// typeSpecs yields every type declaration of files, with the declaration
// group holding it (whose doc is the type's when the type has none).
func typeSpecs(files []*ast.File) iter.Seq2[*ast.GenDecl, *ast.TypeSpec] {
	return func(yield func(*ast.GenDecl, *ast.TypeSpec) bool) {
		for _, f := range files {
			for _, decl := range f.Decls {
				d, ok := decl.(*ast.GenDecl)
				if !ok || d.Tok != token.TYPE {
					continue
				}
				for _, spec := range d.Specs {
					if !yield(d, spec.(*ast.TypeSpec)) {
						return
					}
				}
			}
		}
	}
}

// facadeAliases maps each alias X = gen.Y of package conductor to Y.
func facadeAliases(files []*ast.File) map[string]string {
	aliases := map[string]string{}
	for _, s := range typeSpecs(files) {
		if sel, ok := s.Type.(*ast.SelectorExpr); ok && s.Assign.IsValid() && isIdent(sel.X, "gen") {
			aliases[s.Name.Name] = sel.Sel.Name
		}
	}
	return aliases
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// genMentions are the gen.X an exported declaration shows in go doc: in
// its doc comment and in its type or signature (not in function bodies).
func genMentions(files []*ast.File) map[string][]string {
	inDoc := regexp.MustCompile(`\bgen\.([A-Z]\w*)`)
	mentions := map[string][]string{}
	add := func(where string, doc *ast.CommentGroup, nodes ...ast.Node) {
		if doc != nil {
			for _, m := range inDoc.FindAllStringSubmatch(doc.Text(), -1) {
				mentions[m[1]] = append(mentions[m[1]], where)
			}
		}
		for _, n := range nodes {
			if n == nil || (isNilInterface(n)) {
				continue
			}
			ast.Inspect(n, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok && isIdent(sel.X, "gen") {
					mentions[sel.Sel.Name] = append(mentions[sel.Sel.Name], where)
				}
				return true
			})
		}
	}
	for _, f := range files {
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				where := d.Name.Name
				if d.Recv != nil {
					recv := d.Recv.List[0].Type
					if star, ok := recv.(*ast.StarExpr); ok {
						recv = star.X
					}
					if id, ok := recv.(*ast.Ident); !ok || !id.IsExported() {
						continue
					}
					where = recv.(*ast.Ident).Name + "." + where
					add(where, d.Doc, d.Recv, d.Type)
				} else {
					add(where, d.Doc, d.Type)
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						doc := s.Doc
						if doc == nil && len(d.Specs) == 1 {
							doc = d.Doc
						}
						if st, ok := s.Type.(*ast.StructType); ok {
							// Unexported fields are not shown.
							for _, field := range st.Fields.List {
								if len(field.Names) == 0 || field.Names[0].IsExported() {
									add(s.Name.Name+"."+fieldName(field), field.Doc, field.Type)
								}
							}
							add(s.Name.Name, doc)
							continue
						}
						add(s.Name.Name, doc, s.Type)
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								add(n.Name, s.Doc, s.Type)
							}
						}
					}
				}
			}
		}
	}
	return mentions
}

func isNilInterface(n ast.Node) bool {
	switch v := n.(type) {
	case *ast.FieldList:
		return v == nil
	case *ast.FuncType:
		return v == nil
	}
	return false
}

func fieldName(f *ast.Field) string {
	if len(f.Names) == 0 {
		return "(embedded)"
	}
	return f.Names[0].Name
}

// TestGoDocSpeaksOneName pins that a type has one name, in both packages
// and in everything go doc shows: every alias of package conductor has the
// name of the type of gen it stands for (Invoice = gen.Invoice, not
// gen.QbdInvoice); every gen.X that the doc or signature of an exported
// declaration of conductor shows is such an alias, so what go doc says of
// conductor reads in conductor's names; and every field of those types of
// gen is of a type conductor names too, so that a caller can spell, as
// conductor.X, the type of every field go doc of gen shows.
func TestGoDocSpeaksOneName(t *testing.T) {
	files := parseDir(t, ".")
	aliases := facadeAliases(files)
	if len(aliases) < 100 {
		t.Fatalf("found %d aliases of gen's types in package conductor; the test reads the wrong files", len(aliases))
	}
	for x, y := range aliases {
		if x != y {
			t.Errorf("conductor.%s = gen.%s: one type, two names", x, y)
		}
	}
	// gen.Client is Client.Gen's: the generated client itself, which
	// the docs name as such.
	escape := map[string]bool{"Client": true}
	for name, where := range genMentions(files) {
		if aliases[name] != name && !escape[name] {
			slices.Sort(where)
			t.Errorf("go doc of conductor's %s shows gen.%s, which conductor does not name", strings.Join(slices.Compact(where), ", "), name)
		}
	}

	// The fields of the aliased types of gen.
	genFiles := parseDir(t, filepath.Join("..", "gen"))
	genTypes := map[string]bool{}
	for _, f := range genFiles {
		for _, decl := range f.Decls {
			if d, ok := decl.(*ast.GenDecl); ok && d.Tok == token.TYPE {
				for _, spec := range d.Specs {
					genTypes[spec.(*ast.TypeSpec).Name.Name] = true
				}
			}
		}
	}
	for _, s := range typeSpecs(genFiles) {
		st, ok := s.Type.(*ast.StructType)
		if !ok || aliases[s.Name.Name] != s.Name.Name {
			continue
		}
		for _, field := range st.Fields.List {
			ast.Inspect(field.Type, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && genTypes[id.Name] && aliases[id.Name] != id.Name {
					t.Errorf("go doc of gen.%s shows field %s of type %s, which conductor does not name", s.Name.Name, fieldName(field), id.Name)
				}
				return true
			})
		}
	}
}

// TestExportedNamesAreShortAndSayEachWordOnce pins that no exported name
// of package conductor runs past apigen.MaxNameLength characters or
// stutters (AccountAccountType), generated and hand-written alike; for a
// constant of an enum, the words of its value may repeat, but not the
// words its type's name ends with (TaxFormFormT1, TaxFormForm1040).
func TestExportedNamesAreShortAndSayEachWordOnce(t *testing.T) {
	for _, bad := range []string{"AccountAccountType", "InvoiceLineLine"} {
		if _, ok := apigen.Stutters(bad); !ok {
			t.Fatalf("Stutters(%q) = false; the check below proves nothing", bad)
		}
	}
	for _, bad := range []string{"TaxFormFormT1", "TaxFormForm1040"} {
		if _, ok := apigen.StuttersAfter("TaxForm", bad); !ok {
			t.Fatalf("StuttersAfter(%q, %q) = false; the check below proves nothing", "TaxForm", bad)
		}
	}
	longest := ""
	count := 0
	check := func(name, typ string) {
		if !token.IsExported(name) {
			return
		}
		count++
		if len(name) > len(longest) {
			longest = name
		}
		if len(name) > apigen.MaxNameLength {
			t.Errorf("conductor.%s is %d characters long, more than %d", name, len(name), apigen.MaxNameLength)
		}
		w, ok := apigen.Stutters(name)
		if typ != "" && strings.HasPrefix(name, typ) {
			w, ok = apigen.StuttersAfter(typ, name)
		}
		if ok {
			t.Errorf("conductor.%s says %s twice", name, w)
		}
	}
	for _, f := range parseDir(t, ".") {
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					check(d.Name.Name, "")
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						check(s.Name.Name, "")
					case *ast.ValueSpec:
						typ := ""
						if id, ok := s.Type.(*ast.Ident); ok {
							typ = id.Name
						}
						for _, n := range s.Names {
							check(n.Name, typ)
						}
					}
				}
			}
		}
	}
	t.Logf("%d exported names; the longest is %s (%d characters)", count, longest, len(longest))
}

// TestEveryTypeSaysWhatItIs pins that go doc of each type, in conductor
// and in gen, says what the spec says it is, not "X is [gen.Y]" or
// "X defines model for y": an invoice by its summary, a nested object by
// its property's description, a nullable one ({anyOf: [object, null]},
// whose description is on the property) included.
func TestEveryTypeSaysWhatItIs(t *testing.T) {
	docs := func(files []*ast.File) map[string]string {
		out := map[string]string{}
		for d, s := range typeSpecs(files) {
			doc := s.Doc
			if doc == nil {
				doc = d.Doc
			}
			out[s.Name.Name] = strings.Join(strings.Fields(doc.Text()), " ")
		}
		return out
	}
	files := parseDir(t, ".")
	aliases := facadeAliases(files)
	facadeDocs, genDocs := docs(files), docs(parseDir(t, filepath.Join("..", "gen")))
	fromSpec := specTexts(t)
	// The types of gen written by hand (DateTime) say what they are in
	// their own words.
	handWritten := map[string]bool{}
	genFiles, _ := filepath.Glob(filepath.Join("..", "gen", "*.go"))
	for _, name := range genFiles {
		if strings.HasSuffix(name, ".gen.go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			if d, ok := decl.(*ast.GenDecl); ok && d.Tok == token.TYPE {
				for _, spec := range d.Specs {
					handWritten[spec.(*ast.TypeSpec).Name.Name] = true
				}
			}
		}
	}
	for name, genName := range aliases {
		if d := facadeDocs[name]; strings.HasPrefix(d, name+" is [gen.") {
			t.Errorf("go doc conductor.%s says only %q", name, d)
		}
		if d := genDocs[genName]; strings.Contains(d, "defines model for") || d == "" {
			t.Errorf("go doc gen.%s says only %q", genName, d)
		} else if !handWritten[genName] && !fromSpec(strings.TrimPrefix(d, genName+" ")) {
			t.Errorf("go doc gen.%s says %q, which is not the spec's", genName, d)
		}
	}
	for name, want := range map[string]string{
		"Invoice":                 "An invoice is a commercial document issued to customers",
		"InvoiceCustomer":         "The customer or customer-job associated with this invoice.",
		"InvoiceCreateParamsLine": "The invoice's line items",
		"AccountType":             "The classification of this account",
	} {
		if !strings.Contains(facadeDocs[name], want) || !strings.Contains(genDocs[name], want) {
			t.Errorf("go doc of %s does not say %q:\nconductor: %s\ngen: %s", name, want, facadeDocs[name], genDocs[name])
		}
	}
}

// specTexts returns a check that a type's doc says only what openapi.yaml
// says: a description, summary or title of the spec (or its first
// sentence), after the heads the generator puts before them ("What
// invoices.create (POST /invoices) answers: ", "An element of
// EndUser.integrationConnections: "); an enum's values; or that the spec
// says nothing of a schema. Words made up from a type's name ("The end
// user object.") are none of these.
func specTexts(t *testing.T) func(doc string) bool {
	t.Helper()
	data, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	var root any
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	var texts []string
	var walk func(any)
	walk = func(n any) {
		switch v := n.(type) {
		case map[string]any:
			for k, c := range v {
				if s, ok := c.(string); ok && (k == "description" || k == "summary" || k == "title") {
					texts = append(texts, strings.Join(strings.Fields(s), " "))
				}
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(root)
	said := func(s string) bool {
		s = strings.TrimSuffix(strings.TrimSpace(s), ".")
		return s != "" && slices.ContainsFunc(texts, func(text string) bool { return strings.HasPrefix(text, s) })
	}
	head := regexp.MustCompile(`(What|A page of|The parameters of|The query parameters of) [\w.]+ \((GET|POST|PUT|PATCH|DELETE) [^)]+\)( answers)?: |(An element of \w+\.|The )\w+( of \w+)?: `)
	values := regexp.MustCompile(`^The values of \w+( and \w+)*(, which \d+ properties and filters share)?: \S`)
	unsaid := regexp.MustCompile(`^defines parameters for \w+\.$|^The spec's schema \w+, which it neither describes nor uses\.$|^The \w+ of \w+\.$`)
	return func(doc string) bool {
		if values.MatchString(doc) || unsaid.MatchString(doc) {
			return true
		}
		parts := head.Split(doc, -1)
		if parts[0] == "" {
			parts = parts[1:]
		}
		for _, p := range parts {
			if !said(p) {
				return false
			}
		}
		return len(parts) > 0
	}
}
