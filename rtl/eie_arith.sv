// SPDX-License-Identifier: Apache-2.0
// Arithmetic unit: b[x] += codebook[layer][v] * a_j for every non-padding entry, one
// entry per cycle, no backpressure and no stall. Pipeline: codebook read and
// accumulator read issue -> registered multiply, the read's register -> add and
// write, with a bypass for updates of one row two and one cycles apart. Two banks of
// accumulators, each in block RAM: the layer's entries add into bank acc_bank_i
// while the write-back reads the previous layer's sums from the other
// (wb_re_i -> wb_acc_o two cycles later) and zeroes each row it reads; in I/O mode
// res_re_i reads bank acc_bank_i. sweep_i zeroes a whole bank over AccSweepCycles
// cycles (it reads as 0 meanwhile and takes no entry). A row is zeroed by clearing its
// valid bit, kept in LUT RAM beside the sums (a row reads as 0 unless it is set).

`default_nettype none

module eie_arith #(
  /// Layers whose 16-entry codebooks are held at once (>= 1).
  parameter int MaxLayers = 4,
  /// Output rows (accumulators) of this PE (>= 2).
  parameter int ActDepth  = 64,
  /// Width of a local row index.
  localparam int RowWidth    = $clog2(ActDepth),
  /// Width of a layer index (at least 1).
  localparam int LayerWidth  = (MaxLayers > 1) ? $clog2(MaxLayers) : 1,
  /// Codebook address {layer, code}.
  localparam int CbAddrWidth = $clog2(MaxLayers * eie_pkg::NumCodes)
) (
  /// Clock.
  input  logic                             clk_i,
  /// Asynchronous reset, active low.
  input  logic                             rst_ni,

  // Codebook load port (I/O mode)
  /// Write cb_wdata_i to codebook entry cb_addr_i = {layer, code}.
  input  logic                             cb_we_i,
  /// Codebook address {layer, code}.
  input  logic [CbAddrWidth-1:0]           cb_addr_i,
  /// Signed weight, the layer's w_frac fraction bits.
  input  logic [eie_pkg::WeightWidth-1:0]  cb_wdata_i,
  /// Layer whose codebook decodes the entries (held for the whole layer).
  input  logic [LayerWidth-1:0]            layer_i,

  // Entries from eie_spmat_read (no backpressure)
  /// An entry arrives.
  input  logic                             ent_valid_i,
  /// Its codebook index v; 0 is padding and updates nothing.
  input  logic [eie_pkg::CodeWidth-1:0]    ent_code_i,
  /// Its local row x.
  input  logic [RowWidth-1:0]              ent_row_i,
  /// Its column's activation a_j.
  input  logic [eie_pkg::ActWidth-1:0]     ent_act_i,

  /// Bank the entries add into (held for the whole layer; it must be all zero when the
  /// layer starts and not sweeping while entries write into it).
  input  logic                             acc_bank_i,
  /// Drop the entries in the pipeline and the one arriving in this cycle (so an abort
  /// leaves nothing behind).
  input  logic                             clear_i,
  /// Zero bank b (bit b): from the next cycle it reads as 0 and is swept, all its
  /// sub-banks at once, for SubDepth cycles; a sweep restarts it.
  input  logic [1:0]                       sweep_i,

  // Read ports, one per bank by role (each bank's address then comes from a
  // register through one mux: timing)
  /// Write-back: read accumulator wb_row_i of the bank the entries do not add into,
  /// and zero it (the sum is read once).
  input  logic                             wb_re_i,
  /// Row of the write-back read.
  input  logic [RowWidth-1:0]              wb_row_i,
  /// I/O mode (RESULT target): read accumulator res_row_i of bank acc_bank_i, with no
  /// entry in the pipeline or arriving and not with wb_re_i.
  input  logic                             res_re_i,
  /// Row of the RESULT read.
  input  logic [RowWidth-1:0]              res_row_i,
  /// The row's sum two cycles after wb_re_i or res_re_i (0 if its bank was sweeping);
  /// holds.
  output logic [eie_pkg::AccWidth-1:0]     wb_acc_o,

  /// No entry in the pipeline.
  output logic                             idle_o
);

  localparam int WeightWidth = eie_pkg::WeightWidth;
  localparam int ActWidth    = eie_pkg::ActWidth;
  localparam int AccWidth    = eie_pkg::AccWidth;
  localparam int ProdWidth   = WeightWidth + ActWidth;
  localparam int CbDepth     = MaxLayers * eie_pkg::NumCodes;
  // Each bank's valid bits are NumSub LUT-RAM sub-banks of SubDepth rows (row = {sub,
  // address}), so a sweep writes one address of every sub-bank per cycle.
  localparam int SweepWidth  = $clog2(eie_pkg::AccSweepCycles);
  localparam int SubWidth    = (RowWidth < SweepWidth) ? RowWidth : SweepWidth;
  localparam int SubDepth    = 1 << SubWidth;
  localparam int NumSub      = (ActDepth + SubDepth - 1) / SubDepth;
  localparam int LaneBits    = RowWidth - SubWidth;  // sub-bank index bits
  localparam int NumLanes    = 1 << LaneBits;

  initial begin : proc_check_params
    if (MaxLayers < 1) $fatal(1, "eie_arith: MaxLayers must be >= 1, got %0d", MaxLayers);
    if (ActDepth < 2) $fatal(1, "eie_arith: ActDepth must be >= 2, got %0d", ActDepth);
    if (AccWidth < ProdWidth) begin
      $fatal(1, "eie_arith: AccWidth %0d < product width %0d", AccWidth, ProdWidth);
    end
    if (eie_pkg::AccReadLatency != 2) begin
      $fatal(1, "eie_arith: written for an accumulator read of 2 cycles, eie_pkg says %0d",
             eie_pkg::AccReadLatency);
    end
  end

  // ---------------------------------------------------------------------------
  // Stage 0: codebook lookup and accumulator read (padding entries stop here)
  // ---------------------------------------------------------------------------
  logic                   s0_take;
  logic                   cb_re;
  logic [CbAddrWidth-1:0] cb_raddr, cb_addr;

  assign s0_take  = ent_valid_i & (ent_code_i != '0);
  assign cb_re    = s0_take;
  // With MaxLayers == 1 the cast drops layer_i (which must be 0).
  assign cb_raddr = CbAddrWidth'({layer_i, ent_code_i});
  assign cb_addr  = cb_we_i ? cb_addr_i : cb_raddr;

  // LUT RAM, not block RAM: a DP16KD's 5.6 ns clock-to-output in front of the
  // multiplier was the unit's critical path on an ECP5; w_q is then a fabric flop.
  (* ram_style = "distributed" *) logic [WeightWidth-1:0] cb [CbDepth];
  logic [WeightWidth-1:0] w_q;

  always_ff @(posedge clk_i) begin : proc_codebook
    if (cb_we_i) cb[cb_addr] <= cb_wdata_i;
    if (cb_re) w_q <= cb[cb_addr];
  end

  logic                s1_valid_d, s1_valid_q;
  logic [RowWidth-1:0] s1_row_d, s1_row_q;
  logic [ActWidth-1:0] a_d, a_q;
  logic                bypass2_d, bypass2_q;

  always_comb begin : proc_s1
    s1_valid_d = s0_take & ~clear_i;
    s1_row_d   = s1_row_q;
    a_d        = a_q;
    if (s0_take) begin
      s1_row_d = ent_row_i;
      a_d      = ent_act_i;
    end
  end

  // The accumulator read issues here (the block RAM's read and a register behind it
  // bring the sum to stage 2): the entry now in stage 2 writes in this cycle, after
  // the read samples the RAM, so its sum reaches this entry through the bypass.
  assign bypass2_d = s1_valid_d & s2_valid_q & (ent_row_i == s2_row_q);

  // ---------------------------------------------------------------------------
  // Stage 1: multiply (registered operands and product, as a DSP block wants),
  // the read's register, bypass decision
  // ---------------------------------------------------------------------------
  logic [ProdWidth-1:0] prod_d, prod_q;
  logic                 s2_valid_d, s2_valid_q;
  logic [RowWidth-1:0]  s2_row_d, s2_row_q;
  // bypass_q: stage 2's sum comes from the bypass (of either distance), not the RAM.
  logic                 bypass_d, bypass_q;

  assign prod_d = $signed(w_q) * $signed(a_q);

  always_comb begin : proc_s2
    s2_valid_d = s1_valid_q & ~clear_i;
    s2_row_d   = s2_row_q;
    // The entry now in stage 2 writes this cycle: it was in stage 1 when this one's
    // read sampled the RAM.
    bypass_d   = s1_valid_q & s2_valid_q & (s1_row_q == s2_row_q);
    if (s1_valid_q) s2_row_d = s1_row_q;
  end

  // DSP operand and product registers: no reset, so they pack into the DSP block.
  always_ff @(posedge clk_i) begin : proc_dsp_regs
    a_q    <= a_d;
    prod_q <= prod_d;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_regs
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s1_row_q   <= '0;
      s2_valid_q <= 1'b0;
      s2_row_q   <= '0;
      bypass_q   <= 1'b0;
      bypass2_q  <= 1'b0;
    end else begin
      s1_valid_q <= s1_valid_d;
      s1_row_q   <= s1_row_d;
      s2_valid_q <= s2_valid_d;
      s2_row_q   <= s2_row_d;
      bypass_q   <= bypass_d | bypass2_q;
      bypass2_q  <= bypass2_d;
    end
  end

  // ---------------------------------------------------------------------------
  // Accumulator RAMs, one per bank (one write port, one read port each: the entry
  // pipeline's in its own bank, the write-back's in the other). A bank is zero where it
  // is not a sum: the write-back zeroes each row it reads (its bank's valid-bit write
  // port is free then) and a sweep zeroes the whole bank (at reset, after an abort, and
  // the bank of the run before at a START).
  // ---------------------------------------------------------------------------
  logic [AccWidth-1:0]      acc_wdata;  // stage 2's sum
  logic [1:0][AccWidth-1:0] bank_rdata;
  logic [1:0]               sweeping;  // bank b is being swept
  logic                     wb_bank_d, wb_bank_q, wb_bank_q2;

  for (genvar b = 0; b < 2; b++) begin : g_bank
    logic                mine, re, we, wb_clr;
    logic [RowWidth-1:0] raddr;

    // The entries' bank reads for the entry arriving in stage 0 (or a RESULT read),
    // the other for the write-back.
    assign mine   = acc_bank_i == b[0];
    assign re     = mine ? s1_valid_d | res_re_i : wb_re_i;
    assign raddr  = mine ? (res_re_i ? res_row_i : ent_row_i) : wb_row_i;
    assign we     = s2_valid_q & mine;
    assign wb_clr = wb_re_i & ~mine;

    // The sweep: every sub-bank's address sweep_addr_q in each cycle of sweeping_q.
    logic                sweeping_d, sweeping_q;
    logic [SubWidth-1:0] sweep_addr_d, sweep_addr_q;

    always_comb begin : proc_sweep
      sweeping_d   = sweeping_q;
      sweep_addr_d = sweep_addr_q;
      if (sweeping_q) begin
        sweep_addr_d = sweep_addr_q + SubWidth'(1);
        if (sweep_addr_q == SubWidth'(SubDepth - 1)) sweeping_d = 1'b0;
      end
      if (sweep_i[b]) begin
        sweeping_d   = 1'b1;
        sweep_addr_d = '0;
      end
    end

    // Reset starts a sweep: the RAM holds anything then.
    always_ff @(posedge clk_i or negedge rst_ni) begin : proc_sweep_regs
      if (!rst_ni) begin
        sweeping_q   <= 1'b1;
        sweep_addr_q <= '0;
      end else begin
        sweeping_q   <= sweeping_d;
        sweep_addr_q <= sweep_addr_d;
      end
    end

    assign sweeping[b] = sweeping_q;

    // The sums and a valid bit per row: a row reads as 0 unless its bit is set, so the
    // sums' RAM is written only with stage 2's sums and the zeroing writes one bit
    // (area: no zero mux in front of the 48 data bits of each bank). The sums' RAM:
    // block RAM (area: in LUT RAM the two banks and their read muxes took 171 LUT4 more
    // per PE, doc/synthesis.md), one write port (stage 2), one read port whose data
    // passes a register (timing: the block RAM's 5.8 ns clock-to-output then meets no
    // logic before the 48-bit add). No entry adds into a sweeping bank, so it is never
    // written then.
    (* ram_style = "block" *) logic [AccWidth-1:0] mem [ActDepth];
    logic [AccWidth-1:0] ram_q, rdata_q;

    always_ff @(posedge clk_i) begin : proc_acc_mem
      if (we) mem[s2_row_q] <= acc_wdata;
    end

    always_ff @(posedge clk_i) begin : proc_acc_ram_rd
      if (re) ram_q <= mem[raddr];
    end

    // The valid bits: one write per cycle, the sweep's zeros, else a set by stage 2's
    // sum (entries' bank) or the write-back's clear (the other).
    logic [RowWidth-1:0] wrow, wword, rword;

    assign wrow  = mine ? s2_row_q : wb_row_i;
    assign wword = RowWidth'(32'(wrow[SubWidth-1:0]) << LaneBits);
    assign rword = RowWidth'(32'(raddr[SubWidth-1:0]) << LaneBits) |
                   RowWidth'(32'(raddr) >> SubWidth);

    // One memory, row {sub, address} at word {address, sub}: Yosys merges the sub-banks'
    // writes to adjacent words into one write port with an enable per sub-bank and maps
    // it to NumSub LUT-RAM sub-banks side by side. The loops are not unrolled in the
    // simulation model: one write structure per bank, not one per sub-bank (64 of them
    // per PE at ActDepth 512 made the model about 2.4 times as slow).
    logic vld [SubDepth*NumLanes];

    always_ff @(posedge clk_i) begin : proc_vld_mem
      if (sweeping_q) begin
        /* verilator unroll_disable */
        for (int k = 0; k < NumSub; k++) begin
          vld[RowWidth'(32'(sweep_addr_q) << LaneBits) | RowWidth'(k)] <= 1'b0;
        end
      end else if (we || wb_clr) begin
        /* verilator unroll_disable */
        for (int k = 0; k < NumSub; k++) begin
          if ((32'(wrow) >> SubWidth) == k) vld[wword | RowWidth'(k)] <= mine;
        end
      end
    end

    // A row not valid, or any row of a sweeping bank (its rows not yet swept hold old
    // bits), reads as 0, and so does an entry's read that a bypass replaces: the read
    // register's synchronous reset, decided as the read issues (the valid bit is read
    // before the write-back's clear of it) and, for the bypass of distance 1, a cycle
    // later.
    logic re_q, zero_d, zero_q;

    assign zero_d = sweeping_q || !vld[rword] || (mine && bypass2_d);

    always_ff @(posedge clk_i or negedge rst_ni) begin : proc_acc_rd_ctl
      if (!rst_ni) begin
        re_q   <= 1'b0;
        zero_q <= 1'b0;
      end else begin
        re_q   <= re;
        zero_q <= zero_d;
      end
    end

    always_ff @(posedge clk_i) begin : proc_acc_rd
      if (re_q) rdata_q <= (zero_q || (mine && bypass_d)) ? '0 : ram_q;
    end

    assign bank_rdata[b] = rdata_q;
  end

  always_comb begin : proc_wb_bank
    wb_bank_d = wb_bank_q;
    if (wb_re_i)  wb_bank_d = ~acc_bank_i;
    if (res_re_i) wb_bank_d = acc_bank_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_wb_bank_reg
    if (!rst_ni) begin
      wb_bank_q  <= 1'b0;
      wb_bank_q2 <= 1'b0;
    end else begin
      wb_bank_q  <= wb_bank_d;
      wb_bank_q2 <= wb_bank_q;
    end
  end

  // Entries never read a sweeping bank (asserted below), so no zero here.
  logic [AccWidth-1:0] rd_acc;
  assign rd_acc = bank_rdata[acc_bank_i];

  // ---------------------------------------------------------------------------
  // Stage 2: add and write
  // ---------------------------------------------------------------------------
  // The bypass: stage 2's sum, kept when the entry behind it updates the same row, or
  // the sum of the cycle before (last_sum_q), kept when the entry two behind does and
  // the one between does not; else 0. That entry's RAM read is 0 then (its read
  // register's reset), so the sum to add to is the OR of the two (area: one LUT4 a
  // bit, not a mux of three). No reset: only a valid stage 2, two cycles after reset at
  // the earliest, reads them.
  logic [AccWidth-1:0] base, bypass_sum_q, last_sum_q;

  assign base      = rd_acc | bypass_sum_q;
  assign acc_wdata = base + {{(AccWidth - ProdWidth){prod_q[ProdWidth-1]}}, prod_q};

  always_ff @(posedge clk_i) begin : proc_bypass_sum
    last_sum_q   <= acc_wdata;
    bypass_sum_q <= bypass_d ? acc_wdata : bypass2_q ? last_sum_q : '0;
  end

  assign wb_acc_o = bank_rdata[wb_bank_q2];
  assign idle_o   = ~s1_valid_q & ~s2_valid_q;

  // Only MaxLayers == 1 leaves layer_i unread (it is cut off by the address cast).
  logic unused_layer;
  assign unused_layer = ^layer_i;

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
`ifndef SYNTHESIS
  // A plain always: Icarus -Wall flags system tasks inside an always_ff. $fatal,
  // not $error: Icarus carries on after $error and the cocotb test would pass.
  logic acc_bank_q;

  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (!rst_ni) begin
      acc_bank_q <= 1'b0;
    end else begin
      acc_bank_q <= acc_bank_i;
      assert (!(cb_we_i && cb_re))
        else $fatal(1, "eie_arith: codebook write while an entry is decoded");
      assert (!s0_take || int'(layer_i) < MaxLayers)
        else $fatal(1, "eie_arith: layer %0d >= MaxLayers %0d", layer_i, MaxLayers);
      assert (!ent_valid_i || int'(ent_row_i) < ActDepth)
        else $fatal(1, "eie_arith: row %0d >= ActDepth %0d", ent_row_i, ActDepth);
      assert (!wb_re_i || int'(wb_row_i) < ActDepth)
        else $fatal(1, "eie_arith: write-back read of row %0d out of range", wb_row_i);
      assert (!res_re_i || int'(res_row_i) < ActDepth)
        else $fatal(1, "eie_arith: RESULT read of row %0d out of range", res_row_i);
      assert (!(res_re_i && (wb_re_i || !idle_o || s0_take)))
        else $fatal(1, "eie_arith: RESULT read during the write-back or with entries in flight");
      assert (idle_o || acc_bank_i == acc_bank_q)
        else $fatal(1, "eie_arith: the accumulator bank changed with entries in the pipeline");
      assert (!((s1_valid_q || s2_valid_q) && sweeping[acc_bank_i]))
        else $fatal(1, "eie_arith: an entry adds into bank %0d while it is swept", acc_bank_i);
      // The sum stage 2 adds to is the OR of the RAM read and the bypasses: one is 0.
      assert (!s2_valid_q || (bypass_q ? rd_acc == '0 : bypass_sum_q == '0))
        else $fatal(1, "eie_arith: bypass %0b with a non-zero %s", bypass_q,
                    bypass_q ? "RAM read" : "bypass sum");
    end
  end
`endif

endmodule

`default_nettype wire
