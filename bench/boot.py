#!/usr/bin/env python3
"""Boots one kernel in QEMU with the benchmark initramfs and records what it prints.

Used by bench/run.sh and bench/test.sh. The serial console is read line by line so that the host
wall time from QEMU's start to /init's first line (BENCH-START) can be taken; the whole run is
bounded by --timeout (QEMU is killed, never waited on forever). Writes the console log and a
JSON result: exit status, boot wall time, guest uptime at /init, and every BENCH line.
"""
import argparse, json, os, re, signal, subprocess, sys, threading, time

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--initrd", required=True)
    parser.add_argument("--append", required=True)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--log", required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("--label", default="")
    parser.add_argument("--icount", action="store_true",
                        help="QEMU -icount shift=3: guest time counts instructions (8 ns each), "
                             "so a run is repeatable on a loaded host (bench/icount.sh)")
    options = parser.parse_args()

    # The same machine for both kernels (issue 8): TCG, 2 CPUs, 512 MiB. isa-debug-exit lets our
    # kernel end QEMU with a status; Linux never touches port 0xf4.
    command = ["qemu-system-x86_64", "-accel", "tcg", "-smp", "2", "-m", "512M",
               "-display", "none", "-no-reboot", "-monitor", "none", "-serial", "stdio",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
               "-kernel", options.kernel, "-initrd", options.initrd, "-append", options.append]
    if options.icount:
        command[3:3] = ["-icount", "shift=3"]
    start = time.monotonic()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    timed_out = threading.Event()

    def kill_on_timeout():
        timed_out.set()
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(options.timeout, kill_on_timeout)
    timer.start()
    result = {"label": options.label, "kernel": options.kernel, "append": options.append,
              "boot_wall_s": None, "boot_uptime_s": None, "bench": {}, "na": {}, "failed": [], "notes": [],
              "ended": False}
    with open(options.log, "wb") as log:
        for raw in process.stdout:
            log.write(raw)
            line = raw.decode("utf-8", "replace").replace("\r", "").strip()
            # QEMU's serial output may carry kernel lines glued in front of ours: search, not match.
            marker = re.search(r"BENCH-START uptime (\S+)", line)
            if marker and result["boot_wall_s"] is None:
                result["boot_wall_s"] = round(time.monotonic() - start, 3)
                try:
                    result["boot_uptime_s"] = float(marker.group(1))
                except ValueError:
                    pass
                continue
            bench = re.search(r"BENCH (\S+) (\S+) ?(.*)$", line)
            if bench and not line.startswith("BENCH-"):
                name, value, unit = bench.groups()
                try:
                    result["bench"][name] = {"value": float(value), "unit": unit.strip()}
                except ValueError:
                    result["na"][name] = unit.strip() or value
            elif "BENCH-NOTE" in line:
                result["notes"].append(line[line.index("BENCH-NOTE") + 11:])
            elif "BENCH-FAIL" in line:
                result["failed"].append(line[line.index("BENCH-FAIL"):])
            elif "BENCH-END" in line:
                result["ended"] = True
    process.wait()
    timer.cancel()
    result["exit_status"] = process.returncode
    result["timed_out"] = timed_out.is_set()
    result["wall_s"] = round(time.monotonic() - start, 3)
    with open(options.json, "w") as out:
        json.dump(result, out, indent=1)
    state = "timed out" if result["timed_out"] else f"exit {process.returncode}"
    print(f"  {options.label}: {state}, {result['wall_s']} s, boot to /init {result['boot_wall_s']} s "
          f"(guest uptime {result['boot_uptime_s']} s), {len(result['bench'])} figures, "
          f"{len(result['na'])} n/a, {len(result['failed'])} failed programs", flush=True)
    return 0 if result["ended"] else 1

if __name__ == "__main__":
    sys.exit(main())
