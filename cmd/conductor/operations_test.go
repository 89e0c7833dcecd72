package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"github.com/seed-6dcb809e/conductor-go/internal/facade"
)

// TestEveryOperationIsACommand takes every operation of the spec, as
// internal/apispec reads it, to the command line: its command exists and
// its help lists a flag for each parameter; the facade has its method,
// taking the parameters type apispec names; every flag reaches a field of
// that type; and running the command sends that operation. A new
// operation in the spec cannot lack a command, nor a parameter its flag.
func TestEveryOperationIsACommand(t *testing.T) {
	t.Parallel()
	table, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	root, err := loadTree()
	if err != nil {
		t.Fatal(err)
	}
	srv, vars := demoFake(t)
	vars["CONDUCTOR_PUBLISHABLE_KEY"] = srv.PublishableKey // for auth-sessions create

	if n := countOperations(root); n != len(table.ops) {
		t.Errorf("the tree has %d operations, the spec %d", n, len(table.ops))
	}
	for _, op := range table.ops {
		t.Run(op.SDKName(), func(t *testing.T) {
			words := commandWords(op)
			leaf := root
			for _, w := range words {
				leaf = leaf.children[w]
				if leaf == nil {
					t.Fatalf("no command %q", strings.Join(words, " "))
				}
			}
			if leaf.op == nil || leaf.op.op.SDKName() != op.SDKName() {
				t.Fatalf("the command %q is not %s", strings.Join(words, " "), op.SDKName())
			}

			help := runCmd(t, nil, append(words, "--help")...)
			if help.code != exitOK || !strings.HasPrefix(help.stdout, "Usage: conductor "+strings.Join(words, " ")) {
				t.Fatalf("--help: exit %d, stdout %q, stderr %q", help.code, help.stdout, help.stderr)
			}
			s, err := table.operation(op)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range s.Parameters {
				if p.In == "query" && !strings.Contains(help.stdout, "\n  --"+kebab(p.Name)+" ") && !strings.Contains(help.stdout, "\n  --"+kebab(p.Name)+"[") {
					t.Errorf("the help lists no --%s for the query parameter %s", kebab(p.Name), p.Name)
				}
			}

			m, err := facade.Find(op, op.GoMethod())
			if err != nil {
				t.Fatal(err)
			}
			if op.Kind == apispec.List {
				if _, err := facade.Find(op, "All"); err != nil {
					t.Fatal(err)
				}
			}
			if want := op.ParamsType(); (want != "") != (m.Params != nil) {
				t.Errorf("the facade's method takes parameters %v; apispec names %q", m.Params, want)
			}
			if op.SDKName() != "authSessions.create" {
				checkFlagsReachFields(t, leaf.op, s, m)
			}
			checkCallSends(t, vars, srv, op, words, s)
		})
	}
}

// countOperations counts the operations below n.
func countOperations(n *node) int {
	if n.op != nil {
		return 1
	}
	total := 0
	for _, c := range n.children {
		total += countOperations(c)
	}
	return total
}

// checkFlagsReachFields gives every query flag of an operation a value
// and checks that the parameters the command makes hold each, under the
// parameter's name.
func checkFlagsReachFields(t *testing.T, c *opCommand, s *opSpec, m *facade.Method) {
	t.Helper()
	f, err := c.flags(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.query) == 0 {
		return
	}
	var want []string
	for _, pf := range f.query {
		if err := pf.Set(sample(pf.param.Schema)); err != nil {
			t.Fatalf("--%s %s: %v", pf.flag, sample(pf.param.Schema), err)
		}
		want = append(want, pf.param.Name)
	}
	v, err := queryParams(f.query, m.Params)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(v.Interface())
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("with every flag set, the parameters hold %v, want %v", keys, want)
	}
}

// checkCallSends runs the operation's command with its required flags and
// a body of its required fields, and checks that the API got that
// operation. Whether the fake accepts the sample values does not matter
// here (exit 0 or 1); a usage error (2) would mean the command cannot
// send what the spec describes.
func checkCallSends(t *testing.T, vars map[string]string, srv *conductortest.Server, op apispec.Operation, words []string, s *opSpec) {
	t.Helper()
	args := append([]string(nil), words...)
	path := op.Path
	if op.SDKName() == "authSessions.create" {
		// Written by hand: its body's fields are flags.
		s = &opSpec{}
		args = append(args, "--end-user-id", demo)
	}
	if op.NeedsEndUser {
		args = append(args, "--end-user-id", demo)
	}
	if op.HasID {
		// No such object: the call is refused after it arrives, and the
		// demo company stays whole for the other operations.
		id := "80000999-1700000999"
		if op.Namespace == "" {
			id = "end_usr_nobody"
		}
		args = append(args, "--id", id)
		path = strings.Replace(path, "{id}", id, 1)
	}
	for _, p := range s.Parameters {
		switch {
		case p.In == "path" && p.Name != "id":
			args = append(args, "--"+kebab(p.Name), sample(p.Schema))
			path = strings.Replace(path, "{"+p.Name+"}", sample(p.Schema), 1)
		case p.In == "query" && p.Required:
			args = append(args, "--"+kebab(p.Name), sample(p.Schema))
		}
	}
	if b, err := s.body(); err != nil {
		t.Fatal(err)
	} else if b != nil {
		body := minimalBody(t, op)
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, "--data", string(data))
	}
	before := len(srv.Requests())
	r := runCmd(t, vars, args...)
	if r.code == exitUsage || (r.code == exitAPI && !strings.Contains(r.stderr, "the API refused the call")) {
		t.Fatalf("conductor %s: exit %d, stderr %q; want it sent", strings.Join(args, " "), r.code, r.stderr)
	}
	reqs := srv.Requests()
	if len(reqs) != before+1 {
		t.Fatalf("conductor %s: the API got %d requests, want 1", strings.Join(args, " "), len(reqs)-before)
	}
	if got := reqs[len(reqs)-1]; got.Method != op.Method || got.Path != path {
		t.Errorf("conductor %s sent %s %s, want %s %s", strings.Join(args, " "), got.Method, got.Path, op.Method, path)
	}
}

// sample is a value a flag of the schema accepts.
func sample(s specSchema) string {
	if s.Type == "array" && s.Items != nil {
		return sample(*s.Items)
	}
	switch {
	case len(s.Enum) > 0:
		return fmt.Sprint(s.Enum[0])
	case s.Type == "boolean":
		return "true"
	case s.Type == "integer" || s.Type == "number":
		if s.Minimum != nil {
			return fmt.Sprint(*s.Minimum)
		}
		return "1"
	case s.Format == "date":
		return "2024-10-01"
	case strings.Contains(s.Description, "YYYY-MM-DDTHH:mm:ss±HH:mm"):
		// A date and time filter, which takes only the forms it lists.
		return "2024-10-01T09:30:00+02:00"
	}
	return "x"
}

// minimalBody is a body of o's required fields, each the least value the
// spec's rules (which the library checks before sending) accept: a list
// of as many elements as it needs, an object of its own required fields,
// a free-form object of as many properties as it needs.
func minimalBody(t *testing.T, o apispec.Operation) map[string]any {
	t.Helper()
	table, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	var op struct {
		RequestBody struct {
			Content map[string]struct {
				Schema map[string]any `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
	}
	if err := json.Unmarshal([]byte(table.doc.Operations[o.Method+" "+o.Path]), &op); err != nil {
		t.Fatal(err)
	}
	body, _ := sampleJSON(op.RequestBody.Content["application/json"].Schema).(map[string]any)
	return body
}

// sampleJSON is the least JSON value of the schema, for a body.
func sampleJSON(s map[string]any) any {
	count := func(key string) int {
		n, _ := s[key].(float64)
		return int(n)
	}
	description, _ := s["description"].(string)
	switch {
	case s["enum"] != nil:
		return s["enum"].([]any)[0]
	case s["type"] == "boolean":
		return true
	case s["type"] == "integer" || s["type"] == "number":
		if m, ok := s["minimum"].(float64); ok {
			return m
		}
		return 1
	case s["type"] == "array":
		items, _ := s["items"].(map[string]any)
		list := []any{}
		for range count("minItems") {
			list = append(list, sampleJSON(items))
		}
		return list
	case s["type"] == "object":
		obj := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		required, _ := s["required"].([]any)
		for _, name := range required {
			p, _ := props[name.(string)].(map[string]any)
			obj[name.(string)] = sampleJSON(p)
		}
		for i := len(obj); i < count("minProperties"); i++ {
			obj[fmt.Sprintf("property%d", i)] = "x"
		}
		return obj
	case s["format"] == "date":
		return "2024-10-01"
	case s["format"] == "date-time" || strings.HasPrefix(description, "The date and time"):
		return "2024-10-01T09:30:00Z"
	}
	return "x"
}
