# SPDX-License-Identifier: Apache-2.0
"""cocotb tests of misuse and faults on eie_core: each sets its ERROR bit, the core
returns to idle, nothing hangs, and a correct run follows without reloading the image.
Run by pytest through tb/test_core_misuse.py.

EIE_IMAGE names a small image built by tb/test_core_misuse.py; expected outputs
come from the reference model.
"""

from __future__ import annotations

import os

import numpy as np

import cocotb
from cocotb.triggers import ClockCycles, FallingEdge, ReadOnly, RisingEdge, Timer
from cocotb_bus.drivers.amba import AXIProtocolError
from eie.hw import layer_flags, regs
from eie.hw.regs import LdTarget
from eie.image import load
from eie.models import perf
from eie.models.reference import run_layers
from eie.sim.tb.core_tb import CLOCK_PERIOD_NS, CTRL_IMAGE_KEPT, CTRL_START, ERROR_BITS, STATUS_BUSY, STATUS_DONE, \
    STATUS_ERROR, TGT_ACT0, TGT_PTR, TGT_RESULT, TGT_SPMAT, EieTB, layer_reg, ld_address, watchdog_cycles


class Fixture:
    """A loaded image, its reference outputs and a TB, shared by the tests below."""

    def __init__(self, dut):
        self.loaded = load(os.environ["EIE_IMAGE"])
        self.image = self.loaded.image
        rng = np.random.default_rng(cocotb.RANDOM_SEED % (1 << 32))
        self.acts = rng.integers(-2000, 2000, size=self.image.in_features) * (rng.random(self.image.in_features) < 0.6)
        self.expected = run_layers(self.loaded, self.acts[None, :])[0]
        self.tb = EieTB(dut)
        self.timeout = watchdog_cycles(self.image, self.acts)

    async def errors(self) -> list[str]:
        return await self.tb.errors()

    async def clear_errors(self) -> None:
        await self.tb.reg_write("ERROR", (1 << len(ERROR_BITS)) - 1)

    async def good_run(self) -> None:
        """Input, START, wait, compare: the core must still compute correctly."""
        await self.clear_errors()
        await self.tb.load_input(self.image, self.acts)
        status = await self.tb.start_and_wait(self.timeout)
        assert status & (STATUS_DONE | STATUS_ERROR) == STATUS_DONE, f"status {status:#x}, errors {await self.errors()}"
        outputs = await self.tb.read_output(self.image)
        assert np.array_equal(outputs, self.expected), "outputs differ from eie ref after recovery"

    async def start(self) -> None:
        await self.tb.reg_write("CTRL", CTRL_START)

    async def wait_idle(self) -> None:
        await self.tb.wait_idle(self.timeout)


async def ready(dut, load_image=True) -> Fixture:
    fx = Fixture(dut)
    await fx.tb.reset()
    if load_image:
        await fx.tb.load_image(fx.image)
    return fx


async def expect_error(fx: Fixture, name: str) -> None:
    await fx.wait_idle()
    errors = await fx.errors()
    assert name in errors, f"expected ERROR.{name}, got {errors}"
    status = await fx.tb.reg_read("STATUS")
    assert status & (STATUS_BUSY | STATUS_DONE | STATUS_ERROR) == STATUS_ERROR, \
        f"expected idle with ERROR and without DONE, STATUS {status:#x}"


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def start_without_image(dut):
    fx = await ready(dut, load_image=False)
    # The input written (activation-file beats) is not an image: only a pointer write is.
    await fx.tb.load_input(fx.image, fx.acts)
    await fx.start()
    await expect_error(fx, "NOT_LOADED")
    await fx.tb.load_image(fx.image)
    await fx.good_run()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def start_while_running(dut):
    fx = await ready(dut)
    await fx.tb.load_input(fx.image, fx.acts)
    await fx.start()
    await ClockCycles(dut.clk_i, 3)
    await fx.start()
    await expect_error(fx, "START_BUSY")
    await fx.good_run()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def start_at_once_after_an_abort(dut):
    """A START a few cycles after an abort waits (uncounted) for the accumulator sweep the
    abort began; its run, on the input the abort cleared (all zero), matches eie ref and
    its counters the cycle model's; then a correct run."""
    fx = await ready(dut)
    waited = []

    async def watch_init_wait():
        ccu = dut.u_ccu
        while True:
            await RisingEdge(dut.clk_i)
            await ReadOnly()
            if ccu.state_q.value == 1 and not ccu.sweep_done_q.value:  # StInit, sweep not over
                waited.append(1)

    cocotb.start_soon(watch_init_wait())
    await fx.tb.load_input(fx.image, fx.acts)
    await fx.start()
    await ClockCycles(dut.clk_i, 3)
    await fx.start()  # START_BUSY: an abort
    await fx.start()  # at once, on the cleared input
    await fx.wait_idle()
    assert waited, "the START after the abort did not wait for the sweep"
    assert await fx.errors() == ["START_BUSY"]
    zeros = np.zeros(fx.image.in_features, dtype=np.int64)
    outputs = await fx.tb.read_output(fx.image)
    assert np.array_equal(outputs, run_layers(fx.loaded, zeros[None, :])[0])
    report = await fx.tb.read_report(fx.image)
    # The model at the core's own queue and history depths (its registers say them:
    # the mutation flow builds QueueDepth 2, where the defaults would predict 4
    # cycles fewer).
    queue_depth = await fx.tb.reg_read("QUEUE_DEPTH")
    history_depth = await fx.tb.reg_read("HISTORY_DEPTH")
    want = perf.predict(fx.loaded, zeros, queue_depth, history_depth)
    assert report["cycles"] == want.cycles and report["layer_cycles"] == [l.cycles for l in want.layers], \
        f"counters {report['cycles']} {report['layer_cycles']}, model {want.cycles}"
    await fx.good_run()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def load_port_access_while_running(dut):
    fx = await ready(dut)
    await fx.tb.load_input(fx.image, fx.acts)
    await fx.start()
    await ClockCycles(dut.clk_i, 3)
    value = await fx.tb.load.read(ld_address(TGT_RESULT, 0, 0))
    assert value == 0, "a read while running must answer 0"
    await expect_error(fx, "LOAD_BUSY")
    await fx.good_run()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def load_write_as_start_reaches_the_ccu(dut):
    """A write beat in the cycle START reaches the CCU (the cycle after START's write) is refused
    with LOAD_BUSY: a request reaches its PE two cycles after its beat, when the run may already
    read the act files. The beat zeroes the first non-zero input; the CCU has not begun, so the run
    goes on, on the input as loaded (eie ref's outputs), with DONE and the error."""
    fx = await ready(dut)
    await fx.clear_errors()
    await fx.tb.load_input(fx.image, fx.acts)
    j = int(np.flatnonzero(fx.acts)[0])
    n = fx.image.num_pes

    async def beat_as_start_arrives():
        while True:
            await RisingEdge(dut.clk_i)
            await ReadOnly()
            if dut.u_csr.start_q.value:
                break
        await FallingEdge(dut.clk_i)  # still that cycle: the beat is sampled at its end
        dut.ld_write_i.value = 1
        dut.ld_addr_i.value = ld_address(TGT_ACT0, j % n, j // n)
        dut.ld_wdata_i.value = 0
        dut.ld_valid_i.value = 1
        await RisingEdge(dut.clk_i)
        await ReadOnly()
        assert dut.ld_ready_o.value, "the beat was not taken in the cycle it was offered"
        await FallingEdge(dut.clk_i)
        dut.ld_valid_i.value = 0

    beat = cocotb.start_soon(beat_as_start_arrives())
    await fx.start()
    await beat
    await fx.wait_idle()
    assert await fx.errors() == ["LOAD_BUSY"]
    status = await fx.tb.reg_read("STATUS")
    assert status & (STATUS_BUSY | STATUS_DONE | STATUS_ERROR) == STATUS_DONE | STATUS_ERROR, f"STATUS {status:#x}"
    outputs = await fx.tb.read_output(fx.image)
    assert np.array_equal(outputs, fx.expected), "the refused write changed the run"
    await fx.good_run()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def layer_count_and_shapes_that_do_not_fit(dut):
    fx = await ready(dut)
    await fx.tb.reg_write("NUM_LAYERS", 0)
    await fx.start()
    await expect_error(fx, "BAD_LAYER")
    await fx.tb.reg_write("NUM_LAYERS", len(fx.image.layers))
    await fx.clear_errors()
    await fx.tb.reg_write(layer_reg(0, "LAYER_OUT"), fx.image.memory.act_depth * fx.image.num_pes + 1)
    await fx.tb.load_input(fx.image, fx.acts)
    await fx.start()
    await expect_error(fx, "BAD_LAYER")
    await fx.tb.reg_write(layer_reg(0, "LAYER_OUT"), fx.image.layers[0].out_features)
    # A later layer's bad descriptor is met mid-run, when the CCU advances to it.
    last = len(fx.image.layers) - 1
    assert last >= 1, "the misuse image needs two layers for the mid-run case"
    await fx.clear_errors()
    await fx.tb.reg_write(layer_reg(last, "LAYER_OUT"), fx.image.memory.act_depth * fx.image.num_pes + 1)
    await fx.tb.load_input(fx.image, fx.acts)
    await fx.start()
    await expect_error(fx, "BAD_LAYER")
    await fx.tb.reg_write(layer_reg(last, "LAYER_OUT"), fx.image.layers[last].out_features)
    # Pointers one past the banks' last entry, reached only by the bias column: LAYER_PTR_BASE
    # (even) + LAYER_IN (odd) = 2 x PtrBankDepth - 1, every low bit set, + 1 for the bias.
    for layer in (0, last):
        saved = {name: await fx.tb.reg_read(layer_reg(layer, name)) for name in ("LAYER_IN", "LAYER_PTR_BASE", "LAYER_FLAGS")}
        most = fx.image.memory.act_depth * fx.image.num_pes  # the most inputs a layer may have
        inputs = min(most if most % 2 else most - 1, 2 * fx.image.memory.ptr_bank_depth - 1)
        await fx.clear_errors()
        await fx.tb.reg_write(layer_reg(layer, "LAYER_IN"), inputs)
        await fx.tb.reg_write(layer_reg(layer, "LAYER_PTR_BASE"), 2 * fx.image.memory.ptr_bank_depth - 1 - inputs)
        await fx.tb.reg_write(layer_reg(layer, "LAYER_FLAGS"), saved["LAYER_FLAGS"] | layer_flags(True, False, 0))
        await fx.tb.load_input(fx.image, fx.acts)
        await fx.start()
        await expect_error(fx, "BAD_LAYER")
        for name, value in saved.items():
            await fx.tb.reg_write(layer_reg(layer, name), value)
    await fx.good_run()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def activation_beyond_the_layer_inputs(dut):
    fx = await ready(dut)
    await fx.tb.reg_write("INPUT_FILE", 0)
    j = fx.image.in_features  # first index past the inputs (the bias column is not an activation)
    await fx.tb.load.write_many([(ld_address(TGT_ACT0, j % fx.image.num_pes, j // fx.image.num_pes), 77)])
    await fx.start()
    await expect_error(fx, "COL_RANGE")
    await fx.good_run()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def activation_beyond_a_later_layers_inputs(dut):
    """A third layer (layer 0's matrix, one input) after the image's two: its inputs are layer 1's
    outputs, some of them non-zero past column 0 (eie ref), so it must meet COL_RANGE. The CCU
    reloads a later layer's descriptor from desc[layer_q] in every cycle after its first,
    a path the first layer's check above does not take."""
    fx = await ready(dut)
    assert len(fx.image.layers) == 2 and fx.image.memory.max_layers >= 3, "the misuse image has two layers"
    assert np.any(fx.expected[1:] != 0), "layer 1's outputs (eie ref) are zero past column 0: no column to refuse"
    first = fx.image.layers[0]
    third = {"LAYER_IN": 1, "LAYER_OUT": first.out_features, "LAYER_PTR_BASE": first.ptr_base,
             "LAYER_FLAGS": layer_flags(first.bias, first.relu, first.w_frac)}
    before = {name: await fx.tb.reg_read(layer_reg(2, name)) for name in third}
    for name, value in third.items():
        await fx.tb.reg_write(layer_reg(2, name), value)
    await fx.tb.reg_write("NUM_LAYERS", 3)
    await fx.tb.load_input(fx.image, fx.acts)
    await fx.start()
    await expect_error(fx, "COL_RANGE")
    await fx.tb.reg_write("NUM_LAYERS", 2)
    for name, value in before.items():
        await fx.tb.reg_write(layer_reg(2, name), value)
    await fx.good_run()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def pointer_past_the_matrix_memory(dut):
    fx = await ready(dut)
    past_end = fx.image.memory.spmat_words * 8 + 5
    await fx.tb.load.write_many([(ld_address(TGT_PTR, 0, 1), past_end)])
    acts = np.zeros_like(fx.acts)
    acts[0] = 100  # column 0 is the broken one
    await fx.tb.load_input(fx.image, acts)
    await fx.start()
    await expect_error(fx, "PTR_RANGE")
    await fx.tb.load.write_many([(ld_address(TGT_PTR, 0, 1), int(fx.image.pointers[0][1]))])
    await fx.good_run()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def pointers_out_of_order(dut):
    fx = await ready(dut)
    p0, p1 = int(fx.image.pointers[0][0]), int(fx.image.pointers[0][1])
    await fx.tb.load.write_many([(ld_address(TGT_PTR, 0, 0), p1 + 3)])
    acts = np.zeros_like(fx.acts)
    acts[0] = 100
    await fx.tb.load_input(fx.image, acts)
    await fx.start()
    await expect_error(fx, "PTR_ORDER")
    await fx.tb.load.write_many([(ld_address(TGT_PTR, 0, 0), p0)])
    await fx.good_run()


def local_rows(share, column: int) -> np.ndarray:
    """The local rows of a PE's entries of one column: row = previous row + z + 1."""
    lo, hi = int(share.pointers[column]), int(share.pointers[column + 1])
    return np.cumsum(share.z[lo:hi].astype(np.int64) + 1) - 1


async def move_past_the_rows(fx: Fixture, pe: int, column: int) -> tuple[int, int]:
    """PE pe's last entry of a column of layer 0 moved to a row past PE pe's rows of the layer but
    inside the accumulators (its z set to 15); returns its word's load address and original word."""
    layer, share = fx.image.layers[0], fx.image.layer_shares(0)[pe]
    hi = int(share.pointers[column + 1])
    moved_row = int(local_rows(share, column)[-1]) + 15 - int(share.z[hi - 1])
    pe_rows = len(range(pe, layer.out_features, fx.image.num_pes))
    assert pe_rows <= moved_row < fx.image.memory.act_depth, (pe_rows, moved_row)
    entry = layer.entry_base[pe] + hi - 1
    address, word = ld_address(TGT_SPMAT, pe, entry // 8), int(fx.image.spmat[pe][entry // 8])
    await fx.tb.load.write_many([(address, word | 0xF << (8 * (entry % 8)))])
    return address, word


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def entry_beyond_the_rows_written_back(dut):
    """PE 0's last entry of a column of layer 0 (written back: not the last layer) moved to a
    row past PE 0's rows of the layer but inside the accumulators: ROW_RANGE (eie_wb_seq's check at
    the end of the write-back; a row past the accumulators would be the overflow check's)."""
    fx = await ready(dut)
    assert len(fx.image.layers) > 1, "layer 0 must be written back"
    share = fx.image.layer_shares(0)[0]
    column = next(j for j in range(fx.image.in_features) if share.pointers[j + 1] > share.pointers[j])
    address, word = await move_past_the_rows(fx, 0, column)
    acts = np.zeros_like(fx.acts)
    acts[column] = 100
    await fx.tb.load_input(fx.image, acts)
    await fx.start()
    await expect_error(fx, "ROW_RANGE")
    await fx.tb.load.write_many([(address, word)])
    await fx.good_run()


@cocotb.test(timeout_time=2, timeout_unit="ms")
async def entry_beyond_the_rows_after_the_last_row(dut):
    """As above in every PE (each has its own check), the moved entry's column broadcast after a
    column that touched the PE's last row of the layer: the check keeps the largest row over all
    the layer's columns, and the moved row, larger still, raises ROW_RANGE."""
    fx = await ready(dut)
    layer = fx.image.layers[0]
    for pe in range(fx.image.num_pes):
        share = fx.image.layer_shares(0)[pe]
        last = len(range(pe, layer.out_features, fx.image.num_pes)) - 1
        touched = [j for j in range(fx.image.in_features) if share.pointers[j + 1] > share.pointers[j]]
        high = next(j for j in touched if local_rows(share, j)[-1] == last)
        column = next(j for j in touched if j > high)
        address, word = await move_past_the_rows(fx, pe, column)
        acts = np.zeros_like(fx.acts)
        acts[[high, column]] = 100
        await fx.tb.load_input(fx.image, acts)
        await fx.start()
        await expect_error(fx, "ROW_RANGE")
        await fx.tb.load.write_many([(address, word)])
        await fx.clear_errors()
    await fx.good_run()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def load_address_outside_every_memory(dut):
    fx = await ready(dut)
    await fx.tb.load.write_many([(ld_address(TGT_PTR, 0, 2 * fx.image.memory.ptr_bank_depth), 1)])
    assert "LOAD_RANGE" in await fx.errors()
    await fx.tb.load.write_many([(ld_address(max(LdTarget) + 1, 0, 0), 1)])  # no such target
    assert "LOAD_RANGE" in await fx.errors()
    await fx.clear_errors()
    # The target field's top bit, beyond the RTL's target code (eie_load_port's target_high).
    await fx.tb.load.write_many([(ld_address(1 << (regs.LD_ADDR.field("TARGET").width - 1), 0, 0), 1)])
    assert "LOAD_RANGE" in await fx.errors()
    await fx.good_run()


@cocotb.test(timeout_time=2, timeout_unit="ms")
async def load_accesses_on_every_address_and_data_bit(dut):
    """Each bit of the load address's INDEX and PE fields set alone, and each bit of the
    write data set alone and cleared alone, in accesses outside every memory: each
    answers LOAD_RANGE (a read answers 0) and changes nothing, and a correct run follows.
    Reads outside a PE's matrix memory at every index bit beyond it, reads of PEs beyond
    the last; writes to a codebook index beyond the last layer's (every PE latches the
    data of a codebook write)."""
    fx = await ready(dut)
    mem, num_pes = fx.image.memory, fx.image.num_pes
    index_bits = regs.LD_ADDR.field("INDEX").width
    pe_bits = regs.LD_ADDR.field("PE").width
    data_bits = len(dut.ld_wdata_i)

    async def refused(access) -> None:
        await fx.clear_errors()
        answer = await access
        assert "LOAD_RANGE" in await fx.errors(), "an access outside every memory did not set ERROR.LOAD_RANGE"
        assert answer in (None, 0), f"a read outside every memory answered {answer:#x}, not 0"

    reads = [ld_address(TGT_SPMAT, pe, 1 << b) for pe in range(num_pes) for b in range(index_bits)
             if 1 << b >= mem.spmat_words]
    reads += [ld_address(TGT_SPMAT, 1 << b, 0) for b in range(pe_bits) if 1 << b >= num_pes]
    assert reads, "test bug: no address bit beyond the memories"
    for addr in reads:
        await refused(fx.tb.load.read(addr))
    beyond = ld_address(LdTarget.CODEBOOK, 0, (1 << index_bits) - 1)  # past every layer's codebook
    ones = (1 << data_bits) - 1
    for b in range(data_bits):
        await refused(fx.tb.load.write_many([(beyond, 1 << b)]))
        await refused(fx.tb.load.write_many([(beyond, ones ^ (1 << b))]))
    await fx.clear_errors()
    await fx.good_run()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def unmapped_register(dut):
    fx = await ready(dut)
    try:
        await fx.tb.reg_read(0xFF0)
        raise AssertionError("an unmapped register read must answer SLVERR")
    except AXIProtocolError:
        pass
    assert "REG_ADDR" in await fx.errors()
    await fx.good_run()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def reset_in_the_middle_of_a_layer(dut):
    """Reset keeps the memories: registers and input are written again, the image is not."""
    fx = await ready(dut)
    await fx.tb.load_input(fx.image, fx.acts)
    await fx.start()
    await ClockCycles(dut.clk_i, 7)
    await fx.tb.reset()
    assert not dut.busy_o.value
    await fx.tb.write_registers(fx.image)
    await fx.start()  # reset forgot the image-loaded mark
    await expect_error(fx, "NOT_LOADED")
    await fx.tb.reg_write("CTRL", CTRL_IMAGE_KEPT)  # the memories survived the reset
    await fx.good_run()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def reset_between_two_clock_edges(dut):
    """The reset is asynchronous: rst_ni low for a fifth of a cycle between two rising edges clears
    every register as a reset over clock edges does. Pulsed in the cycle of a run in which the CCU tells
    the PEs that a layer's broadcast is over (wb_go, a register per PE), then the recovery of
    reset_in_the_middle_of_a_layer: registers written again, the image kept, a run that matches eie ref."""
    fx = await ready(dut)
    await fx.tb.load_input(fx.image, fx.acts)
    await fx.start()
    for _ in range(fx.timeout):
        await RisingEdge(dut.clk_i)
        await ReadOnly()
        if int(dut.u_ccu.wb_go_o.value):
            break
    else:
        raise AssertionError("no layer's broadcast ended: the misuse image needs two layers")
    # Low for a fifth of a cycle, a fifth after the falling edge (whole nanoseconds: every simulator's precision).
    await FallingEdge(dut.clk_i)
    await Timer(CLOCK_PERIOD_NS // 5, "ns")
    dut.rst_ni.value = 0
    await Timer(CLOCK_PERIOD_NS // 5, "ns")
    dut.rst_ni.value = 1
    await RisingEdge(dut.clk_i)
    await ReadOnly()
    assert not dut.busy_o.value
    await FallingEdge(dut.clk_i)
    await fx.tb.write_registers(fx.image)
    await fx.start()  # the reset forgot the image-loaded mark
    await expect_error(fx, "NOT_LOADED")
    await fx.tb.reg_write("CTRL", CTRL_IMAGE_KEPT)  # the memories survived the reset
    await fx.good_run()
    fx.tb.check_protocols()
