# SPDX-License-Identifier: Apache-2.0
"""cocotb tests that play the timing diagrams of doc/integration.md on eie_core.
Run by pytest through tb/test_core_timing.py.

Each diagram is a WaveDrom source (doc/wavedrom/<name>.json). One column is one
clock cycle, starting at a rising edge. Every input (``*_i``) is driven as its
wave says; every output (``*_o``) must show its wave in every column ('x' is not
checked). A gap ('|', the same column in every wave) stands for any number of
cycles: the inputs hold, and the test waits (with a watchdog) for the first cycle
whose outputs match the column after the gap, which must not change an input.
Data labels (``"data"``) are the names in ``LABELS``. So the diagrams in the
documentation cannot drift from the RTL.

EIE_WAVEDROM is the folder of the sources; EIE_IMAGE a small image for the run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge
from eie.hw import ld_address, regs
from eie.image import load
from eie.sim.tb.core_tb import CTRL_START, STATUS_DONE, TGT_SPMAT, EieTB, watchdog_cycles

GAP = "|"
# The values behind the data labels of doc/wavedrom/*.json (doc/integration.md explains them).
LABELS = {
    "A0": ld_address(TGT_SPMAT, 0, 0),
    "A1": ld_address(TGT_SPMAT, 0, 1),
    "A2": ld_address(TGT_SPMAT, 0, 2),
    "D0": 0x0123_4567_89AB_CDEF,
    "D1": 0xFEDC_BA98_7654_3210,
    "D2": 0x0F0F_0F0F_F0F0_F0F0,
    "CTRL": regs.REG["CTRL"],
    "START": CTRL_START,
    "STATUS": regs.REG["STATUS"],
    "DONE": STATUS_DONE,
}
# Inputs a diagram does not show: the byte strobes all on, every answer taken at once.
IDLE_INPUTS = {"s_axil_wstrb_i": 0xF, "s_axil_bready_i": 1, "s_axil_rready_i": 1, "ld_rready_i": 1}


def waves(source: dict) -> dict[str, list]:
    """Per signal (clock left out), its value in every column: 0/1, a label's value,
    None for 'x', or GAP."""
    flat, todo = {}, list(source["signal"])
    while todo:
        item = todo.pop(0)
        if isinstance(item, list):  # a group: its name, then signals
            todo[:0] = item[1:]
        elif item.get("wave") and item["name"] != "clk_i":
            flat[item["name"]] = columns(item["name"], item["wave"], list(item.get("data", [])))
    lengths = {len(w) for w in flat.values()}
    assert len(lengths) == 1, f"waves of different lengths: {sorted(lengths)}"
    gaps = {tuple(i for i, v in enumerate(w) if v is GAP) for w in flat.values()}
    assert len(gaps) == 1, "a gap must be in the same column of every wave"
    return flat


def columns(name: str, wave: str, data: list[str]) -> list:
    values: list = []
    last = []  # the values before, across a gap
    for char in wave:
        if char == ".":
            assert last, f"{name}: '.' must follow a value"
            values.append(last[-1])
        elif char in "01":
            values.append(int(char))
        elif char == "x":
            values.append(None)
        elif char == "=" or char in "23456789":
            assert data, f"{name}: more data boxes than labels"
            values.append(LABELS[data.pop(0)])
        elif char == GAP:
            values.append(GAP)
        else:
            raise AssertionError(f"{name}: wave character {char!r} has no meaning here")
        if values[-1] is not GAP:
            last.append(values[-1])
    assert not data, f"{name}: labels left over: {data}"
    return values


def outputs_differ(dut, flat: dict, col: int) -> list[str]:
    found = []
    for name, values in flat.items():
        want = values[col] if values[col] is not GAP else None
        if not name.endswith("_o") or want is None:
            continue
        handle = getattr(dut, name)
        got = int(handle.value) if handle.value.is_resolvable else str(handle.value)
        if got != want:
            found.append(f"{name} is {got:#x}, the diagram shows {want:#x}" if isinstance(got, int)
                         else f"{name} is {got}, the diagram shows {want:#x}")
    return found


async def play(dut, name: str, watchdog: int) -> None:
    """Drive and check one diagram, from the next rising edge."""
    flat = waves(json.loads((Path(os.environ["EIE_WAVEDROM"]) / f"{name}.json").read_text()))
    inputs = [n for n in flat if n.endswith("_i")]
    for signal, value in IDLE_INPUTS.items():
        getattr(dut, signal).value = value
    width = len(next(iter(flat.values())))
    after_gap = False
    for col in range(width):
        if flat[inputs[0]][col] is GAP:
            after_gap = True
            continue
        await RisingEdge(dut.clk_i)
        for signal in inputs:
            value = flat[signal][col]
            if after_gap:
                assert value == flat[signal][col - 2], f"{name}: column {col} changes {signal} right after the gap"
            getattr(dut, signal).value = 0 if value is None else value
        await ReadOnly()
        waited = 0
        while after_gap and outputs_differ(dut, flat, col):
            waited += 1
            assert waited < watchdog, f"{name}: column {col} not reached within {watchdog} cycles"
            await RisingEdge(dut.clk_i)
            await ReadOnly()
        after_gap = False
        found = outputs_differ(dut, flat, col)
        assert not found, f"{name}: column {col}: " + "; ".join(found)
    await RisingEdge(dut.clk_i)
    for signal in inputs:
        getattr(dut, signal).value = IDLE_INPUTS.get(signal, 0)


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def load_port(dut):
    """doc/wavedrom/load_port.json: writes, a read's answer seven cycles on, a beat held off by it."""
    tb = EieTB(dut)
    await tb.reset()
    await play(dut, "load_port", 100)
    tb.check_protocols()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def start_done(dut):
    """doc/wavedrom/start_done.json, after a first run (DONE high): START, BUSY, DONE, STATUS."""
    loaded = load(os.environ["EIE_IMAGE"])
    image = loaded.image
    acts = np.arange(1, image.in_features + 1) * 100
    tb = EieTB(dut)
    await tb.reset()
    await tb.load_image(image)
    await tb.load_input(image, acts)
    watchdog = watchdog_cycles(image, acts)
    status = await tb.start_and_wait(watchdog)
    assert status & STATUS_DONE, f"the first run did not finish: STATUS {status:#x}"
    await tb.load_input(image, acts)
    await play(dut, "start_done", watchdog)
    assert await tb.errors() == []
    tb.check_protocols()
