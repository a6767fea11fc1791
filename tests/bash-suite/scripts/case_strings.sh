# case patterns and string operations: lengths, substrings, replacement, trimming, case change.
for w in apple Banana cherry 42 ""; do
  case $w in
    [aA]*) echo "$w: starts with a" ;;
    [[:upper:]]*) echo "$w: upper" ;;
    *[0-9]) echo "$w: ends in digit" ;;
    "") echo "empty" ;;
    *) echo "$w: other" ;;
  esac
done
s="Hello, World of Bash"
echo "${#s} ${s:7} ${s:7:5} ${s: -4}"
echo "${s/o/0} ${s//o/0} ${s/#Hello/Bye} ${s/%Bash/Shell}"
p=/usr/local/lib/libfoo.so.1
echo "${p#*/} ${p##*/} ${p%/*} ${p%%.*}"
echo "${s^^} ${s,,} ${s^} ${s~~}"
unset u; echo "${u:-default} ${u-unset} ${u:=assigned} $u"
echo "${s:+set}" "${nothere:+set}"
arr=(a b c); echo "${arr[@]/b/B}"
v=abc; echo "${v@Q} ${#v}"
[[ "abc123" =~ ([a-z]+)([0-9]+) ]] && echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
[[ "x" < "y" ]] && echo "x < y"
str="a,b,,c"; IFS=, read -ra parts <<< "$str"; echo "${#parts[@]}"
