# SPDX-License-Identifier: Apache-2.0
"""Models of the core: the bit-exact reference, the exact cycle model, image statistics."""
