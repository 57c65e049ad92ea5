# SPDX-License-Identifier: Apache-2.0
"""eie bench's layer definitions and figures, on the cycle model alone (fast)."""

import numpy as np
import pytest

from eie.apps.bench import LAYERS, BenchLayer, fixed_input, layer_by_name, make_input, metrics, model_only, pack_layer


def test_the_nine_layers_are_the_papers():
    assert [l.name for l in LAYERS] == ["Alex-6", "Alex-7", "Alex-8", "VGG-6", "VGG-7", "VGG-8", "NT-We", "NT-Wd",
                                        "NT-LSTM"]
    assert layer_by_name("vgg-6").in_features == 25088
    assert layer_by_name("NT-We").paper_cycles == 6400
    with pytest.raises(ValueError, match="unknown benchmark layer"):
        layer_by_name("ResNet")


def test_input_has_the_papers_activation_density():
    layer = layer_by_name("Alex-7")
    acts = make_input(layer, seed=5)
    assert np.count_nonzero(acts) == round(0.353 * 4096)
    assert (acts >= 0).all()
    assert np.array_equal(acts, make_input(layer, seed=5))  # seeded


def test_small_layer_figures_are_consistent():
    layer = BenchLayer("small", 300, 90, 0.2, 0.5, 1.0)
    image, fits = pack_layer(layer, 4, False, seed=2)
    assert fits
    loaded = model_only(image)
    row = metrics(layer, loaded, fixed_input(image, make_input(layer, 2)), 8, None)
    assert row["source"] == "model"
    assert row["broadcast_bound"] == 150
    assert row["cycles"] >= max(row["busiest_pe_bound"], row["broadcast_bound"])
    assert row["average_bound"] <= row["busiest_pe_bound"]
    assert row["vs_paper"] == pytest.approx(row["cycles"] / 800)


def test_a_layer_too_big_for_the_rtl_memories_still_runs_on_the_model():
    layer = BenchLayer("tall", 64, 2000, 0.5, 1.0, 1.0)  # 2000 rows on one PE > 512 activations
    image, fits = pack_layer(layer, 1, False, seed=1)
    assert not fits
    row = metrics(layer, model_only(image), fixed_input(image, make_input(layer, 1)), 8, None)
    assert row["cycles"] > row["busiest_pe_bound"] > 0


def test_balanced_pruning_evens_out_the_pes():
    layer = BenchLayer("even", 400, 64, 0.1, 1.0, 1.0)
    plain, _ = pack_layer(layer, 8, False, seed=4)
    balanced, _ = pack_layer(layer, 8, True, seed=4)
    nonzeros = [layer_spec.entries for layer_spec in (plain.layers[0], balanced.layers[0])]
    assert np.ptp(nonzeros[1]) <= np.ptp(nonzeros[0])


def test_where_cycles_go_names_the_pes_from_the_counters():
    from eie.apps.bench import where_cycles_go

    counters = {"busy": [10, 14, 9], "starved": [5, 2, 7], "queue_full": [0, 3, 6]}
    assert where_cycles_go(counters, busiest=14) == {
        "fullest_pe": 2, "fullest_pe_cycles": 6, "pes_ever_full": 2,
        "busiest_pe": 1, "busiest_pe_starved": 2, "busiest_pe_queue_full": 3,
    }


def test_rtl_figures_without_pe_counters():
    """A core built without per-PE counters (PeCounters = 0): its core-wide counters still have to equal
    the cycle model's, and the row has no columns taken from the per-PE counters."""
    from eie.models.perf import predict

    layer = BenchLayer("small", 300, 90, 0.2, 0.5, 1.0)
    image, _ = pack_layer(layer, 4, False, seed=2)
    loaded = model_only(image)
    acts = fixed_input(image, make_input(layer, 2))
    timing = predict(loaded, acts, 8)
    rtl_run = {"cycles": timing.cycles, "layer_cycles": [l.cycles for l in timing.layers],
               "broadcasts": sum(l.broadcasts for l in timing.layers),
               "broadcast_stalls": sum(l.broadcast_stalls for l in timing.layers), "pe": None}
    row = metrics(layer, loaded, acts, 8, rtl_run)
    assert row["source"] == "RTL" and "fullest_pe" not in row
    for name in ("cycles", "broadcasts"):
        with pytest.raises(AssertionError, match=name):
            metrics(layer, loaded, acts, 8, {**rtl_run, name: rtl_run[name] + 1})


def _bench_simulator(monkeypatch, argv: list[str]):
    """The simulator `eie bench` hands to the bench (the bench itself replaced)."""
    import eie.apps.bench_report as bench_report
    from eie.apps.cli import main

    seen = {}
    monkeypatch.setattr(bench_report, "main", lambda layers, out, sim, *rest: seen.setdefault("sim", sim))
    status = main(["bench", "--layers", "NT-We", "--no-sweeps", *argv])
    return status, seen.get("sim", "not called")


def test_bench_reads_sim_like_eie_sim(monkeypatch):
    monkeypatch.setenv("SIM", "icarus")
    assert _bench_simulator(monkeypatch, []) == (0, "icarus")
    assert _bench_simulator(monkeypatch, ["--sim", "verilator"]) == (0, "verilator")
    assert _bench_simulator(monkeypatch, ["--model-only"]) == (0, None)
    monkeypatch.delenv("SIM")
    assert _bench_simulator(monkeypatch, []) == (0, "verilator")


def test_bench_refuses_an_unknown_sim_in_one_line(monkeypatch, capsys):
    monkeypatch.setenv("SIM", "xsim")
    assert _bench_simulator(monkeypatch, []) == (1, "not called")
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["eie: error: SIM='xsim' is not supported: choose icarus or verilator"]
