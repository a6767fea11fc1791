# Pipelines and redirections: a reader that stops early (head) ends the writers with SIGPIPE,
# redirections to files read back, appends, here-strings through read loops, nested $(...),
# find/sort -n/xargs/uniq/cut over a generated tree.
cd "$1" || exit 1
yes line | head -n 2
seq 1 100000 | head -n 1
echo "early close status: $(yes | head -c 10 >/dev/null; echo $?)"
i=0; while [ $i -lt 50 ]; do echo "row $i"; i=$((i + 1)); done > rows
echo "rows: $(wc -l < rows)"
echo extra >> rows; tail -n 2 rows
sort -r rows | head -n 1 > first; cat first
{ echo out; echo err >&2; } > both 2>&1; cat both | tr '\n' ' '; echo
echo "$(echo "$(echo "$(echo nested)")") three deep"
echo "count: $(echo $(seq 1 5) | wc -w)"
n=0; total=0
while read -r word number; do n=$((n + 1)); total=$((total + number)); done <<EOT
a 10
b 20
c 30
EOT
echo "read loop: $n lines total $total"
printf '%s\n' 10 9 100 1 55 | sort -n | tr '\n' ' '; echo
printf '%s\n' b a b c a b | sort | uniq -c | sed 's/^ *//' | tr '\n' ';'; echo
mkdir -p tree/x/y tree/z
for f in tree/a.txt tree/x/b.txt tree/x/y/c.log tree/z/d.txt; do echo "$f" > "$f"; done
find tree -name '*.txt' | sort
find tree -type d | sort | tr '\n' ' '; echo
find tree -type f | sort | xargs cat | wc -l
find tree -name '*.txt' | sort | xargs -n 1 basename | tr '\n' ' '; echo
echo "a:b:c" | cut -d: -f2
exec 3> fd3; echo "via fd 3" >&3; exec 3>&-; cat fd3
cat < rows | grep -c row
(echo sub1; echo sub2) | while read l; do echo "got $l"; done
ls nonexistent 2>/dev/null || echo "stderr to /dev/null"
echo piped | cat | cat | cat | tr a-z A-Z
