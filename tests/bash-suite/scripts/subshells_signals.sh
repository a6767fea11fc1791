# Subshells, $BASHPID vs $$, exit statuses of signals, kill -0, exec replacing, timeouts.
[ "$BASHPID" = "$$" ] && echo "main shell"
( [ "$BASHPID" != "$$" ] && echo "subshell has its own BASHPID" )
v=1; ( v=2; echo "sub v=$v" ); echo "main v=$v"
sh -c 'kill -TERM $$'; echo "TERM status $?"
{ sh -c 'kill -KILL $$'; s=$?; } 2>/dev/null; echo "KILL status $s"
bash -c 'exit 300'; echo "exit 300 -> $?"
kill -0 $$ && echo "kill -0 self ok"
sleep 5 & pid=$!; kill -STOP $pid; kill -CONT $pid; kill $pid; wait $pid; echo "stopped+continued+killed $?"
timeout 0.2 sleep 5; echo "timeout status $?"
( trap '' INT; kill -INT $BASHPID; echo "ignored INT" )
bash -c 'echo "exec in child"; exec echo "replaced"'

(ulimit -n 64; ulimit -n)
umask 027; umask; umask -S
kill -l 15 9 2
