# SPDX-License-Identifier: Apache-2.0
"""Progress bars (eie.progress): drawn on a terminal, silent otherwise, and never a
change to what is printed on stdout or written to a file.

The bars of the Verilator build (eie.sim.rtlsim), the regression (scripts/regress.py),
eie bench and synthesis (scripts/synth.py) all go through eie.progress; here its
pieces run with stderr a pipe and a pseudo-terminal, and eie bench runs both ways.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from eie import progress

ROOT = Path(__file__).resolve().parents[1]


def open_terminal() -> tuple[int, int]:
    """A pseudo-terminal (master, slave), 100 columns wide (tqdm draws nothing in 0 columns)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    return master, slave


def drain(fd: int) -> bytes:
    out = b""
    while select.select([fd], [], [], 0.2)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other side closed
            break
        if not chunk:
            break
        out += chunk
    return out


@contextlib.contextmanager
def terminal_stderr(monkeypatch):
    """sys.stderr on a pseudo-terminal (set in the test's body: pytest's capture sets
    sys.stderr when the test starts); yields a function returning what was drawn."""
    master, slave = open_terminal()
    stream = os.fdopen(slave, "w")
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.delenv("EIE_PROGRESS", raising=False)
    try:
        yield lambda: (stream.flush(), drain(master))[1].decode(errors="replace")
    finally:
        monkeypatch.undo()
        stream.close()
        os.close(master)


def exercise(count_to: int = 3) -> None:
    """A bar, a watch over a growing count, and a line written between them."""
    with progress.bar(count_to, "counting", " steps") as steps:
        for _ in range(count_to):
            steps.update()
    seen = iter(range(1000))
    with progress.watch("watching", lambda: next(seen), unit=" objects", interval_s=0.02):
        time.sleep(0.2)
    progress.write("a line of the report")


def test_silent_when_stderr_is_not_a_terminal(capfd):
    assert not progress.shown()
    exercise()
    out, err = capfd.readouterr()
    assert err == "" and out == "a line of the report\n"


def test_drawn_on_a_terminal(capfd, monkeypatch):
    with terminal_stderr(monkeypatch) as drawn_so_far:
        assert progress.shown()
        exercise()
        drawn = drawn_so_far()
    assert "counting" in drawn and "watching" in drawn and "objects" in drawn
    assert capfd.readouterr().out == "a line of the report\n"


def test_eie_progress_0_turns_them_off(capfd, monkeypatch):
    with terminal_stderr(monkeypatch) as drawn_so_far:
        monkeypatch.setenv("EIE_PROGRESS", "0")
        assert not progress.shown()
        exercise()
        assert drawn_so_far() == ""


def test_count_lines_of_a_file_being_written(tmp_path):
    assert progress.count_lines(tmp_path / "not yet") == 0
    (tmp_path / "log").write_text("a\nb\nc")
    assert progress.count_lines(tmp_path / "log") == 2


def bench(out: Path, stderr) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "python")}
    env.pop("EIE_PROGRESS", None)
    return subprocess.run([sys.executable, "-m", "eie", "bench", "--model-only", "--layers", "NT-We", "--no-sweeps",
                           "--out", str(out)], stdout=subprocess.PIPE, stderr=stderr, env=env, text=True,
                          timeout=300, check=True)


def test_eie_bench_prints_and_writes_the_same_with_and_without_bars(tmp_path):
    piped = bench(tmp_path / "piped", subprocess.PIPE)
    assert piped.stderr == ""
    master, slave = open_terminal()
    try:
        on_terminal = bench(tmp_path / "tty", slave)
        drawn = drain(master).decode(errors="replace")
    finally:
        os.close(slave)
        os.close(master)
    assert "bench layers" in drawn and "bench studies" in drawn
    # Only the output folder's name differs between the two runs, and the order in which
    # the studies, run side by side, finish (each prints '[##] k/n' and its line as it ends).
    assert study_lines(on_terminal.stdout.replace(str(tmp_path / "tty"), "OUT")) == \
        study_lines(piped.stdout.replace(str(tmp_path / "piped"), "OUT"))
    assert (tmp_path / "tty" / "bench.md").read_bytes() == (tmp_path / "piped" / "bench.md").read_bytes()
    assert untimed(json.loads((tmp_path / "tty" / "bench.json").read_text())) == \
        untimed(json.loads((tmp_path / "piped" / "bench.json").read_text()))


def study_lines(text: str) -> list[str]:
    """The printed lines without the completion counters ('[##] 2/2 '), in sorted order."""
    return sorted(re.sub(r"^\[[#.]+\] \d+/\d+ ", "", line) for line in text.splitlines())


def untimed(value):
    """bench.json without its wall-clock times, which differ between any two runs."""
    if isinstance(value, dict):
        return {k: untimed(v) for k, v in value.items() if "seconds" not in k and not k.endswith("_per_s")}
    if isinstance(value, list):
        return [untimed(v) for v in value]
    return value
