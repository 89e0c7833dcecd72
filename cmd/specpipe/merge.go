package main

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// localSchemas are the components.schemas this repository adds to
// Conductor's spec: every non-2xx body is an ErrorResponse, though no
// operation of the spec says so. They are copied from Conductor's published
// spec. A candidate spec that has them keeps its own; one that lacks them
// gets this repository's.
var localSchemas = []string{"ErrorResponse", "Error"}

// mergeLocalAdditions returns candidate with the localSchemas of current
// that it lacks, and their names. It edits the text, so that the rest of
// candidate stays byte for byte as published: each schema is copied with
// its lines from current, re-indented, to the end of candidate's
// components.schemas.
func mergeLocalAdditions(candidate, current []byte) ([]byte, []string, error) {
	candSchemas, err := schemasNode(candidate)
	if err != nil {
		return nil, nil, err
	}
	curSchemas, err := schemasNode(current)
	if err != nil {
		return nil, nil, fmt.Errorf("the current spec: %w", err)
	}
	curLines := strings.SplitAfter(string(current), "\n")
	var blocks []string
	var added []string
	for _, name := range localSchemas {
		if mappingKey(candSchemas, name) != nil {
			continue
		}
		key := mappingKey(curSchemas, name)
		if key == nil {
			return nil, nil, fmt.Errorf("the current spec has no components.schemas.%s to keep", name)
		}
		block := blockLines(curLines, key)
		blocks = append(blocks, reindent(block, candSchemas.Content[0].Column-key.Column))
		added = append(added, name)
	}
	if len(blocks) == 0 {
		return candidate, nil, nil
	}
	candLines := strings.SplitAfter(string(candidate), "\n")
	// The schemas block ends at its last non-blank line.
	parentKey := candSchemas.Content[0]
	end := parentKey.Line - 1 + len(blockLines(candLines, parentKey))
	if !strings.HasSuffix(candLines[end-1], "\n") {
		candLines[end-1] += "\n"
	}
	out := slices.Concat(candLines[:end], blocks, candLines[end:])
	merged := []byte(strings.Join(out, ""))
	// Check the result is what it claims to be.
	mergedSchemas, err := schemasNode(merged)
	if err != nil {
		return nil, nil, fmt.Errorf("adding %s made an invalid document: %w", strings.Join(added, ", "), err)
	}
	for _, name := range localSchemas {
		if mappingKey(mergedSchemas, name) == nil {
			return nil, nil, fmt.Errorf("adding %s did not give a components.schemas.%s; add it by hand", strings.Join(added, ", "), name)
		}
	}
	return merged, added, nil
}

// schemasNode returns the components.schemas mapping of a YAML document;
// its keys carry their line and column in the text.
func schemasNode(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("not YAML: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errors.New("not a YAML document")
	}
	components := mappingValue(doc.Content[0], "components")
	schemas := mappingValue(components, "schemas")
	if schemas == nil || schemas.Kind != yaml.MappingNode || len(schemas.Content) == 0 || schemas.Style&yaml.FlowStyle != 0 {
		return nil, errors.New("no components.schemas in block style to add the local schemas to; add them by hand")
	}
	return schemas, nil
}

// mappingKey returns the key node named name in mapping m, or nil.
func mappingKey(m *yaml.Node, name string) *yaml.Node {
	if i := mappingIndex(m, name); i >= 0 {
		return m.Content[i]
	}
	return nil
}

// mappingValue returns the value of key name in mapping m, or nil.
func mappingValue(m *yaml.Node, name string) *yaml.Node {
	if i := mappingIndex(m, name); i >= 0 {
		return m.Content[i+1]
	}
	return nil
}

// mappingIndex returns the index in m.Content of the key named name, or -1
// when m is not a mapping or has no such key.
func mappingIndex(m *yaml.Node, name string) int {
	if m == nil || m.Kind != yaml.MappingNode {
		return -1
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == name {
			return i
		}
	}
	return -1
}

// blockLines returns the lines of key and its value in block-style YAML:
// the key's line and the lines after it that are blank or indented deeper
// than the key, without trailing blank lines.
func blockLines(lines []string, key *yaml.Node) []string {
	start := key.Line - 1
	end := start + 1
	last := end
	for ; end < len(lines); end++ {
		l := strings.TrimRight(lines[end], "\r\n")
		if strings.TrimSpace(l) == "" {
			continue
		}
		if len(l)-len(strings.TrimLeft(l, " ")) < key.Column {
			break
		}
		last = end + 1
	}
	return lines[start:last]
}

// reindent shifts every non-blank line of block by delta spaces.
func reindent(block []string, delta int) string {
	var b strings.Builder
	for _, l := range block {
		switch {
		case strings.TrimSpace(l) == "" || delta == 0:
		case delta > 0:
			l = strings.Repeat(" ", delta) + l
		default:
			l = l[min(-delta, len(l)-len(strings.TrimLeft(l, " "))):]
		}
		b.WriteString(l)
	}
	s := b.String()
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}
