#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""``make demo``: the whole held-out digits test set through the RTL core, with accuracy and utilisation.

Packs the digits MLP (eie.apps.digits) for 8 PEs, runs every test image on the RTL
(in a few chunks, for progress), and prints the accuracy of the float model,
of eie ref and of the RTL; the RTL must equal eie ref bit for bit, or this
exits 1 naming the first difference. Writes to --out: summary.json,
confusion.png (RTL predictions) and utilisation.png (per layer and PE).

    .venv/bin/python scripts/digits_demo.py --sim verilator --out results/demo
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from eie.apps import digits
from eie.apps.demo import check_slots_are_busy_cycles, energy_line, energy_summary, layer_utilisation, run_on_rtl, \
    utilisation
from eie.errors import EieError
from eie.limits import DEFAULT_TAKE_LANES
from eie.sim.rtlsim import default_simulator


def merge(reports: list[dict]) -> dict:
    merged = dict(reports[0])
    merged["runs"] = [run for report in reports for run in report["runs"]]
    merged["ideal"] = [ideal for report in reports for ideal in report["ideal"]]
    merged["energy"] = {**reports[0]["energy"], "runs": [run for report in reports for run in report["energy"]["runs"]]}
    return merged


def plot(out: Path, confusion: np.ndarray, per_layer: np.ndarray, accuracy: float) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on CI
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.imshow(confusion, cmap="Blues")
    for (i, j), count in np.ndenumerate(confusion):
        if count:
            ax.text(j, i, str(count), ha="center", va="center",
                    color="white" if count > confusion.max() / 2 else "black", fontsize=8)
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted by the RTL", ylabel="label",
           title=f"digits test set on the EIE core: {accuracy:.1%} correct")
    fig.tight_layout()
    fig.savefig(out / "confusion.png", dpi=120)
    plt.close(fig)

    layers, pes = per_layer.shape
    fig, ax = plt.subplots(figsize=(7, 4.2))
    width = 0.8 / layers
    for layer in range(layers):
        ax.bar(np.arange(pes) + (layer - (layers - 1) / 2) * width, per_layer[layer] * 100, width,
               label=f"layer {layer} ({digits.SHAPES[layer]}->{digits.SHAPES[layer + 1]})")
    # A layer's drain counts in the next layer's cycles (issue 18), so a layer may exceed 100 %.
    ax.set(xticks=range(pes), xlabel="PE", ylabel="busy cycles / layer cycles (%)",
           ylim=(0, max(100.0, float(per_layer.max()) * 100 * 1.05)),
           title="PE utilisation per layer, whole test set")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=layers, fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(out / "utilisation.png", dpi=120)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sim", choices=("icarus", "verilator"), default=None, help="default: $SIM or verilator")
    parser.add_argument("--out", type=Path, default=Path("results/demo"))
    parser.add_argument("--images", type=int, default=None, help="only the first N test images")
    parser.add_argument("--take-lanes", type=int, choices=(1, 2), default=DEFAULT_TAKE_LANES,
                        help=f"eie_core's TakeLanes: columns a PE takes per cycle (default {DEFAULT_TAKE_LANES})")
    parser.add_argument("--chunks", type=int, default=None,
                        help="RTL runs the test set is split into, for progress (default 4; Icarus: 24 images each)")
    args = parser.parse_args(argv)
    start = time.perf_counter()

    inputs, labels = digits.load_test_set()
    if args.images is not None:
        inputs, labels = inputs[: args.images], labels[: args.images]
    layers = digits.load_digits_model()
    float_acc = digits.accuracy(digits.float_forward(layers, inputs), labels)
    print(f"digits MLP {'-'.join(map(str, digits.SHAPES))}, {digits.DENSITY:.0%} weights load-balanced over "
          f"{digits.PES} PEs; {len(labels)} held-out test images")

    sim = args.sim or default_simulator()
    chunks = args.chunks or (4 if sim == "verilator" else -(-len(labels) // 24))
    if sim == "icarus" and args.images is None:
        print("  Icarus takes about 4 s an image, some 25 min for the test set; --images N runs the first N")
    outputs, expected, reports = [], [], []
    for chunk in np.array_split(np.arange(len(labels)), max(1, min(chunks, len(labels)))):
        t0 = time.perf_counter()
        out, ref, report = run_on_rtl(inputs[chunk], sim, take_lanes=args.take_lanes)
        outputs.append(out)
        expected.append(ref)
        reports.append(report)
        cycles = [run["cycles"] for run in report["runs"]]
        print(f"  RTL ({report['simulator']}) images {chunk[0]}..{chunk[-1]}: {np.mean(cycles):.0f} cycles per "
              f"inference, {time.perf_counter() - t0:.0f} s", flush=True)
    outputs, expected, report = np.concatenate(outputs), np.concatenate(expected), merge(reports)

    differ = np.nonzero(np.any(outputs != expected, axis=1))[0]
    if differ.size:
        first = differ[0]
        print(f"FAIL: the RTL differs from eie ref on {differ.size} of {len(labels)} images; first image {first}: "
              f"RTL {outputs[first].tolist()} != ref {expected[first].tolist()}", file=sys.stderr)
        return 1
    check_slots_are_busy_cycles(report)

    ref_acc = digits.accuracy(expected, labels)
    rtl_pred = digits.predictions(outputs)
    rtl_acc = float(np.mean(rtl_pred == labels))
    cycles = np.array([run["cycles"] for run in report["runs"]])
    ideal = np.array([i["bound"] for i in report["ideal"]])
    per_pe = utilisation(report)
    per_layer = layer_utilisation(report)
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (labels, rtl_pred), 1)

    print(f"accuracy: float {float_acc:.2%}, eie ref {ref_acc:.2%}, RTL {rtl_acc:.2%} "
          f"(RTL outputs equal eie ref bit for bit on all {len(labels)} images)")
    print(f"cycles per inference: mean {cycles.mean():.0f} (min {cycles.min()}, max {cycles.max()}), "
          f"ideal bound mean {ideal.mean():.0f}, ratio {cycles.sum() / ideal.sum():.2f}")
    print("PE utilisation (busy / compute cycles): " + " ".join(f"{u:.0%}" for u in per_pe))
    print(energy_line(report))
    for index, row in enumerate(per_layer):
        print(f"  layer {index} ({digits.SHAPES[index]:>3} -> {digits.SHAPES[index + 1]:>3}): "
              + " ".join(f"{u:.0%}" for u in row))

    args.out.mkdir(parents=True, exist_ok=True)
    summary = {
        "images": int(len(labels)),
        "accuracy": {"float": float_acc, "eie_ref": ref_acc, "rtl": rtl_acc},
        "cycles_per_inference": {"mean": float(cycles.mean()), "min": int(cycles.min()), "max": int(cycles.max())},
        "ideal_cycles_mean": float(ideal.mean()),
        "pe_utilisation": per_pe.tolist(),
        "layer_pe_utilisation": per_layer.tolist(),
        "confusion": confusion.tolist(),
        "energy": {k: v for k, v in (energy_summary(report) or {}).items() if k != "per_image_uj"} or None,
        "simulator": report["simulator"],
        "parameters": report["parameters"],
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    plot(args.out, confusion, per_layer, rtl_acc)
    print(f"wrote {args.out}/summary.json, confusion.png, utilisation.png in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except EieError as exc:
        print(f"digits_demo: error: {exc}", file=sys.stderr)
        sys.exit(1)
