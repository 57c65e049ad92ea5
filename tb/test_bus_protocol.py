# SPDX-License-Identifier: Apache-2.0
"""The protocol monitors' rules (python/eie/sim/tb/bus_protocol.py) on hand-made cycles, no simulator.

The core never breaks these rules in the regression, so these cases show that
each check fires when a bus does.
"""

from __future__ import annotations

import pytest

from eie.sim.tb.bus_protocol import AxiLiteProtocolMonitor, LoadPortProtocolMonitor

AXIL_IDLE = {"AWVALID": 0, "AWADDR": 0, "AWREADY": 1, "WVALID": 0, "WDATA": 0, "WSTRB": 15, "WREADY": 1,
             "BVALID": 0, "BREADY": 0, "BRESP": 0, "ARVALID": 0, "ARADDR": 0, "ARREADY": 1,
             "RVALID": 0, "RREADY": 0, "RDATA": 0, "RRESP": 0}
LOAD_IDLE = {"valid": 0, "ready": 1, "write": 0, "addr": 0, "wdata": 0, "rvalid": 0, "rready": 1, "rdata": 0}


def _monitor(cls):
    """A monitor without a bus: only its per-cycle rules are exercised."""
    monitor = object.__new__(cls)
    monitor.violations, monitor.cycles_checked = [], 0
    monitor._on_reset()
    return monitor


def _run(cls, idle, cycles):
    monitor = _monitor(cls)
    before = None
    for changes in cycles:
        now = {**idle, **changes}
        monitor._check_all(now, before)
        before = now
    return monitor.violations


GOOD_WRITE = [{"AWVALID": 1, "AWADDR": 8, "AWREADY": 0}, {"AWVALID": 1, "AWADDR": 8, "WVALID": 1, "WDATA": 5},
              {"BVALID": 1}, {"BVALID": 1, "BREADY": 1}]
GOOD_READ = [{"ARVALID": 1, "ARADDR": 4}, {"RVALID": 1, "RDATA": 7}, {"RVALID": 1, "RDATA": 7, "RREADY": 1}]


def test_axil_legal_traffic_passes():
    assert _run(AxiLiteProtocolMonitor, AXIL_IDLE, GOOD_WRITE + GOOD_READ) == []


@pytest.mark.parametrize("cycles, rule", [
    ([{"AWVALID": 1, "AWADDR": 8, "AWREADY": 0}, {}], "AWVALID dropped before AWREADY"),
    ([{"AWVALID": 1, "AWADDR": 8, "AWREADY": 0}, {"AWVALID": 1, "AWADDR": 12}], "AWADDR changed"),
    ([{"BVALID": 1, "BREADY": 1}], "B response before both its AW and W"),
    ([{"AWVALID": 1}, {"BVALID": 1, "BREADY": 1}], "B response before both its AW and W"),
    ([{"AWVALID": 1, "WVALID": 1}, {"BVALID": 1, "BRESP": 0}, {"BVALID": 1, "BRESP": 2, "BREADY": 1}],
     "BRESP changed"),
    ([{"AWVALID": 1, "WVALID": 1}, {"BVALID": 1}, {"BVALID": 0}], "BVALID dropped before BREADY"),
    ([{"RVALID": 1, "RREADY": 1}], "R response without a read request"),
    ([{"ARVALID": 1}, {"RVALID": 1, "RDATA": 7}, {"RVALID": 1, "RDATA": 8, "RREADY": 1}], "RDATA changed"),
    ([{"ARVALID": 1}, {"RVALID": 1, "RDATA": None, "RREADY": 1}], "RDATA is X/Z"),
    ([{"AWREADY": None}], "AWREADY is X/Z"),
])
def test_axil_rule_fires(cycles, rule):
    found = _run(AxiLiteProtocolMonitor, AXIL_IDLE, cycles)
    assert any(rule in v for v in found), found


def test_load_port_legal_traffic_passes():
    cycles = [{"valid": 1, "write": 1, "addr": 3, "wdata": 9}, {"valid": 1, "addr": 5},
              {"rvalid": 1, "ready": 0, "rready": 0, "rdata": 4}, {"rvalid": 1, "ready": 0, "rdata": 4}]
    assert _run(LoadPortProtocolMonitor, LOAD_IDLE, cycles) == []


@pytest.mark.parametrize("cycles, rule", [
    ([{"valid": 1, "ready": 0, "addr": 5}, {"valid": 0}], "valid dropped before ready"),
    ([{"valid": 1, "ready": 0, "addr": 5}, {"valid": 1, "addr": 6}], "addr changed"),
    ([{"rvalid": 1}], "read answer without a read request"),
    ([{"valid": 1}, {"rvalid": 1, "rready": 0, "rdata": 1}, {"rvalid": 1, "rdata": 2}], "rdata changed"),
    ([{"valid": 1}, {"rvalid": 1, "rready": 0}, {"rvalid": 0}], "rvalid dropped before rready"),
    ([{"valid": 1}, {"rvalid": 1, "rready": 0}, {"rvalid": 1, "rready": 0, "valid": 1, "write": 1}],
     "taken while an answer was still waiting"),
    ([{"ready": None}], "ready is X/Z"),
])
def test_load_port_rule_fires(cycles, rule):
    found = _run(LoadPortProtocolMonitor, LOAD_IDLE, cycles)
    assert any(rule in v for v in found), found
