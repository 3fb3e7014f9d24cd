#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""coverage.py - make coverage's report: line and branch coverage of lib/
and the shim from the counters a coverage build's make check left, the
lines excluded from it with their reasons, and the verdict.

    python3 tests/coverage.py --src SRCDIR --build BUILDDIR [options]

Reads the counters with gcovr (one gcov run for every object that compiles
a file: the static and shared library and the shim add up), prints one row
a file and the total, lists every GCOVR_EXCL marker of the measured files
with its reason, and exits 1 when:
  - make check failed (--check-status), or coverage data is missing;
  - a marker has no reason, or a START has no STOP;
  - enforced (--enforce 1, or auto as root): the total of lines is under
    --lines, of branches under --branches, or a file's lines are not above
    --file-lines.
--record FILE writes the same report to FILE with the date, the command
and the machine."""

import argparse
import datetime
import glob
import json
import os
import platform
import re
import shlex
import subprocess
import sys

# The marker, its kind, and what follows it: "GCOVR_EXCL_LINE: reason".
MARKER = re.compile(r"GCOVR_EXCL_(BR_)?(LINE|START|STOP)\b[:\s]*(.*)")


def measured_files(src):
    """The files the report covers, relative to src: every lib/*.c and
    the shim must have data; headers count where they have code."""
    files = sorted(glob.glob(os.path.join(src, "lib", "*.c")))
    files.append(os.path.join(src, "lib", "preload", "preload.c"))
    headers = sorted(glob.glob(os.path.join(src, "lib", "*.h")))
    rel = lambda f: os.path.relpath(f, src)
    return [rel(f) for f in files], [rel(f) for f in headers]


def exclusions(src, files):
    """Every marker: (file, line, kind, reason), and the problems."""
    found, problems = [], []
    for f in files:
        open_start = {}
        with open(os.path.join(src, f), encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                m = MARKER.search(line)
                if not m:
                    continue
                kind = (m.group(1) or "") + m.group(2)
                reason = m.group(3).strip()
                reason = re.sub(r"\s*\*/.*$", "", reason).strip()
                br = m.group(1) or ""
                if m.group(2) == "STOP":
                    if br not in open_start:
                        problems.append(f"{f}:{n}: GCOVR_EXCL_{kind} without a START")
                    open_start.pop(br, None)
                    continue
                if m.group(2) == "START":
                    if br in open_start:
                        problems.append(f"{f}:{n}: GCOVR_EXCL_{kind} inside another "
                                        f"(from {f}:{open_start[br]})")
                    open_start[br] = n
                if not reason:
                    problems.append(f"{f}:{n}: GCOVR_EXCL_{kind} without a reason (write it after the marker: 'GCOVR_EXCL_{kind}: why no test can reach it')")
                found.append((f, n, kind, reason))
        for br, n in open_start.items():
            problems.append(f"{f}:{n}: GCOVR_EXCL_{br}START without a STOP")
    return found, problems


def run_gcovr(args, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    summary = os.path.join(out_dir, "summary.json")
    filters = [re.escape(os.path.join(os.path.abspath(args.src), "lib")) +
               r"/(preload/preload\.c|[^/]*\.[ch])$"]
    cmd = [args.gcovr, "--root", args.src, "--object-directory", args.build,
           "--exclude-unreachable-branches", "--json-summary", summary,
           "--json-summary-pretty"]
    if args.jobs:
        cmd += ["-j", str(args.jobs)]
    for f in filters:
        cmd += ["--filter", f]
    if args.html:
        cmd += ["--html-details", os.path.join(out_dir, "index.html")]
    cmd.append(args.build)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, check=False)
    if r.returncode != 0:
        sys.stderr.write(r.stdout)
        sys.exit(f"coverage: gcovr failed (exit {r.returncode}): {shlex.join(cmd)}")
    with open(summary, encoding="utf-8") as fh:
        return json.load(fh)


def enforced(args):
    return args.enforce == "1" or (args.enforce == "auto" and os.geteuid() == 0)


def pct(num, den):
    return 100.0 * num / den if den else 100.0


def cell(num, den):
    return f"{num:5d}/{den:<5d} {pct(num, den):5.1f}%" if den else f"{'-':>11s} {'--':>6s}"


def report(args):
    files, headers = measured_files(args.src)
    data = run_gcovr(args, os.path.join(args.build, "coverage"))
    by_name = {os.path.normpath(f["filename"]): f for f in data["files"]}
    out, fails, notes = [], [], []
    rows = []
    for f in files + headers:
        d = by_name.get(f)
        if d is None:
            if f in files:
                fails.append(f"{f}: no coverage data (not built, or no test ran it)")
            continue
        if d["line_total"] == 0 and f in headers:
            continue
        rows.append((f, d))
    for name in sorted(by_name):
        if name not in files + headers:
            notes.append(f"{name}: in the report, not among the measured files")
    lc = sum(d["line_covered"] for _, d in rows)
    lt = sum(d["line_total"] for _, d in rows)
    bc = sum(d["branch_covered"] for _, d in rows)
    bt = sum(d["branch_total"] for _, d in rows)

    w = max([len(f) for f, _ in rows] + [10])
    out.append(f"{'file':<{w}}  {'lines run':>18s}  {'branches taken':>18s}")
    for f, d in rows:
        low = " <" if pct(d["line_covered"], d["line_total"]) <= args.file_lines else ""
        out.append(f"{f:<{w}}  {cell(d['line_covered'], d['line_total'])}  "
                   f"{cell(d['branch_covered'], d['branch_total'])}{low}")
    out.append(f"{'total':<{w}}  {cell(lc, lt)}  {cell(bc, bt)}")
    out.append(f"(< : lines at or under {args.file_lines:g}%; branches with "
               "gcovr --exclude-unreachable-branches)")

    excl, problems = exclusions(args.src, files + headers)
    out.append("")
    if excl:
        out.append(f"excluded from the count ({len(excl)} markers, each with its reason):")
        for f, n, kind, reason in excl:
            out.append(f"  {f}:{n}: {kind}: {reason or '(NO REASON)'}")
    else:
        out.append("excluded from the count: nothing (no GCOVR_EXCL marker in lib/)")
    fails += problems

    enforce = enforced(args)
    checks = [
        (f"total lines {pct(lc, lt):.1f}% >= {args.lines:g}%", pct(lc, lt) >= args.lines),
        (f"total branches {pct(bc, bt):.1f}% >= {args.branches:g}%", pct(bc, bt) >= args.branches),
    ]
    low = [f"{f} {pct(d['line_covered'], d['line_total']):.1f}%" for f, d in rows
           if pct(d["line_covered"], d["line_total"]) <= args.file_lines]
    checks.append((f"every file's lines > {args.file_lines:g}%" +
                   (f" (not: {', '.join(low)})" if low else ""), not low))
    out.append("")
    for text, ok in checks:
        out.append(f"  {'ok  ' if ok else 'FAIL' if enforce else 'low '}  {text}")
    unmet = [t for t, ok in checks if not ok]
    if args.check_status != 0:
        fails.append(f"make check failed (exit {args.check_status}) in the coverage build: "
                     "its numbers are of a failing run")
    if not enforce:
        why = ("COVERAGE_ENFORCE=0" if args.enforce == "0" else
               f"not root (uid {os.geteuid()}): the tests that need root were skipped "
               "(their 'skipped' lines above), so the numbers are lower than CI's")
        out.append(f"thresholds reported, not enforced: {why}")
    elif unmet:
        fails += [f"under the threshold: {t}" for t in unmet]
    return out, notes, fails, (lc, lt, bc, bt)


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    osname = ""
    try:
        with open("/etc/os-release", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    u = platform.uname()
    return f"{osname}, {u.system} {u.release} {u.machine}, {os.cpu_count()} CPUs ({cpu})"


def tool_version(cmd):
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           text=True, check=False)
        return r.stdout.splitlines()[0].strip() if r.stdout else "?"
    except OSError:
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--gcovr", default="gcovr")
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--lines", type=float, default=95)
    ap.add_argument("--branches", type=float, default=85)
    ap.add_argument("--file-lines", type=float, default=90)
    ap.add_argument("--enforce", choices=["auto", "0", "1"], default="auto")
    ap.add_argument("--check-status", type=int, default=0)
    ap.add_argument("--html", action="store_true")
    ap.add_argument("--record")
    ap.add_argument("--command", default="make coverage")
    args = ap.parse_args()
    args.src = os.path.abspath(args.src)
    args.build = os.path.abspath(args.build)

    out, notes, fails, _ = report(args)
    print("\n  coverage of lib/ and the shim (gcov + gcovr), make check as uid "
          f"{os.geteuid()}:")
    for line in out + notes:
        print("  " + line if line else "")
    if args.html:
        print(f"  HTML report: {os.path.join(args.build, 'coverage', 'index.html')}")
    for f in fails:
        print(f"coverage: FAIL: {f}", file=sys.stderr)
    if not fails:
        print("  coverage: passed" if enforced(args) else "  coverage: reported")

    if args.record:
        commit = subprocess.run(["git", "-C", args.src, "describe", "--always", "--dirty"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True, check=False).stdout.strip() or "(not a git checkout)"
        now = datetime.datetime.now(datetime.timezone.utc)
        with open(args.record, "w", encoding="utf-8") as fh:
            fh.write("Line and branch coverage of lib/ and the shim, recorded by\n"
                     "`make coverage COVERAGE_RECORD=1` (tests/coverage.py); regenerate it the same way.\n\n")
            fh.write(f"date:     {now.strftime('%Y-%m-%d %H:%M UTC')}\n")
            fh.write(f"command:  {args.command}\n")
            fh.write(f"tree:     {commit}\n")
            fh.write(f"machine:  {machine()}\n")
            fh.write("load:     %.1f %.1f %.1f (1, 5, 15 min, when the report was made)\n"
                     % os.getloadavg())
            fh.write(f"as:       uid {os.geteuid()}\n")
            fh.write(f"tools:    {tool_version(args.cc.split() + ['--version'])}; "
                     f"{tool_version([args.gcovr, '--version'])}\n")
            fh.write(f"verdict:  {'FAILED: ' + '; '.join(fails) if fails else 'passed'}\n\n")
            for line in out:
                fh.write(line.rstrip() + "\n")
        print(f"  recorded in {args.record}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
