# Sourced by the suites that compare our kernel's output with the host Linux's, section by
# section: each test's output is framed "### NAME" ... "### NAME: exit N" (or "NAME: ..." for
# the tier-3 driver). compare_sections DIR TEST... cuts each test's section out of
# DIR/expected.txt and DIR/actual.txt, prints "ok" or "FAIL" with the first lines of the diff,
# and counts into the caller's `pass` and `fail`.
compare_sections() {
  local dir=$1 t
  shift
  for t in "$@"; do
    awk -v t="### $t" '$0==t{on=1} on{print} on && index($0, t": ")==1{exit}' "$dir/expected.txt" > "$dir/expected-$t.txt"
    awk -v t="### $t" '$0==t{on=1} on{print} on && index($0, t": ")==1{exit}' "$dir/actual.txt" > "$dir/actual-$t.txt"
    if [ -s "$dir/expected-$t.txt" ] && cmp -s "$dir/expected-$t.txt" "$dir/actual-$t.txt"; then
      echo "  ok   $t"; pass=$((pass + 1))
    else
      echo "  FAIL $t"; fail=$((fail + 1))
      diff "$dir/expected-$t.txt" "$dir/actual-$t.txt" | head -20 | sed 's/^/       | /'
    fi
  done
}
