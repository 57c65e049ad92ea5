# SPDX-License-Identifier: Apache-2.0
"""``eie sim`` under races and signals: it simulates the bytes it checked, shares builds
safely, and stops its simulator and removes its temporary folder on SIGTERM and SIGINT.

Icarus only: what is tested is the tool around the simulator, not the simulator.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import eie.sim.rtlsim
from eie.apps.cli import main
from eie.image import load
from eie.models.reference import reference

pytestmark = pytest.mark.bad_input  # counted in the regression's verification summary


def cli(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


@pytest.fixture
def two_models(tmp_path) -> tuple[Path, Path]:
    paths = []
    for seed in (1, 2):
        path = tmp_path / f"model{seed}.npz"
        rng = np.random.default_rng(seed)
        np.savez(path, W0=rng.normal(size=(24, 16)), b0=rng.normal(size=24), W1=rng.normal(size=(8, 24)))
        paths.append(path)
    np.save(tmp_path / "x.npy", np.random.default_rng(3).normal(size=(4, 16)))
    return paths[0], paths[1]


def test_sim_runs_the_bytes_it_checked(tmp_path, capsys, monkeypatch, two_models):
    """The image folder is replaced between the check and the simulation: the run and its
    comparison still use the image that was checked."""
    first, second = two_models
    image = tmp_path / "img"
    assert cli(capsys, "pack", first, "-o", image, "--pes", 2, "--density", "0.5")[0] == 0
    expected = reference(load(image), np.load(tmp_path / "x.npy"))
    real = eie.sim.rtlsim.run_cocotb

    def replace_then_run(*args, **kwargs):
        assert cli(capsys, "pack", second, "-o", image, "--pes", 2, "--density", "0.5")[0] == 0
        return real(*args, **kwargs)

    monkeypatch.setattr(eie.sim.rtlsim, "run_cocotb", replace_then_run)
    code, err = cli(capsys, "sim", image, tmp_path / "x.npy", "-o", tmp_path / "y.npy", "--sim", "icarus")
    assert code == 0, err
    assert np.array_equal(np.load(tmp_path / "y.npy"), expected)
    assert not np.array_equal(reference(load(image), np.load(tmp_path / "x.npy")), expected)


def eie_sim(tmp_path: Path, image: Path, out: str, env: dict, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "eie", "sim", str(image), str(tmp_path / "x.npy"), "-o",
                             str(tmp_path / out), "--sim", "icarus", *popen.pop("extra", [])],
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **popen)


def test_runs_share_a_fresh_build(tmp_path, capsys, two_models):
    image = tmp_path / "img"
    assert cli(capsys, "pack", two_models[0], "-o", image, "--pes", 2)[0] == 0
    env = {"EIE_SIM_BUILD": str(tmp_path / "build")}  # fresh: both runs need the build
    runs = [eie_sim(tmp_path, image, f"y{i}.npy", env, extra=["--queue-depth", "9"]) for i in range(4)]
    results = [run.communicate(timeout=600) for run in runs]
    expected = reference(load(image), np.load(tmp_path / "x.npy"))
    for run, (_, err) in zip(runs, results):
        assert run.returncode == 0, err
    for i in range(len(runs)):
        assert np.array_equal(np.load(tmp_path / f"y{i}.npy"), expected)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for_simulator(proc: subprocess.Popen, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "eie sim ended before its simulator started"
        sims = [p for p in children(proc.pid) if "vvp" in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")]
        if sims:
            return sims[0]
        time.sleep(0.05)
    raise AssertionError("no simulator process appeared")


@pytest.fixture
def long_run(tmp_path, capsys, two_models):
    """An image and enough inputs to keep the simulator busy for a while; the build is made first."""
    image = tmp_path / "img"
    assert cli(capsys, "pack", two_models[0], "-o", image, "--pes", 2)[0] == 0
    np.save(tmp_path / "x.npy", np.random.default_rng(4).normal(size=(400, 16)))
    np.save(tmp_path / "one.npy", np.ones(16))
    assert cli(capsys, "sim", image, tmp_path / "one.npy", "-o", tmp_path / "warm.npy", "--sim", "icarus",
               "--io", "port")[0] == 0
    (tmp_path / "tmp").mkdir()
    return image


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT from the terminal"])
def test_signal_stops_the_simulator_and_cleans_up(tmp_path, long_run, how):
    # --io port: the 400 runs driven from Python keep the simulator busy for seconds, so
    # the signal comes while it runs (with the default script player they take a fraction
    # of a second, and the signal could come in any phase after it).
    # SIGINT as a terminal's foreground job has it: a test run started in the background
    # of a non-interactive shell (make test &) inherits SIGINT ignored, and so would eie sim.
    proc = eie_sim(tmp_path, long_run, "y.npy", {"TMPDIR": str(tmp_path / "tmp")}, start_new_session=True,
                   extra=["--io", "port"], preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    simulator = wait_for_simulator(proc)
    time.sleep(0.5)  # in the simulator's start-up or first cycles
    if how == "SIGTERM":
        proc.send_signal(signal.SIGTERM)
    else:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == (143 if how == "SIGTERM" else 130), err
    assert err.strip().splitlines()[-1] == ("eie: terminated" if how == "SIGTERM" else "eie: interrupted")
    assert "Traceback" not in err
    assert not alive(simulator), "the simulator outlived eie sim"
    assert list((tmp_path / "tmp").iterdir()) == [], "a temporary folder was left behind"
    assert not (tmp_path / "y.npy").exists()
