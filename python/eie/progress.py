# SPDX-License-Identifier: Apache-2.0
"""Progress bars for long work: Verilator builds, regression seeds, bench layers and
sweeps, synthesis steps (tqdm).

A bar is drawn on stderr only when stderr is a terminal (``EIE_PROGRESS=0``
turns it off there too) and is cleared when its work ends: what the commands
print on stdout, and every log and result file, stay exactly as without it.
``watch`` draws a bar for work that runs elsewhere (a build, a tool, a simulator
process) from a count it polls, e.g. the objects compiled so far.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator


def shown() -> bool:
    """Bars are drawn: stderr is a terminal and EIE_PROGRESS is not 0."""
    return os.environ.get("EIE_PROGRESS", "1") != "0" and sys.stderr.isatty()


def bar(total: int | None = None, desc: str = "", unit: str = "it", position: int | None = None):
    """A tqdm bar on stderr, disabled (it prints nothing at all) unless ``shown()``."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not shown(), leave=False,
                dynamic_ncols=True, position=position)


def write(text: str) -> None:
    """print(text) to stdout, above any bar of this process (the same text either way)."""
    if shown():
        from tqdm import tqdm

        tqdm.write(text, file=sys.stdout)
        sys.stdout.flush()
    else:
        print(text, flush=True)


@contextlib.contextmanager
def watch(desc: str, count: Callable[[], int], total: int | None = None, unit: str = "it",
          interval_s: float = 0.5, position: int | None = None) -> Iterator[None]:
    """While the body runs, a bar whose count is ``count()``, polled every ``interval_s``
    seconds (an OSError while polling keeps the last count); with no total it is a
    counter with the elapsed time."""
    progress = bar(total, desc, unit, position)
    if progress.disable:
        yield
        return
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(interval_s):
            with contextlib.suppress(OSError):
                progress.n = count()
            progress.refresh()

    thread = threading.Thread(target=poll, name=f"progress {desc}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        progress.close()


def count_lines(path) -> int:
    """Lines in a file that another process is writing (0 before it exists)."""
    try:
        with open(path, "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 16), b""))
    except FileNotFoundError:
        return 0
