# SPDX-License-Identifier: Apache-2.0
"""The one whole-core run-and-check path, shared by ``eie sim`` (core_run.py) and
the random scenarios (tb/random_run.py).

- ``ResultChecker``: the in-order scoreboard. The load-port monitor hands it every
  result word read back (with io="script" the script player's answers, which the
  monitor on the testbench's ports does not see); it compares each with eie ref's
  (eie.models.reference), the one comparison of the outputs.
- ``CoreRun``: an image loaded into the core once, then per input vector: input ->
  START -> ERROR and DONE -> counters (``EieTB.read_report``, against the cycle
  model when asked) -> outputs read back through the checker -> protocol rules.
- ``model_differences``: one run's counters against the cycle model
  (eie.models.perf), for the in-simulator check and the pytest side alike.
"""

from __future__ import annotations

import collections
import time

import numpy as np

import cocotb
from eie.image import LoadedImage
from eie.limits import DEFAULT_HISTORY_DEPTH, DEFAULT_TAKE_LANES
from eie.models.perf import differences, predict
from eie.models.reference import run_layers
from eie.sim.tb.core_tb import CLOCK_PERIOD_NS, STATUS_DONE, EieTB, LoadPortReadMonitor, watchdog_cycles


def model_differences(loaded: LoadedImage, acts: np.ndarray, rtl_run: dict, queue_depth: int,
                      history_depth: int = DEFAULT_HISTORY_DEPTH, take_lanes: int = DEFAULT_TAKE_LANES) -> list[str]:
    """What differs between one run's RTL counters (``EieTB.read_report``) and the cycle model."""
    return differences(predict(loaded, acts, queue_depth, history_depth, take_lanes), rtl_run)


class ResultChecker:
    """Every result word the load-port monitor sees, in order, against the words expected."""

    def __init__(self, monitor: LoadPortReadMonitor):
        self.expected: collections.deque = collections.deque()
        self.total = 0
        self.mismatches: list[tuple[int, int, int]] = []  # (model row, RTL, ref)
        self.unexpected = 0
        monitor.add_callback(self._seen)

    def expect(self, words: np.ndarray, rows: list[int]) -> None:
        """The next words to be read, and the model row each one is (for the message)."""
        self.expected = collections.deque(zip(rows, (int(w) for w in words)))
        self.total = len(self.expected)
        self.mismatches.clear()
        self.unexpected = 0

    def seen_all(self, words) -> None:
        """Words read back past the load-port monitor (the script player's)."""
        for word in words:
            self._seen(int(word))

    def _seen(self, word: int) -> None:
        if not self.expected:
            self.unexpected += 1
            return
        row, want = self.expected.popleft()
        if word != want:
            self.mismatches.append((row, word, want))

    def missing(self) -> str | None:
        """Words expected since ``expect`` that the monitor never saw (a read went astray)."""
        return f"{len(self.expected)} result words never seen by the load-port monitor" if self.expected else None

    def difference(self) -> str | None:
        """How the words seen since ``expect`` differ from eie ref, or None if they match."""
        if self.mismatches:
            row, rtl, ref = self.mismatches[0]
            return (f"{len(self.mismatches)} of {self.total} outputs differ from eie ref, "
                    f"first at row {row}: RTL {rtl} != ref {ref}")
        if self.unexpected:
            return f"the load-port monitor saw {self.unexpected} result words more than expected"
        return None


class CoreRun:
    """Load an image once, then run input vectors on it and check everything that can differ.

    ``check`` False records a difference from eie ref (``matches_reference``) instead
    of failing, for ``eie sim --no-check``; a core ERROR, a missing DONE, a hang and a
    broken bus rule fail either way. With ``cycle_model`` = (queue depth, history
    depth[, take lanes]) every run's counters must equal the cycle model's. ``context`` ends
    every failure message (the seed, say).
    """

    def __init__(self, tb: EieTB, check: bool = True, cycle_model: tuple[int, ...] | None = None,
                 context: str = ""):
        self.tb = tb
        self.check = check
        self.cycle_model = cycle_model
        self.context = context
        self.results = ResultChecker(tb.results)
        self.loaded: LoadedImage | None = None
        self.matches_reference = True
        self.run_seconds = 0.0  # wall-clock time of the runs alone (simulator speed)
        self.run_cpu_seconds = 0.0  # the same in the simulator process's CPU time (a shared machine)

    async def load_image(self, loaded: LoadedImage, load_with: str = "port") -> int:
        """The image and its registers into the core (``load_with``: EieTB.load_image);
        returns the cycles that took."""
        start = cocotb.utils.get_sim_time("ns")
        await self.tb.load_image(loaded.image, load_with=load_with)
        self.loaded = loaded
        return int((cocotb.utils.get_sim_time("ns") - start) // CLOCK_PERIOD_NS)

    async def run_inputs(self, inputs: np.ndarray, after_run=None) -> tuple[np.ndarray, list[dict]]:
        """Every row of ``inputs`` (raw activations), the input files alternating; returns
        the outputs read back (read order) and each run's counters. ``after_run(run, acts,
        report)`` is awaited after each checked run."""
        expected = run_layers(self.loaded, inputs)  # read order: physical rows
        outputs = np.zeros_like(expected)
        reports = []
        for run, acts in enumerate(inputs):
            outputs[run], report = await self.run(run, acts, expected[run])
            reports.append(report)
            if after_run is not None:
                await after_run(run, acts, report)
        return outputs, reports

    async def run(self, run: int, acts: np.ndarray, expected: np.ndarray) -> tuple[np.ndarray, dict]:
        tb, image = self.tb, self.loaded.image
        await tb.load_input(image, acts, input_file=run % 2)
        start, start_cpu = time.perf_counter(), time.process_time()
        status = await tb.start_and_wait(watchdog_cycles(image, acts))
        self.run_seconds += time.perf_counter() - start
        self.run_cpu_seconds += time.process_time() - start_cpu
        errors = await tb.errors()
        assert not errors, f"run {run}: the core raised ERROR bits {errors}{self.context}"
        assert status & STATUS_DONE, f"run {run}: STATUS.DONE is not set (status {status:#x}){self.context}"
        report = await tb.read_report(image)
        if self.cycle_model is not None:
            found = model_differences(self.loaded, acts, report, *self.cycle_model)
            assert not found, f"run {run}: the cycle model disagrees with the RTL: {'; '.join(found)}{self.context}"
        self.results.expect(expected, image.layers[-1].row_map)
        outputs = await tb.read_output(image)
        if tb.script is not None:
            self.results.seen_all(outputs)
        missing, difference = self.results.missing(), self.results.difference()
        assert not missing, f"run {run}: {missing}{self.context}"
        self.matches_reference &= difference is None
        assert not (self.check and difference), f"run {run}: {difference}{self.context}"
        tb.check_protocols()
        return outputs, report
