# SPDX-License-Identifier: Apache-2.0
"""The cocotb side of ``eie sim``: the whole-core driver and monitors, and the test it runs.

- core_tb: EieTB, the load-port driver and result monitor, the
  protocol monitors wired in, image and input loading, counter read-back;
- bus_protocol: the AXI4-Lite master and the valid/ready rules of both
  interfaces, checked every cycle;
- core_check: the one run-and-check path (load once, run, compare with eie ref
  and the cycle model) of ``eie sim`` and the random scenarios;
- core_run: the cocotb test ``eie sim`` runs (an image, inputs, outputs, report).

They run inside the simulator's Python; the regression's testbenches in tb/
import them too.
"""
