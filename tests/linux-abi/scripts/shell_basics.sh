# busybox sh: pipelines, redirections, here-documents, command substitution, subshells,
# exit statuses, functions, loops and arithmetic.
cd "$1" || exit 1
echo "pipeline: $(echo one two three | tr ' ' '\n' | wc -l)"
echo hello > out.txt
echo world >> out.txt
cat < out.txt
echo "lines: $(wc -l < out.txt)"
cat <<EOT
here-doc $((6 * 7))
EOT
(exit 3); echo "subshell status: $?"
false || echo "or-list ran"
true && echo "and-list ran"
f() { echo "function got $# args: $*"; return 5; }
f a b c; echo "function status: $?"
i=0; while [ $i -lt 5 ]; do i=$((i + 1)); done; echo "while: $i"
for w in x y z; do printf '%s-' "$w"; done; echo
case "abc" in a*) echo "case matched";; *) echo "case missed";; esac
echo "stderr goes away" 2>/dev/null >&2
ls nothing-here 2>/dev/null || echo "ls failed as expected: $?"
x=$(echo nested $(echo inner)); echo "$x"
echo "pid is a number: $(test "$$" -gt 0 && echo yes)"
set -- p q r; shift; echo "positional: $1 $#"
