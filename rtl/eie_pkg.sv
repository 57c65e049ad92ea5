// SPDX-License-Identifier: Apache-2.0
// EIE package: the fixed widths of the data formats shared by every block.
// Only localparams live here (referenced as eie_pkg::Name, never imported), so
// that Icarus 11, Verilator and Yosys all accept it; sizes that a user may
// change (PE count, memory depths) are parameters of eie_core instead.

`default_nettype none

package eie_pkg;

  // ---------------------------------------------------------------------------
  // Number formats (python/eie/fixedpoint.py is the software twin)
  // ---------------------------------------------------------------------------
  /// Activations: signed two's complement, ActFracBits set by the image.
  localparam int ActWidth    = 16;
  /// Codebook weights: signed two's complement, per-layer fraction bits.
  localparam int WeightWidth = 16;
  /// Accumulator: a product is 32 bits; 16 more bits absorb 65536 columns exactly.
  localparam int AccWidth    = 48;
  /// Right shift applied to an accumulator at write-back (the layer's weight fraction bits).
  localparam int ShiftWidth  = 5;

  // ---------------------------------------------------------------------------
  // Sparse-matrix encoding (EIE.md "Data layout")
  // ---------------------------------------------------------------------------
  /// Codebook index; code 0 is the padding/zero entry.
  localparam int CodeWidth      = 4;
  localparam int NumCodes       = 16;
  /// Relative row index: zeros skipped since the previous entry of the column.
  localparam int ZeroRunWidth   = 4;
  /// One entry {v, z}; slot s of a word holds bits [8*s +: 8].
  localparam int EntryWidth     = 8;
  localparam int EntriesPerWord = 8;
  localparam int SpmatWordWidth = 64;
  localparam int SlotWidth      = 3;

  /// Global column index j of a broadcast activation (bias column included).
  localparam int ColIdxWidth = 16;

  // ---------------------------------------------------------------------------
  // Broadcast
  // ---------------------------------------------------------------------------
  /// Columns a PE takes from the broadcast history per cycle, oldest first (lane 0).
  /// Two: a PE that is behind runs through columns without entries for it at twice
  /// the broadcast rate (python/eie/perf.py TAKES_PER_CYCLE). The PE's pointer stage
  /// and queue push are written for exactly two lanes.
  localparam int TakeLanes = 2;

endpackage

`default_nettype wire
