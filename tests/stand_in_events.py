# SPDX-License-Identifier: Apache-2.0
"""Stand-in event counts for tests of the energy reports' arithmetic and formats.

The cycle model's own counts are in ``LayerTiming.events``; these tests hold the
reports, not the counts, so they use a count anyone can recompute: every PE
event is the PE's issue slots, every core event the broadcasts, and ``cycles``
the layer's cycles.
"""

from eie.models.events import CORE_EVENTS, PE_EVENTS


def slot_events(layer_timing):
    pe = {name: layer_timing.busy.copy() for name in PE_EVENTS}
    core = {name: layer_timing.broadcasts for name in CORE_EVENTS}
    core["cycles"] = layer_timing.cycles
    return pe, core
