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


# ---------------------------------------------------------------------------- energy columns
def _small_energy_layer(monkeypatch):
    from eie.models import energy
    from eie.models.perf import predict
    from stand_in_events import slot_events

    monkeypatch.setattr(energy, "events_of", slot_events)
    layer = BenchLayer("small", 300, 90, 0.2, 0.5, 1.0)
    image, _ = pack_layer(layer, 4, False, seed=2)
    loaded = model_only(image)
    acts = fixed_input(image, make_input(layer, 2))
    return layer, loaded, acts, predict(loaded, acts, 8)


def test_energy_figures_from_the_model_or_from_the_rtls_counts(monkeypatch):
    from eie.apps.bench import energy_figures
    from eie.models import energy
    from stand_in_events import slot_events

    layer, loaded, acts, predicted = _small_energy_layer(monkeypatch)
    row = energy_figures(layer, loaded, predicted, 8, None)
    direct = energy.model_energy_of(loaded, predicted)
    assert row["energy_source"] == "model"
    assert row["energy_uj"] == pytest.approx(direct.total_pj * 1e-6)
    assert row["energy_dynamic_uj"] == pytest.approx(direct.dynamic_pj * 1e-6)
    assert row["pj_per_mac"] == pytest.approx(direct.pj_per_mac)
    assert row["frames_per_joule"] == pytest.approx(1e6 / row["energy_uj"])
    assert sum(row["energy_components_uj"].values()) == pytest.approx(row["energy_uj"])
    assert row["paper_uj"] is None and row["paper_frames_per_joule"] is None  # 4 PEs: not the paper's 64
    # With the RTL's report: its energy section (here from counts twice the model's) is what the row shows.
    pe, core = slot_events(predicted.layers[0])
    run = {"events": {"pe": {k: (2 * v).tolist() for k, v in pe.items()}, "core": {k: 2 * v for k, v in core.items()}}}
    report = {"runs": [run], "parameters": {"QueueDepth": 8, "HistoryDepth": 128}}
    report["energy"] = energy.sim_energy_section(report, loaded, acts)
    rtl = energy_figures(layer, loaded, predicted, 8, report)
    assert rtl["energy_source"] == "RTL"
    assert rtl["energy_uj"] == pytest.approx(report["energy"]["runs"][0]["per_inference"]["total_pj"] * 1e-6)
    assert rtl["energy_uj"] == pytest.approx(2 * row["energy_uj"])


def test_energy_table_sits_next_to_the_papers(monkeypatch):
    from eie.apps.bench import energy_figures
    from eie.apps.bench_report import ENERGY_PARTS, energy_parts, energy_table

    layer, loaded, _, predicted = _small_energy_layer(monkeypatch)
    row = {"layer": "Alex-7", **energy_figures(layer, loaded, predicted, 8, None)}
    row.update(paper_uj=12.2 * 0.59, paper_frames_per_joule=138927)  # what a 64-PE Alex-7 row carries
    lines = energy_table([row]).splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| layer | events from"))
    cells = [c.strip() for c in lines[header + 2].strip("|").split("|")]
    assert cells[0] == "Alex-7" and cells[1] == "model"
    assert cells[2] == f"{row['energy_uj']:.2f} ({row['energy_dynamic_uj']:.2f})"
    assert cells[4].startswith(f"{row['energy_uj'] / 7.198:.2f}x")
    assert cells[7:9] == ["7.20", "138,927"]
    parts = energy_parts(row)
    assert list(parts) == list(ENERGY_PARTS) and sum(parts.values()) == pytest.approx(row["energy_uj"])


def test_paper_energy_only_at_the_papers_64_pes(monkeypatch):
    from eie.apps.bench import energy_figures
    from eie.models import energy
    from eie.models.perf import predict
    from stand_in_events import slot_events

    monkeypatch.setattr(energy, "events_of", slot_events)
    for layer, frames_per_joule in ((BenchLayer("Alex-7", 128, 128, 0.2, 0.5, 12.2), 138927),
                                    (BenchLayer("other", 128, 128, 0.2, 0.5, 2.0), None)):
        image, _ = pack_layer(layer, 64, False, seed=3)
        loaded = model_only(image)
        row = energy_figures(layer, loaded, predict(loaded, fixed_input(image, make_input(layer, 3)), 8), 8, None)
        assert row["paper_uj"] == pytest.approx(layer.paper_us * 0.59)
        assert row["paper_frames_per_joule"] == frames_per_joule


def test_model_only_rows_have_energy_and_the_plot(monkeypatch, tmp_path):
    from eie.apps.bench_report import energy_table, layer_row, plot_energy
    from eie.models import energy
    from stand_in_events import slot_events

    monkeypatch.setattr(energy, "events_of", slot_events)
    rows = [layer_row(BenchLayer(name, 200, 64, 0.2, 0.5, 1.0), 4, 8, 2, None, False, False) for name in ("a", "b")]
    assert all(r["source"] == "model" and r["energy_source"] == "model" and r["energy_uj"] > 0 for r in rows)
    assert len(energy_table(rows).splitlines()) > 2 * len(rows)
    path = plot_energy(tmp_path, rows)
    assert path == tmp_path / "energy.png" and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
