# SPDX-License-Identifier: Apache-2.0
"""cocotb tests of eie_core's registers against rtl/eie_regs.rdl (through eie.hw.regs).
Run by pytest through tb/test_core_regs.py.

EIE_PARAMS holds the build's parameters as JSON (the values of the read-only
parameter registers, FEATURES among them). Every register is read after reset
and must show the .rdl's reset value; a write to a read-only register answers
SLVERR, changes nothing and sets ERROR.REG_ADDR, and so does a read or write of
every word address the map does not name; the ERROR bits clear only where
1 is written; read/write registers read back what was written. The load port reads
back every memory it can read.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import replace

import numpy as np

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge
from cocotb_bus.drivers.amba import AXIProtocolError
from eie.fixedpoint import ACT_WIDTH
from eie.hw import layer_flags, ld_address, regs
from eie.hw.model import Register
from eie.image import MemoryConfig, decode
from eie.models.reference import run_layers
from eie.sim.tb.core_check import model_differences
from eie.packing.model_io import Layer
from eie.packing.packer import PackOptions, pack
from eie.sim.tb.core_tb import CTRL_START, STATUS_BUSY, STATUS_DONE, STATUS_ERROR, TGT_ACT0, TGT_ACT1, TGT_CODEBOOK, \
    TGT_PTR, TGT_SPMAT, EieTB, layer_cycles_reg, watchdog_cycles

ERROR = regs.REGISTERS["ERROR"]
ALL_ONES = (1 << regs.DATA_WIDTH) - 1


def params() -> dict[str, int]:
    return json.loads(os.environ["EIE_PARAMS"])


def elements(reg: Register, max_layers: int) -> range:
    """The array elements the core has: the layer arrays stop at MaxLayers."""
    return range(min(reg.count, max_layers))


def reset_value(reg: Register, build: dict[str, int]) -> int:
    """The .rdl's reset value; a parameter field (FEATURES' bits, NUM_PE, ...) shows the build's value."""
    return sum(field.encode(build[field.param] if field.reset is None else field.reset) for field in reg.fields)


async def write_status(tb: EieTB, address: int, value: int) -> str:
    """Write; 'OKAY' or 'SLVERR'."""
    try:
        await tb.axil.write(address, value)
    except AXIProtocolError:
        return "SLVERR"
    return "OKAY"


async def read_status(tb: EieTB, address: int) -> tuple[str, int | None]:
    try:
        return "OKAY", await tb.reg_read(address)
    except AXIProtocolError:
        return "SLVERR", None


async def error_bits(tb: EieTB) -> list[str]:
    return await tb.errors()


async def started(dut) -> tuple[EieTB, dict[str, int]]:
    tb = EieTB(dut)
    await tb.reset()
    return tb, params()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def reset_values(dut):
    """Every readable register of every element shows its reset value, with OKAY."""
    tb, build = await started(dut)
    for reg in regs.REGISTERS.values():
        for index in elements(reg, build["MaxLayers"]):
            status, value = await read_status(tb, reg.address(index))
            assert status == "OKAY", f"{reg.name}[{index}] answers {status}"
            assert value == reset_value(reg, build), f"{reg.name}[{index}] resets to {value:#x}"
    assert await error_bits(tb) == []
    tb.check_protocols()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def features_report_the_build(dut):
    """FEATURES.PE_COUNTERS is the build's PeCounters; without counters every PE_* reads 0 for any PE_SEL."""
    tb, build = await started(dut)
    features = regs.REGISTERS["FEATURES"]
    word = await tb.reg_read("FEATURES")
    assert features.field("PE_COUNTERS").decode(word) == build["PeCounters"], f"FEATURES reads {word:#x}"
    assert word & ~features.field("PE_COUNTERS").mask == 0, f"FEATURES has bits no option gives: {word:#x}"
    assert await tb.pe_counters_built() == bool(build["PeCounters"])
    for pe in range(build["NumPe"]):
        await tb.reg_write("PE_SEL", pe)
        assert await tb.reg_read("PE_SEL") == pe
        for name in regs.PE_COUNTERS:
            assert await tb.reg_read(name) == 0, f"{name} of PE {pe} after reset"
    # A PE_SEL beyond the PEs shows 0 (rtl/eie_regs.rdl).
    await tb.reg_write("PE_SEL", build["NumPe"])
    for name in regs.PE_COUNTERS:
        assert await tb.reg_read(name) == 0, f"{name} with PE_SEL {build['NumPe']} (no such PE)"
    assert await error_bits(tb) == []
    tb.check_protocols()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def layers_past_max_layers_are_unmapped(dut):
    tb, build = await started(dut)
    for name in ("LAYER_IN", "LAYER_FLAGS", "LAYER_CYCLES"):
        reg = regs.REGISTERS[name]
        if build["MaxLayers"] < reg.count:
            address = reg.address(build["MaxLayers"])
            assert (await read_status(tb, address))[0] == "SLVERR", f"{name}[MaxLayers] must be unmapped"
            assert await write_status(tb, address, 1) == "SLVERR"
    assert await error_bits(tb) == (["REG_ADDR"] if build["MaxLayers"] < 16 else [])
    tb.check_protocols()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def read_only_registers_refuse_writes(dut):
    """A write to a register without a writable field: SLVERR, nothing changes, ERROR.REG_ADDR."""
    tb, build = await started(dut)
    read_only = [reg for reg in regs.REGISTERS.values() if not reg.writable]
    assert read_only, "the map has read-only registers"
    for reg in read_only:
        for index in elements(reg, build["MaxLayers"]):
            assert await write_status(tb, reg.address(index), ALL_ONES) == "SLVERR", reg.name
            assert await error_bits(tb) == ["REG_ADDR"], f"a write to {reg.name} must set REG_ADDR"
            await tb.reg_write("ERROR", ERROR.field("REG_ADDR").encode(1))
            assert await error_bits(tb) == []
            # (After the clear: STATUS.ERROR showed the REG_ADDR bit.)
            assert await tb.reg_read(reg.address(index)) == reset_value(reg, build), f"{reg.name} changed"
    tb.check_protocols()


@cocotb.test(timeout_time=2, timeout_unit="ms")
async def every_unmapped_word_answers_slverr(dut):
    """Every word address of the 12-bit space the map does not name (at this MaxLayers), and every byte
    address inside a mapped word but its first (addresses are byte addresses; a register has one): a
    read and a write answer SLVERR, ERROR.REG_ADDR is set, and the writes changed no register. A
    decode that also matches a far address (an address bit ignored) shows here; the mapped reads
    alone cannot see it."""
    tb, build = await started(dut)
    mapped = {reg.address(index) for reg in regs.REGISTERS.values() for index in elements(reg, build["MaxLayers"])}
    unmapped = [a for a in range(0, 1 << regs.ADDR_WIDTH, regs.DATA_WIDTH // 8) if a not in mapped]
    assert len(unmapped) + len(mapped) == (1 << regs.ADDR_WIDTH) // (regs.DATA_WIDTH // 8)
    unmapped += [a + offset for a in sorted(mapped) for offset in range(1, regs.DATA_WIDTH // 8)]
    for address in unmapped:
        status, _ = await read_status(tb, address)
        assert status == "SLVERR", f"a read of unmapped {address:#05x} answers {status}"
        assert await write_status(tb, address, ALL_ONES) == "SLVERR", f"a write to unmapped {address:#05x}"
    # ERROR once, at the end: a check per address would double the test's time, which make mutate pays per mutant.
    assert await error_bits(tb) == ["REG_ADDR"]
    await tb.reg_write("ERROR", ERROR.field("REG_ADDR").encode(1))
    for reg in regs.REGISTERS.values():
        for index in elements(reg, build["MaxLayers"]):
            assert await tb.reg_read(reg.address(index)) == reset_value(reg, build), f"{reg.name}[{index}] changed"
    tb.check_protocols()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def error_bits_clear_where_one_is_written(dut):
    tb, _ = await started(dut)
    # Three ERROR bits raised by misuse: START without an image, a load address
    # outside every memory, an unmapped register read.
    await tb.reg_write("CTRL", CTRL_START)
    await tb.load.write_many([(ld_address(max(regs.LdTarget) + 1, 0, 0), 0)])
    assert (await read_status(tb, regs.REGISTERS["LAYER_CYCLES"].address(0) + 0x100))[0] == "SLVERR"
    raised = ["NOT_LOADED", "LOAD_RANGE", "REG_ADDR"]
    assert sorted(await error_bits(tb)) == sorted(raised)

    await tb.reg_write("ERROR", 0)
    assert sorted(await error_bits(tb)) == sorted(raised), "writing 0 must clear nothing"
    # Ones where no bit is set change nothing either.
    others = sum(f.mask for f in ERROR.fields if f.name not in raised)
    await tb.reg_write("ERROR", others)
    assert sorted(await error_bits(tb)) == sorted(raised), "writing 1 must set nothing"
    # A write to another register, its data ones where the ERROR bits are, clears none of them.
    layer_in = regs.REGISTERS["LAYER_IN"]
    await tb.reg_write(layer_in.address(0), writable_mask(layer_in))
    assert sorted(await error_bits(tb)) == sorted(raised), "a LAYER_IN write must not clear ERROR bits"
    for count, name in enumerate(raised, 1):
        await tb.reg_write("ERROR", ERROR.field(name).encode(1))
        assert sorted(await error_bits(tb)) == sorted(raised[count:]), f"1 to {name} clears it alone"
    tb.check_protocols()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def read_write_registers_read_back(dut):
    """Configuration and descriptor registers keep what is written (idle core, OKAY)."""
    tb, build = await started(dut)
    rng = random.Random(cocotb.RANDOM_SEED)
    written = {}
    values = {"NUM_LAYERS": build["MaxLayers"], "ACT_FRAC": 5, "INPUT_FILE": 1, "PE_SEL": build["NumPe"] - 1}
    for name, value in values.items():
        address = regs.REG[name]
        assert regs.REGISTERS[name].field(name).encode(value) == value
        assert await write_status(tb, address, value) == "OKAY", name
        written[address] = value
    for reg in regs.REGISTERS.values():
        if reg.count > 1 and reg.writable:
            for index in elements(reg, build["MaxLayers"]):
                word = sum(f.encode(rng.getrandbits(f.width)) for f in reg.fields if "w" in f.sw)
                assert await write_status(tb, reg.address(index), word) == "OKAY", reg.name
                written[reg.address(index)] = word
    for address, value in written.items():
        assert await tb.reg_read(address) == value, f"register {address:#x} does not read back {value:#x}"
    assert await error_bits(tb) == []
    tb.check_protocols()


def writable_mask(reg: Register) -> int:
    return sum(f.mask for f in reg.fields if "w" in f.sw)


def legal_config_value(name: str, build: dict[str, int], rng: random.Random) -> int:
    """A value the build keeps whole: NUM_LAYERS up to MaxLayers, PE_SEL up to NumPe (one past the PEs reads back)."""
    top = {"NUM_LAYERS": build["MaxLayers"], "PE_SEL": build["NumPe"]}.get(name)
    return rng.randint(0, top) if top is not None else rng.getrandbits(regs.REGISTERS[name].fields[0].width)


def config_and_layer_registers(build: dict[str, int]) -> list[tuple[str, int]]:
    """(name, address) of every read/write register but ERROR: the configuration words, then each layer's."""
    singles = [(name, regs.REG[name]) for name in ("NUM_LAYERS", "ACT_FRAC", "INPUT_FILE", "PE_SEL")]
    layers = [(reg.name, reg.address(index)) for reg in regs.REGISTERS.values() if reg.count > 1 and reg.writable
              for index in elements(reg, build["MaxLayers"])]
    return singles + layers


@cocotb.test(timeout_time=2, timeout_unit="ms")
async def a_write_changes_only_its_register(dut):
    """After every write (ERROR's included), every read/write register holds what was last written
    to it: a write replaces the whole word (no old bit survives) and touches no other register.
    After a first round that fills them, two rounds: each layer word gets its complement, then its
    first value back, so every bit is written both ways."""
    tb, build = await started(dut)
    rng = random.Random(cocotb.RANDOM_SEED)
    targets = config_and_layer_registers(build)
    words = {address: writable_mask(regs.REGISTERS[name]) & rng.getrandbits(regs.DATA_WIDTH)
             for name, address in targets if name.startswith("LAYER_")}
    expected: dict[int, int] = {}
    for round_ in range(3):
        for name, address in targets:
            if name.startswith("LAYER_"):
                value = words[address] if round_ % 2 == 0 else writable_mask(regs.REGISTERS[name]) & ~words[address]
            else:
                value = legal_config_value(name, build, rng)
            await tb.reg_write(address, value)
            expected[address] = value
            if round_ == 0:
                continue  # the first round only fills every register
            await tb.reg_write("ERROR", ALL_ONES)  # a write to ERROR, with no bit raised, changes nothing
            for other, want in expected.items():
                try:
                    got = await tb.reg_read(other)
                except ValueError:  # RDATA with X or Z bits
                    raise AssertionError(f"after writing {value:#x} to {name} ({address:#x}), register {other:#x} "
                                         f"reads undefined bits") from None
                assert got == want, f"after writing {value:#x} to {name} ({address:#x}), register {other:#x} " \
                    f"reads {got:#x}, not {want:#x}"
    assert await error_bits(tb) == []
    tb.check_protocols()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def byte_strobes_write_only_their_bytes(dut):
    """A write with byte strobes changes only the strobed bytes of a read/write register; INPUT_FILE
    and ERROR take the whole word whatever the strobes (rtl/eie_regs.rdl)."""
    tb, build = await started(dut)
    rng = random.Random(cocotb.RANDOM_SEED)
    lanes = regs.DATA_WIDTH // 8
    for name, address in config_and_layer_registers(build):
        if name == "INPUT_FILE":
            continue
        reg = regs.REGISTERS[name]
        for strobes in range(1 << lanes):
            if name.startswith("LAYER_"):
                old, new = (writable_mask(reg) & rng.getrandbits(regs.DATA_WIDTH) for _ in range(2))
            else:
                old, new = legal_config_value(name, build, rng), legal_config_value(name, build, rng)
            await tb.reg_write(address, old)
            await tb.axil.write(address, new, byte_enable=strobes)
            bytes_on = sum(0xFF << (8 * lane) for lane in range(lanes) if strobes >> lane & 1)
            want = (old & ~bytes_on) | (new & bytes_on)
            got = await tb.reg_read(address)
            assert got == want, f"{name} ({address:#x}): {old:#x}, then {new:#x} with strobes {strobes:#06b}, " \
                f"reads {got:#x}, not {want:#x}"
    for value in (1, 0):
        await tb.axil.write(regs.REG["INPUT_FILE"], value, byte_enable=0b1110)
        assert await tb.reg_read("INPUT_FILE") == value, "INPUT_FILE takes the whole word, whatever the strobes"
    # ERROR.REG_ADDR (bit 9, byte 1) clears by a write whose strobes leave byte 1 out.
    assert (await read_status(tb, regs.REGISTERS["LAYER_CYCLES"].address(0) + 0x100))[0] == "SLVERR"
    assert await error_bits(tb) == ["REG_ADDR"]
    await tb.axil.write(regs.REG["ERROR"], ERROR.field("REG_ADDR").encode(1), byte_enable=0b0001)
    assert await error_bits(tb) == [], "ERROR takes the whole word, whatever the strobes"
    tb.check_protocols()


async def _until_ready(dut, bus, channel: str, cycles: int = 8) -> None:
    """Hold ``channel``'s beat until its READY; return after the edge that takes it, VALID dropped."""
    for _ in range(cycles):
        await ReadOnly()
        if int(getattr(bus, f"{channel}READY").value):
            await RisingEdge(dut.clk_i)
            getattr(bus, f"{channel}VALID").value = 0
            return
        await RisingEdge(dut.clk_i)
    raise AssertionError(f"{channel}READY stayed low for {cycles} cycles")


async def _take_response(dut, bus, what: str) -> None:
    """Wait for BVALID, then take the response with BREADY; it must be OKAY."""
    for _ in range(8):
        await ReadOnly()
        if int(bus.BVALID.value):
            break
        await RisingEdge(dut.clk_i)
    else:
        raise AssertionError(f"no write response for {what}")
    assert int(bus.BRESP.value) == 0, f"{what}: BRESP {int(bus.BRESP.value)}"
    await RisingEdge(dut.clk_i)
    bus.BREADY.value = 1
    await RisingEdge(dut.clk_i)
    bus.BREADY.value = 0


def _offer(bus, channel: str, payload: int) -> None:
    if channel == "AW":
        bus.AWADDR.value = payload
    else:
        bus.WDATA.value, bus.WSTRB.value = payload, 0xF
    getattr(bus, f"{channel}VALID").value = 1


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def a_beat_ahead_of_its_pair_holds_back_the_next(dut):
    """AXI4-Lite lets a master send a write's W before its AW (or the AW first) and the next
    write's beat before the first one's response. The slave holds one beat of each channel: with
    a W held for its AW, WREADY is low, so the next W waits (and the same for AW); once the write
    lands the next beat is taken, even with the first response still waiting for BREADY. Both
    writes land, each with one OKAY, and read back (driven cycle by cycle, not by the master)."""
    tb, build = await started(dut)
    bus = tb.axil.bus
    rounds = [("W", "AW", [(regs.REG["ACT_FRAC"], 5), (regs.REG["PE_SEL"], build["NumPe"] - 1)]),
              ("AW", "W", [(regs.REG["ACT_FRAC"], 2), (regs.REG["PE_SEL"], 0)])]
    for first, pair, writes in rounds:
        payload = [{"AW": address, "W": value} for address, value in writes]
        _offer(bus, first, payload[0][first])
        await _until_ready(dut, bus, first)
        # The second write's beat on the same channel, its pair still missing: held back.
        _offer(bus, first, payload[1][first])
        for _ in range(3):
            await ReadOnly()
            assert not int(getattr(bus, f"{first}READY").value), \
                f"{first}READY high with the first write's {first} still held for its {pair}"
            await RisingEdge(dut.clk_i)
        _offer(bus, pair, payload[0][pair])
        await _until_ready(dut, bus, pair)
        # The first write lands; the held-back beat goes in while its response waits.
        await _until_ready(dut, bus, first)
        await _take_response(dut, bus, f"the first write ({first} first)")
        _offer(bus, pair, payload[1][pair])
        await _until_ready(dut, bus, pair)
        await _take_response(dut, bus, f"the second write ({first} first)")
        for address, value in writes:
            got = await tb.reg_read(address)
            assert got == value, f"register {address:#x} reads {got:#x}, not {value:#x} ({first} first)"
    assert await error_bits(tb) == []
    tb.check_protocols()


@cocotb.test(timeout_time=2, timeout_unit="ms")
async def each_run_starts_status_and_layer_cycles_afresh(dut):
    """STATUS.DONE of the last run clears when START is accepted, not when the new run ends
    (software polling DONE must not take a running core for a finished one), and LAYER_CYCLES
    holds the cycles of the last run's layers: every layer run counted, every other one 0
    (rtl/eie_regs.rdl). Four runs of a network of fewer layers than MaxLayers, other inputs each
    time."""
    tb, build = await started(dut)
    rng = np.random.default_rng(cocotb.RANDOM_SEED % (1 << 32))
    memory = MemoryConfig(build["SpmatDepth"], build["PtrBankDepth"], build["ActDepth"], build["MaxLayers"])
    shapes = [(9, 7), (11, 9), (5, 11)][:max(1, build["MaxLayers"] - 1)]
    layers = [Layer(rng.normal(size=shape), rng.normal(size=shape[0]) if i % 2 == 0 else None)
              for i, shape in enumerate(shapes)]
    image = pack(layers, PackOptions(num_pes=build["NumPe"], density=0.5, memory=memory))
    await tb.load_image(image)
    for run in range(4):
        acts = rng.integers(-2000, 2000, size=image.in_features) * (rng.random(image.in_features) < 0.7)
        await tb.load_input(image, acts)
        await tb.reg_write("CTRL", CTRL_START)
        status = await tb.reg_read("STATUS")
        assert status & (STATUS_BUSY | STATUS_DONE) == STATUS_BUSY, f"run {run}: STATUS {status:#x} just after START"
        await tb.wait_idle(watchdog_cycles(image, acts))
        status = await tb.reg_read("STATUS")
        assert status & (STATUS_BUSY | STATUS_DONE | STATUS_ERROR) == STATUS_DONE, \
            f"run {run}: STATUS {status:#x} at the end"
        for layer in range(build["MaxLayers"]):
            cycles = await tb.reg_read(layer_cycles_reg(layer))
            if layer < len(layers):
                assert cycles > 0, f"run {run}: LAYER_CYCLES[{layer}] reads 0 for a layer that ran"
            else:
                assert cycles == 0, f"run {run}: LAYER_CYCLES[{layer}] reads {cycles:#x}, for a layer that did not run"
    tb.check_protocols()


@cocotb.test(timeout_time=2, timeout_unit="ms")
async def a_shift_past_fifteen_requantises_the_results(dut):
    """LAYER_FLAGS.SHIFT is 5 bits (rtl/eie_regs.rdl); the packer writes w_frac, 0..15, a host may
    write up to 31. Both places that requantise take it: the last layer's RESULT reads, at 16 + w_frac,
    then every hidden layer's write-back into the activation files, at 16 (their weights and biases
    are drawn in 0..0.9, so w_frac is 15 and every activation after layer 0 is positive: halving one
    changes the outputs). The outputs equal eie ref's (eie.models.reference.run_layers) for the image
    with each layer's w_frac the SHIFT written. A network of MaxLayers layers, so that the last
    descriptor slot is in use."""
    tb, build = await started(dut)
    rng = np.random.default_rng(cocotb.RANDOM_SEED % (1 << 32))
    memory = MemoryConfig(build["SpmatDepth"], build["PtrBankDepth"], build["ActDepth"], build["MaxLayers"])
    sizes = [7] + [int(rng.integers(3, 9)) for _ in range(build["MaxLayers"])]
    last_index = build["MaxLayers"] - 1
    hidden = range(1, last_index)

    def drawn(index: int, cols: int, rows: int) -> Layer:
        if index in hidden:
            return Layer(rng.uniform(0, 0.9, size=(rows, cols)), rng.uniform(0.1, 0.9, size=rows))
        # Every layer has a bias: the last layer's accumulators are then not all zero when the layer
        # before outputs only zeros (ReLU), which left the two shifts' results equal in about 1 run in 25.
        return Layer(rng.normal(size=(rows, cols)), rng.normal(size=rows))

    layers = [drawn(i, cols, rows) for i, (cols, rows) in enumerate(zip(sizes, sizes[1:]))]
    # A linear last layer: ReLU would often zero its results at either shift.
    image = pack(layers, PackOptions(num_pes=build["NumPe"], density=0.6, memory=memory, linear_last=True))
    packed = [layer.w_frac for layer in image.layers]
    assert max(packed) < 16 and all(packed[i] == 15 for i in hidden), packed
    await tb.load_image(image)
    decoded = decode(image)

    async def runs(shifts: list[int], scale: int, what: str) -> None:
        """Four runs with these SHIFTs written, inputs in -scale..scale; at least one must tell them from w_frac."""
        assert max(shifts) < 1 << regs.REGISTERS["LAYER_FLAGS"].field("SHIFT").width
        for index, layer in enumerate(image.layers):
            await tb.reg_write(regs.REGISTERS["LAYER_FLAGS"].address(index),
                               layer_flags(layer.bias, layer.relu, shifts[index]))

        # eie ref of the image as the registers now read: each layer's w_frac the SHIFT written.
        rewritten = replace(decoded, derived={}, layers=[
            replace(layer, spec=replace(layer.spec, w_frac=shift)) for layer, shift in zip(decoded.layers, shifts)])
        telling = 0  # runs whose results at the written shifts differ from those at w_frac
        for run in range(4):
            acts = rng.integers(-scale, scale, size=image.in_features) * (rng.random(image.in_features) < 0.7)
            await tb.load_input(image, acts)
            status = await tb.start_and_wait(watchdog_cycles(image, acts))
            assert status & (STATUS_BUSY | STATUS_DONE | STATUS_ERROR) == STATUS_DONE, \
                f"{what}, run {run}: STATUS {status:#x}, errors {await error_bits(tb)}"
            expected = run_layers(rewritten, acts)[0]
            telling += not np.array_equal(expected, run_layers(decoded, acts)[0])
            assert np.array_equal(await tb.read_output(image), expected), \
                f"{what}, run {run}: outputs differ from eie ref's"
        # Not left to chance: the reference alone, over 5,000 seeds of this construction (session 29),
        # told in every seed's four runs of either kind.
        assert telling, f"{what}: no run's results tell the shift's top bit"

    # Large inputs: the last layer's accumulators must reach 2^16 times their usual size.
    await runs(packed[:-1] + [16 + packed[-1]], 20000, "the last layer at 16 + w_frac")
    if hidden:
        # Smaller inputs: the hidden layers' activations stay below saturation at either shift.
        await runs([16 if i in hidden else shift for i, shift in enumerate(packed)], 2000, "hidden layers at 16")
    tb.check_protocols()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def load_port_reads_back_every_memory(dut):
    """Every PE's sparse-matrix words, pointers and both activation files read back, through
    the load port, what was written to them (activations sign-extended); the write-only
    codebook answers 0 and sets ERROR.LOAD_RANGE (rtl/eie_regs.rdl). Two rounds of writes, the
    memories in one order, then in the reverse order with new values at the same indices: a
    write must leave every other memory alone (the two activation files share their port's
    address and data), whichever was written last."""
    tb, build = await started(dut)
    rng = random.Random(cocotb.RANDOM_SEED)
    memory = MemoryConfig(build["SpmatDepth"], build["PtrBankDepth"], build["ActDepth"], build["MaxLayers"])
    depths = {TGT_SPMAT: (memory.spmat_words, 64), TGT_PTR: (2 * memory.ptr_bank_depth, memory.ptr_width),
              TGT_ACT0: (memory.act_depth, ACT_WIDTH), TGT_ACT1: (memory.act_depth, ACT_WIDTH)}
    indices = {(pe, target): sorted({0, depth - 1, rng.randrange(depth)})
               for pe in range(build["NumPe"]) for target, (depth, _) in depths.items()}
    for order in (list(depths), list(reversed(depths))):
        expected = {}
        for pe in range(build["NumPe"]):
            for target in order:
                bits = depths[target][1]
                for index in indices[(pe, target)]:
                    value = rng.getrandbits(bits)
                    # An activation is a signed 16-bit number: it reads back sign-extended to 64 bits.
                    signed = value - (1 << bits) if target in (TGT_ACT0, TGT_ACT1) and value >> (bits - 1) else value
                    expected[ld_address(target, pe, index)] = signed & ((1 << 64) - 1)
                    await tb.load.write_many([(ld_address(target, pe, index), value)])
        for address, value in expected.items():
            assert await tb.load.read(address) == value, \
                f"load-port address {address:#x} does not read back {value:#x} (targets written in order {order})"
    assert await error_bits(tb) == []
    assert await tb.load.read(ld_address(TGT_CODEBOOK, 0, 0)) == 0
    assert await error_bits(tb) == ["LOAD_RANGE"]
    tb.check_protocols()


def relocated(image, offset: int):
    """``image`` with every PE's pointer tables moved up by ``offset`` (even) pointer indices: the
    same pointers (absolute entry indices) at other bank addresses, each layer's LAYER_PTR_BASE
    with them (the indices below are written as zeros, read by no layer)."""
    assert offset >= 0 and offset % 2 == 0, offset
    pointers = [np.concatenate([np.zeros(offset, dtype=np.int64), p]) for p in image.pointers]
    return replace(image, pointers=pointers,
                   layers=[replace(spec, ptr_base=spec.ptr_base + offset) for spec in image.layers])


@cocotb.test(timeout_time=4, timeout_unit="ms")
async def pointer_tables_anywhere_in_the_banks(dut):
    """A layer's pointer table may sit anywhere in the banks (LAYER_PTR_BASE, even, up to the last
    index): the packer starts at 0 and the networks of the whole-core tests end their tables below
    2 x PtrBankDepth / 2, so the upper half of the banks, and the bank addresses' top bit, saw no run.
    The same image with its tables moved up, first across the middle of the index range, then to its
    very end (the last pointer at 2 x PtrBankDepth - 1: every address bit set): the outputs equal eie
    ref's for the image as packed (eie.models.reference.run_layers), with no error."""
    tb, build = await started(dut)
    rng = np.random.default_rng(cocotb.RANDOM_SEED % (1 << 32))
    memory = MemoryConfig(build["SpmatDepth"], build["PtrBankDepth"], build["ActDepth"], build["MaxLayers"])
    shapes = [(9, 7), (11, 9), (5, 11)][:max(1, build["MaxLayers"] - 1)]
    layers = [Layer(rng.normal(size=shape), rng.normal(size=shape[0])) for shape in shapes]
    image = pack(layers, PackOptions(num_pes=build["NumPe"], density=0.6, memory=memory, linear_last=True))
    decoded = decode(image)
    total = len(image.pointers[0])
    assert all(len(p) == total for p in image.pointers), "test bug: the PEs' tables differ in length"
    top = 2 * build["PtrBankDepth"]
    middle = build["PtrBankDepth"] - total // 2
    middle -= middle % 2
    assert middle < top // 2 < middle + total, "test bug: the tables do not straddle the middle"
    for offset in (middle, (top - total) - (top - total) % 2):
        moved = relocated(image, offset)
        await tb.load_image(moved)
        for run in range(2):
            acts = rng.integers(-2000, 2000, size=image.in_features) * (rng.random(image.in_features) < 0.8)
            await tb.load_input(moved, acts)
            status = await tb.start_and_wait(watchdog_cycles(image, acts))
            assert status & (STATUS_BUSY | STATUS_DONE | STATUS_ERROR) == STATUS_DONE, \
                f"tables from {offset}, run {run}: STATUS {status:#x}, errors {await error_bits(tb)}"
            assert np.array_equal(await tb.read_output(moved), run_layers(decoded, acts)[0]), \
                f"tables from {offset}, run {run}: outputs differ from eie ref's"
    tb.check_protocols()


@cocotb.test(timeout_time=2, timeout_unit="ms")
async def layers_that_broadcast_nothing_write_back_their_shape(dut):
    """A first layer that broadcasts nothing (no bias, an all-zero input) is over before the
    accumulator sweep (eie_pkg::AccSweepCycles) that holds the second layer back, so every PE writes
    it back before the CCU advances; a second layer that broadcasts nothing either is then over in
    its first cycle, the one in which the CCU's registered descriptor holds the next descriptor it
    read ahead (eie_ccu next_q) and the write-back takes its LAYER_OUT. Its write-back writes
    LAYER_OUT rows of zeros, one a cycle, and the third layer's leaves are done only after it: the
    outputs (the third layer's biases) equal eie ref's and every counter the cycle model's
    (eie.models.perf through eie.sim.tb.core_check.model_differences). Second layers of 20 outputs
    and of 9 (LAYER_OUT's bit 4 set and clear), of 1 and of 3."""
    tb, build = await started(dut)
    assert build["MaxLayers"] >= 3, f"test bug: a three-layer network on a core of MaxLayers {build['MaxLayers']}"
    rng = np.random.default_rng(cocotb.RANDOM_SEED % (1 << 32))
    memory = MemoryConfig(build["SpmatDepth"], build["PtrBankDepth"], build["ActDepth"], build["MaxLayers"])
    widest = build["ActDepth"] * build["NumPe"]
    for out in [w for w in (20, 9, 1, 3) if w <= widest]:
        shapes = [(7, 5), (out, 7), (6, out)]
        layers = [Layer(rng.normal(size=shapes[0]), None), Layer(rng.normal(size=shapes[1]), None),
                  Layer(rng.normal(size=shapes[2]), rng.normal(size=shapes[2][0]))]
        image = pack(layers, PackOptions(num_pes=build["NumPe"], density=0.7, memory=memory, linear_last=True))
        assert [spec.bias for spec in image.layers] == [False, False, True], "test bug: biases"
        await tb.load_image(image)
        acts = np.zeros(image.in_features, dtype=np.int64)
        await tb.load_input(image, acts)
        status = await tb.start_and_wait(watchdog_cycles(image, acts))
        assert status & (STATUS_BUSY | STATUS_DONE | STATUS_ERROR) == STATUS_DONE, \
            f"second layer of {out} outputs: STATUS {status:#x}, errors {await error_bits(tb)}"
        decoded = decode(image)
        assert np.array_equal(await tb.read_output(image), run_layers(decoded, acts)[0]), \
            f"second layer of {out} outputs: outputs differ from eie ref's"
        found = model_differences(decoded, acts, await tb.read_report(image), build["QueueDepth"],
                                  build["HistoryDepth"], build["TakeLanes"])
        assert not found, f"second layer of {out} outputs: the cycle model disagrees: {'; '.join(found)}"
    tb.check_protocols()
