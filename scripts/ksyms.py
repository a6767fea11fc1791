#!/usr/bin/env python3
"""Builds the kernel's embedded symbol table (the .ksyms section) for panic backtraces.

Usage: ksyms.py --nm NM --demangle SWIFT_DEMANGLE PASS1.ELF OUT.BIN
       ksyms.py --check-text PASS1.ELF FINAL.ELF --nm NM

Format (little endian), read by Arch/x86_64/Symbols.swift:
  u32 magic 'KSYM' (0x4D59534B), u32 count,
  count x { u64 address, u32 name offset, u32 name length }  sorted by address,
  then the names (UTF-8, Swift names demangled in simplified form).
The second mode checks that embedding the table moved no function: every text symbol has
the same address in both links (text bytes may differ, since code refers to __image_end)."""
import struct, subprocess, sys, tempfile, os

def build(nm, demangle, elf, out):
    lines = subprocess.run([nm, "-n", "--defined-only", elf], check=True,
                           capture_output=True, text=True).stdout.splitlines()
    syms = []
    for line in lines:
        parts = line.split(None, 2)
        if len(parts) != 3: continue
        addr, kind, name = parts
        if kind not in "tTwW": continue
        syms.append((int(addr, 16), name))
    names = [n for _, n in syms]
    dem = subprocess.run([demangle, "--simplified"], input="\n".join(names) + "\n",
                         check=True, capture_output=True, text=True).stdout.splitlines()
    if len(dem) != len(names): dem = names
    table, strings = [], bytearray()
    seen = set()
    for (addr, _), d in zip(syms, dem):
        if addr in seen: continue
        seen.add(addr)
        b = d.encode()[:160]
        table.append((addr, len(strings), len(b)))
        strings += b
    blob = struct.pack("<II", 0x4D59534B, len(table))
    for a, o, l in table: blob += struct.pack("<QII", a, o, l)
    blob += strings
    with open(out, "wb") as f: f.write(blob)

def text_symbols(nm, elf):
    out = subprocess.run([nm, "-n", "--defined-only", elf], check=True, capture_output=True, text=True).stdout
    return [l for l in out.splitlines() if len(l.split()) == 3 and l.split()[1] in "tTwW"]

args = sys.argv[1:]
if args and args[0] == "--check-text":
    a, b, nm = args[1], args[2], args[args.index("--nm") + 1]
    if text_symbols(nm, a) != text_symbols(nm, b):
        sys.exit("ksyms: the second link moved a function; the symbol table would be wrong")
else:
    nm = args[args.index("--nm") + 1]; dm = args[args.index("--demangle") + 1]
    rest = [x for i, x in enumerate(args) if x not in (nm, dm, "--nm", "--demangle")]
    build(nm, dm, rest[0], rest[1])
