# SPDX-License-Identifier: Apache-2.0
"""EIE: packer, image format, bit-exact reference model and RTL driver."""


def __getattr__(name: str):
    # eie.__version__ from the installed metadata (one source: pyproject.toml), looked
    # up on first use: importlib.metadata would add ~40 ms to every import of eie.
    if name == "__version__":
        from importlib import metadata

        try:
            return metadata.version("eie")
        except metadata.PackageNotFoundError:  # on PYTHONPATH without pip install -e .
            return "unknown"
    raise AttributeError(f"module 'eie' has no attribute {name!r}")
