# getopts, shift, set --, "$@" vs "$*", IFS, eval, source, command/type/builtin, coproc.
parse() {
  local OPTIND opt
  while getopts ":ab:c" opt; do
    case $opt in
      a) echo "flag a" ;;
      b) echo "b=$OPTARG" ;;
      :) echo "missing arg for -$OPTARG" ;;
      \?) echo "unknown -$OPTARG" ;;
      *) echo "other $opt" ;;
    esac
  done
  shift $((OPTIND-1)); echo "rest: $*"
}
parse -a -b val -x -c file1 file2
parse -b
set -- "a b" c "d  e"; echo "$#"; for x in "$@"; do echo "<$x>"; done; IFS=-; echo "$*"; unset IFS
shift 2; echo "$1"
cmd='echo evaluated $((1+1))'; eval "$cmd"
printf 'sourced_var=42\n' > lib.sh; source ./lib.sh; echo "$sourced_var"
type -t echo; type -t ls; type -t parse; command -v cd
builtin echo "builtin echo"
coproc UPPER { tr a-z A-Z; }
echo "coproc input" >&"${UPPER[1]}"
exec {UPPER[1]}>&-
read -r reply <&"${UPPER[0]}"; echo "$reply"
wait $UPPER_PID; echo "coproc status $?"
echo "${BASH_VERSINFO[0]}"
