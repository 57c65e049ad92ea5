# SPDX-License-Identifier: Apache-2.0
"""cocotb test of rtl/eie_sim_top.sv's script player beyond what eie sim plays: load-port
reads (op 0) and a reset between scripts. Run by pytest through tb/test_sim_top_script.py.

EIE_IMAGE names a small image (loaded from its files, +eie_image_dir), EIE_SCRIPT the
player's file (+eie_script). Expected values come from the image and the reference model.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

import cocotb
from eie.hw import ld_address
from eie.image import load
from eie.models.reference import run_layers
from eie.sim.tb.core_check import CoreRun
from eie.sim.tb.core_tb import OP_LD_READ, TGT_PTR, TGT_RESULT, TGT_SPMAT, EieTB

WORD = 1 << 64


@cocotb.test(timeout_time=5, timeout_unit="ms")
async def load_reads_and_a_reset_between_scripts(dut):
    """Op 0 reads the results (equal to eie ref and to op 4's), every PE's pointers and
    matrix words (the image's). Then a second reset, a falling rst_ni in mid-simulation
    (Verilator has no edge at the first, rst_ni starting at 0): it must start the op-4
    reader's count again with the player's, else the next op 4 finds its count already
    reached and ends at once, answering nothing; that run and its op 4 match eie ref."""
    loaded = load(os.environ["EIE_IMAGE"])
    image = loaded.image
    rng = np.random.default_rng(cocotb.RANDOM_SEED % (1 << 32))
    inputs = rng.integers(-2000, 2000, size=(2, image.in_features)) * (rng.random((2, image.in_features)) < 0.6)
    dut._log.info("seed %d", cocotb.RANDOM_SEED)
    tb = EieTB(dut, io="script", script_path=Path(os.environ["EIE_SCRIPT"]))
    core = CoreRun(tb, context=f" (seed {cocotb.RANDOM_SEED})")
    await tb.reset()
    await core.load_image(loaded, load_with="files")
    # One run, so one op 4: the reader's count is 1 when the core is reset below.
    outputs, _ = await core.run_inputs(inputs[:1])

    num_pes = image.num_pes
    results = [ld_address(TGT_RESULT, i % num_pes, i // num_pes) for i in range(image.out_features)]
    words = {ld_address(TGT_PTR, pe, i): int(p) for pe in range(num_pes) for i, p in enumerate(image.pointers[pe])}
    words |= {ld_address(TGT_SPMAT, pe, i): int(w) for pe in range(num_pes) for i, w in enumerate(image.spmat[pe])}
    answers = await tb.script.play([(OP_LD_READ, a, 0) for a in [*results, *words]])
    read = np.array([r - WORD if r >> 63 else r for r in answers[:len(results)]], dtype=np.int64)
    assert np.array_equal(read, run_layers(loaded, inputs[:1])[0]), "op 0's results differ from eie ref"
    assert np.array_equal(read, outputs[0]), "op 0's results differ from op 4's"
    for (address, want), got in zip(words.items(), answers[len(results):]):
        assert got == want % WORD, f"op 0 of load-port address {address:#x} read {got:#x}, the image has {want:#x}"

    await tb.reset()
    # The memories keep the image through a reset; the registers and the loaded flag do not.
    await core.load_image(loaded, load_with="files")
    await core.run_inputs(inputs[1:])
    assert tb.script.accesses > 0 and tb.load.beats > 0
