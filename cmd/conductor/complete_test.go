package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// TestCompleteAtEveryLevel asks __complete, as the scripts do, for the
// candidates of each kind of word: command, resource, method, flag, a
// flag's value (after a space, after =, after a comma in a list).
func TestCompleteAtEveryLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		words []string // after "conductor", the last being completed
		want  []string
	}{
		{[]string{""}, []string{"auth-sessions", "completion", "end-users", "fake-server", "qbd"}},
		{[]string{"q"}, []string{"qbd"}},
		{[]string{"qbd", "invoic"}, []string{"invoices"}},
		{[]string{"qbd", "invoices", ""}, []string{"changes", "create", "delete", "list", "retrieve", "update", "void"}},
		{[]string{"qbd", "reports", "a"}, []string{"aging"}},
		{[]string{"end-users", "l"}, []string{"list"}},
		{[]string{"qbd", "invoices", "list", "--include-li"}, []string{"--include-line-items", "--include-linked-transactions"}},
		{[]string{"qbd", "invoices", "list", "-end-us"}, []string{"--end-user-id"}},
		// A flag given is not offered again.
		{[]string{"qbd", "invoices", "list", "--end-user-id", "end_usr_demo", "--end"}, nil},
		// A list's flag may be repeated.
		{[]string{"qbd", "invoices", "list", "--customer-ids", "a", "--customer-i"}, []string{"--customer-ids"}},
		// After a flag that takes a value: its values, or none to offer.
		{[]string{"qbd", "reports", "aging", "--report-type", "ar_aging_s"}, []string{"ar_aging_summary"}},
		{[]string{"qbd", "invoices", "list", "--end-user-id", ""}, nil},
		{[]string{"qbd", "invoices", "list", "--output", ""}, []string{"json", "jsonl", "table"}},
		{[]string{"qbd", "invoices", "list", "--output=js"}, []string{"--output=json", "--output=jsonl"}},
		{[]string{"qbd", "invoices", "list", "--include-line-items="}, []string{"--include-line-items=true", "--include-line-items=false"}},
		{[]string{"qbd", "deleted-transactions", "list", "--transaction-types", "bill,check,inv"}, []string{"bill,check,inventory_adjustment", "bill,check,invoice"}},
		// After a boolean flag, another flag.
		{[]string{"qbd", "invoices", "list", "--include-line-items", "--li"}, []string{"--limit"}},
		{[]string{"qbd", "invoices", "changes", "--s"}, []string{"--since"}},
		{[]string{"completion", ""}, []string{"bash", "fish", "zsh"}},
		{[]string{"auth-sessions", ""}, []string{"create"}},
		{[]string{"auth-sessions", "create", "--end-user-id", "end_usr_demo", "--"}, []string{"--link-expiry", "--publishable-key", "--redirect-url"}},
		{[]string{"fake-server", "--demo", "--fa"}, []string{"--fault-rate", "--fault-seed"}},
		{[]string{"fake-server", "--demo="}, []string{"--demo=true", "--demo=false"}},
		// Nothing fits: an unknown word, a word where a flag goes.
		{[]string{"qbd", "nothing", ""}, nil},
		{[]string{"qbd", "invoices", "list", "extra"}, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.words, " "), func(t *testing.T) {
			r := runCmd(t, nil, append([]string{completeWord}, tt.words...)...)
			if r.code != exitOK || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			var got []string
			for line := range strings.Lines(r.stdout) {
				word, _, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
				if !ok {
					t.Errorf("line %q has no tab before what it is", line)
				}
				got = append(got, word)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("candidates (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCompleteSaysWhatEachIs checks the descriptions zsh and fish show.
func TestCompleteSaysWhatEachIs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		words []string
		want  string
	}{
		{[]string{"qb"}, "qbd\tQuickBooks Desktop: "},
		{[]string{"qbd", "invoices", "li"}, "list\tList all invoices\n"},
		{[]string{"qbd", "invoices", "list", "--lim"}, "--limit\tThe maximum number of objects to return.\n"},
	} {
		r := runCmd(t, nil, append([]string{completeWord}, tt.words...)...)
		if !strings.HasPrefix(r.stdout, tt.want) {
			t.Errorf("%q: got %q, want it to begin %q", tt.words, r.stdout, tt.want)
		}
	}
}

// commandOnPath puts on PATH a program named conductor that runs this
// test binary as the command (TestMain), so that a shell runs the
// completion script as a person's would, calling back into the command.
func commandOnPath(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	script := "#!/bin/sh\n" + runMainVar + "=1 exec '" + os.Args[0] + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "conductor"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CONDUCTOR_") && !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	return append(env, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// TestBashCompletion loads the bash script as its install line does and
// calls its function as bash's completion does, with COMP_WORDS and
// COMP_CWORD set, for a resource, a method, a flag and flag values,
// including a value after "=", which bash splits into a word of its own.
func TestBashCompletion(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash:", err)
	}
	const program = `
source <(conductor completion bash) || exit 1
complete -p conductor
try() {
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMPREPLY=()
    _conductor
    echo "${COMPREPLY[*]}"
}
try conductor qbd invoi
try conductor qbd invoices li
try conductor qbd invoices list --include-li
try conductor qbd reports aging --report-type ar_aging_s
try conductor qbd invoices list --output ""
try conductor qbd invoices list --output = jsonl
try conductor qbd invoices list --include-line-items =
try conductor qbd invoices list --include-line-items = true --lim
`
	want := strings.Join([]string{
		"complete -F _conductor conductor",
		"invoices",
		"list",
		"--include-line-items --include-linked-transactions",
		"ar_aging_summary",
		"json jsonl table",
		"jsonl",
		"true false",
		"--limit",
	}, "\n") + "\n"
	cmd := exec.CommandContext(testdeadline.Context(t), bash, "--norc", "--noprofile", "-c", program)
	cmd.Env = commandOnPath(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Errorf("bash's candidates (-want +got):\n%s", diff)
	}
}

// TestCompletionScripts checks that each shell's script calls back into
// the command and registers itself, and, for a shell that is installed,
// that the shell reads it without a syntax error.
func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	for shell, register := range map[string]string{
		"bash": "complete -F _conductor conductor",
		"zsh":  "compdef _conductor conductor",
		"fish": "complete -c conductor -f -a '(__conductor_complete)'",
	} {
		t.Run(shell, func(t *testing.T) {
			r := runCmd(t, nil, "completion", shell)
			if r.code != exitOK || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			for _, want := range []string{" __complete ", register} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("the script lacks %q:\n%s", want, r.stdout)
				}
			}
			path, err := exec.LookPath(shell)
			if err != nil {
				return // the shell is not installed: its syntax goes unchecked
			}
			file := filepath.Join(t.TempDir(), "conductor."+shell)
			if err := os.WriteFile(file, []byte(r.stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.CommandContext(testdeadline.Context(t), path, "-n", file).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", shell, err, out)
			}
		})
	}
}

func TestCompletionUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"completion"}, {"completion", "powershell"}} {
		r := runCmd(t, nil, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "Usage: conductor completion bash|zsh|fish") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and the usage", args, r.code, r.stderr)
		}
	}
	r := runCmd(t, nil, "completion", "powershell")
	if want := `conductor completion: unknown shell "powershell"; want bash, fish or zsh`; !strings.HasPrefix(r.stderr, want) {
		t.Errorf("stderr %q, want it to begin %q", r.stderr, want)
	}
	if r := runCmd(t, nil, "completion", "--help"); r.code != exitOK || !strings.Contains(r.stdout, "source <(conductor completion bash)") {
		t.Errorf("--help: exit %d, stdout %q", r.code, r.stdout)
	}
}

// TestCompletionNeedsNoKeyOrNetwork: __complete and the completion
// scripts work with no key and an unreachable base URL.
func TestCompletionNeedsNoKeyOrNetwork(t *testing.T) {
	for _, args := range [][]string{
		{"__complete", "qbd", "invoices", "list", "--output", ""},
		{"__complete", "qbd", "inv"},
		{"__complete", "end-users", "create", "--"},
		{"completion", "bash"},
		{"completion", "zsh"},
		{"completion", "fish"},
	} {
		r := runCmd(t, map[string]string{"CONDUCTOR_BASE_URL": "http://127.0.0.1:1"}, args...)
		if r.code != 0 || r.stdout == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
}
