# SPDX-License-Identifier: Apache-2.0
"""Whole-core regression: images from the packer run on eie_core and match eie ref bit for bit.

Each parameter set (N, queue depth, memory sizes) is built once; several images
(weight densities, shapes, layer chains, bias on and off) and several inputs
(activation densities 0%, one non-zero, 35%, 100%) run on each build. The
expected values come from the reference model inside python/eie/sim/tb/core_check.py
(the cocotb test python/eie/sim/tb/core_run.py that ``eie sim`` runs).
"""

from __future__ import annotations

import numpy as np
import pytest

from eie.image import MemoryConfig, load, write_image
from eie.packing.model_io import Layer
from eie.packing.packer import PackOptions, pack
from eie.models.perf import predict
from eie.models.reference import input_to_fixed, reference
from eie.sim.simulate import simulate
from eie.sim.tb.core_check import model_differences

SMALL_MEMORY = MemoryConfig(spmat_words=512, ptr_bank_depth=256, act_depth=32, max_layers=4)


def make_inputs(rng, width: int) -> np.ndarray:
    """Activation densities 0%, one non-zero, 35% and 100%, values up to the 16-bit limits."""
    rows = np.zeros((4, width))
    rows[1, rng.integers(width)] = rng.normal() * 4
    rows[2] = rng.normal(size=width) * 2 * (rng.random(width) < 0.35)
    rows[3] = rng.normal(size=width) * 2
    raw = np.clip(np.round(rows * 256), -32768, 32767).astype(np.int64)
    raw[3, 0] = 32767  # the activation limits exercise saturation downstream
    raw[3, -1] = -32768
    return raw


def make_network(rng, num_pes: int, shapes, bias_pattern, density: float, memory=SMALL_MEMORY, **kwargs):
    layers = []
    for (rows, cols), bias in zip(shapes, bias_pattern):
        layers.append(Layer(rng.normal(size=(rows, cols)), rng.normal(size=rows) * 0.5 if bias else None))
    return pack(layers, PackOptions(num_pes=num_pes, density=density, memory=memory, **kwargs))


def run_and_compare(tmp_path, image, inputs, sim, queue_depth, name="img", pe_counters=True, load_with="port",
                    io="port", **kwargs):
    """Outputs equal eie ref; every run's counters equal the cycle model's (eie.models.perf).

    The image goes in, and the inputs, counters and results go through, the ports
    driven from Python unless ``load_with`` or ``io`` says otherwise: the path a host
    uses, with the protocol monitors on it, and the one these tests hold to the reference.
    Returns (outputs, report).
    """
    write_image(image, tmp_path / name)
    outputs, report = simulate(tmp_path / name, inputs, sim=sim, queue_depth=queue_depth, pe_counters=pe_counters,
                               load_with=load_with, io=io, **kwargs)
    check_against_models(load(tmp_path / name), inputs, outputs, report, queue_depth, pe_counters)
    return outputs, report


def check_against_models(loaded, inputs, outputs, report, queue_depth, pe_counters=True):
    """``eie sim``'s outputs equal eie ref, its report's counters and events the cycle model's.

    Without per-PE counters (``pe_counters`` False) the core-wide counters are
    compared, and every PE_* register read 0 (eie.sim.tb.core_tb's read_report).
    """
    expected = reference(loaded, inputs)
    assert np.array_equal(outputs, expected)
    assert report["matches_reference"]
    assert report["pe_counters_built"] == pe_counters
    acts = input_to_fixed(inputs, loaded.act_frac).reshape(-1, loaded.image.in_features)
    assert len(report["runs"]) == len(acts)
    for run, (row, rtl_run) in enumerate(zip(acts, report["runs"])):
        assert (rtl_run["pe"] is not None) == pe_counters, f"run {run}: per-PE counters {rtl_run['pe']}"
        # The simulation-only event counters are there with or without the per-PE counters.
        assert rtl_run["events"] is not None, f"run {run}: no events in the report"
        params = report["parameters"]
        found = model_differences(loaded, row, rtl_run, queue_depth, params["HistoryDepth"], params["TakeLanes"])
        assert not found, f"run {run}: the cycle model disagrees with the RTL: {'; '.join(found)}"
        if pe_counters and np.count_nonzero(row) >= 2:
            check_idle_split(run, rtl_run["pe"])


def check_idle_split(run: int, pe: dict[str, list[int]]) -> None:
    """STARVED and DRAINED split a PE's idle cycles at the end of the broadcast (rtl/eie_pe_counters.sv),
    which the cycle model does not predict per PE. In a run whose first layer broadcasts two columns
    or more, every PE counts both: its first compute cycle (no column has reached any PE yet, the
    broadcast running) is STARVED, and the run's last (the CCU sees the PEs idle a cycle late,
    eie.models.perf's IDLE_FLAG_DELAY, the broadcast over) is DRAINED."""
    for name in ("starved", "drained"):
        assert all(count > 0 for count in pe[name]), f"run {run}: PE_{name.upper()} per PE {pe[name]}"


CONFIGS = [  # (N, queue depth)
    (1, 8),
    (2, 1),
    (3, 2),
    (4, 8),
    (8, 8),
]


@pytest.mark.parametrize("num_pes, queue_depth", CONFIGS)
def test_three_layer_chains(tmp_path, sim, num_pes, queue_depth):
    """Three layers on-chip through the ping-pong files, shapes not divisible by N."""
    rng = np.random.default_rng(100 * num_pes + queue_depth)
    widest = SMALL_MEMORY.act_depth * num_pes
    shapes = [(min(29, widest), min(19, widest)), (min(23, widest), min(29, widest)), (min(7, widest), min(23, widest))]
    for index, density in enumerate((0.01, 0.3, 1.0)):
        image = make_network(rng, num_pes, shapes, (True, False, index % 2 == 0), density, linear_last=index == 1)
        _, report = run_and_compare(tmp_path, image, make_inputs(rng, shapes[0][1]), sim, queue_depth,
                                    name=f"img{index}")
        for run in report["runs"]:
            compute = [sum(c) for c in zip(*(run["pe"][k] for k in ("busy", "starved", "stalled", "drained")))]
            assert len(set(compute)) == 1, f"PE phase counters do not add up to the same compute time: {compute}"


# One take lane (TakeLanes = 1): each set a build of its own; Verilator runs the first
# by default, the others with -m slow. Eight PEs on 200 sparse inputs with short queues:
# PEs fall behind on long columns and catch up through columns with nothing for them,
# where a second lane would take two a cycle (the model gives other cycles with two).
ONE_LANE = [(8, 4, 16), (8, 2, 8), (8, 2, 2)]


@pytest.mark.sim_matrix(ONE_LANE, ids=[f"n{n}q{q}h{h}" for n, q, h in ONE_LANE], argname="config")
def test_chains_with_one_take_lane(tmp_path, sim, config):
    """TakeLanes = 1: outputs equal eie ref and every run's counters the cycle model's."""
    num_pes, queue_depth, history_depth = config
    rng = np.random.default_rng(3000 + 100 * num_pes + queue_depth)
    shapes = [(90, 200), (40, 90)]
    two_lanes_differ = False
    for index, density in enumerate((0.05, 0.15)):
        image = make_network(rng, num_pes, shapes, (True, True), density)
        inputs = make_inputs(rng, shapes[0][1])
        _, report = run_and_compare(tmp_path, image, inputs, sim, queue_depth, name=f"img{index}",
                                    history_depth=history_depth, take_lanes=1)
        loaded = load(tmp_path / f"img{index}")
        acts = input_to_fixed(inputs, loaded.act_frac).reshape(-1, loaded.image.in_features)
        two_lanes_differ |= any(predict(loaded, row, queue_depth, history_depth, 2).cycles != run["cycles"]
                                for row, run in zip(acts, report["runs"]))
    assert two_lanes_differ, "no run where one take lane and two differ: the test does not tell them apart"


# Icarus only by default (a build of its own; Verilator's runs with -m slow).
@pytest.mark.sim_matrix([(3, 2)], ids=["n3q2"], verilator_default=[], argname="config")
def test_chain_without_pe_counters(tmp_path, sim, config, capsys):
    """eie sim --no-pe-counters (PeCounters = 0) on a three-layer chain: the outputs equal eie ref bit
    for bit, CYCLES, LAYER_CYCLES, BCASTS and BCAST_STALLS the cycle model's; FEATURES and every PE_*
    read 0, and the report says the per-PE counters are not built."""
    import json

    from eie.apps.cli import main

    num_pes, queue_depth = config
    rng = np.random.default_rng(300)
    shapes = [(29, 19), (23, 29), (7, 23)]
    write_image(make_network(rng, num_pes, shapes, (True, False, True), 0.3), tmp_path / "img")
    inputs = make_inputs(rng, shapes[0][1])
    np.save(tmp_path / "x.npy", inputs)
    assert main(["sim", str(tmp_path / "img"), str(tmp_path / "x.npy"), "-o", str(tmp_path / "rtl.npy"),
                 "--sim", sim, "--report", str(tmp_path / "report.json"), "--queue-depth", str(queue_depth),
                 "--no-pe-counters"]) == 0
    assert "per-PE counters not built" in capsys.readouterr().out
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["parameters"]["PeCounters"] == 0
    assert all(run["pe"] is None for run in report["runs"])
    assert all(run["broadcasts"] > 0 for run in report["runs"][1:])  # the cycle model was compared on real work
    check_against_models(load(tmp_path / "img"), inputs, np.load(tmp_path / "rtl.npy"), report, queue_depth,
                         pe_counters=False)


# Hidden layers narrower than the PE array (N = 2): a layer of 1 output leaves PE 1
# without a row to write back and without an entry; a layer of 3 gives PE 1 its one
# row, global row 1 (eie_wb_seq: a PE's first row is its index).
NARROW_SHAPES = [(1, 19), (3, 1), (2, 3), (5, 2)]


def narrow_network(rng, num_pes: int = 2):
    """Four layers, hidden widths 1, 3 and 2, every layer dense (each PE row that exists has entries)."""
    return make_network(rng, num_pes, NARROW_SHAPES, (True, True, False, True), 1.0)


def test_hidden_layers_narrower_than_the_pes(tmp_path, sim):
    """Hidden layers of 1, 3 and 2 outputs at N = 2: outputs equal eie ref, counters the cycle model's,
    no error (a PE with no row to write back and no entry has touched no row beyond its rows)."""
    rng = np.random.default_rng(21)
    _, report = run_and_compare(tmp_path, narrow_network(rng), make_inputs(rng, NARROW_SHAPES[0][1]), sim, 2)
    assert all(len(run["layer_cycles"]) >= len(NARROW_SHAPES) for run in report["runs"])


def wide_shapes(num_pes: int) -> list[tuple[int, int]]:
    """Two hidden layers as wide as the activation files hold (ActDepth x N outputs, one
    fewer than that for the second), then a narrow one: every PE's local rows reach
    ActDepth - 1 in both accumulator banks (the two layers alternate them)."""
    widest = SMALL_MEMORY.act_depth * num_pes
    return [(widest, widest), (widest - 3, widest), (9, widest - 3)]


def wide_network(rng, num_pes: int = 2):
    return make_network(rng, num_pes, wide_shapes(num_pes), (True, True, False), 0.3)


def test_layers_as_wide_as_the_act_files(tmp_path, sim):
    """N = 2, queue depth 2: layers of up to ActDepth x N outputs (the chains above stop at 29), so the
    upper rows of the accumulators' valid-bit sub-banks and of the activation files are used."""
    rng = np.random.default_rng(24)
    shapes = wide_shapes(2)
    _, report = run_and_compare(tmp_path, wide_network(rng), make_inputs(rng, shapes[0][1]), sim, 2)
    assert all(len(run["layer_cycles"]) >= len(shapes) for run in report["runs"])


# A third layer of more than 2^11 cycles with a fourth after it (N = 2): LAYER_CYCLES of
# a layer must hold while the layers after it count. Layer 1's outputs are all positive
# (a bias of 1 to 2, weights a tenth of it), so layer 2, dense and 64 x 64, broadcasts
# every column: 65 columns of 32 entries a PE, about 2090 cycles by the cycle model.
# 17 inputs put layer 3's pointers at 98 (0b1100010), the narrow network's at 30 (0b0011110):
# between them every bit of the last layer's PTR_BASE is both 0 and 1 in make mutate's scenarios.
# Seed 33 draws three inputs that keep every output of layer 1 positive.
LONG_LAYER_INPUTS = 17
LONG_LAYER_SEED = 33


def long_layer_network(rng, num_pes: int = 2):
    widest = SMALL_MEMORY.act_depth * num_pes
    layers = [
        Layer(rng.normal(size=(9, LONG_LAYER_INPUTS)), rng.normal(size=9) * 0.5),
        Layer(rng.normal(size=(widest, 9)) * 0.1, 1.0 + rng.random(widest)),
        Layer(rng.normal(size=(widest, widest)), rng.normal(size=widest) * 0.5),
        Layer(rng.normal(size=(7, widest)), None),
    ]
    return pack(layers, PackOptions(num_pes=num_pes, memory=SMALL_MEMORY, linear_last=True))


def test_a_long_layer_before_the_last(tmp_path, sim):
    """N = 2, queue depth 2, four layers, the third over 2^11 cycles: every layer's LAYER_CYCLES
    equals the cycle model's (the chains' layers last a few hundred cycles at most)."""
    rng = np.random.default_rng(LONG_LAYER_SEED)
    image = long_layer_network(rng)
    _, report = run_and_compare(tmp_path, image, make_inputs(rng, LONG_LAYER_INPUTS)[:3], sim, 2)
    assert all(run["layer_cycles"][2] >= 1 << 11 for run in report["runs"]), \
        [run["layer_cycles"] for run in report["runs"]]


@pytest.mark.parametrize("num_pes", [1, 3])
def test_single_layer_shapes(tmp_path, sim, num_pes):
    """1 x 1, 1 x many, many x 1, with and without bias, weight density 1% to 100%."""
    rng = np.random.default_rng(num_pes)
    widest = SMALL_MEMORY.act_depth * num_pes
    for index, (shape, bias, density) in enumerate([
        ((1, 1), False, 1.0),
        ((1, widest), True, 0.5),
        ((widest, 1), True, 1.0),
        ((widest, widest), False, 0.05),
    ]):
        image = make_network(rng, num_pes, [shape], [bias], density)
        run_and_compare(tmp_path, image, make_inputs(rng, shape[1]), sim, 8, name=f"img{index}")


def test_load_port_backpressure(tmp_path, sim):
    """Loading with fixed and seeded random idle cycles between beats changes nothing."""
    rng = np.random.default_rng(5)
    image = make_network(rng, 4, [(21, 17)], [True], 0.4)
    inputs = make_inputs(rng, 17)
    for pause in ("fixed", "random"):
        run_and_compare(tmp_path, image, inputs, sim, 8, name=f"img_{pause}", load_pause=pause)


def test_bus_backpressure(tmp_path, sim):
    """Every valid and ready of the AXI4-Lite and load-port interfaces held back in 30 % and
    70 % of the cycles (seeded): outputs, counters and the protocol rules are unchanged."""
    rng = np.random.default_rng(9)
    image = make_network(rng, 3, [(29, 19), (23, 29)], (True, False), 0.3)
    inputs = make_inputs(rng, 19)
    load_cycles = {}
    for index, bus_idle in enumerate((0.0, 0.3, 0.7)):
        _, report = run_and_compare(tmp_path, image, inputs, sim, 2, name=f"img{index}", bus_idle=bus_idle)
        load_cycles[bus_idle] = report["load_cycles"]
    # A held-back beat waits 1-4 cycles (eie.sim.tb.pauses.Backpressure): 2.5 x bus_idle a beat on average.
    for bus_idle in (0.3, 0.7):
        assert load_cycles[bus_idle] > (1 + bus_idle / 2) * load_cycles[0.0], f"load not held back: {load_cycles}"


def test_dense_column_streams_one_entry_per_cycle(tmp_path, sim):
    """One PE, one dense column of 1000 entries: 1000 cycles plus a few of pipeline fill."""
    memory = MemoryConfig(spmat_words=256, ptr_bank_depth=16, act_depth=1024, max_layers=1)
    weight = np.random.default_rng(1).uniform(0.5, 1.0, size=(1000, 1))
    image = pack([Layer(weight, None)], PackOptions(num_pes=1, memory=memory))
    _, report = run_and_compare(tmp_path, image, np.array([[300]]), sim, 8)
    run = report["runs"][0]
    assert run["pe"]["busy"] == [1000]
    # Fill and drain (no INIT cycle since issue 18): the LNZD root (2), the take,
    # the two pointer stages and the pop (3 more), the first issue; five cycles
    # from the last issue to idle (the register behind the SRAM, row stage,
    # codebook, multiply, add); the cycle the CCU sees the PE's registered idle flag
    # (timing); the drained cycle.
    overhead = run["cycles"] - 1000
    assert 0 < overhead <= 13, f"{run['cycles']} cycles for 1000 entries"


def test_bypass_back_to_back_same_row(tmp_path, sim):
    """Many columns hitting the same single row: every update is a read-after-write hazard."""
    memory = MemoryConfig(spmat_words=64, ptr_bank_depth=512, act_depth=512, max_layers=1)
    weight = np.random.default_rng(2).normal(size=(1, 400))
    image = pack([Layer(weight, np.array([0.25]))], PackOptions(num_pes=1, memory=memory))
    rng = np.random.default_rng(3)
    inputs = rng.integers(1, 3000, size=(2, 400)) * rng.choice([-1, 1], size=(2, 400))
    _, report = run_and_compare(tmp_path, image, inputs, sim, 8)
    busy = report["runs"][0]["pe"]["busy"][0]
    # The same fill and drain as a dense column (above): the bypass costs no cycle.
    assert busy == 401 and report["runs"][0]["cycles"] <= 401 + 13


def test_sixty_four_pes(tmp_path, sim):
    """N = 64 with rows per PE of 1 or 2: most columns are empty for most PEs."""
    rng = np.random.default_rng(64)
    memory = MemoryConfig(spmat_words=64, ptr_bank_depth=256, act_depth=16, max_layers=2)
    image = make_network(rng, 64, [(130, 150), (33, 130)], (True, True), 0.1, memory=memory, linear_last=True)
    run_and_compare(tmp_path, image, make_inputs(rng, 150)[2:], sim, 8)


@pytest.mark.parametrize("load_with", ["vpi", "files"])
def test_other_loads_match_the_load_port(tmp_path, sim, load_with):
    """Direct array writes (vpi) and the simulator reading the image files (files, eie
    sim's default) give the same results and counters as the load port."""
    rng = np.random.default_rng(11)
    image = make_network(rng, 4, [(21, 17), (9, 21)], (True, False), 0.4)
    run_and_compare(tmp_path, image, make_inputs(rng, 17), sim, 8, load_with=load_with)


def test_script_io_matches_the_port(tmp_path, sim):
    """eie sim's default io (the simulator plays each run's inputs, counter reads and
    result reads from a file, rtl/eie_sim_top.sv) gives the outputs and every counter
    and event of the Python port drivers, and both equal eie ref and the cycle model."""
    rng = np.random.default_rng(12)
    image = make_network(rng, 4, [(21, 17), (9, 21)], (True, False), 0.4)
    inputs = make_inputs(rng, 17)
    port_out, port = run_and_compare(tmp_path, image, inputs, sim, 8, load_with="files")
    script_out, script = run_and_compare(tmp_path, image, inputs, sim, 8, name="img2", load_with="files", io="script")
    assert np.array_equal(script_out, port_out)
    assert script["runs"] == port["runs"] and script["cycles"] == port["cycles"]


def test_eie_sim_cli_equals_eie_ref(tmp_path, sim, capsys):
    """The user's path: eie pack, eie ref, eie sim; the two outputs compare with ==."""
    import json

    from eie.apps.cli import main

    rng = np.random.default_rng(21)
    np.savez(tmp_path / "mlp.npz", W0=rng.normal(size=(21, 17)), b0=rng.normal(size=21), W1=rng.normal(size=(9, 21)))
    np.save(tmp_path / "x.npy", rng.normal(size=(2, 17)))
    memory = ["--spmat-words", "512", "--ptr-bank-depth", "256", "--act-depth", "32", "--max-layers", "4"]
    assert main(["pack", str(tmp_path / "mlp.npz"), "-o", str(tmp_path / "img"), "--pes", "4", "--density", "0.4", *memory]) == 0
    assert main(["ref", str(tmp_path / "img"), str(tmp_path / "x.npy"), "-o", str(tmp_path / "ref.npy")]) == 0
    assert main(["sim", str(tmp_path / "img"), str(tmp_path / "x.npy"), "-o", str(tmp_path / "rtl.npy"),
                 "--sim", sim, "--report", str(tmp_path / "report.json")]) == 0
    assert np.array_equal(np.load(tmp_path / "rtl.npy"), np.load(tmp_path / "ref.npy"))
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["cycles"] == sum(run["cycles"] for run in report["runs"]) > 0
    assert set(report["runs"][0]["pe"]) == {"busy", "starved", "stalled", "drained", "queue_full", "padding"}


@pytest.mark.slow
@pytest.mark.parametrize("num_pes, queue_depth", [(16, 4), (7, 8)])
def test_larger_chains(tmp_path, sim, num_pes, queue_depth):
    """Wider layers and more inputs than the default set (run with -m slow)."""
    rng = np.random.default_rng(num_pes)
    memory = MemoryConfig(spmat_words=2048, ptr_bank_depth=512, act_depth=64, max_layers=4)
    shapes = [(300, 250), (200, 300), (60, 200)]
    for index, density in enumerate((0.02, 0.15)):
        image = make_network(rng, num_pes, shapes, (True, True, False), density, memory=memory, linear_last=True)
        inputs = np.concatenate([make_inputs(rng, 250), make_inputs(rng, 250)])
        run_and_compare(tmp_path, image, inputs, sim, queue_depth, name=f"img{index}")


@pytest.mark.parametrize("sim", ["verilator"])
def test_optimize_trains_and_rebuilds_from_its_profile(tmp_path, sim):
    """``optimize``: the instrumented model's run and the model rebuilt from its profile both equal eie ref."""
    from eie.sim import rtlsim

    rng = np.random.default_rng(23)
    image = pack([Layer(rng.normal(size=(24, 20)), None)], PackOptions(num_pes=2, density=0.4, memory=SMALL_MEMORY))
    write_image(image, tmp_path / "img")
    inputs = rng.normal(size=(2, 20)) * (rng.random((2, 20)) < 0.5)
    for _ in range(2):  # the first call trains and rebuilds, the second runs the rebuilt model
        _, report = simulate(tmp_path / "img", inputs, sim=sim, optimize=True, assertions=False, verbose=False)
        assert report["matches_reference"]
    trained = [marker.parent for marker in (rtlsim.BUILD_ROOT / sim).glob("eie_sim_top-*/.eie-pgo-trained")]
    assert any(list((folder / "pgo").glob("*.gcda")) for folder in trained)
