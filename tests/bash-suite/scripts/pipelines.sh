# Pipelines: PIPESTATUS, pipefail, negation, lastpipe, |&, long pipelines, subshells, groups.
true | false | true; echo "${PIPESTATUS[@]}"
false | true; echo "status $?"
set -o pipefail; false | true; echo "pipefail status $?"; set +o pipefail
! false; echo "negated $?"
seq 1 1000 | grep 7 | sort -r | head -3 | tr '\n' ' '; echo
echo "to stderr" |& cat
shopt -s lastpipe; echo last | read v; echo "lastpipe: $v"; shopt -u lastpipe
x=outer; echo inner | read x; echo "x=$x"
{ echo group1; echo group2; } | wc -l
(echo sub; exit 3) | cat; echo "${PIPESTATUS[0]}"
yes | head -n 3
seq 1 50000 | wc -l
(exit 4); echo "subshell exit $?"
