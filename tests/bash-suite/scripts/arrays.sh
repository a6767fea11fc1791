# Indexed and associative arrays: assignment, expansion, slicing, keys, unset, sparse indices.
a=(one two "three four" five)
echo "count ${#a[@]}"
for x in "${a[@]}"; do echo "[$x]"; done
echo "slice ${a[@]:1:2}"
a+=(six)
a[10]=ten
echo "indices ${!a[@]}"
unset 'a[1]'
echo "after unset ${a[*]} (${#a[@]})"
declare -A color=([apple]=red [banana]=yellow [grape]=purple)
color[lime]=green
for k in $(printf '%s\n' "${!color[@]}" | sort); do echo "$k=${color[$k]}"; done
echo "has apple: ${color[apple]+yes} has kiwi: ${color[kiwi]+yes}"
unset 'color[apple]'
echo "keys now ${#color[@]}"
declare -a nums=(5 3 9 1)
IFS=$'\n' sorted=($(sort -n <<<"${nums[*]}")); unset IFS
echo "sorted ${sorted[*]}"
read -ra words <<< "split these  words"
echo "${#words[@]}: ${words[2]}"
mapfile -t lines < <(printf 'l1\nl2\nl3\n')
echo "mapfile ${#lines[@]} ${lines[1]}"
declare -p a | sed 's/declare -a //'
