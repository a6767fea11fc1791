# read (IFS, -r, -a, -d, -n, defaults) and printf (formats, widths, %q, %b, -v, reuse).
printf 'a:b:c\n' | { IFS=: read -r x y z; echo "$z $y $x"; }
printf 'back\\slash\n' | { read line; echo "$line"; }
printf 'back\\slash\n' | { read -r line; echo "$line"; }
printf 'one two three four\n' | { read a b rest; echo "[$a][$b][$rest]"; }
printf 'abcdef' | { read -n 3 part; echo "$part"; }
printf 'x;y;z' | { read -d ';' first; echo "$first"; }
printf '' | { read nothing; echo "status $? [$nothing]"; }
printf '%5s|%-5s|%05d|%x|%o|%e\n' ab cd 42 255 8 1234.5
printf '%s\n' one two three
printf '%q\n' "a b" 'c$d' "e'f"
printf '%b\n' 'tab\there' 'nl\\n'
printf -v out '%03d-%s' 7 seven; echo "$out"
printf '%c%c\n' hello world
printf '%.3f %.0f\n' 3.14159 2.5
printf '%d\n' "'A"
printf '%s %s\n' 1 2 3
