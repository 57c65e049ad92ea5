# SPDX-License-Identifier: Apache-2.0
"""The packer's output, byte for byte: the image files of a few seeded models as before issue 20.

A speed-up of the packer, the encoder or the hex writer must not change a byte.
The digests were taken at commit 1d5abdd, the last four at cf806d7 (each: SHA-256
over every file's name and SHA-256, the manifest included). An intended change of
the format changes them.
"""

import hashlib

import numpy as np
import pytest

from eie.apps.digits import MODEL_PATH
from eie.image import image_files
from eie.packing.model_io import load_model
from eie.packing.model_io import Layer
from eie.packing.packer import PackOptions, pack

EXPECTED = {
    "mlp-n8-d10": "fdc569b2874657794faf9ccfba062fe4c29ca96e6bb1f135d4a66c522e24afe7",
    "mlp-n5-ese": "4b06c76aad81678fb0a3713b7fd33fe2f62fe17440118ac6c8213ca3dc4bd386",
    "mlp-n3-codebook": "e1d5323be9b276506ac912ddc924ef6f39474e0b81e3344ed8c8532286e7428a",
    "tall-n16-own-zeros": "3bbfab2d19aa2d6f5af17c667d79f83204f765e4438445eed9d597b89066a76d",
    "wide-n64-d9": "ad2ab83c52bf687773df96a5fd66df5e6f66aae819a1c6fb1c0b0d4bd75856a7",
    "mlp-n6-balanced-rows": "cd4cc452b368ff8cbc8193b1b4aee03ba2327f94c2f9c331fe485549798105aa",
    "sparse-n1-bias-zeros": "8868ecf8c92c5f180963144e368300f75406b2bef03f6230589175b19740c35a",
    "bench-like-n64": "6bd556189c451a584e1a7532864217ca56a7aa45e58506064f3594a860abe5bb",
    "digits-n8-d10": "15f4ab59fdd331cfe9399978a4bef351a6f8d904eedfd7fe3c463693c9161c09",
}


def models():
    """(name, layers, options): seeded models whose images must not change by a byte."""
    rng = np.random.default_rng(2020)
    mlp = [Layer(rng.normal(size=(200, 130)), rng.normal(size=200)), Layer(rng.normal(size=(70, 200)), None),
           Layer(rng.normal(size=(10, 70)), rng.normal(size=10))]
    tall = [Layer(rng.normal(size=(700, 90)) * (rng.random((700, 90)) < 0.05), None)]
    wide = [Layer(rng.normal(size=(37, 1500)), rng.normal(size=37))]
    # Runs of zeros far over 15 (padding) and a bias with zeros (rows without the bias entry).
    sparse = [Layer(rng.normal(size=(300, 400)) * (rng.random((300, 400)) < 0.01),
                    rng.normal(size=300) * (rng.random(300) < 0.5))]
    # The benchmark's kind of layer, smaller: more entries than the bucket sort's threshold of k-means.
    bench = [Layer(rng.normal(size=(1024, 2304)) * (rng.random((1024, 2304)) < 0.09), None)]
    return [
        ("mlp-n8-d10", mlp, PackOptions(num_pes=8, density=0.1)),
        ("mlp-n5-ese", mlp, PackOptions(num_pes=5, density=0.3, balanced=True, linear_last=True)),
        ("mlp-n3-codebook", mlp, PackOptions(num_pes=3, density=0.5, codebook=np.linspace(-2, 2, 16)[1:], act_frac=6)),
        ("tall-n16-own-zeros", tall, PackOptions(num_pes=16)),
        ("wide-n64-d9", wide, PackOptions(num_pes=64, density=0.09, linear_last=True)),
        # Rows placed by work: rows and the next layer's columns permuted.
        ("mlp-n6-balanced-rows", mlp, PackOptions(num_pes=6, density=0.2, assign_rows="balanced")),
        ("sparse-n1-bias-zeros", sparse, PackOptions(num_pes=1)),
        ("bench-like-n64", bench, PackOptions(num_pes=64)),
        ("digits-n8-d10", load_model(MODEL_PATH), PackOptions(num_pes=8, density=0.1)),
    ]


@pytest.mark.parametrize("name, layers, options", models(), ids=[m[0] for m in models()])
def test_image_files_are_byte_for_byte_as_before(name, layers, options):
    files = image_files(pack(layers, options))
    digest = hashlib.sha256(b"".join(file.encode() + hashlib.sha256(data).digest()
                                     for file, data in sorted(files.items()))).hexdigest()
    assert digest == EXPECTED[name]
