package apigen

import (
	"bytes"
	_ "embed"
	"strconv"
	"text/template"
)

// rulesText is the template of rules.gen.go; rulesFile is what it is
// executed with.
//
//go:embed rules.tmpl
var rulesText string

var rulesTemplate = template.Must(template.New("rules.tmpl").Funcs(template.FuncMap{
	"quote": strconv.Quote,
}).Parse(rulesText))

// rulesFile is what rules.gen.go declares.
type rulesFile struct {
	Header string
	// Sets are the enums' sets of values the rules use, by first use.
	Sets []*enumSet
	// Funcs are the check functions, in order of first use.
	Funcs []*ruleFunc
}

// render executes the template of rules.gen.go and gofmts the result.
func (r *rulesGen) render() ([]byte, error) {
	if err := r.err(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := rulesTemplate.Execute(&b, rulesFile{Header: header, Sets: r.setOrder, Funcs: r.order}); err != nil {
		return nil, err
	}
	return gofmt(RulesFile, b.Bytes())
}
