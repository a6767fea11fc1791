#!/usr/bin/env python3
"""Turns make bench's runs into the comparison: medians and spread per kernel, ratio ours/Linux,
the targets of issue 8, a Markdown table (stdout and table.md), results.csv and ratios.svg.

Input: the JSON files bench/boot.py wrote (linux-N.json, ours-N.json) in a runs directory.
Ratio is always ours/Linux: below 1 is better for times (ns/op, s), above 1 for rates (MB/s,
ops/s) and speedups (x). The picture is drawn by hand (no matplotlib on the build machine).
"""
import csv, glob, json, math, os, statistics, sys

HERE = os.path.dirname(os.path.abspath(__file__))

def load_benchmarks():
    rows = []
    with open(os.path.join(HERE, "benchmarks.txt")) as listing:
        for line in listing:
            if line.strip() and not line.startswith("#"):
                name, unit, description = line.split(None, 2)
                rows.append((name, unit, description.strip()))
    return rows

def is_time(unit):
    return unit in ("ns/op", "s")

def target_of(name, unit):
    """Issue 8's target as (text, test(ratio, ours_value))."""
    if name == "boot_wall_s":
        return "<= 0.20", lambda ratio, ours: ratio <= 0.2
    if name == "boot_uptime_s":
        return "-", None
    if unit == "x":
        return "ours >= 1.9", lambda ratio, ours: ours >= 1.9
    if is_time(unit):
        return "<= 0.70", lambda ratio, ours: ratio <= 0.7
    return ">= 1.00", lambda ratio, ours: ratio >= 1.0

def collect(runs, name):
    values, reasons = [], []
    for run in runs:
        if name == "boot_wall_s" or name == "boot_uptime_s":
            if run.get(name) is not None:
                values.append(run[name])
        elif name in run["bench"]:
            values.append(run["bench"][name]["value"])
        elif name in run["na"]:
            reasons.append(run["na"][name])
    if not values:
        reason = reasons[0] if reasons else "(not printed)"
        return None, reason
    return values, None

def spread_percent(values):
    median = statistics.median(values)
    if len(values) < 2 or median == 0:
        return None
    return 100.0 * (max(values) - min(values)) / abs(median)

def number(value):
    if value is None:
        return "-"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"

def svg_chart(rows, path):
    """Horizontal bars of speed relative to Linux on a log axis (right of 1 = we are faster):
    Linux/ours for times, ours/Linux for rates; green where issue 8's target is met."""
    drawable = [row for row in rows if row["ratio"] and row["ratio"] > 0]
    left, width, bar, gap, top = 250, 560, 16, 6, 50
    height = top + len(drawable) * (bar + gap) + 50
    low, high = -2.0, 2.0   # log10 range: 1/100 .. 100
    def x_of(speed):
        logarithm = min(max(math.log10(speed), low), high)
        return left + (logarithm - low) / (high - low) * width
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 90}" height="{height}" '
             f'font-family="sans-serif" font-size="12">',
             f'<rect width="100%" height="100%" fill="white"/>',
             f'<text x="10" y="20" font-size="14" font-weight="bold">K42 in Swift vs Linux, same QEMU '
             f'(TCG, -smp 2, 512 MiB): speed relative to Linux</text>',
             f'<text x="10" y="38" fill="#555">right of 1 = faster than Linux (times: Linux/ours; rates: '
             f'ours/Linux); green = issue 8 target met, red = missed</text>']
    for exponent in range(int(low), int(high) + 1):
        x = x_of(10 ** exponent)
        parts.append(f'<line x1="{x:.1f}" y1="{top - 5}" x2="{x:.1f}" y2="{height - 35}" '
                     f'stroke="{"#000" if exponent == 0 else "#ddd"}"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 20}" text-anchor="middle">{10 ** exponent:g}x</text>')
    for index, row in enumerate(drawable):
        y = top + index * (bar + gap)
        speed = 1 / row["ratio"] if is_time(row["unit"]) else row["ratio"]
        x0, x1 = x_of(1), x_of(speed)
        colour = "#3a3" if row["met"] == "yes" else "#c33" if row["met"] == "no" else "#888"
        parts.append(f'<text x="{left - 8}" y="{y + bar - 4}" text-anchor="end">{row["name"]}</text>')
        parts.append(f'<rect x="{min(x0, x1):.1f}" y="{y}" width="{max(abs(x1 - x0), 1):.1f}" '
                     f'height="{bar}" fill="{colour}"/>')
        parts.append(f'<text x="{max(x0, x1) + 4:.1f}" y="{y + bar - 4}">{speed:.2f}x</text>')
    parts.append("</svg>")
    with open(path, "w") as out:
        out.write("\n".join(parts) + "\n")

def main():
    runs_directory, out_directory = sys.argv[1], sys.argv[2]
    runs = {"linux": [], "ours": []}
    for path in sorted(glob.glob(os.path.join(runs_directory, "*.json"))):
        kernel = os.path.basename(path).split("-")[0]
        with open(path) as source:
            runs.setdefault(kernel, []).append(json.load(source))
    rows = []
    for name, unit, description in load_benchmarks():
        row = {"name": name, "unit": unit, "description": description}
        for kernel in ("linux", "ours"):
            values, reason = collect(runs[kernel], name)
            row[kernel] = statistics.median(values) if values else None
            row[kernel + "_min"] = min(values) if values else None
            row[kernel + "_max"] = max(values) if values else None
            row[kernel + "_runs"] = len(values) if values else 0
            row[kernel + "_spread"] = spread_percent(values) if values else None
            row[kernel + "_na"] = reason
        row["ratio"] = row["ours"] / row["linux"] if row["ours"] is not None and row["linux"] else None
        row["target"], test = target_of(name, unit)
        if test is None or row["ours"] is None or row["ratio"] is None:
            row["met"] = "-"
        else:
            row["met"] = "yes" if test(row["ratio"], row["ours"]) else "no"
        rows.append(row)

    def cell(row, kernel):
        if row[kernel] is None:
            return "n/a " + row[kernel + "_na"]
        return number(row[kernel])

    def spread(row, kernel):
        return "-" if row[kernel + "_spread"] is None else f"{row[kernel + '_spread']:.0f}%"

    lines = ["| benchmark | unit | Linux | ours | ours/Linux | target | met | spread Linux / ours |",
             "|---|---|---:|---:|---:|---|---|---|"]
    for row in rows:
        ratio = "-" if row["ratio"] is None else f"{row['ratio']:.2f}"
        lines.append(f"| {row['name']} | {row['unit']} | {cell(row, 'linux')} | {cell(row, 'ours')} | "
                     f"{ratio} | {row['target']} | {row['met']} | {spread(row, 'linux')} / {spread(row, 'ours')} |")
    table = "\n".join(lines)
    notes = []
    for kernel in ("linux", "ours"):
        for run in runs[kernel]:
            if not run["ended"] or run["failed"] or run["timed_out"]:
                notes.append(f"- {run['label']}: exit {run['exit_status']}"
                             f"{', timed out' if run['timed_out'] else ''}"
                             f"{'' if run['ended'] else ', did not reach BENCH-END'}"
                             f"{(', ' + '; '.join(run['failed'])) if run['failed'] else ''}")
    counts = (f"runs: Linux {len(runs['linux'])}, ours {len(runs['ours'])}; medians; spread = "
              f"(max - min) / median over the runs")
    # Where the scheduler put the process pairs (BENCH-NOTE lines of the first run of each kernel).
    placement = []
    for kernel, title in (("linux", "Linux"), ("ours", "ours")):
        if runs[kernel]:
            placement += [f"- {title}: {note}" for note in runs[kernel][0].get("notes", [])]
    if placement:
        notes += ["", "placement (first run):"] + placement
    os.makedirs(out_directory, exist_ok=True)
    header_path = os.path.join(out_directory, "header.txt")   # written by bench/run.sh
    header = open(header_path).read() + "\n" if os.path.exists(header_path) else ""
    with open(os.path.join(out_directory, "table.md"), "w") as out:
        out.write(header + table + "\n\n" + counts + "\n" + "\n".join(notes) + "\n")
    with open(os.path.join(out_directory, "results.csv"), "w", newline="") as out:
        writer = csv.writer(out)
        fields = ["name", "unit", "linux", "linux_min", "linux_max", "linux_runs", "ours", "ours_min",
                  "ours_max", "ours_runs", "ratio", "target", "met", "linux_na", "ours_na", "description"]
        writer.writerow(["benchmark" if field == "name" else field for field in fields])
        for row in rows:
            writer.writerow(["" if row[field] is None else row[field] for field in fields])
    svg_chart(rows, os.path.join(out_directory, "ratios.svg"))
    print(table)
    print()
    print(counts)
    for note in notes:
        print(note)
    missed = sum(1 for row in rows if row["met"] == "no")
    met = sum(1 for row in rows if row["met"] == "yes")
    print(f"issue 8 targets: {met} met, {missed} missed; "
          f"{os.path.join(out_directory, 'results.csv')}, {os.path.join(out_directory, 'ratios.svg')}")

if __name__ == "__main__":
    main()
