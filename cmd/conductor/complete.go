package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// Shell completion. A shell's script is small and the same for every
// version of the command: it passes the words typed to the hidden command
// __complete, which answers from the same tree and flags as the commands
// themselves, so completion always matches the binary and a new operation
// of the spec completes with no code. __complete reads only the embedded
// spec: no key, no network, no fake.

// completeWord is the hidden command the scripts call:
//
//	conductor __complete WORD... CURRENT
//
// CURRENT is the word being completed ("" for a new one); it prints the
// candidates that begin with it, one a line, each followed by a tab and
// what it is (zsh and fish show it; bash drops it).
const completeWord = "__complete"

// candidate is one word a shell may complete, with what it is.
type candidate struct{ word, what string }

const completionUsage = `Usage: conductor completion bash|zsh|fish

Print a script that completes conductor's commands, resources, methods,
flags and flag values in the shell. To load it:

  bash:  source <(conductor completion bash)          (in ~/.bashrc)
  zsh:   source <(conductor completion zsh)           (in ~/.zshrc, after compinit)
  fish:  conductor completion fish | source           (in ~/.config/fish/config.fish)

The script asks the command itself for the words, so it stays right as the
command changes.
`

// runCompletion prints the script for the shell named.
func runCompletion(_ context.Context, args []string, e env) int {
	if len(args) == 1 && isHelp(args[0]) {
		fmt.Fprint(e.stdout, completionUsage)
		return exitOK
	}
	if len(args) != 1 || completionScripts[args[0]] == "" {
		msg := "name the shell"
		if len(args) > 0 {
			msg = fmt.Sprintf("unknown shell %q; want %s", strings.Join(args, " "), orList(shells()))
		}
		fmt.Fprintf(e.stderr, "conductor completion: %s\n\n%s", msg, completionUsage)
		return exitUsage
	}
	fmt.Fprint(e.stdout, completionScripts[args[0]])
	return exitOK
}

// runComplete prints the candidates for the last of args.
func runComplete(_ context.Context, args []string, e env) int {
	for _, c := range complete(args) {
		fmt.Fprintf(e.stdout, "%s\t%s\n", c.word, c.what)
	}
	return exitOK
}

func shells() []string {
	var names []string
	for name := range completionScripts {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// complete is the candidates for the last of args, the words after
// "conductor": those that begin with it.
func complete(args []string) []candidate {
	if len(args) == 0 {
		args = []string{""}
	}
	cur, before := args[len(args)-1], args[:len(args)-1]
	var all []candidate
	switch {
	case len(before) == 0:
		for _, h := range handWritten {
			all = append(all, candidate{h.word, h.what})
		}
		if root, err := loadTree(); err == nil {
			for _, c := range root.candidates() {
				if !slices.ContainsFunc(handWritten, func(h handCommand) bool { return h.word == c.word }) {
					all = append(all, c)
				}
			}
		}
		slices.SortFunc(all, func(a, b candidate) int { return strings.Compare(a.word, b.word) })
	case before[0] == "completion":
		if len(before) == 1 {
			for _, s := range shells() {
				all = append(all, candidate{s, "the script for " + s})
			}
		}
	case before[0] == "auth-sessions":
		if len(before) == 1 {
			all = append(all, candidate{"create", "create an auth session"})
		} else if before[1] == "create" {
			return completeFlags(createFlags(new(conductor.AuthSessionCreateParams)), nil, before[2:], cur)
		}
	case before[0] == "fake-server":
		return completeFlags(new(fakeServerSettings).flagSet(), nil, before[1:], cur)
	default:
		root, err := loadTree()
		if err != nil {
			return nil
		}
		n := root
		for len(before) > 0 && !n.leaf() {
			if n = n.children[before[0]]; n == nil {
				return nil
			}
			before = before[1:]
		}
		if !n.leaf() {
			all = n.candidates()
			break
		}
		fs, what := n.flagSet()
		if fs == nil {
			return nil
		}
		return completeFlags(fs, what, before, cur)
	}
	return withPrefix(all, cur)
}

// withPrefix keeps the candidates that begin with prefix.
func withPrefix(all []candidate, prefix string) []candidate {
	var out []candidate
	for _, c := range all {
		if strings.HasPrefix(c.word, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// candidates are the words after a group of commands: its resources, with
// their methods, and its methods, with what they do.
func (n *node) candidates() []candidate {
	var out []candidate
	for _, name := range n.names() {
		child := n.children[name]
		switch {
		case child.leaf():
			out = append(out, candidate{name, child.summary()})
		case child.holdsResources():
			out = append(out, candidate{name, fmt.Sprintf("%s: %d resources", apispec.NamespaceTitle(name), len(child.children))})
		default:
			out = append(out, candidate{name, strings.Join(child.names(), ", ")})
		}
	}
	return out
}

// flagSet is the flags of a command of the tree, with what each is, as its
// help says in its first sentence; nil when they cannot be made.
func (n *node) flagSet() (*flag.FlagSet, map[string]string) {
	what := map[string]string{}
	if n.feed != nil {
		fs := flag.NewFlagSet("", flag.ContinueOnError)
		for _, h := range n.feed.flagHelp() {
			fs.Var(new(stringFlag), h.name, "")
			what[h.name] = firstSentence(h.text)
		}
		return fs, what
	}
	s, err := n.op.table.operation(n.op.op)
	if err != nil {
		return nil, nil
	}
	f, err := n.op.flags(s)
	if err != nil {
		return nil, nil
	}
	for name, h := range f.help {
		what[name] = firstSentence(helpText(h.text))
	}
	return f.fs, what
}

// valued is a flag whose values can be listed, for completion.
type valued interface{ values() []string }

// values are an enum parameter's values, or true and false.
func (f *paramFlag) values() []string {
	schema := f.param.Schema
	if schema.Type == "array" && schema.Items != nil {
		schema = *schema.Items
	}
	if schema.Type == "boolean" {
		return []string{"true", "false"}
	}
	var out []string
	for _, v := range schema.Enum {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

// isBool says that a flag takes no value after a space.
func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// completeFlags is the candidates at a command's flags: a flag's value
// after --name= or after a flag that takes one, else the flags not given
// yet (a list's flag may be repeated).
func completeFlags(fs *flag.FlagSet, what map[string]string, before []string, cur string) []candidate {
	lookup := func(word string) *flag.Flag {
		if !strings.HasPrefix(word, "-") {
			return nil
		}
		return fs.Lookup(strings.TrimLeft(word, "-"))
	}
	if name, value, ok := strings.Cut(cur, "="); ok && strings.HasPrefix(cur, "-") {
		if f := lookup(name); f != nil {
			return flagValues(f, name+"=", value)
		}
		return nil
	}
	if len(before) > 0 {
		if f := lookup(before[len(before)-1]); f != nil && !isBool(f) {
			return flagValues(f, "", cur)
		}
	}
	given := map[string]bool{}
	for _, w := range before {
		name, _, _ := strings.Cut(w, "=")
		if f := lookup(name); f != nil {
			given[f.Name] = true
		}
	}
	var all []candidate
	fs.VisitAll(func(f *flag.Flag) {
		if pf, ok := f.Value.(*paramFlag); given[f.Name] && !(ok && pf.isList()) {
			return
		}
		w, ok := what[f.Name]
		if !ok {
			// A hand-written command's flag: its usage, to the first
			// semicolon or line break.
			_, w = flag.UnquoteUsage(f)
			w, _, _ = strings.Cut(w, "\n")
			w, _, _ = strings.Cut(w, ";")
		}
		all = append(all, candidate{"--" + f.Name, w})
	})
	if !strings.HasPrefix(cur, "-") && cur != "" {
		return nil // a word where a flag goes: none fits
	}
	return withPrefix(all, "--"+strings.TrimLeft(cur, "-"))
}

// flagValues is the values of f that begin with typed, each after prefix
// (--name= when the value is in the same word); a list's flag completes
// the item after the last comma.
func flagValues(f *flag.Flag, prefix, typed string) []candidate {
	var values []string
	switch v := f.Value.(type) {
	case valued:
		values = v.values()
	default:
		if isBool(f) {
			values = []string{"true", "false"}
		}
	}
	if pf, isParam := f.Value.(*paramFlag); isParam && pf.isList() {
		if i := strings.LastIndex(typed, ","); i >= 0 {
			prefix += typed[:i+1]
			typed = typed[i+1:]
		}
	}
	var out []candidate
	for _, value := range values {
		if strings.HasPrefix(value, typed) {
			out = append(out, candidate{prefix + value, ""})
		}
	}
	return out
}

// completionScripts are the scripts, by shell. Each calls the command it
// completes, by the name typed, with the words before the cursor.
var completionScripts = map[string]string{
	"bash": `# bash completion for conductor. Load it with
#   source <(conductor completion bash)
# It asks "conductor __complete WORD... CURRENT" for the words.
_conductor() {
    local cur=${COMP_WORDS[COMP_CWORD]} prefix= line i w n=0
    local -a args=()
    # bash splits --flag=value at "=" (COMP_WORDBREAKS): the words are put
    # back together for the command, and bash replaces only what follows
    # the "=".
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if ((n > 0)) && [[ $w == "=" || ${args[n-1]} == -*= ]]; then
            args[n-1]+=$w
        else
            args[n++]=$w
        fi
    done
    if [[ $cur == "=" ]] && ((n > 0)) && [[ ${args[n-1]} == -* ]]; then
        prefix="${args[n-1]}="
        unset "args[n-1]"
        cur=$prefix
    elif ((n > 0)) && [[ ${COMP_WORDS[COMP_CWORD-1]} == "=" && ${args[n-1]} == -*= ]]; then
        prefix=${args[n-1]}
        unset "args[n-1]"
        cur=$prefix$cur
    fi
    COMPREPLY=()
    while IFS= read -r line; do
        line=${line%%$'\t'*}
        COMPREPLY+=("${line#"$prefix"}")
    done < <("${COMP_WORDS[0]}" __complete "${args[@]}" "$cur" 2>/dev/null)
}
complete -F _conductor conductor
`,
	"zsh": `#compdef conductor
# zsh completion for conductor. Load it with
#   source <(conductor completion zsh)
# after compinit, or save it as _conductor in a directory of $fpath.
# It asks "conductor __complete WORD... CURRENT" for the words.
_conductor() {
    local -a lines candidates
    local line word what
    lines=("${(@f)$("${words[1]}" __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    for line in "${lines[@]}"; do
        [[ -z $line ]] && continue
        word=${line%%$'\t'*}
        what=${line#*$'\t'}
        word=${word//:/\\:}
        if [[ -n $what && $what != "$line" ]]; then
            candidates+=("$word:$what")
        else
            candidates+=("$word")
        fi
    done
    _describe conductor candidates
}
if [[ $funcstack[1] == _conductor ]]; then
    _conductor "$@"
else
    compdef _conductor conductor
fi
`,
	"fish": `# fish completion for conductor. Load it with
#   conductor completion fish | source
# It asks "conductor __complete WORD... CURRENT" for the words.
function __conductor_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    $tokens[1] __complete $tokens[2..-1] "$current" 2>/dev/null
end
complete -c conductor -f -a '(__conductor_complete)'
`,
}
