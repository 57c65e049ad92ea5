# SPDX-License-Identifier: Apache-2.0
"""The ``eie`` command line: pack, inspect, ref, sim, energy, bench and demo-sim (make sim).

Every error a user can cause prints one line ``eie: error: ...`` and exits 1;
argparse's usage errors exit 2.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

import numpy as np

from eie.errors import EieError, Terminated
from eie.extras import COCOTB_MODULES, require
from eie.limits import DEFAULT_HISTORY_DEPTH, DEFAULT_QUEUE_DEPTH, DEFAULT_TAKE_LANES
from eie.safe_io import check_output_file, write_file, write_files
from eie.sim.simulate import IO_METHODS, LOAD_METHODS


IMAGE_HELP = "image directory (written by eie pack)"
INPUT_HELP = ".npy input (in,) or (batch, in); floats are quantised, integers are raw"


def _npy_writer(array: np.ndarray):
    return lambda f: np.save(f, array)


def cmd_pack(args) -> int:
    from eie import limits
    from eie.image import MemoryConfig, check_replaceable, write_image
    from eie.packing.model_io import load_codebook, load_model
    from eie.packing.packer import PackOptions, pack

    # Everything that can be checked without the model is checked first.
    limits.NUM_PE.check(args.pes, "--pes (the number of PEs)")
    memory = MemoryConfig(args.spmat_words, args.ptr_bank_depth, args.act_depth, args.max_layers)
    memory.check_core()
    check_replaceable(Path(args.output))
    codebook = load_codebook(args.codebook) if args.codebook else None
    layers = load_model(args.model)
    for index, layer in enumerate(layers):
        limits.LAYER_OUT.check(layer.weight.shape[0], f"layer {index} outputs")
        limits.LAYER_IN.check(layer.weight.shape[1], f"layer {index} inputs")
    if layers[-1].relu and args.linear_last:
        raise EieError(f"{args.model}: --linear-last, but the model ends in a ReLU")
    # A saved nn.Sequential or an ONNX graph says whether its last layer has a ReLU; a state_dict cannot.
    linear_last = args.linear_last or layers[-1].relu is False
    options = PackOptions(
        num_pes=args.pes,
        density=args.density,
        balanced=args.balanced,
        codebook=codebook,
        act_frac=args.act_frac,
        linear_last=linear_last,
        memory=memory,
        assign_rows=args.assign_rows,
    )
    if args.balanced and args.density is None:
        raise EieError("--balanced needs --density (it is a way of pruning)")
    image = pack(layers, options)
    write_image(image, args.output)
    total = sum(sum(layer.entries) for layer in image.layers)
    print(f"packed {len(image.layers)} layer(s) for {image.num_pes} PEs into {args.output}: {total} entries, "
          f"rows {'interleaved' if image.assign_rows == 'interleave' else 'assigned by balance'}")
    return 0


def cmd_inspect(args) -> int:
    from eie.image import load
    from eie.models.stats import format_report

    loaded = load(args.image)
    print(format_report(loaded))
    if loaded.image.assign_rows == "interleave":
        print("rows to PEs: interleave (row i in PE i mod N)")
    else:
        print(f"rows to PEs: {loaded.image.assign_rows} (row maps in manifest.json; outputs are returned in model order)")
    return 0


def cmd_ref(args) -> int:
    from eie.image import load
    from eie.packing.model_io import load_vector
    from eie.models.reference import reference

    check_output_file(args.output, ".npy")
    image = load(args.image)
    inputs = load_vector(args.input, image.image.in_features)
    out = reference(image, inputs)
    write_file(args.output, _npy_writer(out))
    print(f"wrote {args.output}: int16 activations with {image.act_frac} fraction bits, shape {out.shape}")
    return 0


def cmd_sim(args) -> int:
    import json

    from eie.image import load
    from eie.packing.model_io import load_vector
    from eie.sim.simulate import core_parameters, simulate

    require("sim", "eie sim", COCOTB_MODULES)
    check_output_file(args.output, ".npy")
    if args.report:
        check_output_file(args.report, what="report")
    image = load(args.image)
    core_parameters(image.image, args.queue_depth, args.history_depth,
                    take_lanes=args.take_lanes)  # the core can be built
    inputs = load_vector(args.input, image.image.in_features)
    if args.waves and args.io == "script":
        raise EieError("--waves shows eie_core as the top level: use --io port (the default with --waves)")
    io = args.io or ("port" if args.waves else "script")
    outputs, report = simulate(image, inputs, sim=args.sim, queue_depth=args.queue_depth, waves=args.waves or None,
                               check=False, load_with=args.load, optimize=args.optimize,
                               history_depth=args.history_depth, pe_counters=args.pe_counters, io=io,
                               assertions=args.assertions, take_lanes=args.take_lanes)
    outputs_to_write = [(Path(args.output), _npy_writer(outputs))]
    if args.report:
        outputs_to_write.append((Path(args.report), (json.dumps(report, indent=1) + "\n").encode()))
    write_files(outputs_to_write)
    verdict = "matches" if report["matches_reference"] else "DIFFERS FROM"
    no_counters = "" if report["pe_counters_built"] else " (per-PE counters not built: PeCounters = 0)"
    print(f"wrote {args.output}: {report['cycles']} cycles on {report['simulator']}{no_counters}; "
          f"the output {verdict} eie ref")
    if "waves" in report:
        from eie.sim.waves import write_view

        view, missing = write_view(Path(report["waves"]))
        print(f"waves: {report['waves']} (the next --waves run of this build overwrites it)")
        if missing:
            print(f"note: not in this dump, left out of the view: {', '.join(missing)}")
        print(f"view them: gtkwave {report['waves']} {view}")
    return 0 if report["matches_reference"] else 1


def cmd_energy(args) -> int:
    import json

    from eie.image import load
    from eie.models.energy import check_clock, format_report, model_energy
    from eie.models.reference import input_to_fixed
    from eie.packing.model_io import load_vector

    check_clock(args.clock_mhz)
    if args.json:
        check_output_file(args.json, ".json", what="energy report")
    image = load(args.image)
    inputs = load_vector(args.input, image.image.in_features)
    acts = input_to_fixed(np.asarray(inputs), image.act_frac).reshape(-1, image.image.in_features)
    report = model_energy(image, acts, args.clock_mhz)
    if args.json:
        write_file(args.json, (json.dumps(report.to_json(), indent=1) + "\n").encode())
    print(format_report(report, title=f"{args.image}, {args.input}"))
    if args.json:
        print(f"wrote {args.json}")
    return 0


def cmd_demo_sim(args) -> int:
    require("sim", "eie demo-sim", COCOTB_MODULES)
    from eie.apps.demo import run_demo

    return run_demo(args.sim)


def cmd_bench(args) -> int:
    from eie.apps.bench_report import main as bench_main
    from eie.sim.rtlsim import default_simulator

    if args.pes < 1 or args.queue_depth < 1:
        raise EieError("--pes and --queue-depth must be at least 1")
    if not args.model_only:
        require("sim", "eie bench on the RTL (--model-only runs without it)", COCOTB_MODULES)
    if not args.no_sweeps:
        require("plot", "eie bench's sweep plots (--no-sweeps leaves them out)")
    try:
        sim = None if args.model_only else args.sim or default_simulator()
        bench_main(args.layers, Path(args.out), sim, args.pes, args.queue_depth, args.seed, not args.no_sweeps,
                   args.optimize)
    except ValueError as exc:
        raise EieError(str(exc)) from None
    return 0


def build_parser() -> argparse.ArgumentParser:
    import eie
    from eie.fixedpoint import DEFAULT_ACT_FRAC
    from eie.image import MemoryConfig
    from eie.models.energy import DEFAULT_CLOCK_MHZ

    defaults = MemoryConfig()
    parser = _Parser(prog="eie", description="EIE sparse accelerator tools")
    parser.add_argument("--version", action="version", version=f"%(prog)s {eie.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("pack", help="compress weights into the memory image of an N-PE core")
    p.add_argument("model", help=".npy matrix (out x in), .npz MLP (W0,b0,W1,...), PyTorch .pt "
                                  "(state_dict or nn.Sequential of Linear/ReLU; torch not needed), .onnx "
                                  "(Gemm or MatMul+Add layers, Relu between; QONNX Quant on the weights) or "
                                  ".safetensors (state_dict of Linear layers, ordered by the numbers in their names)")
    p.add_argument("-o", "--output", required=True, help="image directory to write")
    p.add_argument("--pes", type=int, required=True, help="number of PEs N")
    p.add_argument("--density", type=float, help="prune by magnitude to this fraction of non-zeros, in (0, 1]")
    p.add_argument("--balanced", action="store_true",
                   help="ESE load-balance-aware pruning: same non-zeros in every PE (changes the model)")
    p.add_argument("--assign-rows", choices=("interleave", "balanced"), default="interleave",
                   help="which PE owns which row: interleave (row i in PE i mod N) or balanced "
                        "(rows placed so every PE gets nearly the same entries; same model, same outputs)")
    p.add_argument("--codebook", help="non-zero codebook values: comma list or .npy (default: k-means, 15 values; a layer "
                        "with at most 15 distinct non-zero values, as a 4-bit quantised one, keeps them)")
    p.add_argument("--act-frac", type=int, default=DEFAULT_ACT_FRAC, help="activation fraction bits")
    p.add_argument("--linear-last", action="store_true",
                   help="no ReLU on the last layer (implied by a saved nn.Sequential or an ONNX graph that "
                        "ends in a linear layer)")
    p.add_argument("--spmat-words", type=int, default=defaults.spmat_words, help="sparse-matrix words per PE")
    p.add_argument("--ptr-bank-depth", type=int, default=defaults.ptr_bank_depth, help="entries per pointer bank")
    p.add_argument("--act-depth", type=int, default=defaults.act_depth, help="activations per PE and file")
    p.add_argument("--max-layers", type=int, default=defaults.max_layers, help="layers the core holds")
    p.set_defaults(func=cmd_pack)

    p = sub.add_parser("inspect", help="print an image's statistics")
    p.add_argument("image", help=IMAGE_HELP)
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser("ref", help="run the bit-exact reference model on an image")
    p.add_argument("image", help=IMAGE_HELP)
    p.add_argument("input", help=INPUT_HELP)
    p.add_argument("-o", "--output", required=True, help=".npy output (int16 raw activations)")
    p.set_defaults(func=cmd_ref)

    p = sub.add_parser("sim", help="run an image on the RTL core (cocotb) and report its counters")
    p.add_argument("image", help=IMAGE_HELP)
    p.add_argument("input", help=INPUT_HELP)
    p.add_argument("-o", "--output", required=True, help=".npy output, same form as eie ref")
    p.add_argument("--sim", choices=("icarus", "verilator"), default=None, help="default: $SIM or verilator")
    p.add_argument("--report", help="JSON report: every counter; the run's cycles under 'cycles'")
    p.add_argument("--queue-depth", type=int, default=DEFAULT_QUEUE_DEPTH,
                   help="activation queue depth of the built core")
    p.add_argument("--history-depth", type=int, default=DEFAULT_HISTORY_DEPTH,
                   help="broadcasts the built core keeps in its history (a power of two >= 2)")
    p.add_argument("--take-lanes", type=int, default=DEFAULT_TAKE_LANES,
                   help="columns a PE of the built core takes from the history per cycle (1 or 2)")
    p.add_argument("--no-pe-counters", dest="pe_counters", action="store_false",
                   help="build the core without its per-PE counters (PeCounters = 0): the report's 'pe' is null")
    p.add_argument("--waves", action="store_true",
                   help="dump FST waveforms into the build directory; prints the file and a gtkwave "
                        "command with the saved signal view")
    p.add_argument("--load", choices=tuple(LOAD_METHODS), default="files",
                   help="how the sparse-matrix and pointer arrays get in: "
                        + "; ".join(f"{name}: {what}" for name, what in LOAD_METHODS.items()))
    p.add_argument("--direct-load", dest="load", action="store_const", const="vpi",
                   help="the same as --load vpi (kept for scripts written for earlier versions)")
    p.add_argument("--io", choices=tuple(IO_METHODS), default=None,
                   help="who drives the inputs, counter reads and result reads of each run: "
                        + "; ".join(f"{name}: {what}" for name, what in IO_METHODS.items())
                        + " (None: script, or port with --waves, whose view is eie_core's own hierarchy)")
    p.add_argument("--optimize", action="store_true",
                   help="build Verilator's per-cycle code at -O2 with gcc profile-guided optimisation, "
                        "trained by this run: a build about four times as long, about twice as fast runs")
    p.add_argument("--assertions", action="store_true",
                   help="keep the RTL's simulation-only checks on Verilator (a slower model; Icarus always has them)")
    p.set_defaults(func=cmd_sim)

    p = sub.add_parser("energy", help="energy per inference at 45 nm from the cycle model's event counts (no RTL)")
    p.add_argument("image", help=IMAGE_HELP)
    p.add_argument("input", help=INPUT_HELP + "; a batch is averaged per inference")
    p.add_argument("--clock-mhz", type=float, default=DEFAULT_CLOCK_MHZ,
                   help="clock for leakage, power and time, the paper's")
    p.add_argument("--json", help="also write the whole report, every cost with its table entry, to this .json")
    p.set_defaults(func=cmd_energy)

    p = sub.add_parser("demo-sim", help="make sim: the default network on the RTL, checked against eie ref")
    p.add_argument("--sim", choices=("icarus", "verilator"), default=None, help="default: $SIM or verilator")
    p.set_defaults(func=cmd_demo_sim)

    p = sub.add_parser("bench", help="the EIE paper's nine layers (and one of uneven rows) on the RTL and the cycle "
                                     "model, sweeps, plots")
    p.add_argument("--layers", nargs="+", help="subset by name (default: all nine and Uneven), e.g. NT-We Alex-8")
    p.add_argument("--out", default="results/bench", help="folder for bench.json, bench.md and the plots")
    p.add_argument("--sim", choices=("icarus", "verilator"), default=None, help="default: $SIM or verilator")
    p.add_argument("--model-only", action="store_true", help="no RTL: every figure from the cycle model")
    p.add_argument("--pes", type=int, default=64, help="PEs of the table, as the paper's")
    p.add_argument("--queue-depth", type=int, default=DEFAULT_QUEUE_DEPTH, help="activation queue depth")
    p.add_argument("--seed", type=int, default=1, help="seed of the random weights and inputs")
    p.add_argument("--no-sweeps", action="store_true", help="only the table and the ESE comparison")
    p.add_argument("--optimize", action="store_true",
                   help="build Verilator's per-cycle code at -O2 with gcc PGO (a longer build, faster runs)")
    p.set_defaults(func=cmd_bench)
    return parser


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Every option's default in --help, except None (the help says what happens then);
    a flag's is "off", whatever value its dest holds."""

    def _get_help_string(self, action):
        if action.default is None or action.default is argparse.SUPPRESS:  # --help, --version
            return action.help or ""
        if action.nargs == 0 and action.option_strings:
            return f"{action.help or ''} (default: off)"
        return super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, like every other error (exit status 2, as argparse's);
    --help shows every default."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        self.exit(2, f"eie: error: {message} (see {self.prog} --help)\n")


def _join_option_values(argv: list[str]) -> list[str]:
    """``--codebook -0.5,0.5`` as ``--codebook=-0.5,0.5``: a k-means codebook often starts negative."""
    joined: list[str] = []
    it = iter(argv)
    for arg in it:
        value = next(it, None) if arg == "--codebook" else None
        joined.append(f"{arg}={value}" if value is not None else arg)
    return joined


def _raise_terminated(signum, frame):
    raise Terminated(signum)


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(_join_option_values(list(sys.argv[1:] if argv is None else argv)))
    except SystemExit as exc:  # --help, or a usage error already printed in one line
        return exc.code if isinstance(exc.code, int) else 2
    # SIGTERM (timeout, CI cancels) unwinds like Ctrl-C: temporary files and folders
    # are removed and the simulator's process group is stopped.
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread: leave signals alone
        previous = None
    try:
        return args.func(args)
    except EieError as exc:
        print(f"eie: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("eie: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("eie: terminated", file=sys.stderr)
        return 143
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
