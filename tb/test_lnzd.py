# SPDX-License-Identifier: Apache-2.0
"""cocotb testbench of eie_lnzd_node and eie_lnzd_tree against a cycle model.

The same tests run on either top level: a node with NumInputs children is a tree
of that many leaves and one level. A monitor samples every cycle; the checker
compares leaf ready, root valid, root data and done with LnzdModel (two registers
per node, each node serving its lowest-index child that is not done) before
stepping it, and a scoreboard requires every generated (leaf, payload) item to reach the
root exactly once (or be discarded by a flush the model predicts), leaf by leaf
in a burst however the leaves pause. Leaf sources and the root sink run with
pause generators. pytest runs it at the bottom.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

import cocotb
import pytest
from eie.sim.tb import pauses
from eie.sim.tb.valid_ready import ReadySink
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge
from clocked_tb import ClockedTB, run_unit

# The width pytest builds; the tests read the DUT's own (scripts/mutate.py runs them at the core's).
# The core's (ActWidth + ColIdxWidth), so that every bit the core's tree carries is driven both ways.
DATA_WIDTH = 32
# item = (junk << leaf_bits | leaf) << PAYLOAD_BITS | payload: the source leaf in as few bits as
# the DUT's leaves need, and random bits everywhere else (payload and junk), so every data bit
# toggles (a fixed 7-bit leaf field left bits 17-22 at 0 in a two-leaf tree: make mutate's
# survivor of session 27, a flipped skid-register bit that only a set bit 17 shows).
PAYLOAD_BITS = 16


# -----------------------------------------------------------------------------
# Pause generators: each next() says whether a driver idles this cycle
# -----------------------------------------------------------------------------
PATTERN = [False, False, True, False, True, True, True, False, False, True]




# -----------------------------------------------------------------------------
# Model
# -----------------------------------------------------------------------------
def num_levels(num_leaves: int) -> int:
    """ceil(log4(num_leaves)) register levels, at least one."""
    levels = 1
    while 4**levels < num_leaves:
        levels += 1
    return levels


class LnzdModel:
    """Cycle model: per level a list of nodes, each a queue of at most two items (its
    output register first, then its skid register); node n of a level serves children
    4n..4n+3 of the level below in order: it grants the lowest one not done (a leaf
    says so; a node is done when empty with every child done) and takes its item, if
    it offers one, when it held fewer than two items at the start of the cycle (its
    ready depends on nothing else, not even a flush); the head leaves when the parent
    (or the root's consumer) is ready; flush empties every node, dropping the items
    handed over in that cycle."""

    def __init__(self, num_leaves: int):
        self.num_leaves = num_leaves
        self.widths: list[int] = []
        n = num_leaves
        while True:
            n = (n + 3) // 4
            self.widths.append(n)
            if n == 1:
                break
        self.regs: list[list[list[int]]] = [[[] for _ in range(w)] for w in self.widths]

    @property
    def root(self) -> int | None:
        return self.regs[-1][0][0] if self.regs[-1][0] else None

    def empty(self) -> bool:
        return all(not node for level in self.regs for node in level)

    def done(self, leaf_done: list[bool]) -> list[list[bool]]:
        """Per level and node: empty, with every child done (leaves: as they say)."""
        done = []
        below = leaf_done
        for lvl, width in enumerate(self.widths):
            level = [not self.regs[lvl][n] and all(below[4 * n: 4 * n + 4]) for n in range(width)]
            done.append(level)
            below = level
        return done

    def evaluate(self, leaf_valid: list[bool], leaf_done: list[bool], root_ready: bool):
        """This cycle's combinational decisions: (leaf_ready, grants, out_ready) per level."""
        top = len(self.widths) - 1
        out_ready = [[False] * w for w in self.widths]
        out_ready[top][0] = root_ready
        grants: list[list[int | None]] = [[None] * w for w in self.widths]
        leaf_ready: list[bool] = []
        done = self.done(leaf_done)
        for lvl in range(top, -1, -1):
            child_valid = leaf_valid if lvl == 0 else [bool(node) for node in self.regs[lvl - 1]]
            child_done = leaf_done if lvl == 0 else done[lvl - 1]
            ready_below = [False] * len(child_valid)
            for n in range(self.widths[lvl]):
                if len(self.regs[lvl][n]) == 2:
                    continue
                granted = next((c for c in range(4 * n, min(4 * n + 4, len(child_valid))) if not child_done[c]), None)
                if granted is not None:
                    ready_below[granted] = True  # ready to the granted child, offering or not
                    if child_valid[granted]:
                        grants[lvl][n] = granted
            if lvl > 0:
                out_ready[lvl - 1] = ready_below
            else:
                leaf_ready = ready_below
        return leaf_ready, grants, out_ready

    def step(self, leaf_data, decisions, flush: bool) -> list[int]:
        """Clock edge with this cycle's evaluate() result; returns the items a flush discards."""
        _, grants, out_ready = decisions
        if flush:
            # An item leaving the root in the flush cycle is delivered, not lost; every
            # other item inside, and each a leaf hands over now, is.
            top = len(self.widths) - 1
            discarded = [
                item
                for lvl, level in enumerate(self.regs)
                for n, node in enumerate(level)
                for k, item in enumerate(node)
                if not (lvl == top and k == 0 and out_ready[lvl][n])
            ]
            discarded += [leaf_data[c] for c in grants[0] if c is not None]
            self.regs = [[[] for _ in range(w)] for w in self.widths]
            return discarded
        new = []
        for lvl, width in enumerate(self.widths):
            level = []
            for n in range(width):
                node = self.regs[lvl][n][1:] if out_ready[lvl][n] else list(self.regs[lvl][n])
                c = grants[lvl][n]
                if c is not None:
                    node.append(leaf_data[c] if lvl == 0 else self.regs[lvl - 1][c][0])
                level.append(node)
            new.append(level)
        self.regs = new
        return []


# -----------------------------------------------------------------------------
# Monitor sample and checker
# -----------------------------------------------------------------------------
@dataclass
class Sample:
    cycle: int
    flush: bool
    leaf_valid: list[bool]
    leaf_done: list[bool]
    leaf_data: list[int]
    leaf_ready: list[bool]
    root_valid: bool
    root_data: int
    root_ready: bool
    done: bool  # the tree's done_o, a node's out_done_o


def bits(value: int, count: int) -> list[bool]:
    return [bool(value >> i & 1) for i in range(count)]


class LnzdChecker:
    """Cycle-exact comparison with the model plus the end-to-end scoreboard."""

    def __init__(self, model: LnzdModel):
        self.model = model
        self.taken: Counter[int] = Counter()  # leaf handshakes
        self.delivered: Counter[int] = Counter()  # root handshakes
        self.delivered_order: list[int] = []
        self.discarded: Counter[int] = Counter()  # emptied by flush
        self.root_cycles: list[int] = []
        self.stalled: int | None = None
        self.first_leaf_cycle: int | None = None

    def check(self, s: Sample) -> None:
        m = self.model
        decisions = m.evaluate(s.leaf_valid, s.leaf_done, s.root_ready)
        want_ready = decisions[0]
        where = f"cycle {s.cycle}"
        assert s.leaf_ready == want_ready, (
            f"{where}: leaf ready {self._mask(s.leaf_ready)}, model {self._mask(want_ready)} "
            f"(leaf valid {self._mask(s.leaf_valid)})"
        )
        assert s.root_valid == (m.root is not None), f"{where}: root_valid_o={s.root_valid}, model {m.root}"
        if s.root_valid:
            assert s.root_data == m.root, f"{where}: root data {s.root_data:#x}, model {m.root:#x}"
        want_done = m.done(s.leaf_done)[-1][0]
        assert s.done == want_done, f"{where}: done={s.done}, model {want_done} (regs {m.regs})"
        # The handshake contract, independent of the model.
        if self.stalled is not None:
            assert s.root_valid and s.root_data == self.stalled, f"{where}: root item changed while stalled"
        self.stalled = s.root_data if s.root_valid and not s.root_ready and not s.flush else None

        if self.first_leaf_cycle is None and any(s.leaf_valid):
            self.first_leaf_cycle = s.cycle
        for leaf in range(m.num_leaves):
            if s.leaf_valid[leaf] and s.leaf_ready[leaf]:
                self.taken[s.leaf_data[leaf]] += 1
        if s.root_valid and s.root_ready:
            self.delivered[s.root_data] += 1
            self.delivered_order.append(s.root_data)
            self.root_cycles.append(s.cycle)
        self.discarded.update(m.step(s.leaf_data, decisions, s.flush))

    @staticmethod
    def _mask(flags: list[bool]) -> str:
        return "".join("1" if f else "0" for f in reversed(flags))


class Ports:
    """Pin names of either top level."""

    def __init__(self, dut):
        if dut._name == "eie_lnzd_tree":
            self.num_leaves = int(dut.NumLeaves.value)
            self.leaf_valid, self.leaf_data, self.leaf_ready = dut.leaf_valid_i, dut.leaf_data_i, dut.leaf_ready_o
            self.root_valid, self.root_data, self.root_ready = dut.root_valid_o, dut.root_data_o, dut.root_ready_i
            self.leaf_done, self.done = dut.leaf_done_i, dut.done_o
        else:
            self.num_leaves = int(dut.NumInputs.value)
            self.leaf_valid, self.leaf_data, self.leaf_ready = dut.in_valid_i, dut.in_data_i, dut.in_ready_o
            self.root_valid, self.root_data, self.root_ready = dut.out_valid_o, dut.out_data_o, dut.out_ready_i
            self.leaf_done, self.done = dut.in_done_i, dut.out_done_o
        self.width = int(dut.DataWidth.value)
        self.flush = dut.flush_i
        self.clk = dut.clk_i


def sample_pins(p: Ports, cycle: int) -> Sample:
    """Every pin, read in the read-only phase of a cycle (what the edge will see)."""
    n = p.num_leaves
    mask = (1 << p.width) - 1
    data = int(p.leaf_data.value)
    return Sample(
        cycle=cycle,
        flush=bool(p.flush.value),
        leaf_valid=bits(int(p.leaf_valid.value), n),
        leaf_done=bits(int(p.leaf_done.value), n),
        leaf_data=[data >> (p.width * i) & mask for i in range(n)],
        leaf_ready=bits(int(p.leaf_ready.value), n),
        root_valid=bool(p.root_valid.value),
        root_data=int(p.root_data.value),
        root_ready=bool(p.root_ready.value),
        done=bool(p.done.value),
    )


# -----------------------------------------------------------------------------
# Drivers
# -----------------------------------------------------------------------------
class LeafSources:
    """All leaves in one driver: leaf i offers its queue's items, pausing between
    items as its own pause generator says; an offered item stays until taken. A
    leaf is done when it offers nothing and its queue is empty."""

    def __init__(self, ports: Ports, pauses, rng: random.Random):
        self.p = ports
        self.pauses = pauses
        self.rng = rng
        self.queues: list[list[int]] = [[] for _ in range(ports.num_leaves)]
        self.current: list[int | None] = [None] * ports.num_leaves

    def idle(self) -> bool:
        return not any(self.queues) and all(c is None for c in self.current)

    async def run(self) -> None:
        p = self.p
        n = p.num_leaves
        while True:
            await FallingEdge(p.clk)
            valid = 0
            done = 0
            data = 0
            for i in range(n):
                if self.current[i] is None and self.queues[i] and not next(self.pauses[i]):
                    self.current[i] = self.queues[i].pop(0)
                if self.current[i] is not None:
                    valid |= 1 << i
                    item = self.current[i]
                else:
                    item = self.rng.getrandbits(p.width)  # junk: must not be taken
                    done |= int(not self.queues[i]) << i
                data |= item << (p.width * i)
            p.leaf_valid.value = valid
            p.leaf_done.value = done
            p.leaf_data.value = data
            await ReadOnly()
            ready = int(p.leaf_ready.value)
            for i in range(n):
                if valid >> i & 1 and ready >> i & 1:
                    self.current[i] = None


# -----------------------------------------------------------------------------
# Testbench
# -----------------------------------------------------------------------------
class TB(ClockedTB):
    def __init__(self, dut, salt: int):
        super().__init__(dut, salt)
        self.p = Ports(dut)
        self.n = self.p.num_leaves
        self.leaf_bits = max(1, (self.n - 1).bit_length())
        dut._log.info("%s with %d leaves, seed %d (salt %d)", dut._name, self.n, cocotb.RANDOM_SEED, salt)
        self.model = LnzdModel(self.n)
        self.checker = LnzdChecker(self.model)
        self.generated: Counter[int] = Counter()
        self.tasks = []
        # Node and tree name their ports differently: idle them here, not through IDLE_INPUTS.
        self.p.flush.value = 0
        self.p.leaf_valid.value = 0
        self.p.leaf_done.value = (1 << self.n) - 1
        self.p.leaf_data.value = 0
        self.p.root_ready.value = 0

    def sample(self) -> None:
        self.checker.check(sample_pins(self.p, self.cycle))

    def item(self, leaf: int) -> int:
        junk = self.rng.getrandbits(max(0, self.p.width - PAYLOAD_BITS - self.leaf_bits))
        return (junk << self.leaf_bits | leaf) << PAYLOAD_BITS | self.rng.getrandbits(PAYLOAD_BITS)

    def start_sources(self, leaf_pause: str, root_pause: str | None) -> LeafSources:
        """Start the leaf sources and, unless root_pause is None, the root sink."""
        leaf_pauses = [pauses.pause(leaf_pause, self.rng, 0.5, pattern=PATTERN, offset=3 * i) for i in range(self.n)]
        sources = LeafSources(self.p, leaf_pauses, self.rng)
        self.tasks.append(cocotb.start_soon(sources.run()))
        if root_pause is not None:
            self.start_sink(root_pause)
        return sources

    def start_sink(self, root_pause: str, prob: float = 0.5) -> None:
        sink = ReadySink(self.p.clk, self.p.root_valid, self.p.root_ready, self.p.root_data,
                         pauses.pause(root_pause, self.rng, prob, pattern=PATTERN))
        self.tasks.append(cocotb.start_soon(sink.run()))

    def load(self, sources: LeafSources, counts: list[int]) -> None:
        for leaf, count in enumerate(counts):
            items = [self.item(leaf) for _ in range(count)]
            sources.queues[leaf].extend(items)
            self.generated.update(items)

    async def drain(self, sources: LeafSources, max_cycles: int) -> None:
        for _ in range(max_cycles):
            await RisingEdge(self.dut.clk_i)
            if sources.idle() and self.model.empty():
                break
        else:
            raise AssertionError(f"not drained after {max_cycles} cycles")

    async def finish(self) -> None:
        """Stop the drivers, idle two cycles, then require every item accounted for."""
        for task in self.tasks:
            task.cancel()
        await FallingEdge(self.dut.clk_i)
        self.p.leaf_valid.value = 0
        self.p.leaf_done.value = (1 << self.n) - 1
        self.p.root_ready.value = 1
        self.p.flush.value = 0
        for _ in range(2):
            await RisingEdge(self.dut.clk_i)
        await FallingEdge(self.dut.clk_i)
        c = self.checker
        assert self.model.empty(), "items left in the tree"
        assert self.p.done.value, "done not set with every leaf done and the tree empty"
        assert c.taken == self.generated, "leaves: items taken differ from items generated"
        assert c.delivered + c.discarded == c.taken, "root: items delivered (+ flushed) differ from items taken"
        assert sum(c.delivered.values()) + sum(c.discarded.values()) == sum(self.generated.values())


# -----------------------------------------------------------------------------
# Tests
# -----------------------------------------------------------------------------
@cocotb.test()
@cocotb.parametrize(leaf_pause=pauses.PAUSE_KINDS, root_pause=pauses.PAUSE_KINDS)
async def lnzd_random(dut, leaf_pause: str, root_pause: str):
    """Random item counts per leaf (some none), leaf and root pauses; every item exactly once."""
    salt = 3 * pauses.PAUSE_KINDS.index(leaf_pause) + pauses.PAUSE_KINDS.index(root_pause)
    tb = TB(dut, salt)
    await tb.start()
    sources = tb.start_sources(leaf_pause, root_pause)
    counts = [tb.rng.choice([0, 0, 1, 2, 3, 5]) for _ in range(tb.n)]
    counts[tb.rng.randrange(tb.n)] += 1
    tb.load(sources, counts)
    await tb.drain(sources, 40 * sum(counts) + 100)
    first = len(tb.checker.delivered_order)
    # A second burst after the tree has emptied.
    tb.load(sources, [tb.rng.choice([0, 1, 2]) for _ in range(tb.n)])
    await tb.drain(sources, 40 * tb.n + 100)
    assert not tb.checker.discarded
    for burst in (tb.checker.delivered_order[:first], tb.checker.delivered_order[first:]):
        leaves = [item >> PAYLOAD_BITS & ((1 << tb.leaf_bits) - 1) for item in burst]
        assert leaves == sorted(leaves), f"a burst came out of leaf order: {leaves}"
    await tb.finish()


@cocotb.test()
async def lnzd_throughput(dut):
    """All leaves valid, root always ready: first item after one cycle per level, then one per cycle."""
    tb = TB(dut, 100)
    await tb.start()
    per_leaf = 3
    sources = tb.start_sources("none", "none")
    tb.load(sources, [per_leaf] * tb.n)
    await tb.drain(sources, 4 * tb.n * per_leaf + 20)
    total = tb.n * per_leaf
    first = tb.checker.first_leaf_cycle + num_levels(tb.n)
    assert tb.checker.root_cycles == list(range(first, first + total)), (
        f"root handshakes at cycles {tb.checker.root_cycles[:8]}..., want {first}..{first + total - 1}"
    )
    await tb.finish()


@cocotb.test()
async def lnzd_stall(dut):
    """Root stalled for a long time with every leaf offering: items stay put; then all drain."""
    tb = TB(dut, 200)
    await tb.start()
    sources = tb.start_sources("none", None)
    tb.load(sources, [2] * tb.n)
    for _ in range(3 * num_levels(tb.n) + 5):
        await RisingEdge(dut.clk_i)
    assert tb.p.root_valid.value and not tb.checker.delivered
    tb.start_sink("random", 0.3)
    await tb.drain(sources, 20 * tb.n + 100)
    await tb.finish()


@cocotb.test()
async def lnzd_flush(dut):
    """Random flush pulses during random traffic: the tree empties (with what leaves hand over then)."""
    tb = TB(dut, 300)
    await tb.start()
    sources = tb.start_sources("random", None)
    tb.load(sources, [tb.rng.randrange(1, 3 + 40 // tb.n) for _ in range(tb.n)])
    # Directed: fill with the root stalled, flush once, and see the root empty.
    for _ in range(200):
        await FallingEdge(dut.clk_i)
        if tb.p.root_valid.value:
            break
    tb.p.flush.value = 1
    await FallingEdge(dut.clk_i)
    tb.p.flush.value = 0
    await ReadOnly()
    assert not tb.p.root_valid.value, "root still valid after flush"
    assert tb.checker.discarded, "the flush found nothing in the tree"
    tb.start_sink("random")

    async def flusher():
        while True:
            await FallingEdge(dut.clk_i)
            tb.p.flush.value = int(tb.rng.random() < 0.08)

    tb.tasks.append(cocotb.start_soon(flusher()))
    await tb.drain(sources, 60 * tb.n + 200)
    await tb.finish()


# -----------------------------------------------------------------------------
# pytest. A Verilator build costs ~20 s (rtlsim compiles the Verilator and cocotb
# runtime into every build), so by default Verilator runs the VERILATOR_* sizes
# only (17 leaves holds nodes of 1, 2 and 4 children); the other sizes are marked
# slow on it (-m slow). Icarus runs every size.
# -----------------------------------------------------------------------------
NODE_INPUTS = [1, 2, 3, 4]
VERILATOR_NODE_INPUTS: list[int] = []
TREE_LEAVES = [1, 2, 3, 4, 5, 8, 16, 17, 64]  # 8: a core of 8 PEs, its leaves' 256 bits counted by Verilator
VERILATOR_TREE_LEAVES = [17]


@pytest.mark.sim_matrix(NODE_INPUTS, argname="num_inputs", verilator_default=VERILATOR_NODE_INPUTS, unit=True)
def test_lnzd_node(sim, num_inputs):
    run_unit("eie_lnzd_node", "test_lnzd", {"DataWidth": DATA_WIDTH, "NumInputs": num_inputs}, sim,
             ["eie_pkg.sv", "eie_lnzd_node.sv"])


@pytest.mark.sim_matrix(TREE_LEAVES, argname="num_leaves", verilator_default=VERILATOR_TREE_LEAVES, unit=True)
def test_lnzd_tree(sim, num_leaves):
    run_unit("eie_lnzd_tree", "test_lnzd", {"DataWidth": DATA_WIDTH, "NumLeaves": num_leaves}, sim,
             ["eie_pkg.sv", "eie_lnzd_node.sv", "eie_lnzd_tree.sv"])
