# SPDX-License-Identifier: Apache-2.0
"""Testbench components for eie_core: bus drivers, the image loader and a run helper.

- ``LoadPort``: a cocotb-bus driver for the load port, one beat per cycle, with an
  optional pause generator between beats; ``LoadPortReadMonitor`` reports every
  read answer (the results) to the result checker (core_check.py).
- ``EieTB``: owns clock and reset; loads an ``eie.image.Image`` through the load
  port, programs the registers through ``AxiLiteMaster``, runs, reads results and
  performance counters. Protocol monitors (bus_protocol.py) watch both interfaces
  in every test; with a ``Backpressure`` every channel of both gets random
  valid/ready delays.
- ``ScriptPlayer``: on the simulation-only top level rtl/eie_sim_top.sv, a list of
  accesses played by the simulator itself through the same two ports, with no
  Python per access or per cycle (``EieTB(io="script")``: eie sim's default); the
  results it reads from every PE at once, through each PE's own read path.
"""

from __future__ import annotations

import numpy as np

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, FallingEdge, ReadOnly, RisingEdge, with_timeout
from cocotb_bus.drivers import BusDriver
from cocotb_bus.drivers.amba import AXIProtocolError, AXIxRESP
from cocotb_bus.monitors import BusMonitor

from eie.packing.compress import NUM_CODES
from eie.hw import layer_flags, ld_address, regs
from eie.sim.tb.bus_protocol import LOAD_SIGNALS, AxiLiteMaster, AxiLiteProtocolMonitor, LoadPortProtocolMonitor
from eie.models.events import CORE_EVENTS, PE_EVENTS
from eie.sim.tb.pauses import Backpressure, gaps

# The host interface, generated from rtl/eie_regs.rdl (eie.hw.regs).
TGT_SPMAT, TGT_PTR, TGT_CODEBOOK, TGT_ACT0, TGT_ACT1, TGT_RESULT = (
    regs.LdTarget.SPMAT, regs.LdTarget.PTR, regs.LdTarget.CODEBOOK, regs.LdTarget.ACT0,
    regs.LdTarget.ACT1, regs.LdTarget.RESULT)
REG = regs.REG
CLOCK_PERIOD_NS = 10
# report["pe"] keys: "busy", "starved", ... in register order.
PE_COUNTERS = tuple(name.removeprefix("PE_").lower() for name in regs.PE_COUNTERS)
ERROR_BITS = regs.ERROR_BITS
CTRL, STATUS = regs.REGISTERS["CTRL"], regs.REGISTERS["STATUS"]
FEATURES = regs.REGISTERS["FEATURES"]
CTRL_START = CTRL.field("START").encode(1)
CTRL_IMAGE_KEPT = CTRL.field("IMAGE_KEPT").encode(1)
STATUS_BUSY = STATUS.field("BUSY").mask
STATUS_DONE = STATUS.field("DONE").mask
STATUS_ERROR = STATUS.field("ERROR").mask


def layer_reg(layer: int, name: str) -> int:
    """Register ``name`` (LAYER_IN, LAYER_OUT, LAYER_PTR_BASE, LAYER_FLAGS) of layer descriptor ``layer``."""
    return regs.REGISTERS[name].address(layer)


def layer_cycles_reg(layer: int) -> int:
    return regs.REGISTERS["LAYER_CYCLES"].address(layer)


class LoadPort(BusDriver):
    """Driver of the load port; writes stream one beat per cycle, reads wait for the answer.

    ``pause`` yields idle cycles to insert before each beat (``eie.sim.tb.pauses.gaps``);
    with ``backpressure`` the read answer also waits for a randomly held-off rready.
    """

    _signals = LOAD_SIGNALS

    def __init__(self, dut, clock, pause=None, backpressure: Backpressure | None = None):
        super().__init__(dut, "ld", clock)
        self.pause = pause or gaps("none")
        self.backpressure = backpressure
        self.bus.valid.value = 0
        self.bus.write.value = 0
        self.bus.addr.value = 0
        self.bus.wdata.value = 0
        self.bus.rready.value = 1
        self.beats = 0

    async def _beat(self, write: bool, addr: int, data: int) -> None:
        for _ in range(next(self.pause)):
            self.bus.valid.value = 0
            await RisingEdge(self.clock)
        self.bus.valid.value = 1
        self.bus.write.value = int(write)
        self.bus.addr.value = addr
        self.bus.wdata.value = data
        while True:
            await RisingEdge(self.clock)
            if self.bus.ready.value:
                break
        self.bus.valid.value = 0
        self.beats += 1

    async def write_many(self, beats) -> None:
        """Beats of (address, data); valid stays high across back-to-back beats."""
        for addr, data in beats:
            await self._beat(True, addr, int(data))
        self.bus.valid.value = 0

    async def read(self, addr: int) -> int:
        await self._beat(False, addr, 0)
        while True:
            ready = self.backpressure.ready() if self.backpressure else True
            self.bus.rready.value = int(ready)
            await ReadOnly()
            if ready and self.bus.rvalid.value:
                value = int(self.bus.rdata.value)
                break
            await RisingEdge(self.clock)
        await RisingEdge(self.clock)
        return value


class LoadPortReadMonitor(BusMonitor):
    """Every read answer on the load port (rvalid && rready) as a signed 64-bit integer.

    It sleeps while no answer is pending, so a long compute phase costs no Python
    call per cycle.
    """

    _signals = {"rvalid": "rvalid_o", "rready": "rready_i", "rdata": "rdata_o"}

    async def _monitor_recv(self) -> None:
        await RisingEdge(self.clock)
        while True:
            await ReadOnly()  # the settled values of this cycle
            if self.bus.rvalid.value and self.bus.rready.value:
                raw = int(self.bus.rdata.value)
                self._recv(raw - (1 << 64) if raw >> 63 else raw)
            if not self.bus.rvalid.value:
                await self.bus.rvalid.value_change
                continue
            await RisingEdge(self.clock)


def image_beats(image, include_codebook: bool = True):
    """Every load-port write that puts ``image`` (an eie.image.Image) into the core."""
    for pe in range(image.num_pes):
        for index, word in enumerate(image.spmat[pe]):
            yield ld_address(TGT_SPMAT, pe, index), int(word)
        for index, pointer in enumerate(image.pointers[pe]):
            yield ld_address(TGT_PTR, pe, index), int(pointer)
    if include_codebook:
        for layer, spec in enumerate(image.layers):
            for code, value in enumerate(spec.codebook_int):
                yield ld_address(TGT_CODEBOOK, 0, NUM_CODES * layer + code), int(value) & 0xFFFF


def activation_beats(acts: np.ndarray, num_pes: int, target: int):
    """Write the non-zero activations of a distributed vector (the bitmap starts empty)."""
    for j in np.nonzero(acts)[0]:
        yield ld_address(target, int(j) % num_pes, int(j) // num_pes), int(acts[j]) & 0xFFFF


# Script operations (rtl/eie_sim_top.sv): one access each, answered in order; OP_RESULTS
# (address: a count) reads that many results through every PE's read path at once,
# one answer each.
OP_LD_READ, OP_LD_WRITE, OP_REG_READ, OP_REG_WRITE, OP_RESULTS = range(5)
# eie sim's way to the ports: the simulator plays each batch of accesses from a
# file (script), or the testbench drives every access from Python (port).
IO_METHODS = ("script", "port")
SIM_TOP = "eie_sim_top"


class ScriptPlayer:
    """Plays a list of accesses through rtl/eie_sim_top.sv's script player.

    The simulator reads the script file (+eie_script=PATH), plays every access on
    the core's real ports one at a time and writes each answer to PATH.out; the
    testbench sleeps on script_done_o meanwhile. A non-OKAY register response
    raises AXIProtocolError, as the AXI4-Lite master does.
    """

    def __init__(self, dut, path):
        self.dut = dut
        self.path = path
        self.accesses = 0
        dut.script_start_i.value = 0

    async def play(self, ops: list[tuple[int, int, int]]) -> list[int]:
        """(op, address, data) each; returns each access's read data (0 for a write), and
        for an OP_RESULTS the ``address`` results."""
        self.path.write_text("".join(f"{op:x} {addr:x} {data & (1 << 64) - 1:x}\n" for op, addr, data in ops))
        self.dut.script_start_i.value = 1
        await RisingEdge(self.dut.clk_i)
        self.dut.script_start_i.value = 0
        await RisingEdge(self.dut.script_done_o)
        await RisingEdge(self.dut.clk_i)
        answers = [line.split() for line in self.path.with_name(self.path.name + ".out").read_text().splitlines()]
        # One answer an access; an OP_RESULTS answers once per result.
        asked = [(op, addr) for op, addr, _ in ops for _ in range(addr if op == OP_RESULTS else 1)]
        assert len(answers) == len(asked), f"the script player answered {len(answers)} of {len(asked)} accesses"
        for (op, addr), (resp, _) in zip(asked, answers):
            if int(resp, 16):
                kind = "read" if op == OP_REG_READ else "write"
                raise AXIProtocolError(f"{kind} of {addr:#x}: RESP {int(resp, 16)}", AXIxRESP(int(resp, 16)))
        self.accesses += len(ops)
        return [int(data, 16) for _, data in answers]


def _fill(array_handle, values) -> None:
    """Write the first len(values) elements of a memory array through VPI."""
    for index, value in enumerate(values.tolist()):
        array_handle[index].value = int(value)


class EieTB:
    """Clock, reset, and the whole-run sequence for one eie_core instance."""

    def __init__(self, dut, load_pause=None, backpressure: Backpressure | None = None, io: str = "port",
                 script_path=None):
        """``io`` "script" (on rtl/eie_sim_top.sv, ``script_path`` naming its
        +eie_script file) plays the inputs, counter reads and result reads of each
        run from the simulator; "port" drives every access from Python."""
        self.dut = dut
        self.log = dut._log
        self.backpressure = backpressure
        # The core itself: eie_sim_top holds it as u_core.
        self.core = dut.u_core if dut._name == SIM_TOP else dut
        assert io in IO_METHODS, f"unknown io {io!r}"
        assert io == "port" or (dut._name == SIM_TOP and script_path is not None), \
            f"io='script' needs the top level {SIM_TOP} and its script file"
        self.script = ScriptPlayer(dut, script_path) if io == "script" else None
        cocotb.start_soon(Clock(dut.clk_i, CLOCK_PERIOD_NS, unit="ns").start())
        self.axil = AxiLiteMaster(dut, "s_axil", dut.clk_i, backpressure)
        if backpressure is not None:
            load_pause = load_pause or backpressure.gaps()
        self.load = LoadPort(dut, dut.clk_i, load_pause, backpressure)
        self.results = LoadPortReadMonitor(dut, "ld", dut.clk_i)
        self.axil_protocol = AxiLiteProtocolMonitor(dut, "s_axil", dut.clk_i, dut.rst_ni)
        self.load_protocol = LoadPortProtocolMonitor(dut, "ld", dut.clk_i, dut.rst_ni)

    def check_protocols(self) -> None:
        """Fail on any AXI4-Lite or load-port rule the monitors saw broken since the last check."""
        found = [f"{m}: {'; '.join(m.violations)}" for m in (self.axil_protocol, self.load_protocol) if m.violations]
        for monitor in (self.axil_protocol, self.load_protocol):
            monitor.violations.clear()
        assert not found, " | ".join(found)

    async def reset(self) -> None:
        self.dut.rst_ni.value = 0
        await ClockCycles(self.dut.clk_i, 3)
        await FallingEdge(self.dut.clk_i)
        self.dut.rst_ni.value = 1
        await RisingEdge(self.dut.clk_i)

    async def reg_write(self, name_or_addr, value: int) -> None:
        addr = REG[name_or_addr] if isinstance(name_or_addr, str) else name_or_addr
        await self.axil.write(addr, value)

    async def reg_read(self, name_or_addr) -> int:
        addr = REG[name_or_addr] if isinstance(name_or_addr, str) else name_or_addr
        return int(await self.axil.read(addr))

    async def check_parameters(self, image) -> None:
        """The RTL must have been built with the image's PE count and memory sizes."""
        mem = image.memory
        expect = {"NUM_PE": image.num_pes, "SPMAT_DEPTH": mem.spmat_words, "PTR_DEPTH": mem.ptr_bank_depth,
                  "ACT_DEPTH": mem.act_depth, "MAX_LAYERS": mem.max_layers}
        for name, value in expect.items():
            got = await self.reg_read(name)
            assert got == value, f"core {name} is {got}, the image needs {value}"

    async def load_image(self, image, load_with: str = "port") -> None:
        """The image's words into the core. ``port``: every word through the load
        port. ``vpi``: the sparse-matrix and pointer arrays written directly (for
        images of hundreds of thousands of words); ``files``: those arrays were read
        from the image's files at time 0 by the simulator (+eie_image_dir). The
        codebooks and registers always go through the ports."""
        if load_with == "port":
            await self.load.write_many(image_beats(image))
        else:
            if load_with == "vpi":
                self._write_memories_directly(image)
            else:
                assert load_with == "files", f"unknown load method {load_with!r}"
            # One pointer through the port marks the image loaded (else ERROR.NOT_LOADED).
            first_pointer = (ld_address(TGT_PTR, 0, 0), int(image.pointers[0][0]))
            target = regs.LD_ADDR.field("TARGET")
            codebook = (b for b in image_beats(image) if target.decode(b[0]) == TGT_CODEBOOK)
            await self.load.write_many([first_pointer, *codebook])
        await self.write_registers(image)

    async def write_registers(self, image) -> None:
        """NUM_LAYERS, ACT_FRAC and every layer descriptor of ``image``."""
        await self.reg_write("NUM_LAYERS", len(image.layers))
        await self.reg_write("ACT_FRAC", image.act_frac)
        for index, spec in enumerate(image.layers):
            await self.reg_write(layer_reg(index, "LAYER_IN"), spec.in_features)
            await self.reg_write(layer_reg(index, "LAYER_OUT"), spec.out_features)
            await self.reg_write(layer_reg(index, "LAYER_PTR_BASE"), spec.ptr_base)
            await self.reg_write(layer_reg(index, "LAYER_FLAGS"), layer_flags(spec.bias, spec.relu, spec.w_frac))

    def _write_memories_directly(self, image) -> None:
        for pe in range(image.num_pes):
            # By name, not dut.g_pe[pe]: a build without probes (rtl/eie_backdoor_public.vlt)
            # has no indexable generate array, only the named scopes.
            unit = self.core[f"g_pe[{pe}]"].u_pe
            spmat, ptr = image.spmat[pe], image.pointers[pe]
            _fill(unit.u_spmat_read.mem, spmat)
            _fill(unit.u_ptr_read.even_mem, ptr[0::2])
            _fill(unit.u_ptr_read.odd_mem, ptr[1::2])

    async def load_input(self, image, acts: np.ndarray, input_file: int = 0) -> None:
        # INPUT_FILE first: the non-zero bitmap follows writes to the input file only.
        target = TGT_ACT1 if input_file else TGT_ACT0
        if self.script is not None:
            await self.script.play([(OP_REG_WRITE, REG["INPUT_FILE"], input_file),
                                    *((OP_LD_WRITE, a, d) for a, d in activation_beats(acts, image.num_pes, target))])
            return
        await self.reg_write("INPUT_FILE", input_file)
        await self.load.write_many(activation_beats(acts, image.num_pes, target))

    async def start_and_wait(self, timeout_cycles: int) -> int:
        """START, then wait for DONE (or an error) with a watchdog; returns STATUS."""
        await self.reg_write("CTRL", CTRL_START)
        await self.wait_idle(timeout_cycles)
        return await self.reg_read("STATUS")

    async def wait_idle(self, timeout_cycles: int) -> None:
        """Wait until BUSY drops; the watchdog turns a hang into a failure."""
        await RisingEdge(self.dut.clk_i)
        try:
            await with_timeout(self._wait_idle(), timeout_cycles * CLOCK_PERIOD_NS, "ns")
        except cocotb.triggers.SimTimeoutError:
            raise AssertionError(f"watchdog: the core did not finish within {timeout_cycles} cycles") from None

    async def _wait_idle(self) -> None:
        # An edge trigger, not a poll per cycle: the core runs with no Python in the loop.
        await ReadOnly()
        if self.dut.busy_o.value:
            await FallingEdge(self.dut.busy_o)
        await RisingEdge(self.dut.clk_i)

    async def read_output(self, image) -> np.ndarray:
        """Output i of the last layer from PE i mod N, local row i div N (sign-extended words).
        With io="script" every PE reads its rows at once (rtl/eie_sim_top.sv, OP_RESULTS),
        through its own RESULT read path; else each through the load port."""
        if self.script is not None:
            raw = await self.script.play([(OP_RESULTS, image.out_features, 0)])
        else:
            addresses = [ld_address(TGT_RESULT, i % image.num_pes, i // image.num_pes)
                         for i in range(image.out_features)]
            raw = await self.accesses([(OP_LD_READ, a, 0) for a in addresses])
        return np.array([r - (1 << 64) if r >> 63 else r for r in raw], dtype=np.int64)

    async def accesses(self, ops: list[tuple[int, int, int]]) -> list[int]:
        """(op, address, data) each (OP_*), in order; returns each one's read data (0 for
        a write). Played by the simulator with io="script", else one by one from Python."""
        if self.script is not None:
            return await self.script.play(ops)
        values = []
        for op, addr, data in ops:
            if op == OP_REG_READ:
                values.append(await self.reg_read(addr))
            elif op == OP_REG_WRITE:
                await self.reg_write(addr, data)
                values.append(0)
            elif op == OP_LD_READ:
                values.append(await self.load.read(addr))
            else:
                await self.load.write_many([(addr, data)])
                values.append(0)
        return values

    async def pe_counters_built(self) -> bool:
        """FEATURES.PE_COUNTERS: the core has its per-PE counters (eie_core's PeCounters)."""
        return bool(FEATURES.field("PE_COUNTERS").decode(await self.reg_read("FEATURES")))

    async def read_report(self, image) -> dict:
        """The counters of the last run. Without per-PE counters (FEATURES.PE_COUNTERS 0)
        ``"pe"`` is None, and every PE_* register of every PE must read 0."""
        num_layers = len(image.layers)
        core_regs = [REG["CYCLES_LO"], REG["CYCLES_HI"], *(layer_cycles_reg(l) for l in range(num_layers)),
                     REG["BCASTS"], REG["BCAST_STALLS"], REG["FEATURES"]]
        ops = [(OP_REG_READ, addr, 0) for addr in core_regs]
        for pe in range(image.num_pes):
            ops += [(OP_REG_WRITE, REG["PE_SEL"], pe), *((OP_REG_READ, REG[name], 0) for name in regs.PE_COUNTERS)]
        values = await self.accesses(ops)
        lo, hi, *layer_cycles = values[:num_layers + 2]
        bcasts, stalls, features = values[num_layers + 2:len(core_regs)]
        report = {
            "cycles": lo | hi << 32,
            "layer_cycles": layer_cycles,
            "broadcasts": bcasts,
            "broadcast_stalls": stalls,
            "pe": None,
        }
        built = bool(FEATURES.field("PE_COUNTERS").decode(features))
        if built:
            report["pe"] = {name: [] for name in PE_COUNTERS}
        per_pe = values[len(core_regs):]
        stride = 1 + len(PE_COUNTERS)
        for pe in range(image.num_pes):
            for reg_name, name, value in zip(regs.PE_COUNTERS, PE_COUNTERS, per_pe[pe * stride + 1:(pe + 1) * stride]):
                if built:
                    report["pe"][name].append(value)
                else:
                    assert value == 0, f"{reg_name} of PE {pe} reads {value}, but the core has no PE counters"
        report["events"] = self.read_events(image.num_pes)
        return report

    def read_events(self, num_pes: int) -> dict:
        """The energy-relevant events of the last run (eie.models.events), from the
        simulation-only counters eie_pe_events and eie_core_events (<name>_q, read
        through VPI; rtl/eie_backdoor_public.vlt keeps them visible in lean builds)."""
        units = [self.core[f"g_pe[{pe}]"].u_pe.u_events for pe in range(num_pes)]
        return {
            "pe": {name: [int(getattr(unit, f"{name}_q").value) for unit in units] for name in PE_EVENTS},
            "core": {name: int(getattr(self.core.u_events, f"{name}_q").value) for name in CORE_EVENTS},
        }

    async def errors(self) -> list[str]:
        bits = await self.reg_read("ERROR")
        return [name for i, name in enumerate(ERROR_BITS) if bits >> i & 1]


def watchdog_cycles(image, acts: np.ndarray) -> int:
    """A generous bound on a run: every entry, broadcast and row many times over."""
    entries = sum(max(spec.entries) for spec in image.layers)
    widest = max(max(s.in_features, s.out_features) for s in image.layers)
    return 20 * (entries + widest * len(image.layers)) + 2000
