# SPDX-License-Identifier: Apache-2.0
"""cocotb test: many seeded random scenarios (tb/scenarios.py) on one eie_core build.
Run by pytest through tb/test_random_run.py and by scripts/regress.py.

For each seed: reset, pack the scenario and write its image, read it back from
disk, and run it through the whole-core path ``eie sim`` takes too
(eie.sim.tb.core_check.CoreRun): loaded once through the load port, every input
vector run, the counters compared with the cycle model (eie.models.perf) and the
results bit for bit with ``eie ref``. A mismatch, an ERROR bit or a hang is
recorded with the seed and a replay command, the core is reset and the next seed
runs; the test fails at the end if any seed failed.

Environment: EIE_SEEDS (comma-separated seeds, all of this build's configuration),
EIE_SIMULATOR (for the replay command), EIE_RESULTS (optional JSON lines file,
one line per finished seed), EIE_COVERAGE (optional JSON file for the coverage
counts; sampling runs only when it is set), EIE_TAKE_LANES (the build's TakeLanes,
default 2).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import cocotb
from eie.hw import regs
from eie.image import load, write_image
from eie.limits import DEFAULT_TAKE_LANES
from eie.sim.tb.core_check import CoreRun
from eie.sim.tb.core_tb import EieTB
from eie.sim.tb.pauses import Backpressure
from scenarios import config_for_seed, generate, replay_command


# The register and field that report each eie_core parameter (NUM_PE, ..., FEATURES.PE_COUNTERS).
PARAMETER_FIELDS = {field.param: (reg.name, field) for reg in regs.REGISTERS.values() for field in reg.fields
                    if field.param}


def _record(path: str | None, entry: dict) -> None:
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(entry) + "\n")


async def run_scenario(core: CoreRun, scenario, workdir: Path, coverage) -> None:
    """Load, run and check one scenario; raises AssertionError on any difference."""
    write_image(scenario.image(), workdir / "img")
    loaded = load(workdir / "img")
    core.tb.backpressure.reseed(scenario.seed, scenario.bus_idle)
    await core.tb.reset()
    await core.load_image(loaded, load_with="vpi" if scenario.backdoor else "port")

    async def sample_coverage(run, acts, report) -> None:
        from random_coverage import data_hits, sample

        stalls = {"broadcast stall"} if report["broadcast_stalls"] else set()
        sample(data_hits(loaded, acts), stalls | coverage.take())

    await core.run_inputs(scenario.inputs, sample_coverage if coverage is not None else None)


@cocotb.test()
async def random_scenarios(dut):
    seeds = [int(s) for s in os.environ["EIE_SEEDS"].split(",") if s]
    sim = os.environ.get("EIE_SIMULATOR", "icarus")
    take_lanes = int(os.environ.get("EIE_TAKE_LANES", DEFAULT_TAKE_LANES))
    results_path = os.environ.get("EIE_RESULTS")
    coverage_path = os.environ.get("EIE_COVERAGE")
    configs = {config_for_seed(s, take_lanes) for s in seeds}
    assert len(configs) == 1, f"seeds of several core configurations in one build: {sorted(c.name for c in configs)}"
    config = configs.pop()

    tb = EieTB(dut, backpressure=Backpressure(0, 0.0))
    core = CoreRun(tb, cycle_model=(config.queue_depth, config.history_depth, config.take_lanes))
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
            scenario = generate(seed, take_lanes)
            seed_start = time.perf_counter()
            try:
                await run_scenario(core, scenario, Path(tmp), monitor)
                error = None
            except AssertionError as exc:
                error = str(exc).splitlines()[0]
                failures.append(seed)
                dut._log.error("FAIL %s: %s\n  replay: %s", scenario.describe(), error,
                               replay_command(seed, sim, take_lanes))
            _record(results_path, {"seed": seed, "config": config.name, "sim": sim, "take_lanes": take_lanes,
                                   "ok": error is None,
                                   "error": error, "seconds": round(time.perf_counter() - seed_start, 3)})
    dut._log.info("%d scenarios on %s (%s) in %.1f s, %d failed", len(seeds), config.name, sim,
                  time.perf_counter() - start, len(failures))
    if coverage_path:
        from random_coverage import counts, format_report, write

        write(Path(coverage_path))
        dut._log.info("%s", format_report(counts()))
    assert not failures, "failing seeds: " + ", ".join(
        f"{s} (replay: {replay_command(s, sim, take_lanes)})" for s in failures
    )
