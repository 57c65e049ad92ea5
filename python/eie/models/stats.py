# SPDX-License-Identifier: Apache-2.0
"""``eie inspect``: what an image holds and the load balance it implies."""

from __future__ import annotations

import numpy as np

from eie.image import LoadedImage


def layer_stats(image: LoadedImage) -> list[dict]:
    rows = []
    for index, layer in enumerate(image.layers):
        spec = layer.spec
        entries = np.asarray(spec.entries, dtype=np.int64)
        padding = np.asarray(spec.padding, dtype=np.int64)
        mean = float(entries.mean())
        rows.append(
            {
                "layer": index,
                "shape": f"{spec.in_features}{'+1' if spec.bias else ''} x {spec.out_features}",
                "density": spec.nonzeros / float(spec.out_features * spec.cols),
                "entries": int(entries.sum()),
                "padding_share": float(padding.sum() / max(1, entries.sum())),
                "pe_min": int(entries.min()),
                "pe_mean": mean,
                "pe_max": int(entries.max()),
                # With every activation non-zero a PE is busy for its entry count; the
                # busiest PE sets the layer time, so max/mean is the slowdown from imbalance.
                "imbalance": float(entries.max() / mean) if mean else 1.0,
                "w_frac": spec.w_frac,
                "relu": spec.relu,
            }
        )
    return rows


def format_report(image: LoadedImage) -> str:
    img = image.image
    mem = img.memory
    lines = [
        f"image {image.directory}: {len(img.layers)} layer(s), {img.num_pes} PEs, "
        f"activations Q{15 - img.act_frac}.{img.act_frac}",
        f"memories per PE: sparse matrix {max(w.size for w in img.spmat)}/{mem.spmat_words} words, "
        f"pointer banks {max(-(-p.size // 2) for p in img.pointers)}/{mem.ptr_bank_depth}, "
        f"activations {max(-(-max(l.in_features, l.out_features) // img.num_pes) for l in img.layers)}/{mem.act_depth}",
        f"{'layer':>5} {'in x out':>14} {'density':>8} {'entries':>9} {'padding':>8} "
        f"{'PE min':>7} {'PE mean':>9} {'PE max':>7} {'imbalance':>9} {'w_frac':>6} {'relu':>5}",
    ]
    for s in layer_stats(image):
        lines.append(
            f"{s['layer']:>5} {s['shape']:>14} {s['density']:>8.2%} {s['entries']:>9} {s['padding_share']:>8.2%} "
            f"{s['pe_min']:>7} {s['pe_mean']:>9.1f} {s['pe_max']:>7} {s['imbalance']:>9.3f} {s['w_frac']:>6} "
            f"{'yes' if s['relu'] else 'no':>5}"
        )
    return "\n".join(lines)
