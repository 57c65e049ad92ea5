# SPDX-License-Identifier: Apache-2.0
"""The CI-sized `eie bench`: two scaled-down benchmark layers on the RTL.

bench.metrics asserts that the cycle model agrees with every counter the RTL
reports; here the table's figures must also respect the bounds they are
compared with.
"""

from eie.apps.bench import BenchLayer
from eie.apps.bench_report import nine_layers, stall_table

# The NT-We and Alex-8 shapes and densities scaled down for an 8-PE core.
SMALL_LAYERS = [
    BenchLayer("NT-We/8", 512, 75, 0.10, 1.0, 8.0 / 8),
    BenchLayer("Alex-8/8", 512, 125, 0.25, 0.375, 9.9 / 8),
]


def test_two_small_layers_on_the_rtl(sim):
    rows = nine_layers(SMALL_LAYERS, num_pes=8, queue_depth=8, seed=3, sim=sim, balanced=False, optimize=False)
    for row in rows:
        assert row["source"] == "RTL", f"{row['layer']} did not run on the RTL"
        assert row["cycles"] >= max(row["busiest_pe_bound"], row["broadcast_bound"])
        assert 0 < row["load_efficiency"] <= 1
        # The busiest PE is never idle for more cycles than the layer has beyond its work.
        assert 0 <= row["busiest_pe_starved"] <= row["cycles"] - row["busiest_pe_bound"]
        assert row["pes_ever_full"] <= 8 and row["fullest_pe_cycles"] >= 0
        # A PE falls a whole history behind only while its queue is full: no
        # broadcast stall without a full queue (the converse need not hold).
        assert row["broadcast_stalls"] == 0 or row["pes_ever_full"] > 0
    assert all(r["layer"] in stall_table(rows) for r in rows)
