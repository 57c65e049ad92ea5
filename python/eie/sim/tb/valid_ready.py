# SPDX-License-Identifier: Apache-2.0
"""A valid/ready sink for the unit testbenches.

``ReadySink`` drives ``ready`` at every falling edge from a pause generator
(``eie.sim.tb.pauses.pause``: True holds ready low) and keeps, in order, the
data of every cycle in which valid and ready were both high, read in the
read-only phase (the values the rising edge takes).
"""

from __future__ import annotations

from collections.abc import Iterator

from cocotb.triggers import FallingEdge, ReadOnly


class ReadySink:
    def __init__(self, clk, valid, ready, data, pause: Iterator[bool]):
        self.clk = clk
        self.valid = valid
        self.ready = ready
        self.data = data
        self.pause = pause
        self.received: list[int] = []

    async def run(self) -> None:
        while True:
            await FallingEdge(self.clk)
            ready = not next(self.pause)
            self.ready.value = int(ready)
            await ReadOnly()
            if ready and self.valid.value:
                self.received.append(int(self.data.value))
