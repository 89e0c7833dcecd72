package apigen

import (
	"bytes"
	_ "embed"
	"strings"
	"text/template"
)

// typesTemplate writes conductor/types.gen.go from a typesFile.
//
//go:embed types.tmpl
var typesTemplate string

var typesTmpl = template.Must(template.New("types.tmpl").Parse(typesTemplate))

// typesFile is what types.tmpl writes: an alias for every type of gen a
// caller may need, under its own name, documented with what the spec says
// it is; and the constants of each enum, in a block of its type, which go
// doc lists under the type.
type typesFile struct {
	Header string
	Types  []aliasDecl
	Enums  []enumDecl
	// typeOf maps a constant to its type.
	typeOf map[string]string
}

// TypeOf is the type of a constant.
func (t typesFile) TypeOf(constant string) string { return t.typeOf[constant] }

type aliasDecl struct {
	Name string
	// Doc is the doc comment's lines, without the "// ".
	Doc []string
}

type enumDecl struct {
	Type   string
	Consts []string
}

// aliasDoc is the doc comment of the alias name: what the spec says it is,
// then where its fields (or, for an enum, its values) are.
func aliasDoc(name, description string, enum bool) []string {
	var lines []string
	for i, para := range strings.Split(strings.TrimSpace(description), "\n\n") {
		text := strings.Join(strings.Fields(para), " ")
		if text == "" {
			continue
		}
		if i == 0 {
			text = name + ": " + text
		}
		if len(lines) > 0 {
			lines = append(lines, "")
		}
		lines = append(lines, wrap(text, 76)...)
	}
	more := "Its fields, and what each holds, are those of [gen." + name + "]."
	if enum {
		more = "Its values are the constants below, as in [gen." + name + "]."
	}
	if len(lines) == 0 {
		return []string{name + " is [gen." + name + "]. " + more}
	}
	return append(lines, "", more)
}

func (t typesFile) render() ([]byte, error) {
	var b bytes.Buffer
	if err := typesTmpl.Execute(&b, t); err != nil {
		return nil, err
	}
	return gofmt(TypesFile, b.Bytes())
}
