#!/usr/bin/env python3
"""The comparison step's table: one row per method (xl migrate, sonic --soft off, sonic), medians and
ranges over its runs, from the dom0 measurements (compare.tsv: METHOD RUN SECONDS DOM0_CPU STALL_MS)
and the counts the host's one stream parser (`sonic restore --dry-run`) took from each captured
stream (compare-METHOD-RUN.summary: PAGES_WITH_DATA PAGES_WITHOUT_DATA BYTES).

usage: compare-table.py RESULTS_DIR    (prints the table, writes compare.json; exit 1 if runs are missing)
"""
import json
import os
import statistics
import sys

METHODS = [("xl", "xl migrate"), ("off", "sonic migrate --soft off"), ("sonic", "sonic migrate")]
FIELDS = [("pages", "pages sent with data"), ("bytes", "stream bytes"), ("seconds", "total time (s)"),
          ("stall_ms", "downtime, as the guest saw it (ms)"), ("dom0_cpu", "dom0 CPU (s)")]


def load(results):
    runs = {m: [] for m, _ in METHODS}
    with open(os.path.join(results, "compare.tsv")) as f:
        for line in f:
            method, run, seconds, cpu, stall = line.split()
            with open(os.path.join(results, "compare-%s-%s.summary" % (method, run))) as s:
                pages, nodata, size = (int(v) for v in s.read().split())
            runs[method].append({"run": int(run), "seconds": float(seconds), "dom0_cpu": float(cpu),
                                 "stall_ms": int(stall), "pages": pages, "pages_no_data": nodata, "bytes": size})
    return runs


def cell(values, fmt):
    med = statistics.median(values)
    return "%s (%s–%s)" % (fmt(med), fmt(min(values)), fmt(max(values)))


def main():
    results = sys.argv[1]
    runs = load(results)
    if any(not runs[m] for m, _ in METHODS):
        print("compare: no runs of " + ", ".join(m for m, _ in METHODS if not runs[m]))
        return 1
    fmt = {"pages": lambda v: "{:,.0f}".format(v), "bytes": lambda v: "{:,.1f} MiB".format(v / 2**20),
           "seconds": lambda v: "%.1f" % v, "stall_ms": lambda v: "{:,.0f}".format(v),
           "dom0_cpu": lambda v: "%.1f" % v}
    medians = {m: {k: statistics.median(r[k] for r in runs[m]) for k, _ in FIELDS} for m, _ in METHODS}
    print("| | " + " | ".join(label for _, label in FIELDS) + " |")
    print("|---|" + "---:|" * len(FIELDS))
    for m, label in METHODS:
        print("| `%s` (%d run%s) | " % (label, len(runs[m]), "" if len(runs[m]) == 1 else "s")
              + " | ".join(cell([r[k] for r in runs[m]], fmt[k]) for k, _ in FIELDS) + " |")
    for m, label in METHODS[1:]:
        print("| `%s` against `xl migrate` (medians) | " % label + " | ".join(
            "%+.1f%%" % (100 * (medians[m][k] / medians["xl"][k] - 1)) if medians["xl"][k] else "–"
            for k, _ in FIELDS) + " |")
    with open(os.path.join(results, "compare.json"), "w") as f:
        json.dump({"runs": runs, "medians": medians}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
