# SPDX-License-Identifier: Apache-2.0
"""Pause generators: the one idle / backpressure protocol of the testbenches.

Every driver and sink takes an endless iterator (STYLE rule 13), in one of
two forms built from the same three kinds, ``none``, ``pattern`` (a fixed cycle)
and ``random`` (seeded, from the testbench's ``random.Random``):

- ``pause(kind, rng)`` yields a bool per cycle: True holds valid (a source) or
  ready (a sink) low that cycle, as verilog-axis's ``set_pause_generator``.
- ``gaps(kind, rng)`` yields, per beat, how many idle cycles come before it.

``Backpressure`` is one seeded random stream that several channels share
(``delay()`` is a gap, ``ready()`` a per-cycle ready), for the whole-core bus
stress.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence

PAUSE_KINDS = ("none", "pattern", "random")
PATTERN = (False, False, True, False, True, True, False)
GAP_PATTERN = (0, 0, 1, 0, 2)


def pause(kind: str, rng: random.Random, prob: float = 0.4, *, pattern: Sequence[bool] = PATTERN,
          offset: int = 0) -> Iterator[bool]:
    """Per-cycle pauses: never, ``pattern`` from position ``offset`` on, or with probability ``prob``."""
    if kind == "none":
        return itertools.repeat(False)
    if kind == "pattern":
        return itertools.islice(itertools.cycle(pattern), offset % len(pattern), None)
    if kind == "random":
        return (rng.random() < prob for _ in itertools.count())
    raise ValueError(f"unknown pause kind {kind!r}")


def random_gap(rng: random.Random, idle_share: float, longest: int) -> int:
    """No gap with probability 1 - ``idle_share``, else 1 to ``longest`` idle cycles."""
    return 0 if rng.random() >= idle_share else rng.randint(1, longest)


def gaps(kind: str, rng: random.Random | None = None, idle_share: float = 0.3, *,
         pattern: Sequence[int] = GAP_PATTERN, longest: int = 3) -> Iterator[int]:
    """Idle cycles before each beat: none, ``pattern`` over and over, or ``random_gap``."""
    if kind == "none":
        return itertools.repeat(0)
    if kind == "pattern":
        return itertools.cycle(pattern)
    if kind == "random":
        assert rng is not None, "random gaps need a seeded rng"
        return (random_gap(rng, idle_share, longest) for _ in itertools.count())
    raise ValueError(f"unknown pause kind {kind!r}")


class Backpressure:
    """Seeded random waits shared by several channels: ``delay()`` idle cycles before a valid, ``ready()`` per cycle."""

    LONGEST = 4

    def __init__(self, seed: int, idle_share: float):
        self.reseed(seed, idle_share)

    def reseed(self, seed: int, idle_share: float) -> None:
        self.rng = random.Random(seed)
        self.idle_share = idle_share

    def delay(self) -> int:
        return random_gap(self.rng, self.idle_share, self.LONGEST)

    def ready(self) -> bool:
        return self.rng.random() >= self.idle_share

    def gaps(self) -> Iterator[int]:
        while True:
            yield self.delay()
