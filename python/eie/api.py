# SPDX-License-Identifier: Apache-2.0
"""The everyday verbs behind ``import eie``: load a model, pack, reference, simulate, predict, energy.

Every verb takes an image in memory (``eie.pack``'s Image), a loaded one, or an image folder;
nothing is written to disk.
"""

from __future__ import annotations

import numpy as np

from eie.errors import EieError
from eie.image import Image, LoadedImage, decode, load
from eie.limits import DEFAULT_HISTORY_DEPTH, DEFAULT_QUEUE_DEPTH, DEFAULT_TAKE_LANES
from eie.models.energy import DEFAULT_CLOCK_MHZ, check_clock, model_energy
from eie.models.reference import input_to_fixed


def _loaded(image) -> LoadedImage:
    if isinstance(image, LoadedImage):
        return image
    if isinstance(image, Image):
        return decode(image)  # checked as a folder would be, without the trip through the disk
    return load(image)


def _fixed_rows(loaded: LoadedImage, x) -> np.ndarray:
    """``x`` (floats are quantised, integers are raw; (in,) or (batch, in)) as the integer rows the models take."""
    x = np.asarray(x)
    if x.ndim not in (1, 2) or x.shape[-1] != loaded.image.in_features:
        raise EieError(f"input of shape {x.shape} does not match the network's {loaded.image.in_features} inputs")
    return input_to_fixed(x, loaded.act_frac).reshape(-1, x.shape[-1])


def load_model(path):
    """The layers of a model file (.npy, .npz, .pt, .onnx, .safetensors), as ``eie pack`` reads them."""
    from eie.packing.model_io import load_model as _load_model

    return _load_model(path)


def pack(model, num_pes: int, **options) -> Image:
    """Compress ``model`` (a model file's path or a list of ``Layer``) for ``num_pes`` PEs; returns the Image.

    ``options`` are PackOptions fields (density, balanced, assign_rows, codebook, act_frac, linear_last, memory).
    The image stays in memory; ``eie.image.write_image(image, folder)`` writes it.
    """
    from eie.packing.packer import PackOptions, pack as _pack

    layers = load_model(model) if not isinstance(model, (list, tuple)) else list(model)
    return _pack(layers, PackOptions(num_pes=num_pes, **options))


def reference(image, x) -> np.ndarray:
    """The bit-exact outputs (int16 raw activations, model row order) of ``x``: floats or raw int16,
    (in,) or (batch, in)."""
    from eie.models.reference import reference as _reference

    return _reference(_loaded(image), x)


def simulate(image, x, sim: str | None = None, **kwargs):
    """Run ``x`` on the RTL core (cocotb; ``sim`` "icarus" or "verilator", default $SIM or verilator).

    Returns (int16 outputs, report dict); ``kwargs`` go to eie.sim.simulate.simulate.
    """
    from eie.extras import COCOTB_MODULES, require
    from eie.sim.simulate import simulate as _simulate

    require("sim", "eie.simulate", COCOTB_MODULES)
    return _simulate(_loaded(image), x, sim=sim, **kwargs)


def predict(image, x, queue_depth: int = DEFAULT_QUEUE_DEPTH, history_depth: int = DEFAULT_HISTORY_DEPTH,
            take_lanes: int = DEFAULT_TAKE_LANES):
    """The exact cycle model of one inference ``x`` (one row): a RunTiming (``.cycles``, ``.layers``);
    the core's queue and history depths and take lanes as it is built."""
    from eie.models.perf import predict as _predict

    loaded = _loaded(image)
    rows = _fixed_rows(loaded, x)
    if len(rows) != 1:
        raise EieError(f"eie.predict times one inference, got a batch of {len(rows)}")
    return _predict(loaded, rows[0], queue_depth, history_depth, take_lanes)


def energy(image, x, clock_mhz: float = DEFAULT_CLOCK_MHZ, **depths):
    """Energy at 45 nm from the cycle model's events of ``x`` ((in,) or (batch, in), averaged per inference):
    an EnergyReport (``.total_pj``, ``.by_component()``), as ``eie energy`` prints."""
    loaded = _loaded(image)
    return model_energy(loaded, _fixed_rows(loaded, x), check_clock(clock_mhz), **depths)
