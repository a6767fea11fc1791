# Traps: EXIT in the shell and subshells, ERR, signals to self, trap -p, RETURN.
trap 'echo "EXIT trap ran"' EXIT
trap 'echo "ERR at status $?"' ERR
false
( trap 'echo "subshell EXIT"' EXIT; echo in subshell )
trap 'echo got USR1' USR1
kill -USR1 $$
echo after USR1
trap 'echo got TERM; trap - TERM' TERM
kill -TERM $$
trap -p USR1
trap - USR1
trap -p USR1
f() { trap 'echo RETURN from f' RETURN; echo in f; }
f
set -o functrace
trap - RETURN
( trap 'echo child got INT; exit 3' INT; kill -INT $BASHPID; echo not reached ); echo "subshell status $?"
trap - ERR
