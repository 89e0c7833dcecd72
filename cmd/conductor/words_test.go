package main

import "testing"

func TestKebab(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"list":                "list",
		"budgetSummary":       "budget-summary",
		"customerIds":         "customer-ids",
		"ids":                 "ids",
		"endUserID":           "end-user-id",
		"HTTPServer":          "http-server",
		"integrationSlug":     "integration-slug",
		"includeLineItems":    "include-line-items",
		"otherCustomField1":   "other-custom-field1",
		"refNumberStartsWith": "ref-number-starts-with",
	} {
		if got := kebab(in); got != want {
			t.Errorf("kebab(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFirstSentence(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"The maximum number. Accepts 1 to 150.":           "The maximum number.",
		"Filter by date (e.g., `2025-01-01`). More here.": "Filter by date (e.g., `2025-01-01`).",
		"**IMPORTANT**: one\nline. Two.":                  "IMPORTANT: one line.",
		"Version 1.5 of the file.":                        "Version 1.5 of the file.",
		"No full stop":                                    "No full stop",
		"Ends at the end.":                                "Ends at the end.",
		"Use i.e. this one. Not that.":                    "Use i.e. this one.",
	} {
		if got := firstSentence(in); got != want {
			t.Errorf("firstSentence(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClosest(t *testing.T) {
	t.Parallel()
	names := []string{"create", "delete", "list", "retrieve", "update", "void"}
	for word, want := range map[string]string{"lst": "list", "retreive": "retrieve", "updat": "update", "frobnicate": "", "": "", "update": "update"} {
		if got := closest(word, names); got != want {
			t.Errorf("closest(%q) = %q, want %q", word, got, want)
		}
	}
}
