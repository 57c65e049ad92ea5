# SPDX-License-Identifier: Apache-2.0
"""The digits network of make sim / make demo on the RTL: bit for bit equal to eie ref.

A few held-out test images on the same N = 8 core as tb/test_core.py's (8, 8)
case, so Verilator reuses that build. make demo runs the whole test set.
"""

from __future__ import annotations

import numpy as np

from eie.apps import digits
from eie.apps.demo import check_slots_are_busy_cycles, format_report, run_on_rtl
from eie.image import decode
from eie.models.perf import differences, predict
from eie.models.reference import input_to_fixed
from eie.packing.packer import pack

IMAGES = 3


def test_digits_images_match_eie_ref(sim):
    inputs, labels = digits.load_test_set()
    outputs, expected, report = run_on_rtl(inputs[:IMAGES], sim)
    assert outputs.shape == (IMAGES, 10) and np.array_equal(outputs, expected)
    assert report["matches_reference"]
    check_slots_are_busy_cycles(report)
    text = format_report(report, True, outputs, labels[:IMAGES], sim)
    assert "match eie ref bit for bit" in text and len(report["runs"]) == IMAGES
    # The ideal bound is a lower bound; the layer pipeline fill keeps every run above it.
    assert all(run["cycles"] >= ideal["bound"] for run, ideal in zip(report["runs"], report["ideal"]))
    # Every counter and event of every run is the cycle model's (the image run_on_rtl packs).
    loaded = decode(pack(digits.load_digits_model(), digits.pack_options()))
    acts = input_to_fixed(inputs[:IMAGES], loaded.act_frac).reshape(IMAGES, -1)
    for index, run in enumerate(report["runs"]):
        assert run["events"] is not None
        params = report["parameters"]
        found = differences(predict(loaded, acts[index], params["QueueDepth"], params["HistoryDepth"]), run)
        assert not found, f"image {index}: the cycle model disagrees with the RTL: {'; '.join(found)}"
