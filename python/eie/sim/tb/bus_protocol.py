# SPDX-License-Identifier: Apache-2.0
"""Bus stress and protocol checks for eie_core's two interfaces.

- ``AxiLiteMaster``: the one AXI4-Lite master of the testbenches (a cocotb-bus
  ``BusDriver``). Plain, every request goes out at once and the responses are
  taken as soon as they come; with a ``Backpressure`` it drives AW and W
  independently, each after its own random delay, and holds BREADY/RREADY low
  for random stretches: random valid/ready backpressure on all five channels.
  A non-OKAY response raises ``AXIProtocolError`` (cocotb-bus's) either way.
- ``AxiLiteProtocolMonitor`` and ``LoadPortProtocolMonitor``: watch every cycle
  in which their bus is active and record each rule broken (AMBA AXI A3.2.1
  handshake rules, responses only to requests, no X/Z on the core's outputs
  after reset). Testbenches assert ``violations`` is empty.

The monitors sleep on edge triggers while their bus is idle, so a long compute
phase costs them nothing.
"""

from __future__ import annotations

from cocotb.triggers import First, ReadOnly, RisingEdge
from cocotb_bus.drivers import BusDriver
from cocotb_bus.drivers.amba import AXIProtocolError, AXIxRESP
from cocotb_bus.monitors import BusMonitor

from eie.sim.tb.pauses import Backpressure

AXIL_SIGNALS = {
    "AWVALID": "awvalid_i", "AWADDR": "awaddr_i", "AWREADY": "awready_o",
    "WVALID": "wvalid_i", "WREADY": "wready_o", "WDATA": "wdata_i", "WSTRB": "wstrb_i",
    "BVALID": "bvalid_o", "BREADY": "bready_i", "BRESP": "bresp_o",
    "ARVALID": "arvalid_i", "ARADDR": "araddr_i", "ARREADY": "arready_o",
    "RVALID": "rvalid_o", "RREADY": "rready_i", "RRESP": "rresp_o", "RDATA": "rdata_o",
}
LOAD_SIGNALS = {
    "valid": "valid_i", "ready": "ready_o", "write": "write_i", "addr": "addr_i",
    "wdata": "wdata_i", "rvalid": "rvalid_o", "rready": "rready_i", "rdata": "rdata_o",
}


class AxiLiteMaster(BusDriver):
    """AXI4-Lite master; with ``backpressure``, random delays on AW, W and AR and random BREADY/RREADY."""

    _signals = AXIL_SIGNALS

    def __init__(self, entity, name, clock, backpressure: Backpressure | None = None):
        super().__init__(entity, name, clock)
        # No idle share: no request waits and every response is taken at once.
        self.bp = backpressure or Backpressure(0, 0.0)
        for signal in ("AWVALID", "WVALID", "BREADY", "ARVALID", "RREADY", "AWADDR", "WDATA", "ARADDR"):
            getattr(self.bus, signal).value = 0
        self.bus.WSTRB.value = 0xF

    async def write(self, address: int, value: int, byte_enable: int = 0xF) -> int:
        """One write; returns BRESP (raises AXIProtocolError unless OKAY)."""
        aw_wait, w_wait = self.bp.delay(), self.bp.delay()
        aw_done = w_done = False
        while True:
            aw_on = not aw_done and aw_wait == 0
            w_on = not w_done and w_wait == 0
            self.bus.AWVALID.value = int(aw_on)
            self.bus.WVALID.value = int(w_on)
            if aw_on:
                self.bus.AWADDR.value = address
            if w_on:
                self.bus.WDATA.value = value
                self.bus.WSTRB.value = byte_enable
            bready = aw_done and w_done and self.bp.ready()
            self.bus.BREADY.value = int(bready)
            await ReadOnly()
            aw_fire = aw_on and bool(self.bus.AWREADY.value)
            w_fire = w_on and bool(self.bus.WREADY.value)
            b_fire = bready and bool(self.bus.BVALID.value)
            resp = int(self.bus.BRESP.value) if b_fire else 0
            await RisingEdge(self.clock)
            aw_done, w_done = aw_done or aw_fire, w_done or w_fire
            aw_wait, w_wait = max(aw_wait - 1, 0), max(w_wait - 1, 0)
            if b_fire:
                break
        self.bus.AWVALID.value = 0
        self.bus.WVALID.value = 0
        self.bus.BREADY.value = 0
        if resp:
            raise AXIProtocolError(f"write of {address:#x}: BRESP {resp}", AXIxRESP(resp))
        return resp

    async def read(self, address: int) -> int:
        """One read; returns RDATA (raises AXIProtocolError unless OKAY)."""
        ar_wait, ar_done = self.bp.delay(), False
        while True:
            ar_on = not ar_done and ar_wait == 0
            self.bus.ARVALID.value = int(ar_on)
            if ar_on:
                self.bus.ARADDR.value = address
            rready = ar_done and self.bp.ready()
            self.bus.RREADY.value = int(rready)
            await ReadOnly()
            ar_fire = ar_on and bool(self.bus.ARREADY.value)
            r_fire = rready and bool(self.bus.RVALID.value)
            if r_fire:
                data, resp = int(self.bus.RDATA.value), int(self.bus.RRESP.value)
            await RisingEdge(self.clock)
            ar_done, ar_wait = ar_done or ar_fire, max(ar_wait - 1, 0)
            if r_fire:
                break
        self.bus.ARVALID.value = 0
        self.bus.RREADY.value = 0
        if resp:
            raise AXIProtocolError(f"read of {address:#x}: RRESP {resp}", AXIxRESP(resp))
        return data


def _resolved(signal) -> bool:
    return signal.value.is_resolvable


class _ProtocolMonitor(BusMonitor):
    """Shared machinery: wake on activity, check one cycle at a time, keep the findings."""

    # (valid, ready, payload signals) of every channel; the slave drives the *_o ones.
    channels: tuple = ()
    outputs: tuple = ()  # the core's outputs that must never be X/Z after reset
    wake: tuple = ()  # request valids whose rise starts a busy stretch

    def __init__(self, entity, name, clock, reset_n):
        self.violations: list[str] = []
        self.cycles_checked = 0
        super().__init__(entity, name, clock, reset_n=reset_n)
        names = {n for ch in self.channels for n in (ch[0], ch[1], *ch[2])} | set(self.outputs)
        self._watched = [(n, getattr(self.bus, n)) for n in sorted(names)]

    def _note(self, what: str) -> None:
        if len(self.violations) < 20:
            self.violations.append(what)

    def _busy(self) -> bool:
        raise NotImplementedError

    def _on_reset(self) -> None:
        """A reset drops whatever was in flight."""

    def _check_cycle(self, now: dict, before: dict | None) -> None:
        raise NotImplementedError

    def _sample(self) -> dict:
        values = {}
        for name, signal in self._watched:
            value = signal.value
            values[name] = int(value) if value.is_resolvable else None
        return values

    async def _monitor_recv(self) -> None:
        before = None
        await RisingEdge(self.clock)
        while True:
            # The settled values of the current cycle: what the next edge acts on.
            await ReadOnly()
            if self.in_reset:
                before = None
                self._on_reset()
            else:
                now = self._sample()
                self._check_all(now, before)
                before = now
                if not self._busy():
                    # Idle bus: sleep until a request valid changes, then check that cycle.
                    await First(*(getattr(self.bus, name).value_change for name in self.wake))
                    before = None
                    continue
            await RisingEdge(self.clock)

    def _check_all(self, now: dict, before: dict | None) -> None:
        self.cycles_checked += 1
        for name in self.outputs:
            if now[name] is None:
                self._note(f"{name} is X/Z after reset")
        for valid, ready, payload in self.channels:
            # A3.2.1: once valid, hold valid and the payload until the handshake.
            if before is not None and before[valid] and not before[ready]:
                if not now[valid]:
                    self._note(f"{valid} dropped before {ready}")
                for name in payload:
                    if now[name] != before[name]:
                        self._note(f"{name} changed while {valid} waited for {ready}")
        self._check_cycle(now, before)


class AxiLiteProtocolMonitor(_ProtocolMonitor):
    """AXI4-Lite: handshake rules on five channels, one B per AW+W, one R per AR."""

    _signals = AXIL_SIGNALS
    channels = (
        ("AWVALID", "AWREADY", ("AWADDR",)),
        ("WVALID", "WREADY", ("WDATA", "WSTRB")),
        ("BVALID", "BREADY", ("BRESP",)),
        ("ARVALID", "ARREADY", ("ARADDR",)),
        ("RVALID", "RREADY", ("RDATA", "RRESP")),
    )
    outputs = ("AWREADY", "WREADY", "BVALID", "ARREADY", "RVALID")
    wake = ("AWVALID", "WVALID", "ARVALID")

    def __init__(self, entity, name, clock, reset_n):
        self._on_reset()
        super().__init__(entity, name, clock, reset_n)

    def _on_reset(self) -> None:
        self.count = dict.fromkeys(("AW", "W", "B", "AR", "R"), 0)

    def _busy(self) -> bool:
        c = self.count
        return c["B"] < max(c["AW"], c["W"]) or c["R"] < c["AR"]

    def _check_cycle(self, now: dict, before) -> None:
        c = self.count
        for channel in ("AW", "W", "B", "AR", "R"):
            if now[channel + "VALID"] and now[channel + "READY"]:
                c[channel] += 1
        if c["B"] > min(c["AW"], c["W"]):
            self._note("B response before both its AW and W were taken")
        if c["R"] > c["AR"]:
            self._note("R response without a read request")
        if now["RVALID"] and now["RDATA"] is None:
            self._note("RDATA is X/Z while RVALID")


class LoadPortProtocolMonitor(_ProtocolMonitor):
    """Load port: request held until ready, one answer per read, answer held until taken."""

    _signals = LOAD_SIGNALS
    channels = (
        ("valid", "ready", ("write", "addr", "wdata")),
        ("rvalid", "rready", ("rdata",)),
    )
    outputs = ("ready", "rvalid")
    wake = ("valid",)

    def __init__(self, entity, name, clock, reset_n):
        self._on_reset()
        super().__init__(entity, name, clock, reset_n)

    def _busy(self) -> bool:
        return self.answers < self.reads or bool(self.bus.valid.value)

    def _check_cycle(self, now: dict, before) -> None:
        if now["valid"] and now["ready"] and not now["write"]:
            self.reads += 1
        if now["rvalid"] and now["rready"]:
            self.answers += 1
            if now["rdata"] is None:
                self._note("rdata is X/Z while rvalid")
        if self.answers > self.reads:
            self._note("read answer without a read request")
        if now["rvalid"] and now["valid"] and now["ready"]:
            self._note("a request was taken while an answer was still waiting")

    def _on_reset(self) -> None:
        self.reads = self.answers = 0
