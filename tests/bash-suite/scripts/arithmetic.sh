# Arithmetic: $(( )), (( )), let, bases, bit operations, ternary, overflow, division errors.
echo $(( 7 / 2 )) $(( -7 / 2 )) $(( 7 % 3 )) $(( -7 % 3 )) $(( 2 ** 10 ))
echo $(( 0x1f )) $(( 017 )) $(( 2#1011 )) $(( 36#zz ))
echo $(( 5 & 3 )) $(( 5 | 3 )) $(( 5 ^ 3 )) $(( ~5 )) $(( 1 << 4 )) $(( 256 >> 3 ))
x=5; (( x += 3, x *= 2 )); echo "x=$x"
(( x > 10 )) && echo "x > 10"
echo $(( x > 3 ? 100 : 200 ))
let "y = x * 2" "z = y - 1"; echo "$y $z"
i=0; while (( i++ < 5 )); do :; done; echo "i=$i"
echo $(( 9223372036854775807 + 1 ))
echo $(( 1 / 0 )) 2>&1 | sed 's/^.*: //'
( echo $(( 1 / 0 )) ) 2>&1 | sed 's/^.*line [0-9]*: //'
declare -i n=10; n+=5; n="n * 2"; echo "n=$n"
echo $(( (1+2) * (3+4) ))
for ((j=0; j<3; j++)); do printf '%d ' $j; done; echo
