#!/usr/bin/env bash
# Compiles portable modules in Embedded mode (what `swift test` cannot enforce: no `any P`,
# untyped throws, weak/unowned, key paths, Foundation). Usage: embedded-check.sh [MODULE...]
# Modules are compiled in dependency order into build/embedded/ (swiftmodule + object).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/swiftflags.sh
out=build/embedded
mkdir -p "$out"
# module:folder, in dependency order
all="LinuxABI:LinuxABI Trace:Trace Objects:Objects FileSystem:FileSystem Memory:Memory Firmware:Drivers/Firmware KFS:KFS"
want=("$@")
for entry in $all; do
  m=${entry%%:*}; dir=${entry#*:}
  if [ ${#want[@]} -gt 0 ]; then
    skip=1; for w in "${want[@]}"; do [ "$w" = "$m" ] && skip=0; done
    [ $skip = 1 ] && continue
  fi
  files=$(find "$dir" -name '*.swift' | sort)
  [ -n "$files" ] || continue
  echo "embedded: $m" >&2
  # shellcheck disable=SC2086
  swiftc $EMBEDDED_SWIFTFLAGS -I "$out" -module-name "$m" \
    -emit-module -emit-module-path "$out/$m.swiftmodule" -c $files -o "$out/$m.o"
done
