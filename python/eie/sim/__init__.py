# SPDX-License-Identifier: Apache-2.0
"""Running the RTL: simulator toolchain, the cocotb runner, eie sim."""
