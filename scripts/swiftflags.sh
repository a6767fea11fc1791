# Shared compiler flags for the Embedded (kernel) build; sourced by the Makefile's helper scripts.
# Why each flag: docs/build.md (from shared research embedded-swift.md and kernel-layout.md).
EMBEDDED_SWIFTFLAGS="-target x86_64-unknown-none-elf \
  -enable-experimental-feature Embedded -enable-experimental-feature Extern \
  -wmo -parse-as-library -Osize -g \
  -Xfrontend -disable-stack-protector \
  -Xcc -mno-red-zone -Xcc -mno-sse -Xcc -mno-mmx -Xcc -DK42_KERNEL \
  -I Arch/Platform/include"
