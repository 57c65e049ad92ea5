#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Constrained-random regression of whole scenarios on the RTL (make regress).

Runs seeds first .. first+n-1 on each simulator: every seed belongs to one of the
fixed core configurations of tb/scenarios.py, each configuration is built once
and runs all its seeds in one cocotb invocation (tb/random_run.py). Prints per
simulator the scenarios run and the mismatches, the failing seeds with a replay
command each, and the functional coverage merged over every run.

  scripts/regress.py --seeds 200                 # seeds 0..199 on Icarus and Verilator
  scripts/regress.py --sim icarus --seed 1234    # replay one scenario
  scripts/regress.py --seeds 10000 --jobs 2      # the nightly run, two builds at a time

A long run can go in parts (by seed range or simulator), each saving its
summary with --report; --sum adds the parts up (scenarios, mismatches, seconds
and coverage counts add) and prints one summary, refusing parts that ran on
different commits or overlap:

  scripts/regress.py --sim verilator --seeds 5000 --jobs 2 --report part1.json
  scripts/regress.py --sum part1.json part2.json ...
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tb"))

from eie import progress  # noqa: E402
from eie.errors import EieError  # noqa: E402
from eie.limits import DEFAULT_TAKE_LANES  # noqa: E402
from eie.sim.rtlsim import SIMULATORS, run_cocotb  # noqa: E402
from random_coverage import format_report, merge  # noqa: E402
from scenarios import CONFIGS, config_for_seed, generate, replay_command, with_take_lanes  # noqa: E402


def run_build(sim: str, config, seeds: list[int], workdir: Path, coverage: bool) -> tuple[list[dict], dict | None]:
    """The seeds of one core configuration on one simulator (one build, one cocotb run)."""
    results_file = workdir / f"{sim}-{config.name}.jsonl"
    cover_file = workdir / f"{sim}-{config.name}.coverage.json"
    env = {"EIE_SEEDS": ",".join(map(str, seeds)), "EIE_SIMULATOR": sim, "EIE_RESULTS": str(results_file),
           "EIE_TAKE_LANES": str(config.take_lanes), "COCOTB_LOG_LEVEL": "WARNING"}
    if coverage:
        env["EIE_COVERAGE"] = str(cover_file)
    print(f"[{sim}] {config.name}: {len(seeds)} scenarios (N={config.num_pes}, queue depth {config.queue_depth})",
          flush=True)
    try:
        run_cocotb("eie_core", "random_run", config.parameters(), sim=sim, extra_env=env)
    except EieError as exc:
        print(f"[{sim}] {config.name}: {exc}", flush=True)
    done = [json.loads(line) for line in results_file.read_text().splitlines()] if results_file.exists() else []
    finished = {r["seed"] for r in done}
    # A seed without a result line stopped the simulator ($fatal, crash): report it, not drop it.
    done += [{"seed": s, "config": config.name, "sim": sim, "take_lanes": config.take_lanes, "ok": False,
              "error": "no result: the simulation stopped during or before this seed"}
             for s in seeds if s not in finished]
    cover = json.loads(cover_file.read_text()) if coverage and cover_file.exists() else None
    return done, cover


def run_sim(sim: str, seeds: list[int], workdir: Path, coverage: bool, jobs: int = 1,
            take_lanes: int = DEFAULT_TAKE_LANES):
    """All seeds on one simulator, ``jobs`` core builds at a time; returns (results, coverage, seconds)."""
    start = time.perf_counter()
    configs = [with_take_lanes(config, take_lanes) for config in CONFIGS]
    work = [(config, [s for s in seeds if config_for_seed(s, take_lanes) == config]) for config in configs]
    # Largest cores first: their builds take longest, and two jobs end closer together.
    work = sorted(((config, mine) for config, mine in work if mine), key=lambda w: -w[0].num_pes)
    # Processes, not threads: a build sets environment variables for make (eie.sim.rtlsim).
    # One bar, here: the seeds finished (a line each in the results files); the
    # workers draw none of their own (EIE_PROGRESS=0), so bars never collide.
    def finished() -> int:
        return sum(progress.count_lines(p) for p in workdir.glob(f"{sim}-*.jsonl"))

    with progress.watch(f"regress {sim}", finished, total=len(seeds), unit=" seeds"), \
            ProcessPoolExecutor(max_workers=max(1, jobs), initializer=os.environ.__setitem__,
                                initargs=("EIE_PROGRESS", "0")) as pool:
        done = list(pool.map(run_build, *zip(*[(sim, config, mine, workdir, coverage) for config, mine in work])))
    results = [r for part, _ in done for r in part]
    cover = [c for _, c in done if c is not None]
    return results, cover, time.perf_counter() - start


def commit() -> str:
    """The checked-out commit, with "+changes" if the work tree differs from it."""
    def git(*cmd):
        return subprocess.run(["git", *cmd], cwd=REPO, capture_output=True, text=True).stdout.strip()
    head = git("rev-parse", "--short=12", "HEAD") or "unknown"
    return head + ("+changes" if git("status", "--porcelain", "--untracked-files=no", "rtl", "tb", "python") else "")


def print_summary(report: dict) -> None:
    print()
    for sim, part in report["sims"].items():
        print(f"{sim:9s} {part['count']:5d} scenarios run, {part['bad']} mismatches/failures, {part['seconds']:.0f} s")
    failed = report["failed"]
    if failed:
        print(f"failing seeds: {', '.join(str(r['seed']) for r in failed)}")
        for r in failed:
            replay = replay_command(r['seed'], r['sim'], r.get('take_lanes', DEFAULT_TAKE_LANES))
            print(f"  seed {r['seed']} ({r['config']}, {r['sim']}): {r['error']}\n    replay: {replay}")
    if report["coverage"]:
        print(format_report(report["coverage"]))


def sum_reports(paths: list[Path]) -> dict:
    """Parts of one run (same commit, no seed run twice on a simulator) added up."""
    parts = []
    for path in paths:
        try:
            parts.append(json.loads(Path(path).read_text()))
        except (OSError, ValueError) as exc:
            raise EieError(f"{path}: not a regress report ({exc})") from exc
    commits = sorted({p["commit"] for p in parts})
    if len(commits) != 1:
        raise EieError(f"the parts ran on different commits: {', '.join(commits)}")
    total = {"commit": commits[0], "sims": {}, "seeds": {}, "failed": [], "coverage": None}
    covers = []
    for path, part in zip(paths, parts):
        for sim, one in part["sims"].items():
            seen = total["seeds"].setdefault(sim, [])
            ranges = part["seeds"][sim]
            for lo, hi in ranges:
                if any(lo <= h and l <= hi for l, h in seen):
                    raise EieError(f"{path}: seeds {lo}..{hi} on {sim} already in another part")
            seen.extend(ranges)
            acc = total["sims"].setdefault(sim, {"count": 0, "bad": 0, "seconds": 0.0})
            for key in acc:
                acc[key] += one[key]
        total["failed"] += part["failed"]
        if part["coverage"]:
            covers.append(part["coverage"])
    total["coverage"] = merge(covers) if covers else None
    return total


def seed_ranges(seeds: list[int]) -> list[list[int]]:
    """Consecutive runs of sorted seeds as [first, last] pairs."""
    ranges: list[list[int]] = []
    for s in sorted(set(seeds)):
        if ranges and s == ranges[-1][1] + 1:
            ranges[-1][1] = s
        else:
            ranges.append([s, s])
    return ranges


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=60, help="scenarios per simulator (default 60)")
    parser.add_argument("--first", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--seed", type=int, action="append", help="run only this seed (replay); repeatable")
    parser.add_argument("--sim", choices=SIMULATORS, action="append", help="simulator (default: both); repeatable")
    parser.add_argument("--no-coverage", action="store_true", help="skip functional coverage sampling")
    parser.add_argument("--take-lanes", type=int, choices=(1, 2), default=DEFAULT_TAKE_LANES,
                        help="build every core with this TakeLanes (default 2); a part's seeds count apart per value")
    parser.add_argument("--jobs", type=int, default=1,
                        help="core builds simulated at once (default 1; the machine's cores for a nightly run)")
    parser.add_argument("--report", type=Path, help="also write this run's summary as JSON (a part for --sum)")
    parser.add_argument("--sum", type=Path, nargs="+", metavar="REPORT",
                        help="add up the --report files of a run done in parts and print its summary; runs nothing")
    args = parser.parse_args(argv)
    if args.sum:
        try:
            total = sum_reports(args.sum)
        except EieError as exc:
            print(f"regress: error: {exc}", file=sys.stderr)
            return 2
        print(f"{len(args.sum)} parts on commit {total['commit']}; seeds "
              + "; ".join(f"{sim} " + ", ".join(f"{lo}..{hi}" for lo, hi in seed_ranges(
                  [s for lo, hi in r for s in range(lo, hi + 1)])) for sim, r in total["seeds"].items()))
        print_summary(total)
        return 1 if total["failed"] else 0

    seeds = args.seed if args.seed else list(range(args.first, args.first + args.seeds))
    sims = args.sim or list(SIMULATORS)
    if args.seed:
        for seed in seeds:
            print(generate(seed, args.take_lanes).describe())

    report = {"commit": commit(), "sims": {}, "seeds": {}, "failed": [], "coverage": None}
    all_cover = []
    with tempfile.TemporaryDirectory(prefix="eie-regress-") as tmp:
        for sim in sims:
            results, cover, seconds = run_sim(sim, seeds, Path(tmp), not args.no_coverage, args.jobs,
                                              args.take_lanes)
            bad = [r for r in results if not r["ok"]]
            # One take lane is a run of its own: its seeds are counted apart from two lanes'.
            key = sim if args.take_lanes == DEFAULT_TAKE_LANES else f"{sim}-lanes{args.take_lanes}"
            report["sims"][key] = {"count": len(results), "bad": len(bad), "seconds": seconds}
            report["seeds"][key] = seed_ranges(seeds)
            report["failed"] += bad
            all_cover += cover
    report["coverage"] = merge(all_cover) if all_cover else None

    print_summary(report)
    if args.report:
        # Written whole through a temporary name: an interrupted run leaves no half report.
        tmp_path = args.report.with_name(args.report.name + ".part")
        tmp_path.write_text(json.dumps(report, indent=1))
        tmp_path.replace(args.report)
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
