# Redirections and exec fd juggling: >, >>, <, 2>&1, &>, <>, {var}>, exec, fd duplication, close.
echo one > f; echo two >> f; cat f
cat < f | wc -l
{ echo out; echo err >&2; } 2>&1 > /dev/null
{ echo out; echo err >&2; } &> both; sort both
exec 3> fd3; echo "via fd 3" >&3; exec 3>&-; cat fd3
exec 4< f; read -u 4 first; read -u 4 second; exec 4<&-; echo "$first/$second"
exec {myfd}> named; echo "named fd" >&$myfd; exec {myfd}>&-; cat named
exec 5>&1; echo "through 5" >&5; exec 5>&-
echo "closed fd" >&7 2>/dev/null || echo "write to closed fd fails"
echo data > rw; exec 6<> rw; read -u 6 v; echo "read $v"; echo more >&6; exec 6>&-; cat rw
( exec > sub.out; echo "subshell exec redirect" ); cat sub.out
set -o noclobber; echo x > f 2>/dev/null || echo "noclobber refused"; echo y >| f; cat f; set +o noclobber
cat <<< "fd 0 from here-string" 0<&0
ls /proc/self/fd/ > /dev/null && echo "proc fd ok"
exec 8>&1; exec 1>stdout.txt; echo "to file"; exec 1>&8 8>&-; cat stdout.txt
