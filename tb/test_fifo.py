# SPDX-License-Identifier: Apache-2.0
"""cocotb testbench of eie_fifo against a deque model.

A monitor samples every cycle; the checker compares count_o, push_ready_o (per
push lane), pop_valid_o and the head with the model before stepping it, so the
occupancy is checked each cycle whoever drives the pins (directed test bodies or
the source/sink drivers with their pause generators). The tests of two-lane
pushes run only when PushLanes is 2; the others drive lane 0 alone and run on
both. pytest runs it at the bottom.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass

import cocotb
import pytest
from eie.sim.tb import pauses
from eie.sim.tb.valid_ready import ReadySink
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge
from clocked_tb import ClockedTB, run_unit

# The width pytest builds; the tests read the DUT's own (scripts/mutate.py runs them at the core's).
WIDTH = 16


PAUSE_PATTERN = [False, False, True, False, True, True, True, False, False, True]




# -----------------------------------------------------------------------------
# Model, monitor sample, checker
# -----------------------------------------------------------------------------
class FifoModel:
    """What the FIFO holds: clear wins over same-cycle pushes (they are dropped)."""

    def __init__(self, depth: int):
        self.depth = depth
        self.items: deque[int] = deque()
        self.dropped = 0

    def step(self, pushed: list[int], pop: bool, clear: bool) -> None:
        """One cycle: ``pushed`` are the items accepted this cycle, oldest first."""
        if pop:
            self.items.popleft()
        if clear:
            self.dropped += len(self.items) + len(pushed)
            self.items.clear()
        else:
            self.items.extend(pushed)


@dataclass
class Sample:
    """One cycle's pins; the push fields hold one entry per lane, lane 0 first."""

    clear: bool
    push_valid: list[bool]
    push_ready: list[bool]
    push_data: list[int]
    pop_valid: bool
    pop_ready: bool
    pop_data: int
    count: int

    @property
    def pushed(self) -> list[int]:
        """The data of the lanes that fire this cycle, lane 0 first."""
        return [d for v, r, d in zip(self.push_valid, self.push_ready, self.push_data) if v and r]

    @property
    def pop_fire(self) -> bool:
        return self.pop_valid and self.pop_ready


def lane_bits(value: int, lanes: int) -> list[bool]:
    return [bool(value >> lane & 1) for lane in range(lanes)]


def lane_words(value: int, lanes: int, width: int) -> list[int]:
    return [value >> (lane * width) & ((1 << width) - 1) for lane in range(lanes)]


def pack_words(words: list[int], width: int) -> int:
    return sum(word << (lane * width) for lane, word in enumerate(words))


def sample_pins(dut, lanes: int) -> Sample:
    """Read every pin (in the read-only phase)."""
    return Sample(
        clear=bool(dut.clear_i.value),
        push_valid=lane_bits(int(dut.push_valid_i.value), lanes),
        push_ready=lane_bits(int(dut.push_ready_o.value), lanes),
        push_data=lane_words(int(dut.push_data_i.value), lanes, int(dut.Width.value)),
        pop_valid=bool(dut.pop_valid_o.value),
        pop_ready=bool(dut.pop_ready_i.value),
        pop_data=int(dut.pop_data_o.value) if dut.pop_valid_o.value else 0,
        count=int(dut.count_o.value),
    )


class FifoChecker:
    """Compares each cycle's sample with the model, then steps the model."""

    def __init__(self, model: FifoModel):
        self.model = model
        self.cycles = 0
        self.pops_checked = 0

    def check(self, s: Sample) -> None:
        m = self.model
        n = len(m.items)
        where = f"cycle {self.cycles}"
        assert s.count == n, f"{where}: count_o={s.count}, model holds {n}"
        offered = sum(s.push_valid)
        assert s.push_valid == [lane < offered for lane in range(len(s.push_valid))], (
            f"{where}: push_valid_i={s.push_valid} is not a prefix of the lanes (testbench bug)"
        )
        # Lane l needs room for l + 1 entries; registered state only, so a same-cycle pop does not count.
        expected_ready = [n + lane < m.depth for lane in range(len(s.push_ready))]
        assert s.push_ready == expected_ready, f"{where}: push_ready_o={s.push_ready} with {n}/{m.depth} held"
        assert s.pop_valid == (n > 0), f"{where}: pop_valid_o={s.pop_valid} with {n} held"
        if s.pop_valid:
            assert s.pop_data == m.items[0], f"{where}: head {s.pop_data:#x}, model {m.items[0]:#x}"
        if s.pop_fire:
            self.pops_checked += 1
        m.step(s.pushed, s.pop_fire, s.clear)
        self.cycles += 1


# -----------------------------------------------------------------------------
# Drivers
# -----------------------------------------------------------------------------
class PushSource:
    """Offers queued items on a prefix of the lanes; never withdraws one.

    In a cycle the pause generator lets through it tops the offer up to 1 ..
    ``lanes`` items (random); otherwise it adds none. Items a lane did not take
    are offered again next cycle, moved down to the lowest lanes.
    """

    def __init__(self, dut, lanes: int, pause, rng: random.Random):
        self.dut = dut
        self.lanes = lanes
        self.pause = pause
        self.rng = rng
        self.queue: deque[int] = deque()
        self.sent: list[int] = []
        self.busy = False

    async def run(self) -> None:
        dut = self.dut
        current: list[int] = []
        while True:
            await FallingEdge(dut.clk_i)
            if self.queue and not next(self.pause):
                target = self.rng.randint(1, self.lanes)
                while len(current) < target and self.queue:
                    current.append(self.queue.popleft())
            self.busy = bool(current) or bool(self.queue)
            dut.push_valid_i.value = (1 << len(current)) - 1
            # Junk on the idle lanes: the FIFO must not store it.
            width = int(dut.Width.value)
            junk = [self.rng.getrandbits(width) for _ in range(self.lanes - len(current))]
            dut.push_data_i.value = pack_words(current + junk, width)
            await ReadOnly()
            ready = lane_bits(int(dut.push_ready_o.value), self.lanes)
            taken = 0
            while taken < len(current) and ready[taken]:
                taken += 1
            self.sent += current[:taken]
            current = current[taken:]


# -----------------------------------------------------------------------------
# Testbench
# -----------------------------------------------------------------------------
class TB(ClockedTB):
    IDLE_INPUTS = ("clear_i", "push_valid_i", "push_data_i", "pop_ready_i")

    def __init__(self, dut, salt: int = 0):
        super().__init__(dut, salt)
        self.depth = int(dut.Depth.value)
        self.lanes = int(dut.PushLanes.value)
        self.width = int(dut.Width.value)
        dut._log.info(
            "eie_fifo Depth=%d PushLanes=%d, seed %d (salt %d)", self.depth, self.lanes, cocotb.RANDOM_SEED, salt
        )
        self.model = FifoModel(self.depth)
        self.checker = FifoChecker(self.model)

    def sample(self) -> None:
        """All pins, in the read-only phase of every cycle (the values the edge will see)."""
        self.checker.check(sample_pins(self.dut, self.lanes))

    async def step(self, push: int | list[int] | None = None, pop: bool = False, clear: bool = False) -> Sample:
        """Drive one cycle's inputs directly (directed tests); returns what the edge will see.

        ``push`` is one item (lane 0) or a list of items for lanes 0, 1, ...; the
        idle lanes carry junk data.
        """
        dut = self.dut
        offer = [] if push is None else [push] if isinstance(push, int) else list(push)
        assert len(offer) <= self.lanes, f"{len(offer)} items offered on {self.lanes} push lanes"
        await FallingEdge(dut.clk_i)
        dut.clear_i.value = int(clear)
        dut.push_valid_i.value = (1 << len(offer)) - 1
        dut.push_data_i.value = pack_words(offer + [self.item() for _ in range(self.lanes - len(offer))], self.width)
        dut.pop_ready_i.value = int(pop)
        await ReadOnly()
        return sample_pins(dut, self.lanes)

    def item(self) -> int:
        return self.rng.getrandbits(self.width)

    def items(self, n: int) -> list[int]:
        return [self.item() for _ in range(n)]

    async def drain(self) -> list[int]:
        """Pop every cycle until the FIFO is empty; returns the popped items."""
        popped = []
        while True:
            s = await self.step(pop=True)
            if not s.pop_valid:
                return popped
            popped.append(s.pop_data)

    async def finish(self) -> None:
        """Idle one cycle so the monitor sees the final state, then require everything checked."""
        await self.step()
        await self.step()
        assert not self.model.items, f"{len(self.model.items)} items left in the FIFO model"
        assert int(self.dut.count_o.value) == 0


# -----------------------------------------------------------------------------
# Tests
# -----------------------------------------------------------------------------
@cocotb.test()
async def fifo_fill_drain(dut):
    """Full and empty flags and count_o from empty to full and back."""
    tb = TB(dut, 1)
    await tb.start()
    pushed = []
    for _ in range(tb.depth):
        s = await tb.step(push=tb.item())
        assert s.push_ready[0]
        pushed.append(s.push_data[0])
    s = await tb.step(push=tb.item())
    assert not s.push_ready[0] and s.count == tb.depth, "FIFO accepts beyond Depth"
    popped = []
    for _ in range(tb.depth):
        s = await tb.step(pop=True)
        assert s.pop_valid
        popped.append(s.pop_data)
    s = await tb.step(pop=True)
    assert not s.pop_valid and s.count == 0, "FIFO pops beyond empty"
    assert popped == pushed
    assert tb.checker.pops_checked == tb.depth
    await tb.finish()


@cocotb.test()
async def fifo_push_pop_same_cycle(dut):
    """Push and pop together at empty (only the push moves), half full and full (only the pop moves)."""
    tb = TB(dut, 2)
    await tb.start()
    s = await tb.step(push=tb.item(), pop=True)
    assert s.pushed and not s.pop_fire, "at empty only the push may fire"
    s = await tb.step()
    assert s.count == 1
    # Mid: hold the count while streaming through (Depth 1 is full here, skip to full case).
    for _ in range(tb.depth // 2 - 1):
        await tb.step(push=tb.item())
    if tb.depth > 1:
        before = (await tb.step()).count
        for _ in range(5):
            s = await tb.step(push=tb.item(), pop=True)
            assert s.pushed and s.pop_fire, "mid-FIFO push and pop must both fire"
        assert (await tb.step()).count == before
    while (await tb.step()).count < tb.depth:
        await tb.step(push=tb.item())
    s = await tb.step(push=tb.item(), pop=True)
    assert s.pop_fire and not s.pushed, "at full only the pop may fire"
    assert (await tb.step()).count == tb.depth - 1
    while (await tb.step()).count:
        await tb.step(pop=True)
    await tb.finish()


@cocotb.test()
async def fifo_clear(dut):
    """clear_i empties the FIFO at any fill level and drops a same-cycle push."""
    tb = TB(dut, 3)
    await tb.start()
    await tb.step(clear=True)
    assert (await tb.step()).count == 0
    # A push into an empty FIFO in the clear cycle is accepted and dropped.
    s = await tb.step(push=tb.item(), clear=True)
    assert s.pushed
    assert (await tb.step()).count == 0
    fills = sorted({1, tb.depth // 2, tb.depth} - {0})
    for fill in fills:
        for _ in range(fill):
            await tb.step(push=tb.item())
        assert (await tb.step()).count == fill
        s = await tb.step(push=tb.item(), pop=True, clear=True)
        assert s.pop_fire
        s = await tb.step()
        assert s.count == 0 and not s.pop_valid and s.push_ready[0], f"not empty after clear at fill {fill}"
        # Clear without a pop drops everything held.
        for _ in range(fill):
            await tb.step(push=tb.item())
        await tb.step(clear=True)
        assert (await tb.step()).count == 0
        # The FIFO works normally afterwards.
        s = await tb.step(push=tb.item())
        s = await tb.step(pop=True)
        assert s.pop_fire
    # Dropped: the push at empty; per fill, the rest after the pop (plus the push if
    # there was room) and then a whole refill.
    assert tb.model.dropped == 1 + sum(2 * fill - 1 + (fill < tb.depth) for fill in fills)
    await tb.finish()


@cocotb.test()
@cocotb.parametrize(push_pause=pauses.PAUSE_KINDS, pop_pause=pauses.PAUSE_KINDS)
async def fifo_random_traffic(dut, push_pause: str, pop_pause: str):
    """Random data through source and sink pause generators; order and every count checked."""
    salt = 10 + 3 * pauses.PAUSE_KINDS.index(push_pause) + pauses.PAUSE_KINDS.index(pop_pause)
    tb = TB(dut, salt)
    await tb.start()
    source = PushSource(dut, tb.lanes, pauses.pause(push_pause, tb.rng, pattern=PAUSE_PATTERN), tb.rng)
    sink = ReadySink(dut.clk_i, dut.pop_valid_o, dut.pop_ready_i, dut.pop_data_o,
                     pauses.pause(pop_pause, tb.rng, prob=0.5, pattern=PAUSE_PATTERN))
    items = [tb.item() for _ in range(150)]
    source.queue.extend(items)
    tasks = [cocotb.start_soon(source.run()), cocotb.start_soon(sink.run())]
    for _ in range(5000):
        await RisingEdge(dut.clk_i)
        if not source.busy and not source.queue and len(sink.received) == len(items):
            break
    for task in tasks:
        task.cancel()
    assert source.sent == items, "source did not send everything"
    assert sink.received == items, "sink order or content differs"
    assert tb.checker.pops_checked == len(items)
    await tb.finish()


# -----------------------------------------------------------------------------
# Two push lanes (skipped when PushLanes is 1)
# -----------------------------------------------------------------------------
# pytest imports this module too, outside a simulation, where there is no cocotb.top.
needs_two_lanes = cocotb.skipif(
    cocotb.is_simulation and int(cocotb.top.PushLanes.value) < 2, reason="two-lane pushes need PushLanes=2"
)


@needs_two_lanes
@cocotb.test()
async def fifo_double_fill(dut):
    """Double pushes fill the FIFO to exactly Depth: both lanes while two fit, lane 0 alone for the last odd entry."""
    tb = TB(dut, 30)
    await tb.start()
    pushed = []
    for _ in range(tb.depth // 2):
        s = await tb.step(push=tb.items(2))
        assert s.pushed == s.push_data, f"with {s.count}/{tb.depth} held both lanes must fire"
        pushed += s.pushed
    if tb.depth % 2:
        s = await tb.step(push=tb.items(2))
        assert s.count == tb.depth - 1 and s.pushed == s.push_data[:1], "with room for one only lane 0 may fire"
        pushed += s.pushed
    s = await tb.step(push=tb.items(2))
    assert s.count == tb.depth and not s.pushed, "FIFO accepts beyond Depth"
    assert await tb.drain() == pushed
    await tb.finish()


@needs_two_lanes
@cocotb.test()
async def fifo_double_room_for_one(dut):
    """A double push with room for one: lane 0 fires; the second item, offered again, lands after it."""
    tb = TB(dut, 31)
    await tb.start()
    pushed = []
    for _ in range(tb.depth - 1):
        pushed += (await tb.step(push=tb.item())).pushed
    a, b, c = tb.items(3)
    s = await tb.step(push=[a, b])
    assert s.count == tb.depth - 1 and s.pushed == [a], f"room for one: {s.pushed} fired"
    # Full: nothing fires; the pop frees one entry, but only from the next cycle on.
    s = await tb.step(push=[b, c], pop=True)
    assert s.pop_fire and not s.pushed, "at full no lane may fire, even with a pop"
    popped = [s.pop_data]
    s = await tb.step(push=[b, c])
    assert s.pushed == [b], f"room for one after the pop: {s.pushed} fired"
    popped += await tb.drain()
    assert popped == pushed + [a, b]
    await tb.finish()


@needs_two_lanes
@cocotb.test()
async def fifo_double_push_pop(dut):
    """Double pushes with a pop every cycle: the count climbs to Depth - 1 and holds, lane 1 stalled there."""
    tb = TB(dut, 32)
    await tb.start()
    pushed, popped = [], []
    s = await tb.step(push=tb.items(2), pop=True)
    assert len(s.pushed) == min(2, tb.depth) and not s.pop_fire, "at empty both lanes fire (room permitting), no pop"
    pushed += s.pushed
    for _ in range(tb.depth + 4):
        s = await tb.step(push=tb.items(2), pop=True)
        # Readiness counts the registered occupancy only: a same-cycle pop makes no room.
        room = tb.depth - s.count
        assert len(s.pushed) == min(2, room), f"{s.pushed} fired with {s.count}/{tb.depth} held"
        if s.pop_fire:
            popped.append(s.pop_data)
        pushed += s.pushed
    if tb.depth > 1:
        # Climbing by one a cycle, Depth + 4 cycles reach Depth - 1 and then hold there.
        assert s.count == tb.depth - 1 and s.pushed == s.push_data[:1] and s.pop_fire
    popped += await tb.drain()
    assert popped == pushed
    await tb.finish()


@needs_two_lanes
@cocotb.test()
async def fifo_double_clear(dut):
    """clear_i with a same-cycle double push and pop at every fill level drops all; the FIFO works afterwards."""
    tb = TB(dut, 33)
    await tb.start()
    fills = sorted({0, 1, tb.depth // 2, tb.depth - 1, tb.depth})
    for fill in fills:
        for _ in range(fill):
            await tb.step(push=tb.item())
        s = await tb.step(push=tb.items(2), pop=True, clear=True)
        assert s.count == fill and len(s.pushed) == min(2, tb.depth - fill) and s.pop_fire == (fill > 0)
        s = await tb.step()
        assert s.count == 0 and not s.pop_valid, f"not empty after clear at fill {fill}"
        a, b = tb.items(2)
        s = await tb.step(push=[a, b])
        assert s.pushed == [a, b][: tb.depth]
        assert await tb.drain() == [a, b][: tb.depth], f"wrong data after clear at fill {fill}"
    # Dropped per fill: the entries held less the popped one, plus what the lanes took.
    assert tb.model.dropped == sum(max(fill - 1, 0) + min(2, tb.depth - fill) for fill in fills)
    await tb.finish()


@needs_two_lanes
@cocotb.test()
async def fifo_double_wrap(dut):
    """Double pushes fill the FIFO from every write offset: at Depth - 1 the pair straddles the end of the storage."""
    tb = TB(dut, 34)
    await tb.start()
    for offset in range(tb.depth):
        # The write pointer is at `offset` with the FIFO empty: from reset, then each
        # round writes Depth + 1 entries.
        pushed = []
        while (s := await tb.step(push=tb.items(2))).pushed:
            pushed += s.pushed
        assert len(pushed) == tb.depth and s.count == tb.depth, f"offset {offset}: filled {len(pushed)}"
        assert await tb.drain() == pushed, f"offset {offset}: wrong order or data"
        x = tb.item()
        assert (await tb.step(push=x)).pushed == [x]
        assert await tb.drain() == [x]
    await tb.finish()


@needs_two_lanes
@cocotb.test()
async def fifo_double_head_bank(dut):
    """A head pushed on lane 1 (the second of a pair): popped, stalled at full, cleared, and popped in a clear cycle."""
    tb = TB(dut, 35)
    await tb.start()
    if tb.depth < 2:
        return  # no pair fits: lane 1 never fires
    # Pop the first of a pair: the head is now the lane-1 entry.
    a, b = tb.items(2)
    assert (await tb.step(push=[a, b])).pushed == [a, b]
    assert (await tb.step(pop=True)).pop_data == a
    # Fill around it with pairs; at full a double push with a pop moves only the pop.
    while (s := await tb.step()).count < tb.depth:
        await tb.step(push=tb.items(2))
    s = await tb.step(push=tb.items(2), pop=True)
    assert s.pop_data == b and s.pop_fire and not s.pushed
    # Clear while the head is a lane-1 entry, with a double push and a pop.
    await tb.drain()
    c, d = tb.items(2)
    assert (await tb.step(push=[c, d])).pushed == [c, d]
    assert (await tb.step(pop=True)).pop_data == c
    s = await tb.step(push=tb.items(2), pop=True, clear=True)
    assert s.pop_data == d and s.pop_fire
    e = tb.item()
    assert (await tb.step(push=e)).pushed == [e]
    assert await tb.drain() == [e], "after a clear the head must come from lane 0's entry"
    # Clear in the cycle that pops the first of a pair (its successor is on lane 1).
    f, g = tb.items(2)
    await tb.step(push=[f, g])
    s = await tb.step(pop=True, clear=True)
    assert s.pop_data == f and s.pop_fire
    h, i = tb.items(2)
    assert (await tb.step(push=h)).pushed == [h]
    assert (await tb.step(push=i)).pushed == [i]
    assert await tb.drain() == [h, i]
    await tb.finish()


@cocotb.test()
async def fifo_random_ops(dut):
    """Seeded random pushes (0 .. PushLanes), pops and clears every cycle, in phases that fill and that drain.

    The monitor checks every cycle; the test also counts the corner cases it reached
    (a push and a pop at empty and at full, a clear with pushes and a pop, a clear or a
    stalled head while the head is an entry pushed on lane 1) and requires them.
    """
    tb = TB(dut, 40)
    await tb.start()
    lanes_held: deque[int] = deque()  # the push lane of each entry held, oldest first
    seen = dict.fromkeys(("push_pop_empty", "push_pop_full", "clear_push_pop", "clear_lane1_head",
                          "full_lane1_head"), 0)
    for cycle in range(3000):
        fill_phase = cycle // 40 % 2 == 0
        offer = tb.rng.choices(range(tb.lanes + 1), weights=[1] + [3 if fill_phase else 1] * tb.lanes)[0]
        pop = tb.rng.random() < (0.3 if fill_phase else 0.8)
        clear = tb.rng.random() < 0.03
        s = await tb.step(push=tb.items(offer), pop=pop, clear=clear)
        head_lane1 = bool(lanes_held) and lanes_held[0] == 1
        seen["push_pop_empty"] += s.count == 0 and bool(s.pushed) and s.pop_ready
        seen["push_pop_full"] += s.count == tb.depth and offer > 0 and s.pop_fire
        seen["clear_push_pop"] += s.clear and bool(s.pushed) and s.pop_fire
        seen["clear_lane1_head"] += s.clear and head_lane1
        seen["full_lane1_head"] += s.count == tb.depth and head_lane1
        if s.pop_fire:
            lanes_held.popleft()
        if s.clear:
            lanes_held.clear()
        else:
            lanes_held.extend(range(len(s.pushed)))
    tb.log.info("fifo_random_ops corner cases reached: %s", seen)
    # With Depth 1 a push (empty) and a pop (full) never fire together, nor does lane 1.
    reachable = ["push_pop_empty", "push_pop_full"]
    if tb.depth >= 2:
        reachable += ["clear_push_pop"] + (["clear_lane1_head", "full_lane1_head"] if tb.lanes == 2 else [])
    missed = [name for name in reachable if not seen[name]]
    assert not missed, f"random operations never reached {missed} (seed {tb.seed})"
    await tb.drain()
    await tb.finish()


# -----------------------------------------------------------------------------
# pytest. A Verilator build costs ~20 s (rtlsim compiles the Verilator and cocotb
# runtime into every build), so by default Verilator runs VERILATOR_CONFIGS only;
# the other (push lanes, depth) pairs are marked slow on it (-m slow). Icarus runs
# every pair. Depths 3 and 5 are odd and not powers of two: the last double push
# of a fill has room for one, and a pair can straddle the end of the storage.
# -----------------------------------------------------------------------------
PUSH_LANES = [1, 2]
DEPTHS = [1, 2, 3, 5, 8]
# (push lanes, depth, width): every pair at WIDTH, and a two-lane FIFO as wide as the widest
# PE queue entry (eie_pe's QueueWidth, ActWidth + 2 * PtrWidth + 1 <= 64 for the memories
# the regression builds), so that every bit of an entry is driven both ways; 3 deep, so
# that its storage (3 x 65 bits) stays under the 256 bits Verilator counts toggles of.
CONFIGS = [(lanes, depth, WIDTH) for lanes in PUSH_LANES for depth in DEPTHS] + [(2, 3, 64)]
VERILATOR_CONFIGS = [(1, 3, WIDTH), (2, 3, WIDTH)]


@pytest.mark.sim_matrix(CONFIGS, argname="config", verilator_default=VERILATOR_CONFIGS, unit=True,
                        ids=lambda c: f"lanes{c[0]}-depth{c[1]}" + (f"-width{c[2]}" if c[2] != WIDTH else ""))
def test_fifo(sim, config):
    lanes, depth, width = config
    run_unit("eie_fifo", "test_fifo", {"Width": width, "Depth": depth, "PushLanes": lanes}, sim,
             ["eie_pkg.sv", "eie_fifo.sv"])
