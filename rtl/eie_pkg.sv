// SPDX-License-Identifier: Apache-2.0
// EIE package: the constants every block shares. Only localparams live here
// (referenced as eie_pkg::Name, never imported), so that Icarus 11, Verilator
// and Yosys all accept it; sizes that a user may change (PE count, memory
// depths) are parameters of eie_core, and their bounds are here.
//
// Twins, each checked by a test:
// - the host interface (register map, ERROR bits, counter order, load-port
//   targets): rtl/eie_regs.rdl is the source; tests/test_regs_pkg.py checks
//   every constant below that names a register, field or target against it;
// - number formats and size limits: python/eie/fixedpoint.py and
//   python/eie/limits.py; tests/test_pkg_twins.py compares them.

`default_nettype none

package eie_pkg;

  // ---------------------------------------------------------------------------
  // Number formats (python/eie/fixedpoint.py is the software twin)
  // ---------------------------------------------------------------------------
  /// Activations: signed two's complement, ActFracBits set by the image.
  localparam int ActWidth      = 16;
  /// Codebook weights: signed two's complement, per-layer fraction bits.
  localparam int WeightWidth   = 16;
  /// Accumulator: a product is 32 bits; 16 more bits absorb 65536 columns exactly.
  localparam int AccWidth      = 48;
  /// Right shift applied to an accumulator at write-back (the layer's weight fraction bits).
  localparam int ShiftWidth    = 5;
  /// Most fraction bits of a codebook weight (the packer's w_frac).
  localparam int MaxWeightFrac = 15;
  /// Activation fraction bits (ACT_FRAC): 0 .. 2^ActFracWidth - 1.
  localparam int ActFracWidth  = 4;
  /// Columns a layer may have for the accumulator to stay exact.
  localparam int MaxColumns    = 1 << (AccWidth - ActWidth - WeightWidth);

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
  /// Columns a PE takes from the broadcast history per cycle, oldest first (lane 0): the
  /// default of eie_core's TakeLanes (python/eie/models/perf.py TAKES_PER_CYCLE). Two: a PE
  /// that is behind runs through columns without entries for it at twice the broadcast
  /// rate; one saves the history's second read copy, the pointer banks' second read port
  /// and the queue's second push lane (README "Options").
  localparam int TakeLanes = 2;
  /// Cycles in which eie_arith zeroes a whole accumulator bank (rows in LUT-RAM sub-banks
  /// of at most this many, all written at once), and the CCU's wait for it
  /// (python/eie/models/perf.py ACC_SWEEP_CYCLES).
  localparam int AccSweepCycles = 16;
  /// Cycles from a read of eie_arith's accumulators (write-back or RESULT) to the sum on
  /// its output: the block RAM's read register and the fabric register behind it
  /// (python/eie/models/perf.py ACC_READ_LATENCY). eie_arith is written for this value;
  /// the write-back's, the load port's and eie_sim_top's read timing derive from it.
  localparam int AccReadLatency = 2;
  /// Registers in eie_relu_quant's requantisation (after its shift; perf.py
  /// REQUANT_STAGES). The write-back's and the RESULT read's timing derive from it.
  localparam int RequantStages = 1;

  // ---------------------------------------------------------------------------
  // Register map (AXI4-Lite; rtl/eie_regs.rdl is the source, README "Register map")
  // Names follow the .rdl: Addr<Reg> the byte address of a register (the first
  // element of an array), <Array>Stride its element stride, Offset<Reg> a
  // register's offset inside the LAYER descriptor, <Reg><Field>Bit / Lsb / Width
  // / Reset a field (the field's name left out when it repeats the register's).
  // ---------------------------------------------------------------------------
  localparam int RegAddrWidth = 12;
  localparam int RegDataWidth = 32;

  localparam logic [RegAddrWidth-1:0] AddrId           = 12'h000;
  localparam logic [RegAddrWidth-1:0] AddrNumPe        = 12'h004;
  localparam logic [RegAddrWidth-1:0] AddrQueueDepth   = 12'h008;
  localparam logic [RegAddrWidth-1:0] AddrSpmatDepth   = 12'h00C;
  localparam logic [RegAddrWidth-1:0] AddrPtrDepth     = 12'h010;
  localparam logic [RegAddrWidth-1:0] AddrActDepth     = 12'h014;
  localparam logic [RegAddrWidth-1:0] AddrMaxLayers    = 12'h018;
  localparam logic [RegAddrWidth-1:0] AddrHistoryDepth = 12'h01C;
  localparam logic [RegAddrWidth-1:0] AddrCtrl         = 12'h020;
  localparam logic [RegAddrWidth-1:0] AddrStatus       = 12'h024;
  localparam logic [RegAddrWidth-1:0] AddrError        = 12'h028;
  localparam logic [RegAddrWidth-1:0] AddrNumLayers    = 12'h02C;
  localparam logic [RegAddrWidth-1:0] AddrActFrac      = 12'h030;
  localparam logic [RegAddrWidth-1:0] AddrInputFile    = 12'h034;
  localparam logic [RegAddrWidth-1:0] AddrFeatures     = 12'h038;
  localparam logic [RegAddrWidth-1:0] AddrTakeLanes    = 12'h03C;
  localparam logic [RegAddrWidth-1:0] AddrCyclesLo     = 12'h040;
  localparam logic [RegAddrWidth-1:0] AddrCyclesHi     = 12'h044;
  localparam logic [RegAddrWidth-1:0] AddrBcasts       = 12'h048;
  localparam logic [RegAddrWidth-1:0] AddrBcastStalls  = 12'h04C;
  localparam logic [RegAddrWidth-1:0] AddrPeSel        = 12'h050;
  localparam logic [RegAddrWidth-1:0] AddrPeBusy       = 12'h054;
  localparam logic [RegAddrWidth-1:0] AddrPeStarved    = 12'h058;
  localparam logic [RegAddrWidth-1:0] AddrPeStalled    = 12'h05C;
  localparam logic [RegAddrWidth-1:0] AddrPeDrained    = 12'h060;
  localparam logic [RegAddrWidth-1:0] AddrPeQueueFull  = 12'h064;
  localparam logic [RegAddrWidth-1:0] AddrPePadding    = 12'h068;
  /// Layer descriptor L at AddrLayer + L * LayerStride, its four registers at Offset*.
  localparam logic [RegAddrWidth-1:0] AddrLayer        = 12'h100;
  localparam int                      LayerStride      = 'h10;
  localparam int                      OffsetLayerIn      = 'h0;
  localparam int                      OffsetLayerOut     = 'h4;
  localparam int                      OffsetLayerPtrBase = 'h8;
  localparam int                      OffsetLayerFlags   = 'hC;
  /// LAYER_CYCLES of layer L at AddrLayerCycles + L * LayerCyclesStride.
  localparam logic [RegAddrWidth-1:0] AddrLayerCycles  = 12'h200;
  localparam int                      LayerCyclesStride = 'h4;

  /// ID.
  localparam logic [RegDataWidth-1:0] IdReset = 32'hE1E0_0100;
  /// CTRL commands.
  localparam int CtrlStartBit     = 0;
  localparam int CtrlAbortBit     = 1;
  localparam int CtrlImageKeptBit = 2;
  /// STATUS.
  localparam int StatusBusyBit    = 0;
  localparam int StatusDoneBit    = 1;
  localparam int StatusErrorBit   = 2;
  localparam int StatusLayerLsb   = 12;
  localparam int StatusLayerWidth = 20;
  /// Run configuration.
  localparam int NumLayersReset   = 1;
  localparam int ActFracReset     = 8;
  localparam int InputFileWidth   = 1;
  localparam int PeSelWidth       = 8;
  /// FEATURES: the options eie_core was built with.
  localparam int FeaturesPeCountersBit = 0;
  /// Layer descriptor fields.
  localparam int LayerInWidth        = 16;
  localparam int LayerOutWidth       = 16;
  localparam int LayerFlagsBiasBit   = 0;
  localparam int LayerFlagsReluBit   = 1;
  localparam int LayerFlagsShiftLsb  = 8;

  /// ERROR bits (sticky, write 1 to clear): positions, and how many there are.
  localparam int ErrStartBusy = 0;
  localparam int ErrNotLoaded = 1;
  localparam int ErrBadLayer  = 2;
  localparam int ErrLoadBusy  = 3;
  localparam int ErrLoadRange = 4;
  localparam int ErrPtrOrder  = 5;
  localparam int ErrPtrRange  = 6;
  localparam int ErrRowRange  = 7;
  localparam int ErrColRange  = 8;
  localparam int ErrRegAddr   = 9;
  localparam int ErrRegBusy   = 10;
  localparam int NumErrors    = 11;

  /// Per-PE performance counters, in register order from AddrPeBusy.
  localparam int PeCntBusy      = 0;
  localparam int PeCntStarved   = 1;
  localparam int PeCntStalled   = 2;
  localparam int PeCntDrained   = 3;
  localparam int PeCntQueueFull = 4;
  localparam int PeCntPadding   = 5;
  localparam int NumPeCounters  = 6;
  /// Width of every performance counter.
  localparam int CounterWidth   = 32;

  // ---------------------------------------------------------------------------
  // Load port address {target, pe, index} (eie_regs.rdl addrmap eie_load_port)
  // ---------------------------------------------------------------------------
  localparam int LdAddrWidth   = 32;
  localparam int LdDataWidth   = 64;
  localparam int LdTargetLsb   = 28;
  localparam int LdTargetWidth = 4;
  localparam int LdPeLsb       = 20;
  localparam int LdPeWidth     = 8;
  localparam int LdIndexLsb    = 0;
  localparam int LdIndexWidth  = 20;
  /// Targets (ld_target_e). Inside the core a target travels in LdTgtCodeWidth bits:
  /// the port drops an access to any other target as out of range before it does.
  localparam int LdTgtCodeWidth = 3;
  localparam logic [LdTgtCodeWidth-1:0] LdTgtSpmat    = 3'd0;
  localparam logic [LdTgtCodeWidth-1:0] LdTgtPtr      = 3'd1;
  localparam logic [LdTgtCodeWidth-1:0] LdTgtCodebook = 3'd2;
  localparam logic [LdTgtCodeWidth-1:0] LdTgtAct0     = 3'd3;
  localparam logic [LdTgtCodeWidth-1:0] LdTgtAct1     = 3'd4;
  localparam logic [LdTgtCodeWidth-1:0] LdTgtResult   = 3'd5;

  // ---------------------------------------------------------------------------
  // Size limits of eie_core's parameters (python/eie/limits.py is the twin)
  // ---------------------------------------------------------------------------
  localparam int MinNumPe        = 1;
  localparam int MaxNumPe        = 64;
  localparam int MinQueueDepth   = 1;
  localparam int MaxQueueDepth   = 256;
  localparam int MinHistoryDepth = 2;
  localparam int MaxHistoryDepth = 1024;
  localparam int MinTakeLanes    = 1;
  localparam int MaxTakeLanes    = 2;
  /// A memory of one word would have no address bits.
  localparam int MinSpmatDepth   = 2;
  /// Every word must have a load-port index.
  localparam int MaxSpmatDepth   = 1 << LdIndexWidth;
  localparam int MinPtrBankDepth = 2;
  /// Every pointer index k < 2 * PtrBankDepth must have a load-port index.
  localparam int MaxPtrBankDepth = 1 << (LdIndexWidth - 1);
  /// The write-back's row overflow detection needs at least 16 rows per PE.
  localparam int MinActDepth     = 16;
  localparam int MaxActDepth     = 1 << ColIdxWidth;
  localparam int MinMaxLayers    = 1;
  /// The register map has room for 16 layer descriptors.
  localparam int MaxMaxLayers    = 16;

endpackage

`default_nettype wire
