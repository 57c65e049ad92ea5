# SPDX-License-Identifier: Apache-2.0
"""EIE: packer, image format, bit-exact reference model and RTL driver.

The everyday verbs, for notebooks and scripts (eie.api)::

    import eie
    image = eie.pack(eie.load_model("model.npz"), num_pes=8, density=0.1)  # in memory
    y = eie.reference(image, x)               # bit-exact int16 outputs
    cycles = eie.predict(image, x[0]).cycles  # the exact cycle model
    uj = eie.energy(image, x).total_pj / 1e6  # 45 nm energy
    rtl, report = eie.simulate(image, x, sim="icarus")  # rtl == y
"""

__all__ = ["load_model", "pack", "reference", "simulate", "predict", "energy"]


def __getattr__(name: str):
    # The verbs are imported on first use (PEP 562), so `import eie` stays cheap and
    # never pulls in cocotb, matplotlib or onnx.
    if name in __all__:
        from eie import api

        return getattr(api, name)
    # eie.__version__ from the installed metadata (one source: pyproject.toml), looked
    # up on first use: importlib.metadata would add ~40 ms to every import of eie.
    if name == "__version__":
        from importlib import metadata

        try:
            return metadata.version("eie")
        except metadata.PackageNotFoundError:  # on PYTHONPATH without pip install -e .
            return "unknown"
    raise AttributeError(f"module 'eie' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__ + ["__version__"])
