# SPDX-License-Identifier: Apache-2.0
"""EIE: packer, image format, bit-exact reference model and RTL driver."""

__version__ = "0.1.0"
