# SPDX-License-Identifier: Apache-2.0
"""pytest glue for the cocotb testbenches: which simulator runs which case.

Which file runs which cocotb module, by name:

* A block's testbench is one file, ``test_<block>.py``: its cocotb tests and,
  at the bottom, the pytest function that builds the block and runs them.
* A whole-core cocotb module ``<name>.py`` is run by ``test_<name>.py``
  (core_misuse.py by test_core_misuse.py, core_regs.py by test_core_regs.py,
  core_timing.py by test_core_timing.py, sim_top_script.py by test_sim_top_script.py,
  random_run.py by test_random_run.py and scripts/regress.py). ``eie sim``'s
  module lives in the package (python/eie/sim/tb/core_run.py, with the shared
  run-and-check path core_check.py); test_core.py runs it through eie.sim, as
  do the tests of what is built on eie sim (test_row_assign_rtl.py,
  test_sim_safety.py, test_digits_demo.py, test_bench_rtl.py).
* The rest are helpers: clocked_tb.py, scenarios.py, random_coverage.py.

Two ways a test gets its simulator:

* A test that only takes a ``sim`` argument (test_core.py, test_relu_quant.py)
  runs on every selected simulator.
* A testbench with several parameter sets asks for the simulator x parameter
  matrix with ``@pytest.mark.sim_matrix(PARAMS, ...)`` (see ``sim_matrix``):
  every set runs on Icarus (~1 s a build); on Verilator (~25 s a build) only the
  representative set(s) run by default and the others are marked ``slow``, so
  ``pytest -m slow`` runs them and ``pytest -m "slow or not slow"`` runs all.
  A unit testbench's other sets are also marked ``param_set`` (``unit=True``):
  one small build each, seconds to run, so make coverage runs them
  (``-m "not slow or param_set"``) for the bit slices only they have. A set
  named in ``verilator_only`` (a large memory walked through: minutes on
  Icarus) runs on Verilator alone.

``SIM=icarus`` or ``SIM=verilator`` narrows both to one simulator by not
generating the other simulator's cases at all: nothing is ever skipped.

The matrix is requested through a marker rather than imported: tb/ and tests/
both have a package-less ``conftest.py``, so ``from conftest import ...`` in a
test module would get whichever of the two pytest loaded last.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pytest

ALL_SIMS = ("icarus", "verilator")


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "sim_matrix(param_sets, ids=None, verilator_default=None, argname='parameters'): "
        "parametrize 'sim, <argname>' over the selected simulators x param_sets; Verilator "
        "runs only verilator_default (default: the first set) unless -m slow; unit=True also marks "
        "those others param_set",
    )
    config.addinivalue_line(
        "markers", "param_set: another parameter set of a unit testbench (slow on Verilator; make coverage runs it)",
    )


def selected_sims() -> list[str]:
    """The simulators to generate cases for: SIM if it names one, else all."""
    chosen = os.environ.get("SIM")
    return [chosen] if chosen in ALL_SIMS else list(ALL_SIMS)


def sim_matrix(
    param_sets: Sequence[Any],
    ids: Callable[[Any], str] | Sequence[str] | None = None,
    verilator_default: Iterable[Any] | None = None,
    unit: bool = False,
    verilator_only: Iterable[Any] = (),
) -> list:
    """``pytest.param(sim, params)`` cases for a ``"sim, <argname>"`` parametrization.

    Every parameter set runs on Icarus in the default run. On Verilator only the
    sets in ``verilator_default`` do (default: the first set; may be empty), the
    others are marked ``slow``, and ``param_set`` too when ``unit`` (a unit
    testbench: cheap enough for make coverage). The sets in ``verilator_only``
    (too slow on Icarus: large memories walked through) run on Verilator alone.
    Only the simulators SIM selects are generated. Case ids are ``<sim>-<id>``, the id from ``ids`` (a callable or a list parallel
    to ``param_sets``) or else ``str(set)``.
    """
    param_sets = list(param_sets)
    if not param_sets:
        raise ValueError("sim_matrix: no parameter sets")
    if callable(ids):
        names = [ids(p) for p in param_sets]
    elif ids is not None:
        names = list(ids)
        if len(names) != len(param_sets):
            raise ValueError(f"sim_matrix: {len(names)} ids for {len(param_sets)} parameter sets")
    else:
        names = [str(p) for p in param_sets]
    fast = param_sets[:1] if verilator_default is None else list(verilator_default)
    for rep in fast:
        if rep not in param_sets:
            raise ValueError(f"sim_matrix: Verilator default {rep!r} is not one of the parameter sets")

    verilator_only = list(verilator_only)
    for rep in verilator_only:
        if rep not in param_sets or rep in fast:
            raise ValueError(f"sim_matrix: Verilator-only {rep!r} is not one of the other parameter sets")

    cases = []
    for sim in selected_sims():
        for params, name in zip(param_sets, names):
            if sim == "icarus" and params in verilator_only:
                continue
            marks = []
            if sim == "verilator" and params not in fast:
                marks = [pytest.mark.slow, pytest.mark.param_set] if unit else [pytest.mark.slow]
            cases.append(pytest.param(sim, params, marks=marks, id=f"{sim}-{name}"))
    return cases


# The regression's longest tests (tens of minutes on Icarus) start first: make test runs one
# pytest-xdist worker per core, and one of these begun last would leave the others idle.
LONGEST_FIRST = ("test_sixty_four_pes",)


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: not item.name.startswith(LONGEST_FIRST))


def _parametrized_names(metafunc) -> set[str]:
    """Argument names the test's own @pytest.mark.parametrize markers cover."""
    names: set[str] = set()
    for marker in metafunc.definition.iter_markers("parametrize"):
        argnames = marker.args[0] if marker.args else marker.kwargs.get("argnames", ())
        if isinstance(argnames, str):
            argnames = argnames.split(",")
        names.update(name.strip() for name in argnames)
    return names


def pytest_generate_tests(metafunc):
    if "sim" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("sim_matrix")
    if marker is not None:
        kwargs = dict(marker.kwargs)
        argname = kwargs.pop("argname", "parameters")
        metafunc.parametrize(f"sim, {argname}", sim_matrix(*marker.args, **kwargs))
    elif "sim" not in _parametrized_names(metafunc):
        # A plain ``sim`` argument: every selected simulator. A test that
        # parametrizes ``sim`` itself is left alone (no duplicate parametrization).
        metafunc.parametrize("sim", selected_sims())


@pytest.fixture
def rtl_dir():
    from eie.sim.toolchain import RTL_DIR

    return RTL_DIR


def pytest_terminal_summary(terminalreporter, config):
    """The verification figures of the run: random scenarios per simulator,
    mismatches, coverage bins hit, bad inputs tried, the last mutation score (doc/verification.md)."""
    from random_coverage import format_report, merge

    reports = [r for key in ("passed", "failed") for r in terminalreporter.stats.get(key, [])
               if getattr(r, "when", "") == "call"]
    scenarios: dict[str, int] = {}
    failures, coverage, bad_inputs, refused = 0, [], 0, 0
    for report in reports:
        props = dict(report.user_properties)
        if "random_scenarios" in props:
            scenarios[props["sim"]] = scenarios.get(props["sim"], 0) + props["random_scenarios"]
            failures += props["random_failures"]
            coverage.append(props["coverage"])
        if "bad_input" in report.keywords:
            tried = props.get("bad_inputs", 1)
            bad_inputs += tried
            refused += tried if report.passed else 0
    if not scenarios and not bad_inputs:
        return
    write = terminalreporter.write_line
    terminalreporter.section("verification summary")
    if scenarios:
        per_sim = ", ".join(f"{sim} {count}" for sim, count in sorted(scenarios.items()))
        write(f"random scenarios run: {per_sim}; mismatches or failures: {failures}")
        write(format_report(merge(coverage)))
    if bad_inputs:
        write(f"bad inputs tried: {bad_inputs} (corrupt images, malformed model files, core misuse); "
              f"refused or recovered as documented: {refused}")
    for line in _signoff_lines():
        write(line)


def _signoff_lines() -> list[str]:
    """The last make formal, make coverage and make mutate figures (scripts/signoff.py:
    this machine's results/, else the record committed in doc/signoff/)."""
    import sys
    from pathlib import Path

    scripts = str(Path(__file__).resolve().parents[1] / "scripts")
    if scripts not in sys.path:
        sys.path.append(scripts)
    import signoff
    from code_coverage import summary_line

    return [signoff.formal_line(), summary_line(signoff.summary_dir("coverage")),
            mutation_score_line(signoff.summary_dir("mutate") / "summary.json")]


def mutation_score_line(summary=None) -> str:
    """The last make mutate's score (results/mutate/summary.json), with its date and commit."""
    import json
    from pathlib import Path

    summary = summary or Path(__file__).resolve().parents[1] / "results" / "mutate" / "summary.json"
    try:
        record = json.loads(Path(summary).read_text())
        counts = record["counts"]
        # Survivors matched to tb/mutation_equivalent.txt count as equivalent: say how many.
        argued = sum(str(entry.get("how", "")).startswith("argued") for entry in record.get("equivalent", []))
        return (f"mutation score: {record['score_text']} of non-equivalent mutants killed "
                f"({counts['killed']} killed, {counts['survived']} survived, {counts['equivalent']} equivalent, "
                f"{argued} of them argued by hand, of N={counts['total']}, seed {record['seed']}), "
                f"{record['date']}, commit {record['commit']}")
    except (OSError, ValueError, KeyError):
        return "mutation score: not measured: run make mutate"
