# SPDX-License-Identifier: Apache-2.0
"""``eie sim``: run an image on the RTL core under cocotb and collect the counters.

The cocotb side is ``eie.sim.tb.core_run``; this module builds eie_core with the
image's sizes (one build directory per parameter set), hands over the image,
inputs and output paths, and reads back outputs and the report. Outputs have the
same form as ``eie ref`` (int16 raw activations, put back in model row order from
the core's physical order), so the two compare with ``==``.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from eie.errors import EieError
from eie import limits
from eie.image import Image, LoadedImage, check_core_limits, load
from eie.limits import DEFAULT_HISTORY_DEPTH, DEFAULT_QUEUE_DEPTH, DEFAULT_TAKE_LANES, SIM_PE_COUNTERS
from eie.models.energy import sim_energy_section
from eie.models.perf import column_counts
from eie.models.reference import input_to_fixed, trace

# How the sparse-matrix and pointer arrays get into the core (``simulate(load_with=...)``,
# ``eie sim --load``); the codebooks, registers and inputs always go through the ports.
LOAD_METHODS = {
    "files": "the simulator reads the image's hex files into the memories at time 0 (fast)",
    "port": "every word through the load port, one beat a cycle, as a host loads it (slow for big images)",
    "vpi": "the testbench writes the memories one word at a time through VPI",
}


# Who drives each run's inputs, counter reads and result reads (``simulate(io=...)``,
# ``eie sim --io``); eie.sim.tb.core_tb.IO_METHODS has the same names.
IO_METHODS = {
    "script": "the simulator plays them through the core's ports from a file (rtl/eie_sim_top.sv; fast), "
              "the results read by every PE at once through its own read path, not one by one through the load port",
    "port": "the testbench drives every access from Python, as the regression does (slow for big layers)",
}


def core_parameters(image: Image, queue_depth: int = DEFAULT_QUEUE_DEPTH,
                    history_depth: int = DEFAULT_HISTORY_DEPTH, pe_counters: bool = SIM_PE_COUNTERS,
                    take_lanes: int = DEFAULT_TAKE_LANES) -> dict:
    """eie_core's parameters for ``image`` (names as in rtl/eie_core.sv); ``pe_counters``
    builds the per-PE performance counters (PeCounters), ``take_lanes`` sets TakeLanes."""
    mem = image.memory
    check_core_limits(image.num_pes, mem, image.layers)
    limits.QUEUE_DEPTH.check(queue_depth, "the queue depth")
    limits.HISTORY_DEPTH.check(history_depth, "the broadcast history depth")
    limits.TAKE_LANES.check(take_lanes, "the take lanes")
    return {
        "NumPe": image.num_pes,
        "QueueDepth": queue_depth,
        "HistoryDepth": history_depth,
        "SpmatDepth": mem.spmat_words,
        "PtrBankDepth": mem.ptr_bank_depth,
        "ActDepth": mem.act_depth,
        "MaxLayers": mem.max_layers,
        "PeCounters": int(bool(pe_counters)),
        "TakeLanes": take_lanes,
    }


def ideal_cycles(loaded: LoadedImage, acts: np.ndarray) -> dict:
    """Per layer: issue slots each PE must spend on this input, and the bounds they imply.

    A PE's issue slots are its entries in the broadcast columns less the padding
    entries its read unit merges into the next entry (eie.models.perf.merged_paddings).
    The bound of a layer is max(busiest PE's slots, broadcasts): one issue per PE
    and one broadcast per cycle (the EIE paper, section VI), before pipeline fill.
    """
    bounds = []
    for index, step in enumerate(trace(loaded, acts)):
        spec = step.layer.spec
        active = np.nonzero(step.inputs[0])[0]
        if spec.bias:
            active = np.append(active, spec.in_features)
        counts = column_counts(loaded, index)
        per_pe = counts.slots[:, active].sum(axis=1)
        bounds.append({
            "entries_per_pe": counts.entries[:, active].sum(axis=1).tolist(),
            "issue_slots_per_pe": per_pe.tolist(),
            "busiest_pe": int(per_pe.max()),
            "average": float(per_pe.mean()),
            "broadcasts": int(active.size),
            "bound": int(max(per_pe.max(), active.size)),
        })
    return {"layers": bounds, "bound": sum(b["bound"] for b in bounds)}


def simulate(image: LoadedImage | str | os.PathLike, inputs: np.ndarray, sim: str | None = None,
             queue_depth: int = DEFAULT_QUEUE_DEPTH,
             waves: bool | None = None, load_pause: str = "none", check: bool = True, seed: int | None = None,
             verbose: bool = True, load_with: str = "files", optimize: bool = False,
             history_depth: int = DEFAULT_HISTORY_DEPTH, pe_counters: bool = SIM_PE_COUNTERS,
             bus_idle: float = 0.0, sources: list[Path] | None = None, io: str = "script",
             assertions: bool = True, take_lanes: int = DEFAULT_TAKE_LANES):
    """Run every input row through the RTL; returns (int16 outputs, report dict).

    ``image`` is an image folder or an image already loaded; the simulator reads
    a private copy of the bytes that were checked, never the folder again.
    ``pe_counters`` False builds the core without its per-PE counters: every
    run's ``"pe"`` is then None and ``report["pe_counters_built"]`` False.
    ``load_with`` says how the sparse-matrix and pointer arrays get in (LOAD_METHODS);
    the codebooks, registers and inputs always go through the ports. ``io`` says who
    drives each run's accesses (IO_METHODS): "script" builds the simulation-only top
    level eie_sim_top around eie_core, "port" eie_core alone.
    ``bus_idle`` (0 to 1, io "port" only) is the share of cycles in which the testbench
    holds back every valid and ready of the AXI4-Lite and load-port interfaces (seeded by ``seed``).
    ``sources`` replaces the RTL file list (scripts/mutate.py runs mutants).
    ``assertions`` False builds Verilator without the RTL's simulation-only checks
    (run_cocotb): faster, for ``eie sim``; the regression keeps the default.
    ``take_lanes`` builds the core with TakeLanes = 1 or 2 (columns a PE takes per cycle).
    """
    from eie.sim.rtlsim import default_simulator, run_cocotb
    from eie.sim.toolchain import SIM_TOP, rtl_sources
    from eie.sim.waves import dump_file

    if load_with not in LOAD_METHODS:
        raise EieError(f"unknown load method {load_with!r}; choose one of {', '.join(LOAD_METHODS)}")
    if io not in IO_METHODS:
        raise EieError(f"unknown io method {io!r}; choose one of {', '.join(IO_METHODS)}")
    if bus_idle and io != "port":
        raise EieError("bus_idle needs io='port': the script player does not hold the bus back")
    loaded = image if isinstance(image, LoadedImage) else load(image)
    acts = input_to_fixed(np.asarray(inputs), loaded.act_frac).reshape(-1, loaded.image.in_features)
    sim = sim or default_simulator()
    params = core_parameters(loaded.image, queue_depth, history_depth, pe_counters, take_lanes)
    with tempfile.TemporaryDirectory(prefix="eie-sim-") as tmp:
        tmp = Path(tmp)
        np.save(tmp / "input.npy", acts)
        image_dir = loaded.snapshot(tmp / "image")
        env = {
            "EIE_IMAGE": str(image_dir),
            "EIE_INPUT": str(tmp / "input.npy"),
            "EIE_OUTPUT": str(tmp / "output.npy"),
            "EIE_REPORT": str(tmp / "report.json"),
            "EIE_LOAD_PAUSE": load_pause,
            "EIE_CHECK": "1" if check else "0",
            "EIE_LOAD_WITH": load_with,
            "EIE_BUS_IDLE": str(bus_idle),
            "EIE_IO": io,
            "EIE_SCRIPT": str(tmp / "script.hex"),
        }
        if not verbose:
            env["COCOTB_LOG_LEVEL"] = "WARNING"  # the report says what matters
        if "COCOTB_REWRITE_ASSERTION_FILES" not in os.environ:
            # cocotb's default, "*.py", runs pytest's assertion rewriter over every module the
            # test imports (numpy's included): 1-1.7 s of the simulator's start-up wherever
            # Python writes no bytecode cache (PYTHONDONTWRITEBYTECODE). The test module only.
            env["COCOTB_REWRITE_ASSERTION_FILES"] = "core_run.py"
        # The simulator runs in this run's own folder, so that several runs of one
        # build can go at once (eie bench). core_run reads only ports and writes
        # only the backdoor memories: no probes, a leaner Verilator build.
        # The file load: every PE's SRAM and pointer banks read the snapshot's hex
        # files at time 0 (rtl/eie_spmat_read.sv, eie_ptr_read.sv, simulation only).
        plusargs = [f"+eie_image_dir={image_dir}"] if load_with == "files" else []
        toplevel, rtl = "eie_core", sources
        if io == "script":
            toplevel, rtl = SIM_TOP.stem, [*(sources or rtl_sources()), SIM_TOP]
            plusargs.append(f"+eie_script={env['EIE_SCRIPT']}")
        started = time.time()
        results = run_cocotb(toplevel, "eie.sim.tb.core_run", params, sim=sim, extra_env=env, waves=waves, seed=seed,
                             optimize=optimize, test_dir=tmp, probes=False, plusargs=plusargs, sources=rtl,
                             assertions=assertions)
        if not (tmp / "report.json").exists():
            raise EieError("the RTL simulation ended without a report (see the log above)")
        outputs = loaded.to_model_order(np.load(tmp / "output.npy"))
        report = json.loads((tmp / "report.json").read_text())
        # Wall time around the cocotb test: the build check and the simulator's
        # start-up before it, its shutdown after it.
        report["startup_seconds"] = report.pop("test_start") - started
        report["shutdown_seconds"] = time.time() - report.pop("test_end")
    if report["pe_counters_built"] != bool(params["PeCounters"]):
        raise EieError(f"the core reads FEATURES.PE_COUNTERS = {int(report['pe_counters_built'])} "
                       f"but was built with PeCounters = {params['PeCounters']}")
    report["simulator"] = sim
    # A run with waveforms runs in the build folder and leaves its dump there.
    dump = dump_file(sim, Path(results).parent)
    if dump.exists():
        report["waves"] = str(dump)
    report["parameters"] = params
    report["ideal"] = [ideal_cycles(loaded, a) for a in acts]
    # Priced from the RTL's own event counts (runs[i]["events"]), at the paper's clock.
    report["energy"] = sim_energy_section(report, loaded, acts)
    return outputs.reshape(np.asarray(inputs).shape[:-1] + (loaded.image.out_features,)), report
