# SPDX-License-Identifier: Apache-2.0
"""Applications on top of the library: the eie command line, bench, demo, the digits network."""
