#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write the PyTorch test fixtures of tests/data/torch/ with real torch (run once, by hand).

eie reads .pt files without torch (eie.packing.torch_pt), so the regression does not
install torch; these files, saved by torch itself, are what it is tested on:

- ``tiny_sequential.pt``: a saved ``nn.Sequential`` (Linear 12-16, ReLU, Linear
  16-8, ReLU, Linear 8-5) whose weights and biases lie on the 14-value grid
  ``CODEBOOK`` (multiples of 1/16), half of them zero;
  ``tiny_state_dict.pt``: its ``state_dict()``.
- ``tiny_io.npz``: the weights as torch holds them (W0, b0, ...), the codebook,
  inputs ``x`` on the activation grid and torch's own forward pass ``y`` (float32).
- ``bad_tanh.pt`` (a Tanh between the Linears) and ``bad_chain.pt`` (a
  state_dict whose second Linear takes 5 inputs where the first gives 6): refused.

    python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch numpy
    PYTHONPATH=python /tmp/torchvenv/bin/python scripts/make_torch_fixtures.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "torch"
CODEBOOK = np.array([-1, -0.75, -0.5, -0.375, -0.25, -0.125, -0.0625, 0.0625, 0.125, 0.25, 0.375, 0.5, 0.75, 1.0])


def on_grid(rng, shape) -> torch.Tensor:
    values = rng.choice(CODEBOOK, size=shape) * (rng.random(shape) < 0.5)
    return torch.tensor(values, dtype=torch.float32)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2016)
    torch.manual_seed(2016)
    model = nn.Sequential(nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 5))
    with torch.no_grad():
        for layer in model:
            if isinstance(layer, nn.Linear):
                layer.weight.copy_(on_grid(rng, tuple(layer.weight.shape)))
                layer.bias.copy_(on_grid(rng, tuple(layer.bias.shape)))
    torch.save(model, OUT / "tiny_sequential.pt")
    torch.save(model.state_dict(), OUT / "tiny_state_dict.pt")

    x = torch.tensor(rng.integers(-32, 32, size=(6, 12)) / 16.0, dtype=torch.float32)
    with torch.no_grad():
        y = model(x)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    arrays = {"x": x.numpy(), "y": y.numpy(), "codebook": CODEBOOK}
    for k, layer in enumerate(linears):
        arrays[f"W{k}"] = layer.weight.detach().numpy()
        arrays[f"b{k}"] = layer.bias.detach().numpy()
    np.savez(OUT / "tiny_io.npz", **arrays)

    torch.save(nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)), OUT / "bad_tanh.pt")
    torch.save({"0.weight": torch.ones(6, 4), "0.bias": torch.zeros(6), "1.weight": torch.ones(3, 5)},
               OUT / "bad_chain.pt")
    print(f"wrote {', '.join(sorted(p.name for p in OUT.iterdir()))} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
