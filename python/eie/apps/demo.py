# SPDX-License-Identifier: Apache-2.0
"""``make sim``: the digits network packed, run on the RTL, checked and reported.

The default network is the pruned 64-256-128-10 digits MLP of ``eie.apps.digits``
(trained by scripts/train_digits.py, 10 % weights load-balanced over 8 PEs,
4-bit shared weights), so a fresh checkout shows the whole flow on a real
network in one command: the first ``SIM_IMAGES`` held-out test images go
through the core and must equal ``eie ref`` bit for bit. ``make demo``
(scripts/digits_demo.py) runs the whole test set with the same helpers.
"""

from __future__ import annotations


import numpy as np

from eie.apps import digits
from eie.errors import EieError
from eie.image import decode
from eie.limits import DEFAULT_TAKE_LANES
from eie.packing.packer import pack
from eie.models.reference import reference
from eie.sim.simulate import simulate

SIM_IMAGES = 8


def compute_cycles(run: dict) -> np.ndarray:
    """Per PE, the cycles of a run's layers (busy + starved + stalled + drained; equal for every PE)."""
    return np.sum([run["pe"][k] for k in ("busy", "starved", "stalled", "drained")], axis=0)


def utilisation(report: dict) -> np.ndarray:
    """Per PE, busy cycles over compute cycles, over every run of the report."""
    busy = np.sum([run["pe"]["busy"] for run in report["runs"]], axis=0)
    compute = np.sum([compute_cycles(run) for run in report["runs"]], axis=0)
    return busy / np.maximum(compute, 1)


def layer_utilisation(report: dict) -> np.ndarray:
    """(layers x PEs): issue slots each PE spent in a layer over the layer's cycles, over every run.

    The core counts busy cycles per run, not per layer; a PE is busy exactly one
    cycle per issue slot (an entry, a merged padding with it or not), which the
    ideal-cycle slots give per layer. ``check_slots_are_busy_cycles`` holds the
    two together.
    """
    slots = np.sum([[layer["issue_slots_per_pe"] for layer in ideal["layers"]] for ideal in report["ideal"]], axis=0)
    cycles = np.sum([run["layer_cycles"] for run in report["runs"]], axis=0)
    return slots / np.maximum(cycles, 1)[:, None]


def check_slots_are_busy_cycles(report: dict) -> None:
    for index, (run, ideal) in enumerate(zip(report["runs"], report["ideal"])):
        slots = np.sum([layer["issue_slots_per_pe"] for layer in ideal["layers"]], axis=0)
        if not np.array_equal(slots, run["pe"]["busy"]):
            raise EieError(f"input {index}: PE busy counters {run['pe']['busy']} differ from the issue slots "
                           f"the image gives them ({slots.tolist()})")


def energy_summary(report: dict) -> dict | None:
    """Mean energy per image of the report's runs, priced from the RTL's own event counts
    (``report["energy"]``, eie.models.energy); None if the runs carry no counts."""
    runs = report.get("energy", {}).get("runs") or []
    if not runs or any(run is None for run in runs):
        return None
    mean = lambda key: float(np.mean([run[key] for run in runs]))  # noqa: E731
    per = lambda key: float(np.mean([run["per_inference"][key] for run in runs]))  # noqa: E731
    return {"clock_mhz": report["energy"]["clock_mhz"], "uj": per("total_pj") * 1e-6,
            "dynamic_uj": per("dynamic_pj") * 1e-6, "leakage_uj": per("leakage_pj") * 1e-6,
            "pj_per_mac": mean("pj_per_mac"), "frames_per_joule": 1e6 / (per("total_pj") * 1e-6),
            "per_image_uj": [run["per_inference"]["total_pj"] * 1e-6 for run in runs]}


def energy_line(report: dict) -> str:
    summary = energy_summary(report)
    if summary is None:
        return "energy: the report has no event counts to price"
    return (f"energy per image at {summary['clock_mhz']:g} MHz, 45 nm (the RTL's event counts, eie.models.energy): "
            f"{summary['uj']:.3f} uJ (dynamic {summary['dynamic_uj']:.3f}, leakage {summary['leakage_uj']:.3f}, "
            f"CACTI's upper bound), {summary['pj_per_mac']:.1f} pJ per useful MAC, "
            f"{summary['frames_per_joule']:,.0f} images/J"
            + ("; memory costs are those of the default sizes, not this core's" if report["energy"]["notes"] else ""))


def format_report(report: dict, matches: bool, outputs: np.ndarray, labels: np.ndarray, sim: str) -> str:
    params = report["parameters"]
    predicted = digits.predictions(outputs)
    lines = [
        f"EIE digits network {'-'.join(map(str, digits.SHAPES))} on {params['NumPe']} PEs "
        f"(queue depth {params['QueueDepth']}, {digits.DENSITY:.0%} weights, load-balanced), simulator {sim}",
        f"result: {outputs.size} outputs over {outputs.shape[0]} test images "
        f"{'match eie ref bit for bit' if matches else 'DIFFER from eie ref'}; "
        f"{int(np.sum(predicted == labels))}/{labels.size} classified correctly",
        f"{'image':>5} {'label':>5} {'RTL':>4} {'cycles':>7} {'ideal':>6} {'ratio':>6} {'uJ':>6}"
        "   per layer: cycles / ideal bound",
    ]
    summary = energy_summary(report)
    for index, (run, ideal) in enumerate(zip(report["runs"], report["ideal"])):
        per_layer = "  ".join(f"{c}/{b['bound']}" for c, b in zip(run["layer_cycles"], ideal["layers"]))
        uj = f"{summary['per_image_uj'][index]:>6.3f}" if summary else f"{'-':>6}"
        lines.append(f"{index:>5} {labels[index]:>5} {predicted[index]:>4} {run['cycles']:>7} {ideal['bound']:>6} "
                     f"{run['cycles'] / ideal['bound']:>6.2f} {uj}   {per_layer}")
    lines.append("PE utilisation (busy / compute cycles, all images): "
                 + " ".join(f"{u:.0%}" for u in utilisation(report)))
    lines.append(energy_line(report))
    lines.append(f"image load: {report['load_beats']} load-port beats in {report['load_cycles']} cycles")
    return "\n".join(lines)


def run_on_rtl(inputs: np.ndarray, sim: str | None = None, verbose: bool = False,
               take_lanes: int = DEFAULT_TAKE_LANES):
    """Pack the digits model, run ``inputs`` on the RTL (built with ``take_lanes``); returns
    (RTL outputs, eie ref outputs, report)."""
    loaded = decode(pack(digits.load_digits_model(), digits.pack_options()))
    outputs, report = simulate(loaded, inputs, sim=sim, verbose=verbose, check=False, take_lanes=take_lanes)
    return outputs, reference(loaded, inputs), report


def run_demo(sim: str | None = None) -> int:
    inputs, labels = digits.load_test_set()
    inputs, labels = inputs[:SIM_IMAGES], labels[:SIM_IMAGES]
    outputs, expected, report = run_on_rtl(inputs, sim)
    matches = bool(np.array_equal(outputs, expected))
    print(format_report(report, matches, outputs, labels, report["simulator"]))
    check_slots_are_busy_cycles(report)
    return 0 if matches else 1
