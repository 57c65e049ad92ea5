# SPDX-License-Identifier: Apache-2.0
"""cocotb test that runs an image on eie_core and checks it against eie ref.

Driven by environment variables so that pytest and ``eie sim`` share it:
EIE_IMAGE (image directory), EIE_INPUT (.npy, raw int16 activations, one row per
run), EIE_OUTPUT (optional .npy to write), EIE_REPORT (optional .json to write),
EIE_LOAD_PAUSE (none | fixed | random), EIE_CHECK (1: fail on a mismatch),
EIE_LOAD_WITH (how the sparse-matrix and pointer arrays get in: files, port or
vpi, eie.sim.simulate.LOAD_METHODS; files needs the +eie_image_dir plusarg),
EIE_BUS_IDLE (0..1: random valid/ready backpressure on both interfaces, seeded
by cocotb's random seed), EIE_IO (script or port, eie.sim.tb.core_tb.IO_METHODS:
who drives each run's inputs, counter reads and result reads; script needs the
top level eie_sim_top and EIE_SCRIPT, the file its +eie_script plusarg names).
The loading, running and checking is core_check.CoreRun's, the path the random
scenarios take too.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import numpy as np

import cocotb
from eie.image import load
from eie.sim.tb.core_check import CoreRun
from eie.sim.tb.core_tb import EieTB
from eie.sim.tb.pauses import Backpressure, gaps


def pause_from_env():
    kind = os.environ.get("EIE_LOAD_PAUSE", "none")
    if kind == "fixed":
        return gaps("pattern")
    if kind == "random":
        return gaps("random", random.Random(cocotb.RANDOM_SEED))
    return gaps("none")


@cocotb.test()
async def run_image(dut):
    test_start = time.time()  # wall clock: eie sim subtracts its own start (the simulator's start-up)
    loaded = load(os.environ["EIE_IMAGE"])
    image = loaded.image
    inputs = np.load(os.environ["EIE_INPUT"]).astype(np.int64).reshape(-1, image.in_features)

    bus_idle = float(os.environ.get("EIE_BUS_IDLE", "0"))
    backpressure = Backpressure(cocotb.RANDOM_SEED, bus_idle) if bus_idle else None
    # Bus idle cycles pause the load port's beats too, unless EIE_LOAD_PAUSE names its own pauses.
    own_pause = backpressure is None or os.environ.get("EIE_LOAD_PAUSE", "none") != "none"
    io = os.environ.get("EIE_IO", "port")
    script = Path(os.environ["EIE_SCRIPT"]) if io == "script" else None
    tb = EieTB(dut, load_pause=pause_from_env() if own_pause else None, backpressure=backpressure, io=io,
               script_path=script)
    core = CoreRun(tb, check=os.environ.get("EIE_CHECK", "1") == "1", context=f" (seed {cocotb.RANDOM_SEED})")
    dut._log.info("seed %d, image %s, %d input(s)", cocotb.RANDOM_SEED, os.environ["EIE_IMAGE"], len(inputs))
    await tb.reset()
    await tb.check_parameters(image)
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    load_cycles = await core.load_image(loaded, load_with=os.environ.get("EIE_LOAD_WITH", "port"))
    load_seconds = time.perf_counter() - wall_start
    outputs, reports = await core.run_inputs(inputs)
    report = {
        "cycles": sum(r["cycles"] for r in reports),
        # False: the core has no per-PE counters (PeCounters = 0), every run's "pe" is None.
        "pe_counters_built": await tb.pe_counters_built(),
        "runs": reports,
        "load_cycles": load_cycles,
        "load_beats": tb.load.beats,
        "load_seconds": load_seconds,
        "run_seconds": core.run_seconds,
        "run_cpu_seconds": core.run_cpu_seconds,
        "sim_seconds": time.perf_counter() - wall_start,
        "sim_cpu_seconds": time.process_time() - cpu_start,
        "matches_reference": core.matches_reference,
        "test_start": test_start,
        "test_end": time.time(),
    }
    if os.environ.get("EIE_OUTPUT"):
        np.save(Path(os.environ["EIE_OUTPUT"]), outputs.astype(np.int16))
    if os.environ.get("EIE_REPORT"):
        Path(os.environ["EIE_REPORT"]).write_text(json.dumps(report, indent=1))
