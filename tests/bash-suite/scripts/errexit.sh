# set -e, set -u, set -o pipefail in subshells; contexts where -e does not apply.
( set -e; false; echo "not reached" ); echo "set -e subshell status $?"
( set -e; if false; then :; fi; false || true; ! true; echo "conditionals survive -e" )
( set -e; f() { false; echo "f continues (called from ||)"; }; f || echo "f failed" )
( set -u; echo "${undefined_var}"; echo "not reached" ) 2>&1 | sed 's/^.*: //'
( set -u; echo "${undefined_var:-fine}" )
( set -eo pipefail; false | true; echo "not reached" ); echo "pipefail -e status $?"
( set -e; x=$(false); echo "assignment from failed substitution: not reached" ); echo "status $?"
( set -e; local_test() { local v=$(false); echo "local masks status"; }; local_test )
( set -e; trap 'echo "ERR trap: $?"' ERR; set -E; g() { return 5; }; g; echo no ) ; echo "status $?"
echo "$-" | tr -d 'i' | grep -q h && echo "hashall on"
