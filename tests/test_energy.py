# SPDX-License-Identifier: Apache-2.0
"""eie.models.energy: the events of a run priced with the 45 nm table (no simulator).

The event counts here are built by hand (or, for the CLI, from the cycle
model's issue slots and broadcasts), so these tests hold the arithmetic and the
formats, not the counts: the cycle model's and the RTL's event counts are held
to each other by the regression.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from eie.errors import EieError
from eie.models import energy
from eie.models.events import CORE_EVENTS, PE_EVENTS
from stand_in_events import slot_events

ROOT = Path(__file__).resolve().parents[1]
# Read here without eie.models.energy's loader: the expected values are computed from the file itself.
TABLE = json.loads((ROOT / "python" / "eie" / "data" / "energy_45nm.json").read_text())
MEM, ARITH, CAL = TABLE["memories"], TABLE["arithmetic"], TABLE["calibrated"]


def hand_events(num_pes=3, scale=1):
    """Distinct counts per event and PE, so that a swapped cost shows."""
    pe = {name: (np.arange(num_pes, dtype=np.int64) + 1) * (7 + 3 * i) * scale for i, name in enumerate(PE_EVENTS)}
    core = {name: (11 + 5 * i) * scale for i, name in enumerate(CORE_EVENTS)}
    return pe, core


def expected_pj(pe, core, num_pes, clock_mhz):
    """The bill written out event by event (doc/energy.md), apart from the module's own code."""
    s = {k: int(np.sum(v)) for k, v in pe.items()}
    dynamic = (s["spmat_reads"] * MEM["spmat"]["read_pj"]
               + s["ptr_reads"] * MEM["ptr_bank"]["read_pj"]
               + s["codebook_reads"] * MEM["codebook"]["read_pj"]
               + s["multiplies"] * (ARITH["int16_mult_pj"]["value"] + ARITH["int48_add_pj"]["value"])
               + s["acc_reads"] * MEM["acc_file"]["read_pj"] + s["acc_writes"] * MEM["acc_file"]["write_pj"]
               + s["act_reads"] * MEM["act_file"]["read_pj"] + s["act_writes"] * MEM["act_file"]["write_pj"]
               + s["queue_pushes"] * MEM["act_queue"]["write_pj"] + s["queue_pops"] * MEM["act_queue"]["read_pj"]
               + s["history_reads"] * MEM["bcast_history"]["read_pj"]
               + core["history_writes"] * MEM["bcast_history"]["write_pj"] * 2 * num_pes
               + core["broadcasts"] * 31 * CAL["clock_register_pj_per_flop_cycle"]["value"]
               + core["lnzd_node_moves"] * 32 * CAL["clock_register_pj_per_flop_cycle"]["value"]
               + core["cycles"] * num_pes * CAL["clock_register_pj_per_cycle_per_pe"]["value"])
    leak_mw = sum(m["leakage_mw"] * m["copies_per_pe"] for m in MEM.values()) * num_pes
    leakage = leak_mw * 1e-3 * core["cycles"] / (clock_mhz * 1e6) * 1e12
    return dynamic, leakage


@pytest.mark.parametrize("clock_mhz", [800.0, 250.0])
def test_energy_is_count_times_cost(clock_mhz):
    pe, core = hand_events()
    report = energy.energy([energy.Segment("layer 0", pe, core, 1000)], 3, clock_mhz)
    dynamic, leakage = expected_pj(pe, core, 3, clock_mhz)
    assert report.dynamic_pj == pytest.approx(dynamic, rel=1e-12)
    assert report.leakage_pj == pytest.approx(leakage, rel=1e-12)
    assert report.total_pj == pytest.approx(dynamic + leakage, rel=1e-12)


def test_bypass_hits_and_idle_cycles_cost_nothing():
    pe, core = hand_events()
    base = energy.energy([energy.Segment("a", pe, core, 1)], 3).total_pj
    for name in ("bypass_hits", "busy_cycles", "idle_cycles"):
        more = {**pe, name: pe[name] * 10}
        assert energy.energy([energy.Segment("a", more, core, 1)], 3).total_pj == base


def test_parts_add_up_to_the_total():
    segments = [energy.Segment(f"layer {i}", *hand_events(scale=i + 1), 500 * (i + 1)) for i in range(3)]
    report = energy.energy(segments, 3)
    components = report.by_component()
    assert list(components) == list(energy.COMPONENTS)
    assert sum(components.values()) == pytest.approx(report.total_pj, rel=1e-12)
    assert sum(s.pj for s in report.segments) == pytest.approx(report.total_pj, rel=1e-12)
    assert sum(report.by_memory().values()) == pytest.approx(components["memory"], rel=1e-12)
    assert sum(report.by_memory("leakage").values()) == pytest.approx(components["leakage"], rel=1e-12)
    assert sum(item.pj for item in report.items) == pytest.approx(report.total_pj, rel=1e-12)
    for segment in report.segments:
        assert sum(segment.by_component().values()) == pytest.approx(segment.pj, rel=1e-12)
    # Table II's modules are a subset of the events: their sum is below the dynamic memory + arithmetic.
    assert sum(report.by_module().values()) <= components["memory"] + components["arithmetic"]
    assert report.by_module()["SpmatRead"] == pytest.approx(report.by_memory()["spmat"])


def test_per_mac_frames_per_joule_and_power():
    pe, core = hand_events()
    inferences, macs = 4, 2000
    report = energy.energy([energy.Segment("run", pe, core, macs)], 3, 500.0, inferences)
    total_j = report.total_pj * 1e-12
    seconds = core["cycles"] / 500e6
    assert report.pj_per_mac == pytest.approx(report.total_pj / macs)
    assert report.frames_per_joule == pytest.approx(inferences / total_j)
    assert report.average_power_mw == pytest.approx(total_j / seconds * 1e3)
    assert report.per_inference_pj == pytest.approx(report.total_pj / inferences)
    out = report.to_json()
    assert out["per_inference"]["total_pj"] == pytest.approx(report.total_pj / inferences)
    assert out["power_per_pe_mw"] == pytest.approx(report.average_power_mw / 3)
    assert energy.energy([energy.Segment("run", pe, core, 0)], 3).pj_per_mac is None


def test_clock_changes_only_leakage_per_inference():
    pe, core = hand_events()
    slow, fast = (energy.energy([energy.Segment("a", pe, core, 1)], 3, f) for f in (200.0, 800.0))
    assert slow.dynamic_pj == pytest.approx(fast.dynamic_pj)
    assert slow.leakage_pj == pytest.approx(4 * fast.leakage_pj)


def resolve(entry: str):
    value = TABLE
    for key in entry.split("."):
        value = value[key]
    return value["value"] if isinstance(value, dict) else value


def test_every_event_has_a_priced_table_entry():
    costs = energy.event_costs(4)
    assert set(PE_EVENTS) | set(CORE_EVENTS) | {"leakage"} == set(costs)
    for name, listed in costs.items():
        for cost in listed:
            assert cost.component in energy.COMPONENTS
            assert isinstance(resolve(cost.entry), (int, float)) and resolve(cost.entry) > 0, cost.entry
            assert cost.pj > 0
    # The memories' read/write costs are the entries themselves, per count in one PE.
    assert costs["spmat_reads"][0].pj == MEM["spmat"]["read_pj"]
    assert costs["history_writes"][0].pj == pytest.approx(MEM["bcast_history"]["write_pj"] * 2 * 4)
    assert "every PE's copies" in costs["history_writes"][0].factor


@pytest.mark.parametrize("inferences", [1, 3])
def test_report_json_names_every_entry(inferences):
    segments = [energy.Segment(f"layer {i}", *hand_events(scale=i + 1), 10) for i in range(2)]
    report = energy.energy(segments, 3, inferences=inferences)
    out = json.loads(json.dumps(report.to_json()))  # plain JSON types only
    # Every figure per inference: the items and the segments add up to the total.
    assert out["per_inference"]["total_pj"] == pytest.approx(report.total_pj / inferences)
    assert sum(s["pj"] for s in out["segments"]) == pytest.approx(out["per_inference"]["total_pj"])
    assert sum(s["cycles"] for s in out["segments"]) == pytest.approx(out["per_inference"]["cycles"])
    assert out["table"] == "python/eie/data/energy_45nm.json" and out["clock_mhz"] == 800.0
    assert set(out["per_inference"]["components_pj"]) == set(energy.COMPONENTS)
    for item in out["items"]:
        assert set(item) == {"event", "count", "component", "part", "entry", "unit_pj", "factor", "pj"}
        assert item["pj"] == pytest.approx(item["count"] * item["unit_pj"])
        resolve(item["entry"])
    assert math.isclose(sum(item["pj"] for item in out["items"]), out["per_inference"]["total_pj"])


@pytest.mark.parametrize("change, message", [
    (lambda pe, core: pe.pop("spmat_reads"), "missing spmat_reads"),
    (lambda pe, core: core.update(joules=3), "unknown joules"),
    (lambda pe, core: pe.update(multiplies=np.ones(2, np.int64)), "multiplies must be 3"),
    (lambda pe, core: pe.update(multiplies=-np.ones(3, np.int64)), "multiplies must be 3"),
    (lambda pe, core: core.update(cycles=2.5), "cycles must be a non-negative integer"),
])
def test_bad_event_counts_are_refused(change, message):
    pe, core = hand_events()
    change(pe, core)
    with pytest.raises(EieError, match=message):
        energy.energy([energy.Segment("layer 0", pe, core, 1)], 3)


@pytest.mark.parametrize("clock", [0, -800, float("nan"), float("inf")])
def test_bad_clock_is_refused(clock):
    with pytest.raises(EieError, match="clock must be a positive number"):
        energy.event_costs(2, clock)


# ---------------------------------------------------------------------------- from an image
@pytest.fixture
def image(tmp_path, mlp_file, run_cli):
    path = tmp_path / "img"
    assert run_cli("pack", mlp_file, "-o", path, "--pes", "4", "--density", "0.3")[0] == 0
    return path


def test_useful_macs_from_the_image_equal_the_cycle_models(image):
    from eie.image import load
    from eie.models.perf import predict

    loaded = load(image)
    rng = np.random.default_rng(1)
    acts = np.where(rng.random(30) < 0.5, rng.integers(1, 200, 30), 0)
    timings = predict(loaded, acts).layers
    assert energy.useful_macs(loaded, acts) == [energy.timing_useful_macs(t) for t in timings]
    # Independent count of layer 0: non-padding (non-zero) weights in the non-zero input columns, bias column too.
    spec = loaded.layers[0].spec
    shares = loaded.image.layer_shares(0)
    columns = list(np.nonzero(acts)[0]) + ([spec.in_features] if spec.bias else [])
    count = sum(int(np.count_nonzero(s.v[s.pointers[j]:s.pointers[j + 1]])) for s in shares for j in columns)
    assert energy.useful_macs(loaded, acts)[0] == count


def test_eie_energy_prints_the_table_and_writes_the_json(image, tmp_path, run_cli, monkeypatch):
    monkeypatch.setattr(energy, "events_of", slot_events)
    x = tmp_path / "x.npy"
    np.save(x, np.linspace(-1, 1, 60).reshape(2, 30))
    out = tmp_path / "e.json"
    code, stdout, stderr = run_cli("energy", image, x, "--clock-mhz", "400", "--json", out)
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert lines[0].startswith("energy per inference: ") and "4 PEs at 400 MHz" in lines[0]
    assert "mean of 2 inferences" in lines[0]
    header = next(i for i, line in enumerate(lines) if line.split()[:3] == ["cycles", "useful", "MACs"])
    assert lines[header].split()[3:] == ["total", "memories", "arithmetic", "clock+reg", "control", "leakage",
                                         "pJ/MAC"]
    assert [line.split()[:2] for line in lines[header + 1: header + 3]] == [["layer", "0"], ["layer", "1"]]
    assert lines[header + 3].split()[0] == "total"
    report = json.loads(out.read_text())
    assert report["clock_mhz"] == 400.0 and report["inferences"] == 2 and len(report["segments"]) == 2
    per = report["per_inference"]["total_pj"]
    assert f"per inference: {per * 1e-6:.3f} uJ" in stdout
    assert f"frames/J: {report['frames_per_joule']:,.0f}" in stdout
    assert f"pJ per useful MAC: {report['pj_per_mac']:.2f}" in stdout
    assert lines[-1] == f"wrote {out}"
    # Every item printed with its table entry.
    for item in report["items"]:
        if item["pj"]:
            assert item["entry"] in stdout


def test_eie_energy_matches_the_model_priced_directly(image, tmp_path, run_cli, monkeypatch):
    from eie.image import load
    from eie.models.perf import predict
    from eie.models.reference import input_to_fixed

    monkeypatch.setattr(energy, "events_of", slot_events)
    x = tmp_path / "x.npy"
    inputs = np.linspace(-1, 1, 30)
    np.save(x, inputs)
    out = tmp_path / "e.json"
    assert run_cli("energy", image, x, "--json", out)[0] == 0
    loaded = load(image)
    timings = predict(loaded, input_to_fixed(inputs, loaded.act_frac)).layers
    segments = [energy.Segment(f"layer {i}", *slot_events(t), energy.timing_useful_macs(t))
                for i, t in enumerate(timings)]
    direct = energy.energy(segments, 4)
    assert json.loads(out.read_text())["per_inference"]["total_pj"] == pytest.approx(direct.total_pj)


def _refuse_work(monkeypatch):
    def refuse(*args):
        raise AssertionError("energy was computed although an argument was bad")

    monkeypatch.setattr(energy, "events_of", refuse)


@pytest.mark.bad_input
@pytest.mark.parametrize("args, message", [
    (["--clock-mhz", "0"], "clock must be a positive number of MHz"),
    (["--clock-mhz", "nan"], "clock must be a positive number of MHz"),
    (["--json", "{tmp}/e.txt"], "the energy report must be a .json file"),
    (["--json", "{tmp}/absent/e.json"], "does not exist"),
    (["--json", "{tmp}/d.json"], "is a directory"),
])
def test_eie_energy_refuses_bad_options_in_one_line(image, tmp_path, run_cli, monkeypatch, args, message):
    _refuse_work(monkeypatch)
    (tmp_path / "d.json").mkdir()
    x = tmp_path / "x.npy"
    np.save(x, np.ones(30))
    code, _, err = run_cli("energy", image, x, *[a.format(tmp=tmp_path) for a in args])
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and lines[0].startswith("eie: error: ") and message in lines[0], err
    assert not (tmp_path / "e.json").exists() and not (tmp_path / "e.txt").exists()


@pytest.mark.bad_input
def test_eie_energy_refuses_a_bad_image_or_input_in_one_line(image, tmp_path, run_cli, monkeypatch):
    _refuse_work(monkeypatch)
    x = tmp_path / "x.npy"
    np.save(x, np.ones(29))
    for argv, message in (([tmp_path / "absent", x], "no such image"),
                          ([image, x], "does not match the network's 30 inputs")):
        code, _, err = run_cli("energy", *argv, "--json", tmp_path / "e.json")
        assert code == 1 and err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "e.json").exists()


def test_eie_energy_help_shows_the_defaults(run_cli):
    code, out, _ = run_cli("energy", "--help")
    assert code == 0 and "--clock-mhz" in out and "(default: 800.0)" in out and "--json" in out


# ---------------------------------------------------------------------------- eie sim --report's section
def test_sim_report_energy_section(image):
    from eie.image import load

    loaded = load(image)
    acts = np.array([np.where(np.arange(30) % 3, 40, 0), np.full(30, 7)])
    pe, core = hand_events(num_pes=4)
    runs = [{"cycles": core["cycles"], "events": {"pe": {k: v.tolist() for k, v in pe.items()}, "core": core}},
            {"cycles": 5}]  # a run without event counts
    report = {"runs": runs, "parameters": {"QueueDepth": 8, "HistoryDepth": 128}}
    section = json.loads(json.dumps(energy.sim_energy_section(report, loaded, acts)))
    assert set(section) == {"source", "clock_mhz", "runs", "mean_pj_per_inference", "note", "notes"}
    assert "runs[i].events" in section["source"] and section["clock_mhz"] == 800.0
    first, second = section["runs"]
    assert second is None and section["note"] == "runs without event counts are null"
    dynamic, leakage = expected_pj(pe, core, 4, 800.0)
    assert first["per_inference"]["total_pj"] == pytest.approx(dynamic + leakage, rel=1e-12)
    assert first["per_inference"]["useful_macs"] == sum(energy.useful_macs(loaded, acts[0]))
    assert [s["label"] for s in first["segments"]] == ["run"]
    assert section["mean_pj_per_inference"] == pytest.approx(dynamic + leakage, rel=1e-12)
    assert section["notes"] == []
    other = energy.sim_energy_section({**report, "parameters": {"QueueDepth": 4, "HistoryDepth": 128}},
                                      loaded, acts)
    assert "queue_depth 4 (table 8)" in other["notes"][0]


def test_sim_report_energy_refuses_malformed_events(image):
    from eie.image import load

    loaded = load(image)
    pe, core = hand_events(num_pes=4)
    del core["broadcasts"]
    run = {"events": {"pe": {k: v.tolist() for k, v in pe.items()}, "core": core}}
    with pytest.raises(EieError, match="the report's events: core events do not match.*missing broadcasts"):
        energy.run_energy(run, 4, 10)


def test_digits_demo_energy_line(image):
    from eie.apps.demo import energy_line, energy_summary
    from eie.image import load

    loaded = load(image)
    acts = np.array([np.full(30, 9), np.arange(30)])
    events = [hand_events(num_pes=4, scale=k) for k in (1, 3)]
    runs = [{"events": {"pe": {k: v.tolist() for k, v in pe.items()}, "core": core}} for pe, core in events]
    report = {"runs": runs, "parameters": {"QueueDepth": 8, "HistoryDepth": 128}}
    report["energy"] = energy.sim_energy_section(report, loaded, acts)
    totals = [sum(expected_pj(pe, core, 4, 800.0)) * 1e-6 for pe, core in events]
    summary = energy_summary(report)
    assert summary["per_image_uj"] == pytest.approx(totals)
    assert summary["uj"] == pytest.approx(np.mean(totals))
    assert summary["frames_per_joule"] == pytest.approx(1 / (np.mean(totals) * 1e-6))
    assert f"{np.mean(totals):.3f} uJ" in energy_line(report) and energy_line(report).endswith("images/J")
    report["energy"]["notes"] = ["the core's memories differ"]
    assert energy_line(report).endswith("memory costs are those of the default sizes, not this core's")
    report["energy"]["runs"][1] = None
    assert energy_summary(report) is None and energy_line(report) == "energy: the report has no event counts to price"


def test_validation_script_figures(monkeypatch):
    """scripts/energy_validate.py on a small stand-in for Alex-7: each check's verdict follows from its figures."""
    import importlib.util

    from eie.apps.bench import BenchLayer

    spec = importlib.util.spec_from_file_location("energy_validate", ROOT / "scripts" / "energy_validate.py")
    validate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(validate)
    monkeypatch.setattr(energy, "events_of", slot_events)
    monkeypatch.setattr(validate, "layer_by_name", lambda name: BenchLayer(name, 256, 128, 0.2, 0.4, 12.2))
    r = validate.validate(800.0, 1)
    t2 = TABLE["table_ii"]
    checks = {c["figure"]: c for c in r["checks"]}
    power = checks["per-PE power, mW"]
    assert power["with_leakage"] == pytest.approx(sum(r["per_pe_mw"].values()))
    assert power["without_leakage"] == pytest.approx(sum(r["per_pe_mw"].values()) - r["per_pe_mw"]["leakage"])
    for key in ("with_leakage", "without_leakage"):
        assert checks["per-PE power, mW"][f"met_{key}"] == (abs(power[key] / t2["total_mw"] - 1) <= 0.2)
        share = checks["memories' share of it"][key]
        assert checks["memories' share of it"][f"met_{key}"] == (0.5 <= share <= 0.7)
    energy_check = checks["energy per inference, 64 PEs, uJ"]
    assert energy_check["paper"] == pytest.approx(12.2 * 0.59)
    assert energy_check["with_leakage"] == pytest.approx(r["energy_uj"])
    largest = max(r["table_ii_modules_mw"], key=r["table_ii_modules_mw"].get)
    assert checks["largest Table II module"]["with_leakage"] == largest
    gap = r["gap"]
    ratio = TABLE["paper_memories"]["paper_ptr_bank"]["read_pj"] / MEM["ptr_bank"]["read_pj"]
    assert gap["ptr_bank_at_paper_bank_mw"] == pytest.approx(gap["ptr_bank_mw"] * ratio)
    assert gap["dynamic_as_paper_mw"] == pytest.approx(power["without_leakage"] - gap["acc_file_mw"]
                                                       - gap["ptr_bank_mw"] + gap["ptr_bank_at_paper_bank_mw"])
    assert "per-PE power" in validate.format_result(r)
