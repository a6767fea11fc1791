# Functions: arguments, local and dynamic scope, return values, recursion, FUNCNAME, nameref.
g=global
f() { local g=local; echo "in f: $g, args $#: $*"; inner; }
inner() { echo "inner sees $g"; }
f a b "c d"
echo "after f: $g"
fact() { local n=$1; if (( n <= 1 )); then echo 1; else echo $(( n * $(fact $((n-1))) )); fi; }
echo "10! = $(fact 10)"
ret() { return $1; }
ret 7; echo "status $?"
who() { echo "${FUNCNAME[0]} called from ${FUNCNAME[1]:-main}"; }
caller_fn() { who; }
caller_fn
setref() { local -n ref=$1; ref="set by reference"; }
setref target; echo "$target"
counter=0; inc() { counter=$((counter+1)); }
for i in 1 2 3 4 5; do inc; done; echo "counter $counter"
declare -f inc | head -1
unset -f inc; type inc 2>&1 | sed 's/^.*: //'
