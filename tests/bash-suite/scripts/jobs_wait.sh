# Background jobs: &, wait (all, pid, -n), $!, exit statuses, kill of a job, jobs -l absence.
sleep 0.2 & p1=$!
(exit 3) & p3=$!
wait $p3; echo "wait pid status $?"
wait $p1; echo "sleep status $?"
for n in 1 2 3; do ( sleep $n; exit $n ) & done     # a second apart: the order is certain even under TCG
for n in 1 2 3; do wait -n; echo "wait -n got $?"; done
sleep 10 & k=$!
kill $k; wait $k; echo "killed status $?"
( sleep 0.1; echo "bg output" ) &
wait
echo "all done"
f() { echo "function in background"; return 6; }
f & wait $!; echo "function status $?"
wait 12345 2>&1 | sed 's/^.*: //'; echo "unknown pid status ${PIPESTATUS[0]}"
