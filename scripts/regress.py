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
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tb"))

from eie.errors import EieError  # noqa: E402
from eie.rtlsim import SIMULATORS, run_cocotb  # noqa: E402
from random_coverage import format_report, merge  # noqa: E402
from scenarios import CONFIGS, config_for_seed, generate, replay_command  # noqa: E402


def run_build(sim: str, config, seeds: list[int], workdir: Path, coverage: bool) -> tuple[list[dict], dict | None]:
    """The seeds of one core configuration on one simulator (one build, one cocotb run)."""
    results_file = workdir / f"{sim}-{config.name}.jsonl"
    cover_file = workdir / f"{sim}-{config.name}.coverage.json"
    env = {"EIE_SEEDS": ",".join(map(str, seeds)), "EIE_SIMULATOR": sim, "EIE_RESULTS": str(results_file),
           "COCOTB_LOG_LEVEL": "WARNING"}
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
    done += [{"seed": s, "config": config.name, "sim": sim, "ok": False,
              "error": "no result: the simulation stopped during or before this seed"}
             for s in seeds if s not in finished]
    cover = json.loads(cover_file.read_text()) if coverage and cover_file.exists() else None
    return done, cover


def run_sim(sim: str, seeds: list[int], workdir: Path, coverage: bool, jobs: int = 1):
    """All seeds on one simulator, ``jobs`` core builds at a time; returns (results, coverage, seconds)."""
    start = time.perf_counter()
    work = [(config, [s for s in seeds if config_for_seed(s) is config]) for config in CONFIGS]
    work = [(config, mine) for config, mine in work if mine]
    # Processes, not threads: a build sets environment variables for make (eie.rtlsim).
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        done = list(pool.map(run_build, *zip(*[(sim, config, mine, workdir, coverage) for config, mine in work])))
    results = [r for part, _ in done for r in part]
    cover = [c for _, c in done if c is not None]
    return results, cover, time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=60, help="scenarios per simulator (default 60)")
    parser.add_argument("--first", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--seed", type=int, action="append", help="run only this seed (replay); repeatable")
    parser.add_argument("--sim", choices=SIMULATORS, action="append", help="simulator (default: both); repeatable")
    parser.add_argument("--no-coverage", action="store_true", help="skip functional coverage sampling")
    parser.add_argument("--jobs", type=int, default=1,
                        help="core builds simulated at once (default 1; the machine's cores for a nightly run)")
    args = parser.parse_args(argv)
    seeds = args.seed if args.seed else list(range(args.first, args.first + args.seeds))
    sims = args.sim or list(SIMULATORS)
    if args.seed:
        for seed in seeds:
            print(generate(seed).describe())

    summary, all_cover, failed = [], [], []
    with tempfile.TemporaryDirectory(prefix="eie-regress-") as tmp:
        for sim in sims:
            results, cover, seconds = run_sim(sim, seeds, Path(tmp), not args.no_coverage, args.jobs)
            bad = [r for r in results if not r["ok"]]
            summary.append((sim, len(results), len(bad), seconds))
            failed += bad
            all_cover += cover

    print()
    for sim, count, bad, seconds in summary:
        print(f"{sim:9s} {count:5d} scenarios run, {bad} mismatches/failures, {seconds:.0f} s")
    if failed:
        print(f"failing seeds: {', '.join(str(r['seed']) for r in failed)}")
        for r in failed:
            print(f"  seed {r['seed']} ({r['config']}, {r['sim']}): {r['error']}\n    replay: {replay_command(r['seed'], r['sim'])}")
    if all_cover:
        print(format_report(merge(all_cover)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
