#!/usr/bin/env python3
"""matrix_table.py - turns bench/run-matrix.sh's raw results (runs.txt: one
key=value line per run) into the one comparison table: per case the median
over the repetitions for nexusd and tgtd, and their ratio nexusd/tgtd.

Usage: matrix_table.py RUNS.TXT [--secs S --warmup S --runs N] [--summary OUT.tsv]
"""
import argparse
import os
import statistics
import sys

# (column title, key in the kv line, decimals, width)
COLUMNS = [
    ("IOPS", "iops", 0, 8),
    ("MB/s", "mbps", 1, 7),
    ("p50us", "lat_p50_us", 1, 7),
    ("p99us", "lat_p99_us", 1, 7),
    ("p99.9us", "lat_p999_us", 1, 8),
    ("CPU-s/M", "tgt_cpu_s_per_mcmd", 2, 8),
    ("tgtCPU%", "tgt_cpu_pct", 1, 7),
    ("csw/cmd", "tgt_csw_per_cmd", 3, 7),
    ("sys/cmd", "syscalls_per_cmd", 2, 7),
    ("alloc/cmd", "tgt_allocs_per_cmd", 2, 9),
    ("iniCPU%", "ini_cpu_pct", 0, 7),
    ("other%", "other_pct", 0, 6),
]


def parse_line(line):
    out = {}
    for tok in line.split():
        if "=" in tok:
            k, v = tok.split("=", 1)
            out[k] = v
    return out


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, decimals, width):
    return f"{'-':>{width}}" if v is None else f"{v:>{width}.{decimals}f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs")
    ap.add_argument("--secs", default="?")
    ap.add_argument("--warmup", default="?")
    ap.add_argument("--runs", dest="nruns", default="?")
    ap.add_argument("--summary")
    ap.add_argument("--note", default="")
    a = ap.parse_args()

    rows = [parse_line(l) for l in open(a.runs) if l.strip()]
    cases = []  # in matrix order
    main_runs = {}  # (case, side) -> [record]
    syscalls = {}  # (case, side) -> syscalls per command
    floor = []
    strace_cmds = {}
    cross = {}  # (case, side) -> iscsi-perf IOPS
    for r in rows:
        side, case, phase = r.get("side"), r.get("case"), r.get("phase")
        if side == "floor":
            floor.append(r)
            continue
        if phase == "main":
            if case not in cases:
                cases.append(case)
            rec = dict(r)
            host, tgt, ini = num(r.get("host_pct")), num(r.get("tgt_cpu_pct")), num(r.get("ini_cpu_pct"))
            rec["other_pct"] = None if host is None else max(0.0, host - (tgt or 0) - (ini or 0))
            main_runs.setdefault((case, side), []).append(rec)
        elif phase == "syscalls":
            syscalls[(case, side)] = num(r.get("tgt_syscalls_per_cmd"))
        elif phase == "iscsi-perf":
            cross[(case, side)] = num(r.get("iops"))
        elif phase == "syscalls-strace":
            strace_cmds[(case, side)] = num(r.get("cmds_total"))
        elif phase == "strace":
            calls, cmds = num(r.get("strace_calls")), strace_cmds.get((case, side))
            if calls is not None and cmds:
                syscalls[(case, side)] = calls / cmds

    sides = [s for s in ("nexusd", "tgtd") if any(k[1] == s for k in main_runs)]
    med = {}
    for (case, side), recs in main_runs.items():
        m = {key: median([num(rec.get(key)) for rec in recs]) for _, key, _, _ in COLUMNS}
        m["syscalls_per_cmd"] = syscalls.get((case, side))
        m["hard"] = sum(int(num(rec.get("errors")) or 0) - int(num(rec.get("err_task_set_full")) or 0)
                        - int(num(rec.get("err_busy")) or 0) for rec in recs)
        m["backpressure"] = sum(int(num(rec.get("err_task_set_full")) or 0) + int(num(rec.get("err_busy")) or 0)
                                for rec in recs)
        m["peak_rss"] = max(num(rec.get("tgt_peak_rss_mib")) or 0 for rec in recs)
        m["runs"] = " ".join(f"{num(rec.get('iops')) or 0:.0f}{'*' if rec.get('busy_start') == '*' else ''}"
                             for rec in recs)
        med[(case, side)] = m

    print(f"nexus-bench matrix: medians of {a.nruns} run(s) x {a.secs} s (+{a.warmup} s warm-up), "
          f"loopback, null 1 GiB LUN, {os.cpu_count()} CPUs; ratio = nexusd / tgtd"
          + (f"; {a.note}" if a.note else ""))
    head = f"{'case':<18} {'target':<6} " + " ".join(f"{t:>{w}}" for t, _, _, w in COLUMNS) + f" {'errs':>7}"
    print(head)
    print("-" * len(head))
    for case in cases:
        first = True
        for side in sides:
            m = med.get((case, side))
            if not m:
                continue
            cells = " ".join(fmt(m[key], d, w) for _, key, d, w in COLUMNS)
            errs = f"{m['hard']}+{m['backpressure']}"
            print(f"{case if first else '':<18} {side:<6} {cells} {errs:>7}")
            first = False
        if len(sides) == 2 and (case, "nexusd") in med and (case, "tgtd") in med:
            n, t = med[(case, "nexusd")], med[(case, "tgtd")]
            cells = []
            for _, key, _, w in COLUMNS:
                if key in ("ini_cpu_pct", "other_pct", "tgt_cpu_pct") or n[key] is None or not t[key]:
                    cells.append(f"{'':>{w}}")
                else:
                    cells.append(f"{n[key] / t[key]:>{w - 1}.2f}x")
            print(f"{'':<18} {'ratio':<6} " + " ".join(cells))
    print("-" * len(head))
    print("errs = hard errors + TASK SET FULL/BUSY, summed over the runs; '*' in runs.txt = host was busy at start")

    if floor:
        f50 = median([num(r.get("rtt_p50_us")) for r in floor])
        fmean = median([num(r.get("rtt_mean_us")) for r in floor])
        if f50:
            parts = []
            for side in sides:
                m = med.get(("4k-randread-qd1", side))
                if m and m["lat_p50_us"]:
                    parts.append(f"{side} {m['lat_p50_us']:.1f} us = {m['lat_p50_us'] / f50:.2f}x")
            print(f"QD1 wire floor: tcp-pingpong 48 B -> 4144 B RTT p50 {f50:.1f} us (mean {fmean:.1f} us); "
                  f"4 KiB read QD1 p50: " + ", ".join(parts))
    for side in sides:
        rss = max((m["peak_rss"] for (c, s_), m in med.items() if s_ == side), default=0)
        flood = med.get(("flood-64x128", side))
        line = f"{side}: peak RSS {rss:.1f} MiB"
        if flood:
            line += (f"; flood 64x128: {flood['hard']} hard error(s), "
                     f"{flood['backpressure']} TASK SET FULL/BUSY")
        print(line)
    if cross:
        parts = []
        for case in cases:
            for side in sides:
                if (case, side) in cross and (case, side) in med:
                    parts.append(f"{case} {side} {cross[(case, side)] or 0:.0f} "
                                 f"(nexus-bench {med[(case, side)]['iops'] or 0:.0f})")
        print("cross-check, iscsi-perf IOPS (1 run): " + "; ".join(parts))
    for side in sides:
        runs = "; ".join(f"{c} {med[(c, side)]['runs']}" for c in cases if (c, side) in med)
        print(f"IOPS per run, {side}: {runs}")

    if a.summary:
        with open(a.summary, "w") as out:
            keys = [key for _, key, _, _ in COLUMNS]
            out.write("case\ttarget\t" + "\t".join(keys) + "\thard_errors\tbackpressure\n")
            for case in cases:
                for side in sides:
                    m = med.get((case, side))
                    if m:
                        vals = ["" if m[k] is None else f"{m[k]:.4g}" for k in keys]
                        out.write(f"{case}\t{side}\t" + "\t".join(vals) + f"\t{m['hard']}\t{m['backpressure']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
