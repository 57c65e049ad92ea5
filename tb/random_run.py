# SPDX-License-Identifier: Apache-2.0
"""cocotb test: many seeded random scenarios (tb/scenarios.py) on one eie_core build.
Run by pytest through tb/test_random.py and by scripts/regress.py.

For each seed: reset, pack the scenario and write its image, load it through the
load port, run every input vector, and compare the results bit for bit with
``eie ref`` (eie.models.reference on the image read back from disk). A mismatch, an
ERROR bit or a hang is recorded with the seed and a replay command, the core is
reset and the next seed runs; the test fails at the end if any seed failed.

Environment: EIE_SEEDS (comma-separated seeds, all of this build's configuration),
EIE_SIMULATOR (for the replay command), EIE_RESULTS (optional JSON lines file,
one line per finished seed), EIE_COVERAGE (optional JSON file for the coverage
counts; sampling runs only when it is set).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

import cocotb
from cocotb_bus.scoreboard import Scoreboard
from eie.hw import regs
from eie.image import load, write_image
from eie.models.perf import predict, run_events
from eie.models.reference import run_layers
from eie.sim.tb.core_tb import STATUS_DONE, EieTB, watchdog_cycles
from eie.sim.tb.pauses import Backpressure
from scenarios import config_for_seed, generate, replay_command


# The register and field that report each eie_core parameter (NUM_PE, ..., FEATURES.PE_COUNTERS).
PARAMETER_FIELDS = {field.param: (reg.name, field) for reg in regs.REGISTERS.values() for field in reg.fields
                    if field.param}


def _record(path: str | None, entry: dict) -> None:
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(entry) + "\n")


class Checker:
    """The load-port monitor's result words against the reference, through a cocotb-bus scoreboard."""

    def __init__(self, dut, tb: EieTB):
        self.scoreboard = Scoreboard(dut, fail_immediately=False)
        self.expected: list[int] = []
        self.scoreboard.add_interface(tb.results, self.expected)

    def expect(self, words) -> None:
        self.expected.clear()
        self.errors = self.scoreboard.errors
        self.expected.extend(int(w) for w in words)

    def check(self, run: int) -> None:
        assert not self.expected, f"run {run}: {len(self.expected)} result words never seen by the load-port monitor"
        assert self.scoreboard.errors == self.errors, f"run {run}: the load-port monitor saw other result words"


async def check_cycles(tb: EieTB, loaded, acts, config, run: int) -> None:
    """The run's cycle, broadcast and stall counters and its events (the simulation-only
    counters) against the cycle model (eie.models.perf)."""
    timing = predict(loaded, acts, config.queue_depth, config.history_depth)
    model = (timing.cycles, sum(layer.broadcasts for layer in timing.layers),
             sum(layer.broadcast_stalls for layer in timing.layers))
    cycles = await tb.reg_read("CYCLES_LO") | await tb.reg_read("CYCLES_HI") << 32
    rtl = (cycles, await tb.reg_read("BCASTS"), await tb.reg_read("BCAST_STALLS"))
    assert rtl == model, f"run {run}: (cycles, broadcasts, stalls) RTL {rtl} != cycle model {model}"
    model_events, rtl_events = run_events(timing), tb.read_events(loaded.num_pes)
    differ = [f"{name}: RTL {rtl_events[scope][name]} != model {counts}"
              for scope in ("pe", "core") for name, counts in model_events[scope].items()
              if rtl_events[scope][name] != counts]
    assert not differ, f"run {run}: events differ from the cycle model: {'; '.join(differ)}"


async def run_scenario(tb: EieTB, checker: Checker, scenario, workdir: Path, coverage) -> None:
    """Load, run and check one scenario; raises AssertionError on any difference."""
    write_image(scenario.image(), workdir / "img")
    loaded = load(workdir / "img")
    image = loaded.image
    read_order = run_layers(loaded, scenario.inputs)  # physical rows: the order the results are read
    expected = loaded.to_model_order(read_order)  # what eie ref returns: model row order
    tb.backpressure.reseed(scenario.seed, scenario.bus_idle)
    await tb.reset()
    await tb.load_image(image, backdoor=scenario.backdoor)
    for run, acts in enumerate(scenario.inputs):
        await tb.load_input(image, acts, input_file=run % 2)
        status = await tb.start_and_wait(watchdog_cycles(image, acts))
        errors = await tb.errors()
        assert not errors, f"run {run}: the core raised ERROR bits {errors}"
        assert status & STATUS_DONE, f"run {run}: STATUS.DONE is not set (status {status:#x})"
        await check_cycles(tb, loaded, acts, scenario.config, run)
        checker.expect(read_order[run])
        outputs = loaded.to_model_order(await tb.read_output(image))
        mismatch = np.nonzero(outputs != expected[run])[0]
        assert mismatch.size == 0, (
            f"run {run}: {mismatch.size} of {outputs.size} outputs differ from eie ref, first at row "
            f"{mismatch[0]}: RTL {outputs[mismatch[0]]} != ref {expected[run][mismatch[0]]}"
        )
        checker.check(run)
        tb.check_protocols()
        if coverage is not None:
            from random_coverage import data_hits, sample

            stalls = {"broadcast stall"} if await tb.reg_read("BCAST_STALLS") else set()
            sample(data_hits(loaded, acts), stalls | coverage.take())


@cocotb.test()
async def random_scenarios(dut):
    seeds = [int(s) for s in os.environ["EIE_SEEDS"].split(",") if s]
    sim = os.environ.get("EIE_SIMULATOR", "icarus")
    results_path = os.environ.get("EIE_RESULTS")
    coverage_path = os.environ.get("EIE_COVERAGE")
    configs = {config_for_seed(s) for s in seeds}
    assert len(configs) == 1, f"seeds of several core configurations in one build: {sorted(c.name for c in configs)}"
    config = configs.pop()

    tb = EieTB(dut, backpressure=Backpressure(0, 0.0))
    checker = Checker(dut, tb)
    await tb.reset()
    for name, value in config.parameters().items():
        register, field = PARAMETER_FIELDS[name]
        got = field.decode(await tb.reg_read(register))
        assert got == value, f"core {register}.{field.name} is {got}, configuration {config.name} needs {value}"
    monitor = None
    if coverage_path:
        from random_coverage import RunMonitor

        monitor = RunMonitor(dut, config.num_pes, pe_counters=await tb.pe_counters_built())

    failures = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="eie-random-") as tmp:
        for seed in seeds:
            scenario = generate(seed)
            seed_start = time.perf_counter()
            try:
                await run_scenario(tb, checker, scenario, Path(tmp), monitor)
                error = None
            except AssertionError as exc:
                error = str(exc).splitlines()[0]
                failures.append(seed)
                dut._log.error("FAIL %s: %s\n  replay: %s", scenario.describe(), error, replay_command(seed, sim))
            _record(results_path, {"seed": seed, "config": config.name, "sim": sim, "ok": error is None,
                                   "error": error, "seconds": round(time.perf_counter() - seed_start, 3)})
    dut._log.info("%d scenarios on %s (%s) in %.1f s, %d failed", len(seeds), config.name, sim,
                  time.perf_counter() - start, len(failures))
    if coverage_path:
        from random_coverage import counts, format_report, write

        write(Path(coverage_path))
        dut._log.info("%s", format_report(counts()))
    assert not failures, "failing seeds: " + ", ".join(
        f"{s} (replay: {replay_command(s, sim)})" for s in failures
    )
