# SPDX-License-Identifier: Apache-2.0
"""The cocotb side of ``eie sim``: the whole-core driver and monitors, and the test it runs.

- core_tb: EieTB, the AXI4-Lite and load-port drivers, pause generators, the
  protocol monitors wired in, image and input loading, counter read-back;
- bus_protocol: the valid/ready rules of both interfaces, checked every cycle;
- core_run: the cocotb test ``eie sim`` runs (an image, inputs, outputs, report).

They run inside the simulator's Python; the regression's testbenches in tb/
import them too.
"""
