# Processes from the shell: background jobs and wait, kill, trap, exit statuses of signals.
cd "$1" || exit 1
sleep 0.05 &
wait $!; echo "waited: $?"
( exit 7 ) & wait $!; echo "background status: $?"
sh -c 'kill -TERM $$'; echo "killed by TERM: $?"
sh -c 'exit 42'; echo "exit 42: $?"
trap 'echo trapped USR1' USR1
kill -USR1 $$
trap - USR1
for n in 1 2 3; do (echo "job $n" > job.$n) & done; wait; cat job.1 job.2 job.3
echo "all jobs done"
yes | head -n 3
echo "pipe status: $(false | true; echo $?)"
sh -c 'echo child $PPID' | grep -c child
