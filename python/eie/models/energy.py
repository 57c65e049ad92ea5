# SPDX-License-Identifier: Apache-2.0
"""Energy per inference at 45 nm: the event counts of a run priced with the cost table.

energy = sum over events of (count x the cost of its table entry)
       + per cycle and PE: the calibrated clock+register cost
       + per cycle: the memories' leakage (leakage_mw x copies x PEs x cycle time)

The counts are those of eie.models.events (PE_EVENTS per PE, CORE_EVENTS per
core), from the cycle model (``events_of``, one layer's ``LayerTiming``) or from
the RTL (``run_events``, ``eie sim --report``'s ``runs[i]["events"]``). The costs
are python/eie/data/energy_45nm.json (``make cacti``; doc/energy.md gives the
source of every entry). Every line of the bill (``Item``) names the JSON entry
its cost came from, so every figure of a report can be traced back.

What each event costs (``bill``):

- SRAM reads and writes: the memory's ``read_pj`` / ``write_pj`` per word.
  A history write goes into both copies of every PE (``copies_per_pe`` x PEs).
- A multiply: the 16-bit multiply, plus the 48-bit accumulate add it feeds.
- A bypass hit costs nothing extra. The RTL still reads the accumulator for
  it (its read enable does not look at the bypass), and ``acc_reads`` counts
  that read: gating it would save one read per hit.
- A broadcast and an LNZD node move load a register: bits x the calibrated
  clock+register energy per flop and cycle. A broadcast carries one history
  entry (``bcast_history.width_bits``), a node register {activation, column
  index} (eie_lnzd_tree's DataWidth).
- Busy and idle cycles cost the same: nothing is clock-gated, so each PE pays
  the calibrated clock+register energy every cycle of the layer (``cycles``).
- Leakage: every memory of every PE leaks for the layer's cycles at the chosen
  clock. CACTI's leakage is an upper bound (doc/energy.md), so reports keep it
  apart from the dynamic energy.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from dataclasses import dataclass, field

import numpy as np

from eie import limits
from eie.errors import EieError
from eie.fixedpoint import ACT_WIDTH
from eie.models.events import CORE_EVENTS, PE_EVENTS

TABLE_RESOURCE = "energy_45nm.json"
TABLE_PATH = "python/eie/data/energy_45nm.json"  # how reports name the table
DEFAULT_CLOCK_MHZ = 800.0  # the paper's clock (EIE, ISCA 2016, Section V)

# The report's components, in the order tables print them.
COMPONENTS = ("memory", "arithmetic", "clock_registers", "control", "leakage")
COMPONENT_TITLES = {"memory": "memories", "arithmetic": "arithmetic", "clock_registers": "clock+reg",
                    "control": "control", "leakage": "leakage"}

# eie_lnzd_tree's DataWidth: {activation, column index} (eie_pkg ActWidth + ColIdxWidth).
LNZD_NODE_BITS = ACT_WIDTH + limits.LAYER_IN.hi.bit_length()

# EIE Table V (64 PEs, 45 nm, 800 MHz, Alex-7): the paper's figures the reports compare with.
PAPER_TABLE_V = {
    "num_pes": 64,
    "power_w": 0.59,
    "frames_per_s": 81967,
    "frames_per_joule": 138927,
    "area_mm2": 40.8,
    "layer": "Alex-7",
    "source": "Han et al., EIE, ISCA 2016, Table V (64 PEs, 45 nm, 800 MHz, Alex-7)",
}
# EIE Table II by module (one PE, mW); the totals are in the JSON's ``table_ii``.
PAPER_TABLE_II_MODULES_MW = {"act_queue": 0.112, "PtrRead": 1.807, "SpmatRead": 4.955, "ArithmUnit": 1.162,
                             "ActRW": 1.122}
# Which events make up each Table II module (the data-dependent part of it: the
# paper's module powers also hold their share of the clock and registers).
MODULE_EVENTS = {
    "SpmatRead": ("spmat_reads",),
    "PtrRead": ("ptr_reads",),
    "ArithmUnit": ("multiplies", "codebook_reads", "acc_reads", "acc_writes"),
    "ActRW": ("act_reads", "act_writes"),
    "act_queue": ("queue_pushes", "queue_pops"),
}


@functools.lru_cache(maxsize=1)
def load_table() -> dict:
    """The committed cost table (python/eie/data/energy_45nm.json)."""
    text = importlib.resources.files("eie.data").joinpath(TABLE_RESOURCE).read_text()
    return json.loads(text)


@dataclass(frozen=True)
class Cost:
    """What one count of an event costs: ``pj``, made from the table entry ``entry``."""

    component: str  # one of COMPONENTS
    part: str  # the memory (memory, leakage), else a short name of the cost
    entry: str  # the JSON entry, dotted: "memories.spmat.read_pj"
    pj: float  # per count, ``factor`` included
    factor: str = ""  # how ``pj`` follows from the entry, e.g. "x 2 copies x 64 PEs"


@dataclass(frozen=True)
class Item:
    """One line of the bill: ``count`` events (over every PE) at ``cost.pj`` each."""

    event: str
    count: int
    cost: Cost

    @property
    def pj(self) -> float:
        return self.count * self.cost.pj

    def to_json(self, inferences: int = 1) -> dict:
        """Per inference: the count (a mean over ``inferences``) and its energy."""
        count = self.count if inferences == 1 else self.count / inferences
        return {"event": self.event, "count": count, "component": self.cost.component,
                "part": self.cost.part, "entry": self.cost.entry, "unit_pj": self.cost.pj,
                "factor": self.cost.factor, "pj": self.pj / inferences}


def _memory(table: dict, name: str) -> dict:
    return table["memories"][name]


def event_costs(num_pes: int, clock_mhz: float = DEFAULT_CLOCK_MHZ, table: dict | None = None) -> dict[str, list[Cost]]:
    """Every event of eie.models.events (and ``leakage``, per core cycle) -> its costs per count.

    Per-PE events cost per count in one PE; core events per count for the whole
    core (every PE's copies included). An event with no cost has an empty list.
    """
    table = table or load_table()
    check_clock(clock_mhz)
    flop_pj = table["calibrated"]["clock_register_pj_per_flop_cycle"]["value"]
    flop_entry = "calibrated.clock_register_pj_per_flop_cycle"

    def mem(name: str, op: str, copies: int = 1, why: str = "") -> Cost:
        entry = _memory(table, name)
        return Cost("memory", name, f"memories.{name}.{op}_pj", entry[f"{op}_pj"] * copies, why)

    def arith(name: str, part: str) -> Cost:
        return Cost("arithmetic", part, f"arithmetic.{name}", table["arithmetic"][name]["value"])

    history = _memory(table, "bcast_history")
    history_copies = history["copies_per_pe"] * num_pes
    costs = {
        "spmat_reads": [mem("spmat", "read")],
        "ptr_reads": [mem("ptr_bank", "read")],
        "codebook_reads": [mem("codebook", "read")],
        "multiplies": [arith("int16_mult_pj", "multiply"),
                       Cost("arithmetic", "accumulate add", "arithmetic.int48_add_pj",
                            table["arithmetic"]["int48_add_pj"]["value"], "one 48-bit add per multiply")],
        "acc_reads": [mem("acc_file", "read")],
        "acc_writes": [mem("acc_file", "write")],
        "bypass_hits": [],  # the read it makes unnecessary is still made, and counted in acc_reads
        "act_reads": [mem("act_file", "read")],
        "act_writes": [mem("act_file", "write")],
        "queue_pushes": [mem("act_queue", "write")],
        "queue_pops": [mem("act_queue", "read")],
        "history_reads": [mem("bcast_history", "read")],
        "busy_cycles": [],  # no clock gating: busy and idle cycles both pay the per-cycle cost below
        "idle_cycles": [],
        "broadcasts": [Cost("control", "broadcast register", flop_entry, history["width_bits"] * flop_pj,
                            f"x {history['width_bits']} bits (memories.bcast_history.width_bits)")],
        "history_writes": [mem("bcast_history", "write", history_copies,
                               f"x {_copies(history['copies_per_pe'])} x {num_pes} PEs: each write goes into "
                               f"every PE's copies")],
        "lnzd_node_moves": [Cost("control", "LNZD node register", flop_entry, LNZD_NODE_BITS * flop_pj,
                                 f"x {LNZD_NODE_BITS} bits (eie_lnzd_tree DataWidth)")],
        "cycles": [Cost("clock_registers", "clock + registers", "calibrated.clock_register_pj_per_cycle_per_pe",
                        table["calibrated"]["clock_register_pj_per_cycle_per_pe"]["value"] * num_pes,
                        f"x {num_pes} PEs, no clock gating")],
    }
    # Leakage: per core cycle, every memory's copies in every PE, at the chosen clock
    # (mW / MHz = nJ per cycle).
    costs["leakage"] = [
        Cost("leakage", name, f"memories.{name}.leakage_mw",
             entry["leakage_mw"] * entry["copies_per_pe"] * num_pes / clock_mhz * 1e3,
             f"x {_copies(entry['copies_per_pe'])} x {num_pes} PEs / {clock_mhz:g} MHz")
        for name, entry in table["memories"].items() if entry["leakage_mw"] > 0
    ]
    missing = (set(PE_EVENTS) | set(CORE_EVENTS)) - set(costs)
    assert not missing, f"events without a price: {sorted(missing)}"
    return costs


def _copies(count: int) -> str:
    return f"{count} cop{'y' if count == 1 else 'ies'}"


def check_clock(clock_mhz: float) -> float:
    if not (isinstance(clock_mhz, (int, float)) and np.isfinite(clock_mhz) and clock_mhz > 0):
        raise EieError(f"the clock must be a positive number of MHz, got {clock_mhz!r}")
    return float(clock_mhz)


@dataclass
class Segment:
    """The events of one layer (or of a whole run, as the RTL counts them), over its inferences."""

    label: str
    pe: dict[str, np.ndarray]  # PE_EVENTS name -> per-PE counts
    core: dict[str, int]  # CORE_EVENTS name -> count
    useful_macs: int  # non-padding entries in the broadcast columns (the bias column's included)


@dataclass
class SegmentEnergy:
    label: str
    cycles: int
    useful_macs: int
    items: list[Item]

    @property
    def pj(self) -> float:
        return sum(item.pj for item in self.items)

    def by_component(self) -> dict[str, float]:
        return _sum_by(self.items, lambda item: item.cost.component, COMPONENTS)


def _sum_by(items, key, order=()) -> dict[str, float]:
    sums = {name: 0.0 for name in order}
    for item in items:
        sums[key(item)] = sums.get(key(item), 0.0) + item.pj
    return sums


def check_events(pe: dict, core: dict, num_pes: int, where: str) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """The counts as arrays, every event there and no other (EieError naming ``where`` if not)."""
    for given, names, kind in ((pe, PE_EVENTS, "per-PE"), (core, CORE_EVENTS, "core")):
        if set(given) != set(names):
            missing, extra = sorted(set(names) - set(given)), sorted(set(given) - set(names))
            raise EieError(f"{where}: {kind} events do not match eie.models.events"
                           + (f"; missing {', '.join(missing)}" if missing else "")
                           + (f"; unknown {', '.join(extra)}" if extra else ""))
    pe_arrays = {}
    for name, counts in pe.items():
        array = np.asarray(counts)
        if array.shape != (num_pes,) or not np.issubdtype(array.dtype, np.integer) or (array < 0).any():
            raise EieError(f"{where}: event {name} must be {num_pes} non-negative integer counts, one per PE")
        pe_arrays[name] = array.astype(np.int64)
    core_counts = {}
    for name, count in core.items():
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
            raise EieError(f"{where}: event {name} must be a non-negative integer, got {count!r}")
        core_counts[name] = int(count)
    return pe_arrays, core_counts


def bill(segment: Segment, costs: dict[str, list[Cost]]) -> SegmentEnergy:
    """The items of one segment: each event's total count (over PEs) times each of its costs."""
    items = []
    for name in PE_EVENTS:
        count = int(segment.pe[name].sum())
        items += [Item(name, count, cost) for cost in costs[name]]
    for name in CORE_EVENTS:
        items += [Item(name, segment.core[name], cost) for cost in costs[name]]
    items += [Item("cycles", segment.core["cycles"], cost) for cost in costs["leakage"]]
    return SegmentEnergy(segment.label, segment.core["cycles"], segment.useful_macs, items)


@dataclass
class EnergyReport:
    """Energy of ``inferences`` inferences on ``num_pes`` PEs at ``clock_mhz``, per segment (layer)."""

    num_pes: int
    clock_mhz: float
    inferences: int
    segments: list[SegmentEnergy]
    notes: list[str] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        """The bill over every segment, one item per event and cost (counts summed)."""
        merged: dict[tuple, Item] = {}
        for segment in self.segments:
            for item in segment.items:
                key = (item.event, item.cost)
                old = merged.get(key)
                merged[key] = Item(item.event, item.count + (old.count if old else 0), item.cost)
        return list(merged.values())

    @property
    def total_pj(self) -> float:
        """All inferences together."""
        return sum(segment.pj for segment in self.segments)

    @property
    def cycles(self) -> int:
        return sum(segment.cycles for segment in self.segments)

    @property
    def useful_macs(self) -> int:
        return sum(segment.useful_macs for segment in self.segments)

    def by_component(self) -> dict[str, float]:
        return _sum_by(self.items, lambda item: item.cost.component, COMPONENTS)

    def by_memory(self, component: str = "memory") -> dict[str, float]:
        """Dynamic energy (or, with ``component="leakage"``, leakage) of each memory."""
        return _sum_by([item for item in self.items if item.cost.component == component], lambda item: item.cost.part)

    def by_module(self) -> dict[str, float]:
        """The data-dependent energy of EIE Table II's modules (MODULE_EVENTS)."""
        module_of = {event: module for module, events in MODULE_EVENTS.items() for event in events}
        items = [item for item in self.items if item.event in module_of]
        return _sum_by(items, lambda item: module_of[item.event], MODULE_EVENTS)

    @property
    def per_inference_pj(self) -> float:
        return self.total_pj / self.inferences

    @property
    def leakage_pj(self) -> float:
        return self.by_component()["leakage"]

    @property
    def dynamic_pj(self) -> float:
        return self.total_pj - self.leakage_pj

    @property
    def seconds(self) -> float:
        """Time of all inferences at the clock."""
        return self.cycles / (self.clock_mhz * 1e6)

    @property
    def pj_per_mac(self) -> float | None:
        return self.total_pj / self.useful_macs if self.useful_macs else None

    @property
    def frames_per_joule(self) -> float:
        return self.inferences / (self.total_pj * 1e-12) if self.total_pj else float("inf")

    @property
    def average_power_mw(self) -> float:
        return self.total_pj * 1e-12 / self.seconds * 1e3 if self.cycles else 0.0

    def to_json(self) -> dict:
        """The report as plain JSON types, every figure per inference: the totals, each segment, the whole bill."""
        n = self.inferences
        per = lambda value: value if n == 1 else value / n  # noqa: E731
        return {
            "table": TABLE_PATH,
            "clock_mhz": self.clock_mhz,
            "num_pes": self.num_pes,
            "inferences": n,
            "per_inference": {
                "total_pj": per(self.total_pj),
                "dynamic_pj": per(self.dynamic_pj),
                "leakage_pj": per(self.leakage_pj),
                "cycles": per(self.cycles),
                "useful_macs": per(self.useful_macs),
                "components_pj": {k: per(v) for k, v in self.by_component().items()},
                "memories_pj": {k: per(v) for k, v in self.by_memory().items()},
                "leakage_by_memory_pj": {k: per(v) for k, v in self.by_memory("leakage").items()},
                "table_ii_modules_pj": {k: per(v) for k, v in self.by_module().items()},
            },
            "pj_per_mac": self.pj_per_mac,
            "dynamic_pj_per_mac": self.dynamic_pj / self.useful_macs if self.useful_macs else None,
            "frames_per_joule": self.frames_per_joule,
            "average_power_mw": self.average_power_mw,
            "power_per_pe_mw": self.average_power_mw / self.num_pes,
            "segments": [{"label": s.label, "cycles": per(s.cycles), "useful_macs": per(s.useful_macs),
                          "pj": per(s.pj), "components_pj": {k: per(v) for k, v in s.by_component().items()}}
                         for s in self.segments],
            "items": [item.to_json(n) for item in self.items],
            "notes": list(self.notes),
        }


def energy(segments: list[Segment], num_pes: int, clock_mhz: float = DEFAULT_CLOCK_MHZ, inferences: int = 1,
           table: dict | None = None) -> EnergyReport:
    """Price ``segments`` (their events summed over ``inferences`` inferences)."""
    costs = event_costs(num_pes, clock_mhz, table)
    billed = []
    for segment in segments:
        pe, core = check_events(segment.pe, segment.core, num_pes, segment.label)
        billed.append(bill(Segment(segment.label, pe, core, int(segment.useful_macs)), costs))
    return EnergyReport(num_pes, float(clock_mhz), inferences, billed)


# ---------------------------------------------------------------------------- where the counts come from
def events_of(layer_timing) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """(per-PE events, core events) of one layer of the cycle model (``LayerTiming.events`` / ``core_events``)."""
    try:
        return layer_timing.events, layer_timing.core_events
    except AttributeError:
        raise EieError("this eie.models.perf does not count events (LayerTiming.events): "
                       "it predates issue 19's event counts") from None


def timing_useful_macs(layer_timing) -> int:
    """Non-padding entries of the layer's broadcast columns, from the cycle model's per-PE sums."""
    return int((layer_timing.entries - layer_timing.padding).sum())


def timing_segments(run_timing) -> list[Segment]:
    """One segment per layer of one inference the cycle model predicted (``predict``'s RunTiming)."""
    segments = [Segment(f"layer {index}", *events_of(timing), timing_useful_macs(timing))
                for index, timing in enumerate(run_timing.layers)]
    # The next layer starts when the broadcast is over, so a PE may issue a layer's last
    # entries in the next layer's cycles: its compute cycles less busy go negative there.
    # Those busy cycles are not idle in the next layer: carry them on (exact per run,
    # where the last layer waits for every PE; per layer an apportioning).
    spill = np.zeros(run_timing.layers[0].busy.shape, dtype=np.int64) if run_timing.layers else 0
    for segment in segments:
        if "idle_cycles" in segment.pe:
            idle = np.asarray(segment.pe["idle_cycles"], dtype=np.int64) - spill
            spill = np.maximum(-idle, 0)
            segment.pe["idle_cycles"] = np.maximum(idle, 0)
    return segments


def model_segments(loaded, acts: np.ndarray, queue_depth: int | None = None,
                   history_depth: int | None = None, take_lanes: int | None = None) -> tuple[list[Segment], int]:
    """The cycle model's events of every layer, summed over the rows of ``acts`` (integer, batch x in),
    for a core of these depths and take lanes (None: eie_core's defaults).

    Returns (one segment per layer, the number of inferences).
    """
    from eie.models.perf import predict

    kwargs = {k: v for k, v in (("queue_depth", queue_depth), ("history_depth", history_depth),
                                ("take_lanes", take_lanes)) if v is not None}
    rows = np.asarray(acts).reshape(-1, loaded.image.in_features)
    total: list[Segment] = []
    for row in rows:
        segments = timing_segments(predict(loaded, row, **kwargs))
        if not total:
            total = [Segment(s.label, {k: np.array(v, dtype=np.int64) for k, v in s.pe.items()}, dict(s.core),
                             s.useful_macs) for s in segments]
            continue
        for into, segment in zip(total, segments):
            into.pe = {k: into.pe[k] + v for k, v in segment.pe.items()}
            into.core = {k: into.core[k] + v for k, v in segment.core.items()}
            into.useful_macs += segment.useful_macs
    return total, len(rows)


def model_energy_of(loaded, run_timing, clock_mhz: float = DEFAULT_CLOCK_MHZ,
                    queue_depth: int | None = None) -> EnergyReport:
    """One inference the cycle model has predicted (``predict``'s RunTiming), priced."""
    report = energy(timing_segments(run_timing), loaded.num_pes, clock_mhz)
    report.notes += memory_notes(loaded.image.memory, queue_depth)
    return report


def model_energy(loaded, acts: np.ndarray, clock_mhz: float = DEFAULT_CLOCK_MHZ, **depths) -> EnergyReport:
    """``eie energy``: the cycle model's events of ``acts`` (integer, one row per inference) priced."""
    segments, inferences = model_segments(loaded, acts, **depths)
    report = energy(segments, loaded.num_pes, clock_mhz, inferences)
    report.notes += memory_notes(loaded.image.memory, depths.get("queue_depth"), depths.get("history_depth"))
    return report


def memory_notes(memory, queue_depth: int | None = None, history_depth: int | None = None) -> list[str]:
    """A note when the core's memories are not the sizes the table was made for."""
    from dataclasses import asdict

    sized = load_table()["memory_config"]
    sizes = {**asdict(memory), "queue_depth": queue_depth, "history_depth": history_depth}
    differ = [f"{k} {v} (table {sized[k]})" for k, v in sizes.items() if v is not None and sized.get(k) != v]
    if not differ:
        return []
    return [f"the core's memories differ from those the table was made for ({', '.join(differ)}): "
            f"their energies and leakage are those of the table's sizes"]


def useful_macs(loaded, acts_row: np.ndarray) -> list[int]:
    """Per layer, the non-padding entries of its broadcast columns for one input (integer), from the image."""
    from eie.models.perf import column_counts
    from eie.models.reference import layer_inputs

    result = []
    for index, inputs in enumerate(layer_inputs(loaded, acts_row)):
        counts = column_counts(loaded, index)
        columns = np.nonzero(inputs[0])[0]
        if loaded.layers[index].spec.bias:
            columns = np.append(columns, counts.entries.shape[1] - 1)
        result.append(int((counts.entries[:, columns] - counts.padding[:, columns]).sum()))
    return result


def run_events(run: dict, num_pes: int) -> tuple[dict[str, np.ndarray], dict[str, int]] | None:
    """The RTL's event counts of one ``eie sim --report`` run (``run["events"]``), or None if it has none."""
    events = run.get("events")
    if not events or events.get("pe") is None or events.get("core") is None:
        return None
    return check_events({k: np.asarray(v, dtype=np.int64) for k, v in events["pe"].items()}, events["core"],
                        num_pes, "the report's events")


def run_energy(run: dict, num_pes: int, useful: int, clock_mhz: float = DEFAULT_CLOCK_MHZ) -> dict | None:
    """The energy of one RTL run from its own event counts (run totals: the RTL counts no layers apart)."""
    counted = run_events(run, num_pes)
    if counted is None:
        return None
    return energy([Segment("run", *counted, useful)], num_pes, clock_mhz).to_json()


def sim_energy_section(report: dict, loaded, acts: np.ndarray, clock_mhz: float = DEFAULT_CLOCK_MHZ) -> dict:
    """``eie sim --report``'s "energy": every run priced from the RTL's event counts.

    ``acts``: the integer inputs, one row per run (the useful MACs come from the image).
    """
    runs = [run_energy(run, loaded.num_pes, sum(useful_macs(loaded, row)), clock_mhz)
            for run, row in zip(report["runs"], np.asarray(acts).reshape(len(report["runs"]), -1))]
    priced = [run for run in runs if run is not None]
    return {
        "source": "the RTL's event counters (runs[i].events), priced with " + TABLE_PATH,
        "clock_mhz": float(clock_mhz),
        "runs": runs,
        "mean_pj_per_inference": (sum(r["per_inference"]["total_pj"] for r in priced) / len(priced)
                                  if priced else None),
        "note": None if len(priced) == len(runs) else "runs without event counts are null",
        "notes": memory_notes(loaded.image.memory, report["parameters"]["QueueDepth"],
                              report["parameters"]["HistoryDepth"]),
    }


# ---------------------------------------------------------------------------- the printed report
def format_report(report: EnergyReport, title: str = "") -> str:
    """The readable table of ``eie energy``: per layer, per component with its table entry, the figures."""
    n = report.inferences
    uj = lambda pj: pj / n * 1e-6  # noqa: E731  per inference
    head = (f"energy per inference{': ' + title if title else ''}; {report.num_pes} PEs at {report.clock_mhz:g} MHz, "
            f"45 nm costs from {TABLE_PATH}, counts from the cycle model"
            + (f", mean of {n} inferences" if n > 1 else ""))
    lines = [head, "", "uJ per inference:",
             f"{'':<10}{'cycles':>10}{'useful MACs':>13}{'total':>10}"
             + "".join(f"{COMPONENT_TITLES[c]:>11}" for c in COMPONENTS) + f"{'pJ/MAC':>9}"]

    def row(label, cycles, macs, pj, parts):
        per_mac = f"{pj / macs:9.2f}" if macs else f"{'-':>9}"
        return (f"{label:<10}{cycles / n:>10.0f}{macs / n:>13.0f}{uj(pj):>10.3f}"
                + "".join(f"{uj(parts[c]):>11.3f}" for c in COMPONENTS) + per_mac)

    for segment in report.segments:
        lines.append(row(segment.label, segment.cycles, segment.useful_macs, segment.pj, segment.by_component()))
    if len(report.segments) > 1:
        lines.append(row("total", report.cycles, report.useful_macs, report.total_pj, report.by_component()))
    lines += ["", "where it goes (uJ per inference, share, cost = table entry x count):"]
    total = report.total_pj or 1.0
    for item in sorted(report.items, key=lambda item: (COMPONENTS.index(item.cost.component), -item.pj)):
        if not item.pj:
            continue
        name = (f"{COMPONENT_TITLES[item.cost.component]}: {item.cost.part}"
                if item.cost.component in ("memory", "leakage") else item.cost.part)
        count = f"{item.count / n:.0f}" if n == 1 else f"{item.count / n:.1f}"
        lines.append(f"  {name:<34}{uj(item.pj):>9.3f} {item.pj / total:>6.1%}   {item.cost.entry}"
                     f" {item.cost.pj:.4g} pJ{' (' + item.cost.factor + ')' if item.cost.factor else ''}"
                     f" x {count} {item.event}")
    dynamic_fj = n / (report.dynamic_pj * 1e-12) if report.dynamic_pj else float("inf")
    per_mac = report.pj_per_mac
    lines += [
        "",
        f"per inference: {uj(report.total_pj):.3f} uJ (dynamic {uj(report.dynamic_pj):.3f} uJ, leakage "
        f"{uj(report.leakage_pj):.3f} uJ) in {report.cycles / n / report.clock_mhz:.2f} us; average power "
        f"{report.average_power_mw:.1f} mW ({report.average_power_mw / report.num_pes:.2f} mW per PE)",
        "pJ per useful MAC: " + (f"{per_mac:.2f} (dynamic only {report.dynamic_pj / report.useful_macs:.2f})"
                                 if per_mac is not None else "- (no useful MAC)")
        + f"; frames/J: {report.frames_per_joule:,.0f} (dynamic only {dynamic_fj:,.0f})",
        "leakage is CACTI's, an upper bound (doc/energy.md); useful MAC = a non-padding entry in a column "
        "with a non-zero input",
    ]
    lines += [f"note: {note}" for note in report.notes]
    return "\n".join(lines)
