# Command and process substitution (/dev/fd), nested, with trailing newlines and pipes.
x=$(echo hello; echo world)
echo "$x"
echo "nested: $(echo $(echo $(echo deep)))"
y=$(printf 'a\n\n\n'); echo "[${y}]"
echo "backticks: `echo old style`"
diff <(printf '1\n2\n3\n') <(printf '1\n2\n4\n') ; echo "diff status $?"
while read -r line; do echo "got $line"; done < <(printf 'p\nq\n')
cat <(echo from-procsub)
echo data > >(tr a-z A-Z); wait $!
paste <(seq 1 3) <(seq 4 6)
n=$(wc -l < <(seq 1 100)); echo "lines $n"
echo "$(( $(echo 6) * $(echo 7) ))"
ls /dev/fd/ >/dev/null && echo "/dev/fd readable"
