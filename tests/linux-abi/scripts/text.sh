# Text tools: sort, uniq, grep, sed, awk, cut, tr, head, tail, seq, xargs.
cd "$1" || exit 1
seq 1 20 > n
echo "sum: $(awk '{s += $1} END {print s}' n)"
echo "evens: $(grep -c '[02468]$' n)"
sed -n '5,7p' n | tr '\n' ','; echo
printf 'b\na\nc\na\n' | sort | uniq -c | sed 's/^ *//'
echo "a:b:c" | cut -d: -f2
tail -n 3 n | head -n 1
seq 3 | xargs echo args:
echo "Hello World" | tr 'a-z' 'A-Z'
echo "rev words: $(echo one two | awk '{print $2, $1}')"
printf '%05d|%-4s|%x\n' 42 ab 255
