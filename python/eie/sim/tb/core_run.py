# SPDX-License-Identifier: Apache-2.0
"""cocotb test that runs an image on eie_core and checks it against eie ref.

Driven by environment variables so that pytest and ``eie sim`` share it:
EIE_IMAGE (image directory), EIE_INPUT (.npy, raw int16 activations, one row per
run), EIE_OUTPUT (optional .npy to write), EIE_REPORT (optional .json to write),
EIE_LOAD_PAUSE (none | fixed | random), EIE_CHECK (1: fail on a mismatch),
EIE_LOAD_WITH (how the sparse-matrix and pointer arrays get in: files, port or
vpi, eie.sim.simulate.LOAD_METHODS; files needs the +eie_image_dir plusarg),
EIE_BUS_IDLE (0..1: random valid/ready backpressure on both interfaces, seeded
by cocotb's random seed). Protocol monitors check both interfaces throughout.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import numpy as np

import cocotb
from cocotb_bus.scoreboard import Scoreboard
from eie.image import load
from eie.models.reference import run_layers
from eie.sim.tb.core_tb import STATUS_DONE, EieTB, watchdog_cycles
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
    loaded = load(os.environ["EIE_IMAGE"])
    image = loaded.image
    inputs = np.load(os.environ["EIE_INPUT"]).astype(np.int64).reshape(-1, image.in_features)
    check = os.environ.get("EIE_CHECK", "1") == "1"
    expected = run_layers(loaded, inputs)  # the scoreboard's expectation, from the reference model

    bus_idle = float(os.environ.get("EIE_BUS_IDLE", "0"))
    backpressure = Backpressure(cocotb.RANDOM_SEED, bus_idle) if bus_idle else None
    tb = EieTB(dut, load_pause=pause_from_env(), backpressure=backpressure)
    scoreboard = Scoreboard(dut, fail_immediately=check)
    expected_reads: list[int] = []  # result words the load-port monitor must see, in order
    scoreboard.add_interface(tb.results, expected_reads)
    dut._log.info("seed %d, image %s, %d input(s)", cocotb.RANDOM_SEED, os.environ["EIE_IMAGE"], len(inputs))
    await tb.reset()
    await tb.check_parameters(image)
    wall_start = time.perf_counter()
    start = cocotb.utils.get_sim_time("ns")
    await tb.load_image(image, load_with=os.environ.get("EIE_LOAD_WITH", "port"))
    load_cycles = int((cocotb.utils.get_sim_time("ns") - start) // 10)
    load_seconds = time.perf_counter() - wall_start
    run_seconds = 0.0

    outputs = np.zeros((len(inputs), image.out_features), dtype=np.int64)
    reports = []
    for run, acts in enumerate(inputs):
        await tb.load_input(image, acts, input_file=run % 2)
        run_start = time.perf_counter()
        status = await tb.start_and_wait(watchdog_cycles(image, acts))
        run_seconds += time.perf_counter() - run_start
        expected_reads.extend(int(v) for v in expected[run])
        errors = await tb.errors()
        if errors:
            expected_reads.clear()
        assert not errors, f"run {run}: the core raised ERROR bits {errors}"
        assert status & STATUS_DONE, f"run {run}: STATUS.DONE is not set (status {status:#x})"
        outputs[run] = await tb.read_output(image)
        reports.append(await tb.read_report(image))
        if check:
            mismatch = np.nonzero(outputs[run] != expected[run])[0]
            assert mismatch.size == 0, (
                f"run {run}: {mismatch.size} outputs differ from eie ref, first at row {mismatch[0]}: "
                f"RTL {outputs[run][mismatch[0]]} != ref {expected[run][mismatch[0]]} (seed {cocotb.RANDOM_SEED})"
            )
    report = {
        "cycles": sum(r["cycles"] for r in reports),
        # False: the core has no per-PE counters (PeCounters = 0), every run's "pe" is None.
        "pe_counters_built": await tb.pe_counters_built(),
        "runs": reports,
        "load_cycles": load_cycles,
        "load_beats": tb.load.beats,
        "load_seconds": load_seconds,
        "run_seconds": run_seconds,
        "sim_seconds": time.perf_counter() - wall_start,
        "matches_reference": bool(np.array_equal(outputs, expected)),
    }
    if os.environ.get("EIE_OUTPUT"):
        np.save(Path(os.environ["EIE_OUTPUT"]), outputs.astype(np.int16))
    if os.environ.get("EIE_REPORT"):
        Path(os.environ["EIE_REPORT"]).write_text(json.dumps(report, indent=1))
    tb.check_protocols()
    # Scoreboard.result would end the test early (cocotb.pass_test); check the same things here.
    assert not expected_reads, f"{len(expected_reads)} result words never seen by the load-port monitor"
    if check:
        assert scoreboard.errors == 0, "the scoreboard recorded mismatching result words"

