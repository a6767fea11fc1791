#!/usr/bin/env python3
"""Interactive bash with job control on our kernel's console, driven like a person at a terminal.

Boots build/k42.elf with the `make run` initramfs (busybox sh as the console shell, /bin/bash
from Debian's bash-static), types `bash` at the busybox prompt, and then keystrokes into QEMU's
serial port (stdio): `sleep 100`, ^Z, jobs, bg, fg, ^C, a background reader stopped by SIGTTIN,
a background `stty` stopped by SIGTTOU, and checks that each step shows what bash shows on Linux
("Stopped", "Running", the prompt coming back). Patterns only: echo and prompt timing differ.
Usage: run.py [KERNEL] [INITRD] [LOG]; exit status 0 when every step passed.
"""
import functools
import os
import re
import select
import subprocess
import sys
import time

kernel = sys.argv[1] if len(sys.argv) > 1 else "build/k42.elf"
initrd = sys.argv[2] if len(sys.argv) > 2 else "build/initramfs.cpio"
logpath = sys.argv[3] if len(sys.argv) > 3 else "build/bash-interactive/console.log"
os.makedirs(os.path.dirname(logpath), exist_ok=True)
log = open(logpath, "wb")

qemu = subprocess.Popen(
    ["qemu-system-x86_64", "-m", "512M", "-smp", "2", "-display", "none", "-no-reboot",
     "-serial", "stdio", "-monitor", "none", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
     "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0 quiet"],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
buffer = b""          # everything read since the last expect() matched
failures = []
print = functools.partial(print, flush=True)


def pump(seconds):
    """Reads the console for up to `seconds` (returns early on output)."""
    global buffer
    ready, _, _ = select.select([qemu.stdout], [], [], seconds)
    if ready:
        data = os.read(qemu.stdout.fileno(), 65536)
        if not data:
            return False
        log.write(data)
        log.flush()

        buffer += re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", data.replace(b"\r", b""))
    return True


def expect(pattern, timeout=120, what=None):
    """Waits until the console shows `pattern` (a regex); consumes output up to the match."""
    global buffer
    regex = re.compile(pattern.encode())
    deadline = time.time() + timeout
    while True:
        m = regex.search(buffer)
        if m:
            buffer = buffer[m.end():]
            return True
        if time.time() > deadline or qemu.poll() is not None:
            failures.append(what or pattern)
            print(f"  FAIL {what or pattern}: console tail: {buffer[-300:]!r}")
            return False
        pump(0.5)


def send(text, pause=0.3):
    """Types `text` slowly enough for the 16550's FIFO and the line discipline."""
    for ch in text.encode():
        qemu.stdin.write(bytes([ch]))
        qemu.stdin.flush()
        time.sleep(0.01)
    time.sleep(pause)


def step(name, keys, pattern, timeout=120):
    send(keys)
    if expect(pattern, timeout, name):
        print(f"  ok   {name}")


PROMPT = r"B\$ $"
BUSYBOX_PROMPT = r"root@k42:[^\n]*# $"

try:
    if not expect(BUSYBOX_PROMPT, 300, "busybox shell prompt after boot"):
        raise SystemExit
    print("  ok   busybox prompt")
    # Plain bash, no startup files, a recognisable prompt; job control is on because it is
    # interactive on a terminal that is its controlling terminal.
    step("bash starts interactively", "PS1='B$ ' bash --norc --noprofile\n", PROMPT)
    step("set -o shows monitor on", "set -o | grep monitor\n", r"monitor\s+on\n(.|\n)*" + PROMPT)
    step("sleep 100 starts", "sleep 100\n", r"sleep 100\n", 30)
    time.sleep(2)
    step("^Z stops it", "\x1a", r"\[1\]\+\s+Stopped\s+sleep 100\n(.|\n)*" + PROMPT)
    step("jobs lists it stopped", "jobs\n", r"\[1\]\+\s+Stopped\s+sleep 100\n(.|\n)*" + PROMPT)
    step("bg resumes it", "bg\n", r"\[1\]\+ sleep 100 &\n(.|\n)*" + PROMPT)
    step("jobs lists it running", "jobs\n", r"\[1\]\+\s+Running\s+sleep 100 &\n(.|\n)*" + PROMPT)
    step("fg brings it back", "fg\n", r"sleep 100\n", 30)
    time.sleep(2)
    step("^C ends it, prompt returns", "\x03", PROMPT)
    step("status of ^C is 130", "echo status=$?\n", r"status=130\n(.|\n)*" + PROMPT)
    step("jobs is empty", "jobs; echo jobs-done\n", r"jobs\; echo jobs-done\njobs-done\n(.|\n)*" + PROMPT)
    step("background reader stops (SIGTTIN)", "cat &\n", r"\[1\] \d+\n(.|\n)*" + PROMPT)
    time.sleep(2)
    step("jobs shows it stopped", "jobs\n", r"\[1\]\+\s+Stopped\s+cat\n(.|\n)*" + PROMPT)
    step("by SIGTTIN (posix-mode jobs)", "set -o posix; jobs; set +o posix\n",
         r"\[1\]\+\s+Stopped\(SIGTTIN\)\s+cat\n(.|\n)*" + PROMPT)
    step("fg cat reads the terminal", "fg\n", r"cat\n", 30)
    step("cat echoes a line", "hello-from-tty\n", r"hello-from-tty\n(.|\n)*hello-from-tty\n", 30)
    step("^D ends cat", "\x04", PROMPT)
    step("background tcsetattr stops", "stty -echo &\n", r"\[1\] \d+\n(.|\n)*" + PROMPT)
    time.sleep(2)
    step("by SIGTTOU (posix-mode jobs)", "set -o posix; jobs; set +o posix\n",
         r"\[1\]\+\s+Stopped\(SIGTTOU\)\s+stty -echo\n(.|\n)*" + PROMPT)
    step("kill the stopped job", "kill -9 %1; sleep 1; jobs; echo killed\n", r"Killed\s+stty -echo\n(.|\n)*killed\n(.|\n)*" + PROMPT)
    step("echo is still on", "echo still-echoing\n", r"echo still-echoing\nstill-echoing\n(.|\n)*" + PROMPT)
    step("two jobs, kill %2", "sleep 200 & sleep 300 &\n", PROMPT)
    step("jobs shows both", "jobs\n", r"\[1\]-\s+Running\s+sleep 200 &\n\[2\]\+\s+Running\s+sleep 300 &\n(.|\n)*" + PROMPT)
    step("kill them", "kill %1 %2; wait; echo both-gone\n", r"both-gone\n(.|\n)*" + PROMPT)
    step("a pipeline stops and resumes as one job", "sleep 100 | cat\n", r"sleep 100 \| cat\n", 30)
    time.sleep(2)
    step("^Z stops the pipeline", "\x1a", r"\[1\]\+\s+Stopped\s+sleep 100 \| cat\n(.|\n)*" + PROMPT)
    step("fg the pipeline", "fg %1\n", r"sleep 100 \| cat\n", 30)
    time.sleep(2)
    step("^C ends the pipeline", "\x03", PROMPT)
    step("exit bash back to busybox", "exit\n", BUSYBOX_PROMPT)
    send("poweroff -f\n")
    qemu.wait(timeout=120)
finally:
    if qemu.poll() is None:
        qemu.kill()
        qemu.wait()
    log.close()

status = qemu.returncode
if status != 33:
    failures.append(f"qemu exit status {status} (33 = power off)")
    print(f"  FAIL qemu exit status {status}")
print(f"bash interactive: {'passed' if not failures else 'FAILED: ' + ', '.join(failures)}")
sys.exit(1 if failures else 0)
