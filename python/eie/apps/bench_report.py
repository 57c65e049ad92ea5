# SPDX-License-Identifier: Apache-2.0
"""`eie bench`: the nine-layer table, the queue-depth and PE-count sweeps, the plots.

Each layer's energy per inference at 45 nm (eie.models.energy) sits next to
the paper's (its Table IV latency x its Table V power), with where it goes
per layer (energy.png).

Two comparisons at the table's N and queue depth: ESE load-balance-aware
pruning (another model, same density) and the balanced row assignment (the same
model, rows placed so that every PE gets nearly the same entries; eie.packing.row_assign).

Every figure names its source: "RTL" (simulated, bit-exact against eie ref, and
the cycle model agreed with every counter) or "model" (eie.models.perf alone, where
the RTL would not fit its memories or take too long).
"""

from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from pathlib import Path

from eie import progress as bars
from eie.apps.bench import BENCH_LAYERS, CLOCK_MHZ, BenchLayer, energy_figures, fixed_input, make_input, metrics, \
    model_image, pack_layer, run_rtl
from eie.models.energy import PAPER_TABLE_V
from eie.models.perf import predict

QUEUE_DEPTHS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
PE_COUNTS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
# Plots: Okabe and Ito's colour-blind-safe palette; every series also has its own
# marker and line style, so the figures read in grey print too.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "*")
LINE_STYLES = ("-", "--", "-.")  # three against eight colours: no colour and style pair repeats in 24 series
PLOT_RC = {"font.size": 11, "axes.titlesize": 12, "legend.fontsize": 9, "lines.linewidth": 1.8}


def series_style(index: int) -> dict:
    """Colour, marker and line style of the index-th series. The markers are hollow and shrink with
    the index, so series that lie on top of each other show as nested markers."""
    return {"color": PALETTE[index % len(PALETTE)], "marker": MARKERS[index % len(MARKERS)],
            "linestyle": LINE_STYLES[index % len(LINE_STYLES)], "markerfacecolor": "none", "markeredgewidth": 1.5,
            "markersize": 11 - 0.6 * (index % len(MARKERS))}


def below_legend(ax, ncol: int = 3) -> None:
    """The legend under the panel, where it hides no series."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=ncol, frameon=False)


def progress(step: int, total: int, text: str) -> None:
    bar = "#" * step + "." * (total - step)
    bars.write(f"[{bar}] {step}/{total} {text}")


def layer_row(layer: BenchLayer, num_pes: int, queue_depth: int, seed: int, sim: str | None, balanced: bool,
              optimize: bool) -> dict:
    """One layer of the table: on the RTL where it fits, else on the cycle model."""
    start = time.perf_counter()
    image, fits = pack_layer(layer, num_pes, balanced, seed) if sim else (None, False)
    acts = make_input(layer, seed)
    report = None
    if sim and fits:
        loaded, report = run_rtl(image, acts, sim, queue_depth, optimize)
    else:
        image, loaded = model_image(layer, num_pes, balanced, seed)
    predicted = predict(loaded, fixed_input(image, acts), queue_depth)
    row = metrics(layer, loaded, fixed_input(image, acts), queue_depth, report and report["runs"][0], predicted)
    if report is not None:
        row["sim_seconds"] = round(report["sim_seconds"], 1)
        row["load_seconds"] = round(report["load_seconds"], 1)
        row["sim_cycles_per_s"] = round(row["cycles"] / max(report["run_seconds"], 1e-9))
    row.update(energy_figures(layer, loaded, predicted, queue_depth, report))
    row["seconds"] = round(time.perf_counter() - start, 1)
    return row


def nine_layers(layers: list[BenchLayer], num_pes: int, queue_depth: int, seed: int, sim: str | None,
                balanced: bool, optimize: bool, jobs: int | None = None) -> list[dict]:
    """The table, in the layers' order. The first layer runs alone (on the RTL it
    builds the core); the others run ``jobs`` at a time (default: the machine's
    cores), each simulation in its own folder."""
    rows: list[dict | None] = [None] * len(layers)
    lock = threading.Lock()
    layer_bar = bars.bar(len(layers), "bench layers", " layers")

    def run(index: int) -> None:
        layer = layers[index]
        if sim:
            bars.write(f"    {layer.name}: simulating on {sim} ...")
        row = layer_row(layer, num_pes, queue_depth, seed, sim, balanced, optimize)
        with lock:
            rows[index] = row
            layer_bar.update()
            progress(sum(r is not None for r in rows), len(layers),
                     f"{layer.name}: {row['cycles']} cycles ({row['source']}), "
                     f"{row['over_bound']:+.1%} over the bound, efficiency {row['load_efficiency']:.1%}")

    with layer_bar:
        if layers:
            run(0)
        with ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1)) as pool:
            # Threads suffice: each waits on its own simulator process.
            list(pool.map(run, range(1, len(layers))))
    return rows


def queue_efficiencies(loaded, acts, depths=QUEUE_DEPTHS) -> list[float]:
    """Load efficiency of one layer at each queue depth (model, the N of the table)."""
    return [predict(loaded, acts, depth).layers[0].load_efficiency for depth in depths]


def pe_scaling(layer: BenchLayer, seed: int, counts=PE_COUNTS, queue_depth: int = 8) -> dict:
    """Cycles, speedup over one PE and padding share of one layer at each PE count (model)."""
    acts = make_input(layer, seed)
    cycles, padding = [], []
    for num_pes in counts:
        image, loaded = model_image(layer, num_pes, False, seed)
        timing = predict(loaded, fixed_input(image, acts), queue_depth).layers[0]
        cycles.append(timing.cycles)
        padding.append(float(timing.padding.sum() / max(timing.entries.sum(), 1)))
    return {"cycles": cycles, "speedup": [cycles[0] / c for c in cycles], "padding_share": padding}


def over_average(cycles: int, average: float, broadcasts: int) -> float:
    """Cycles over max(average bound, broadcast bound): what perfect balance would leave."""
    bound = max(average, broadcasts)
    return cycles / bound - 1 if bound else 0.0


def balanced_row(layer: BenchLayer, num_pes: int, queue_depth: int, seed: int) -> dict:
    """A layer's metrics with the balanced row assignment of the same model (cycle model)."""
    image, loaded = model_image(layer, num_pes, False, seed, "balanced")
    return metrics(layer, loaded, fixed_input(image, make_input(layer, seed)), queue_depth, None)


def balanced_rows(layers: list[BenchLayer], num_pes: int, queue_depth: int, seed: int) -> list[dict]:
    return [balanced_row(layer, num_pes, queue_depth, seed) for layer in layers]


def row_assignment(rows: list[dict], balanced: list[dict]) -> list[dict]:
    """Interleaved (the table's rows) against balanced row assignment of the same model."""
    result = []
    for plain, bal in zip(rows, balanced):
        result.append({
            "layer": plain["layer"],
            "interleave_cycles": plain["cycles"],
            "interleave_source": plain["source"],
            "balanced_cycles": bal["cycles"],
            "interleave_average_bound": plain["average_bound"],
            "balanced_average_bound": bal["average_bound"],
            "broadcast_bound": bal["broadcast_bound"],
            "interleave_busiest_pe_bound": plain["busiest_pe_bound"],
            "balanced_busiest_pe_bound": bal["busiest_pe_bound"],
            "interleave_over_bound": over_average(plain["cycles"], plain["average_bound"], plain["broadcast_bound"]),
            "balanced_over_bound": over_average(bal["cycles"], bal["average_bound"], bal["broadcast_bound"]),
            "balanced_load_efficiency": bal["load_efficiency"],
            "interleave_all_columns_over_mean": plain["all_columns_over_mean"],
            "balanced_all_columns_over_mean": bal["all_columns_over_mean"],
        })
    return result


def ese_row(layer: BenchLayer, num_pes: int, queue_depth: int, seed: int) -> dict:
    """A layer's metrics with ESE load-balance-aware pruning, same density (cycle model)."""
    image, loaded = model_image(layer, num_pes, True, seed)
    return metrics(layer, loaded, fixed_input(image, make_input(layer, seed)), queue_depth, None)


def layer_study(name: str, study: str, num_pes: int, queue_depth: int, seed: int) -> dict:
    """One study of one layer: {"ese": row}, {"balanced": row} or {"queue_sweep": ..., "pe_sweep": ...}."""
    from eie.apps.bench import layer_by_name

    layer = layer_by_name(name)
    if study == "ese":
        return {"ese": ese_row(layer, num_pes, queue_depth, seed)}
    if study == "balanced":
        return {"balanced": balanced_row(layer, num_pes, queue_depth, seed)}
    image, loaded = model_image(layer, num_pes, False, seed)
    return {"queue_sweep": queue_efficiencies(loaded, fixed_input(image, make_input(layer, seed))),
            "pe_sweep": pe_scaling(layer, seed)}


def model_studies(layer_names: list[str], num_pes: int, queue_depth: int, seed: int, sweeps: bool,
                  jobs: int = 1) -> dict:
    """Everything of the report that the cycle model alone computes: ESE pruning,
    balanced rows and the two sweeps. Independent of the RTL runs, so `eie bench`
    runs it in a second process beside them; without the RTL, ``jobs`` processes
    share the studies, largest layer first (each study is independent of the
    others, so every figure is the same whichever process computes it)."""
    from eie.apps.bench import layer_by_name

    print("== ESE pruning, balanced rows" + (", queue depth and PE count sweeps" if sweeps else "")
          + " (cycle model)", flush=True)
    size = {name: layer_by_name(name).in_features * layer_by_name(name).out_features for name in layer_names}
    # The sweeps, the longest study, first: a big layer's sweeps then overlap its other studies.
    tasks = [(name, study) for name in sorted(layer_names, key=lambda name: -size[name])
             for study in ("sweeps",) * sweeps + ("ese", "balanced")]
    done: dict[str, dict] = {name: {} for name in layer_names}
    finished = []
    study_bar = bars.bar(len(tasks), "bench studies", " studies")

    def report(name: str, study: str, result: dict) -> None:
        done[name].update(result)
        finished.append(study)
        study_bar.update()
        if study == "sweeps":
            line = f"{name}: speedup at {PE_COUNTS[-1]} PEs {result['pe_sweep']['speedup'][-1]:.0f}x"
        else:
            line = f"{name}: {result[study]['cycles']} cycles with {'ESE pruning' if study == 'ese' else 'balanced rows'}"
        progress(len(finished), len(tasks), line)

    with study_bar:
        if jobs > 1:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                pending = {pool.submit(layer_study, name, study, num_pes, queue_depth, seed): (name, study)
                           for name, study in tasks}
                for future in as_completed(pending):
                    report(*pending[future], future.result())
        else:
            for name, study in tasks:
                report(name, study, layer_study(name, study, num_pes, queue_depth, seed))
    studies = {key: [done[name][key] for name in layer_names] for key in ("ese", "balanced")}
    if sweeps:
        for key in ("queue_sweep", "pe_sweep"):
            studies[key] = {name: done[name][key] for name in layer_names}
    return studies


def row_assignment_table(result: list[dict]) -> str:
    lines = ["| layer | interleave cycles | balanced cycles | change | average bound (interleave / balanced) "
             "| broadcast bound | over bound, interleave | over bound, balanced "
             "| all columns, busiest PE over mean (interleave / balanced) |", "|" + "---|" * 9]
    for r in result:
        lines.append(
            f"| {r['layer']} | {r['interleave_cycles']} | {r['balanced_cycles']} "
            f"| {r['balanced_cycles'] / r['interleave_cycles'] - 1:+.1%} "
            f"| {r['interleave_average_bound']} / {r['balanced_average_bound']} | {r['broadcast_bound']} "
            f"| {r['interleave_over_bound']:+.1%} | {r['balanced_over_bound']:+.1%} "
            f"| {r['interleave_all_columns_over_mean']:+.2%} / {r['balanced_all_columns_over_mean']:+.2%} |"
        )
    return "\n".join(lines)


def markdown_table(rows: list[dict]) -> str:
    head = ("| layer | source | cycles | busiest-PE bound | average bound | broadcast bound | over max bound "
            "| load efficiency | padding | latency @800 MHz | paper | vs paper |")
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        lines.append(
            f"| {r['layer']} | {r['source']} | {r['cycles']} | {r['busiest_pe_bound']} | {r['average_bound']} "
            f"| {r['broadcast_bound']} | {r['over_bound']:+.1%} | {r['load_efficiency']:.1%} "
            f"| {r['padding_share']:.1%} | {r['latency_us']:.1f} us "
            + (f"| {r['paper_us']} us | {r['vs_paper']:.2f}x |" if r["paper_us"] is not None else "| - | - |")
        )
    return "\n".join(lines)


def _or_dash(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def energy_table(rows: list[dict]) -> str:
    """Energy per inference of each layer, next to the paper's, and where it goes."""
    table_v = PAPER_TABLE_V
    lines = [f"Energy per inference at {CLOCK_MHZ:g} MHz, 45 nm (eie.models.energy, doc/energy.md): the events "
             f"of each run priced with python/eie/data/energy_45nm.json. Paper: its Table IV latency x its Table V "
             f"power ({table_v['power_w']} W at {table_v['num_pes']} PEs); Table V gives frames/J for "
             f"{table_v['layer']} only. Leakage is CACTI's, an upper bound.", "",
             "Each figure is with leakage, and (in brackets) without it.", "",
             "| layer | events from | uJ | leakage uJ | vs paper | pJ / useful MAC | frames/J | paper uJ "
             "| paper frames/J | mW per PE |", "|" + "---|" * 10]
    for r in rows:
        paper = r["paper_uj"]
        dynamic = r["energy_dynamic_uj"]
        dynamic_power = r["power_per_pe_mw"] * dynamic / r["energy_uj"] if r["energy_uj"] else 0.0
        cells = [r["layer"], r["energy_source"], f"{r['energy_uj']:.2f} ({dynamic:.2f})",
                 f"{r['energy_components_uj']['leakage']:.2f}",
                 f"{r['energy_uj'] / paper:.2f}x ({dynamic / paper:.2f}x)" if paper else "-",
                 f"{_or_dash(r['pj_per_mac'], '.1f')} ({_or_dash(r['dynamic_pj_per_mac'], '.1f')})",
                 f"{r['frames_per_joule']:,.0f} ({1e6 / dynamic if dynamic else float('inf'):,.0f})",
                 _or_dash(paper, ".2f"), _or_dash(r["paper_frames_per_joule"], ","),
                 f"{r['power_per_pe_mw']:.1f} ({dynamic_power:.1f})"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Where it goes (uJ per inference):", "",
              "| layer | " + " | ".join(ENERGY_PARTS) + " |", "|" + "---|" * (len(ENERGY_PARTS) + 1)]
    for r in rows:
        lines.append(f"| {r['layer']} | " + " | ".join(f"{v:.3f}" for v in energy_parts(r).values()) + " |")
    return "\n".join(lines)


# The stacked bars and the breakdown table: the three largest memories apart, then the components.
ENERGY_PARTS = ("spmat", "ptr_bank", "acc_file", "other memories", "arithmetic", "clock+reg", "control", "leakage")


def energy_parts(row: dict) -> dict[str, float]:
    memories = row["energy_memories_uj"]
    components = row["energy_components_uj"]
    apart = {name: memories.get(name, 0.0) for name in ENERGY_PARTS[:3]}
    return {**apart, "other memories": components["memory"] - sum(apart.values()),
            "arithmetic": components["arithmetic"], "clock+reg": components["clock_registers"],
            "control": components["control"], "leakage": components["leakage"]}


def plot_energy(out: Path, rows: list[dict]) -> Path:
    """A stacked bar per layer: where its energy per inference goes; the paper's figure as a marker."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context(PLOT_RC):
        fig, ax = plt.subplots(figsize=(9, 5))
        names = [r["layer"] for r in rows]
        bottom = [0.0] * len(rows)
        parts = [energy_parts(r) for r in rows]
        # Black is the paper's marker: the eight parts take the palette's other seven and grey.
        colors = PALETTE[:-1] + ("#999999",)
        for index, part in enumerate(ENERGY_PARTS):
            values = [p[part] for p in parts]
            ax.bar(names, values, bottom=bottom, label=part, color=colors[index],
                   hatch="//" if part == "leakage" else None, edgecolor="white", linewidth=0.5)
            bottom = [b + v for b, v in zip(bottom, values)]
        paper = [(n, r["paper_uj"]) for n, r in zip(names, rows) if r["paper_uj"]]
        if paper:
            ax.plot([n for n, _ in paper], [v for _, v in paper], "k_", linestyle="none", markersize=22,
                    markeredgewidth=2.5, label=f"paper (latency x {PAPER_TABLE_V['power_w']} W)")
        ax.set_ylabel(f"uJ per inference at {CLOCK_MHZ:g} MHz")
        ax.set_title(f"Where the energy goes (45 nm, N={rows[0]['num_pes']}; leakage hatched, CACTI's upper bound)")
        ax.grid(alpha=0.3, axis="y")
        plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
        handles, labels = ax.get_legend_handles_labels()  # top to bottom, as the stack
        ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        path = out / "energy.png"
        fig.savefig(path, dpi=150, bbox_inches="tight")
        plt.close(fig)
    return path


def stall_table(rows: list[dict]) -> str:
    """Where the cycles over the bound go, from the RTL counters (RTL rows only)."""
    rtl = [r for r in rows if "fullest_pe" in r]
    if not rtl:
        return ""
    lines = ["Where the cycles go (RTL counters): broadcast stalls are cycles a fresh column waited while a PE "
             "was a whole history behind; a full queue keeps its PE from taking its next column from the history; "
             "the busiest PE loses the cycles it is starved.", "",
             "| layer | over max bound | broadcast stalls | PEs ever full | PE full longest (cycles) "
             "| busiest PE | its starved cycles | its own queue full |", "|" + "---|" * 8]
    for r in rtl:
        lines.append(f"| {r['layer']} | {r['over_bound']:+.1%} | {r['broadcast_stalls']} | {r['pes_ever_full']} "
                     f"| PE {r['fullest_pe']} ({r['fullest_pe_cycles']}) | PE {r['busiest_pe']} "
                     f"| {r['busiest_pe_starved']} | {r['busiest_pe_queue_full']} |")
    return "\n".join(lines)


def plot(out: Path, queue: dict | None, pes: dict | None) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    with plt.rc_context(PLOT_RC):
        if queue:
            fig, ax = plt.subplots(figsize=(7, 5.5))
            for index, (name, values) in enumerate(queue.items()):
                ax.plot(QUEUE_DEPTHS, [100 * v for v in values], label=name, **series_style(index))
            ax.set_xscale("log", base=2)
            ax.set_xlabel("activation queue depth")
            ax.set_ylabel("load efficiency (%)")
            ax.set_title("Load efficiency vs queue depth (N=64, cycle model)")
            ax.grid(alpha=0.3)
            below_legend(ax)
            written.append(out / "queue_depth.png")
            fig.savefig(written[-1], dpi=150, bbox_inches="tight")
            plt.close(fig)
        if pes:
            fig, (ax, ax2) = plt.subplots(1, 2, figsize=(13, 5.5))
            ax.plot(PE_COUNTS, PE_COUNTS, color="0.5", linestyle=(0, (1, 1)), lw=1.2, label="linear")
            for index, (name, values) in enumerate(pes.items()):
                ax.plot(PE_COUNTS, values["speedup"], label=name, **series_style(index))
                ax2.plot(PE_COUNTS, [100 * v for v in values["padding_share"]], label=name, **series_style(index))
            for axis in (ax, ax2):
                axis.set_xscale("log", base=2)
                axis.set_xlabel("PEs")
                axis.grid(alpha=0.3)
                below_legend(axis)
            ax.set_yscale("log", base=2)
            ax.set_ylabel("speedup over 1 PE")
            ax.set_title("Scalability (queue depth 8, cycle model)")
            ax2.set_ylabel("padding entries (% of entries)")
            ax2.set_title("Padding share vs PEs")
            written.append(out / "pe_scaling.png")
            fig.savefig(written[-1], dpi=150, bbox_inches="tight")
            plt.close(fig)
    return written


def main(layer_names: list[str] | None, out: Path, sim: str | None, num_pes: int, queue_depth: int, seed: int,
         sweeps: bool, optimize: bool) -> dict:
    from eie.apps.bench import layer_by_name

    layers = [layer_by_name(n) for n in layer_names] if layer_names else list(BENCH_LAYERS)
    out.mkdir(parents=True, exist_ok=True)
    print(f"== {len(layers)} layers, N={num_pes}, queue depth {queue_depth}, seed {seed}, "
          f"{'RTL on ' + sim if sim else 'cycle model only'}")
    names = [layer.name for layer in layers]
    if sim:
        # The RTL runs and the cycle-model studies share nothing: the studies go to a
        # second process (the machine's other core) and print as they go; the bars
        # are this process's (EIE_PROGRESS=0 there), so they never collide.
        with ProcessPoolExecutor(max_workers=1, initializer=os.environ.__setitem__,
                                 initargs=("EIE_PROGRESS", "0")) as pool:
            pending = pool.submit(model_studies, names, num_pes, queue_depth, seed, sweeps)
            rows = nine_layers(layers, num_pes, queue_depth, seed, sim, False, optimize)
            studies = pending.result()
    else:
        rows = nine_layers(layers, num_pes, queue_depth, seed, sim, False, optimize)
        studies = model_studies(names, num_pes, queue_depth, seed, sweeps, jobs=os.cpu_count() or 1)
    ese = studies["ese"]
    assignment = row_assignment(rows, studies["balanced"])
    result = {"num_pes": num_pes, "queue_depth": queue_depth, "seed": seed, "simulator": sim,
              "layers": rows, "ese": ese, "row_assignment": assignment}
    if sweeps:
        result["queue_depths"] = list(QUEUE_DEPTHS)
        result["queue_sweep"] = studies["queue_sweep"]
        result["pe_counts"] = list(PE_COUNTS)
        result["pe_sweep"] = studies["pe_sweep"]
    table = markdown_table(rows) + "\n\n" + energy_table(rows)
    stalls = stall_table(rows)
    if stalls:
        table += "\n\n" + stalls
    ese_lines = ["| layer | magnitude cycles | ESE cycles | magnitude efficiency | ESE efficiency |", "|---|---|---|---|---|"]
    for plain, bal in zip(rows, ese):
        ese_lines.append(f"| {plain['layer']} | {plain['cycles']} | {bal['cycles']} | {plain['load_efficiency']:.1%} "
                         f"| {bal['load_efficiency']:.1%} |")
    (out / "bench.json").write_text(json.dumps(result, indent=1))
    assign_lines = row_assignment_table(assignment)
    assign_note = (f"Rows to PEs (N={num_pes}, queue depth {queue_depth}; balanced from the cycle model): over bound "
                   f"= cycles / max(average bound, broadcast bound) - 1; the average bound is the issue slots the "
                   f"input touches / N (entries, less the paddings merged into the next entry), of each image.")
    (out / "bench.md").write_text(table + "\n\n" + "\n".join(ese_lines) + "\n\n" + assign_note + "\n\n"
                                  + assign_lines + "\n")
    plots = plot(out, result.get("queue_sweep"), result.get("pe_sweep")) + [plot_energy(out, rows)]
    print(table)
    print()
    print("\n".join(ese_lines))
    print()
    print(assign_lines)
    print(f"written: {out / 'bench.json'}, {out / 'bench.md'}" + "".join(f", {p}" for p in plots))
    return result
