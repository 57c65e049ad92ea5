// SPDX-License-Identifier: Apache-2.0
// eie_arith_formal: the accumulators of eie_arith (ActDepth 2 or 4 rows, 1 or 2
// codebooks) for formal/arith.sby: with the bypass, every accumulator equals the
// exact sum (modulo 2^AccWidth, exact up to MaxColumns updates) of the updates into
// it since its bank was last zeroed. Entries, codebook writes, clears, sweeps and
// write-back reads are free but for the contract the RTL asserts (no codebook write
// while an entry is decoded, the bank held while entries are in the pipeline, no
// entry in the pipeline while its bank is swept, no RESULT read with the write-back
// or entries in flight or arriving). An arbitrary row r (a free input held constant) has a shadow
// sum per bank: each non-padding entry of row r adds codebook[layer][v] * a_j once, two
// cycles after it arrives, unless clear_i drops it; a sweep of the bank and a
// write-back read of the row (after it reads) zero it. A ghost counter follows each
// bank's sweep. Proved: what a read of the row returns in either bank (0 while the
// bank is swept, else the RAM word if the row's valid bit is set, else 0) is its
// shadow sum; while a bank is swept its rows below the sweep address are already not
// valid (so no row is when the sweep ends); the sum stage 2 adds to (bypass or RAM)
// is the row's shadow sum; a write-back or RESULT read of the row returns it two
// cycles later. An
// arbitrary codebook entry c (the same) tracks its last write: every entry decoded
// with it multiplies that weight, signed, by its own activation.
// The pipeline registers, codebook, accumulator words and valid bits are read through
// Yosys hierconn wires, joined by flatten after memory_map.

`default_nettype none

module eie_arith_formal #(
  /// Codebooks, passed to the DUT (1 or 2: the wrapper names each word).
  parameter int MaxLayers = 1,
  /// Rows, passed to the DUT (2 or 4).
  parameter int ActDepth  = 4,
  localparam int RowWidth    = $clog2(ActDepth),
  localparam int LayerWidth  = (MaxLayers > 1) ? $clog2(MaxLayers) : 1,
  localparam int CbAddrWidth = $clog2(MaxLayers * eie_pkg::NumCodes),
  localparam int WeightWidth = eie_pkg::WeightWidth,
  localparam int ActWidth    = eie_pkg::ActWidth,
  localparam int AccWidth    = eie_pkg::AccWidth,
  localparam int CodeWidth   = eie_pkg::CodeWidth
) (
  /// Clock, rising edge.
  input  logic                   clk_i,
  /// Asynchronous reset, active low; low in the first cycle, free afterwards.
  input  logic                   rst_ni,
  /// Any codebook write, but not while an entry is decoded.
  input  logic                   cb_we_i,
  /// Any codebook address.
  input  logic [CbAddrWidth-1:0] cb_addr_i,
  /// Any weight.
  input  logic [WeightWidth-1:0] cb_wdata_i,
  /// Any layer below MaxLayers.
  input  logic [LayerWidth-1:0]  layer_i,
  /// Any entries.
  input  logic                   ent_valid_i,
  /// Any code.
  input  logic [CodeWidth-1:0]   ent_code_i,
  /// Any row.
  input  logic [RowWidth-1:0]    ent_row_i,
  /// Any activation.
  input  logic [ActWidth-1:0]    ent_act_i,
  /// Any bank, held while entries are in the pipeline.
  input  logic                   acc_bank_i,
  /// Any clear.
  input  logic                   clear_i,
  /// Any sweeps.
  input  logic [1:0]             sweep_i,
  /// Any write-back read (of the bank the entries do not add into).
  input  logic                   wb_re_i,
  /// Any row to read.
  input  logic [RowWidth-1:0]    wb_row_i,
  /// Any RESULT read of the entries' bank, not with wb_re_i nor entries in the pipeline
  /// or arriving.
  input  logic                   res_re_i,
  /// Any row to read.
  input  logic [RowWidth-1:0]    res_row_i,
  /// The tracked row: any, held for the whole trace.
  input  logic [RowWidth-1:0]    f_row_i,
  /// The tracked codebook entry: any, held for the whole trace.
  input  logic [CbAddrWidth-1:0] f_cb_addr_i
);

  localparam int CbDepth   = MaxLayers * eie_pkg::NumCodes;
  localparam int ProdWidth = WeightWidth + ActWidth;

  logic [AccWidth-1:0] wb_acc;
  logic                idle;

  eie_arith #(
    .MaxLayers (MaxLayers),
    .ActDepth  (ActDepth)
  ) dut (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .cb_we_i     (cb_we_i),
    .cb_addr_i   (cb_addr_i),
    .cb_wdata_i  (cb_wdata_i),
    .layer_i     (layer_i),
    .ent_valid_i (ent_valid_i),
    .ent_code_i  (ent_code_i),
    .ent_row_i   (ent_row_i),
    .ent_act_i   (ent_act_i),
    .acc_bank_i  (acc_bank_i),
    .clear_i     (clear_i),
    .sweep_i     (sweep_i),
    .wb_re_i     (wb_re_i),
    .wb_row_i    (wb_row_i),
    .res_re_i    (res_re_i),
    .res_row_i   (res_row_i),
    .wb_acc_o    (wb_acc),
    .idle_o      (idle)
  );

  // ---------------------------------------------------------------------------
  // The DUT's state, read through hierconn wires
  // ---------------------------------------------------------------------------
  // Driven by Yosys flatten, not by this source: Verilator sees them undriven, and
  // the words past CbDepth and ActDepth unused.
  /* verilator lint_off UNDRIVEN */
  /* verilator lint_off UNUSEDSIGNAL */
  (* hierconn, keep *) logic                   \dut.s1_valid_q ;
  (* hierconn, keep *) logic [RowWidth-1:0]    \dut.s1_row_q ;
  (* hierconn, keep *) logic                   \dut.s2_valid_q ;
  (* hierconn, keep *) logic [RowWidth-1:0]    \dut.s2_row_q ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.w_q ;
  (* hierconn, keep *) logic [ActWidth-1:0]    \dut.a_q ;
  (* hierconn, keep *) logic [ProdWidth-1:0]   \dut.prod_q ;
  (* hierconn, keep *) logic [AccWidth-1:0]    \dut.base ;
  (* hierconn, keep *) logic                   \dut.bypass2_q ;
  (* hierconn, keep *) logic                   \dut.g_bank[0].sweeping_q ;
  (* hierconn, keep *) logic                   \dut.g_bank[1].sweeping_q ;
  (* hierconn, keep *) logic [RowWidth-1:0]    \dut.g_bank[0].sweep_addr_q ;
  (* hierconn, keep *) logic [RowWidth-1:0]    \dut.g_bank[1].sweep_addr_q ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[0] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[1] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[2] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[3] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[4] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[5] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[6] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[7] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[8] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[9] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[10] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[11] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[12] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[13] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[14] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[15] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[16] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[17] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[18] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[19] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[20] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[21] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[22] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[23] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[24] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[25] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[26] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[27] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[28] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[29] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[30] ;
  (* hierconn, keep *) logic [WeightWidth-1:0] \dut.cb[31] ;
  (* hierconn, keep *) logic [AccWidth-1:0]    \dut.g_bank[0].mem[0] ;
  (* hierconn, keep *) logic [AccWidth-1:0]    \dut.g_bank[0].mem[1] ;
  (* hierconn, keep *) logic [AccWidth-1:0]    \dut.g_bank[0].mem[2] ;
  (* hierconn, keep *) logic [AccWidth-1:0]    \dut.g_bank[0].mem[3] ;
  (* hierconn, keep *) logic [AccWidth-1:0]    \dut.g_bank[1].mem[0] ;
  (* hierconn, keep *) logic [AccWidth-1:0]    \dut.g_bank[1].mem[1] ;
  (* hierconn, keep *) logic [AccWidth-1:0]    \dut.g_bank[1].mem[2] ;
  (* hierconn, keep *) logic [AccWidth-1:0]    \dut.g_bank[1].mem[3] ;
  (* hierconn, keep *) logic                   \dut.g_bank[0].vld[0] ;
  (* hierconn, keep *) logic                   \dut.g_bank[0].vld[1] ;
  (* hierconn, keep *) logic                   \dut.g_bank[0].vld[2] ;
  (* hierconn, keep *) logic                   \dut.g_bank[0].vld[3] ;
  (* hierconn, keep *) logic                   \dut.g_bank[1].vld[0] ;
  (* hierconn, keep *) logic                   \dut.g_bank[1].vld[1] ;
  (* hierconn, keep *) logic                   \dut.g_bank[1].vld[2] ;
  (* hierconn, keep *) logic                   \dut.g_bank[1].vld[3] ;
  /* verilator lint_on UNDRIVEN */
  // Codebook word k at [k*WeightWidth +: WeightWidth]; bank b's row s at [s*AccWidth +: AccWidth].
  logic [32*WeightWidth-1:0]  f_cb_words;
  logic [1:0][4*AccWidth-1:0] f_mem_words;
  logic [1:0][3:0]            f_vld_words;
  /* verilator lint_on UNUSEDSIGNAL */

  assign f_cb_words = {\dut.cb[31] , \dut.cb[30] , \dut.cb[29] , \dut.cb[28] ,
                        \dut.cb[27] , \dut.cb[26] , \dut.cb[25] , \dut.cb[24] ,
                        \dut.cb[23] , \dut.cb[22] , \dut.cb[21] , \dut.cb[20] ,
                        \dut.cb[19] , \dut.cb[18] , \dut.cb[17] , \dut.cb[16] ,
                        \dut.cb[15] , \dut.cb[14] , \dut.cb[13] , \dut.cb[12] ,
                        \dut.cb[11] , \dut.cb[10] , \dut.cb[9] , \dut.cb[8] ,
                        \dut.cb[7] , \dut.cb[6] , \dut.cb[5] , \dut.cb[4] ,
                        \dut.cb[3] , \dut.cb[2] , \dut.cb[1] , \dut.cb[0] };
  assign f_mem_words[0] = {\dut.g_bank[0].mem[3] , \dut.g_bank[0].mem[2] ,
                            \dut.g_bank[0].mem[1] , \dut.g_bank[0].mem[0] };
  assign f_mem_words[1] = {\dut.g_bank[1].mem[3] , \dut.g_bank[1].mem[2] ,
                            \dut.g_bank[1].mem[1] , \dut.g_bank[1].mem[0] };
  assign f_vld_words[0] = {\dut.g_bank[0].vld[3] , \dut.g_bank[0].vld[2] ,
                            \dut.g_bank[0].vld[1] , \dut.g_bank[0].vld[0] };
  assign f_vld_words[1] = {\dut.g_bank[1].vld[3] , \dut.g_bank[1].vld[2] ,
                            \dut.g_bank[1].vld[1] , \dut.g_bank[1].vld[0] };

  logic [CbDepth*WeightWidth-1:0] f_cb;
  logic [2*ActDepth*AccWidth-1:0] f_mem;
  logic [2*ActDepth-1:0]          f_vlds;

  assign f_cb  = f_cb_words[CbDepth*WeightWidth-1:0];
  assign f_mem = {f_mem_words[1][ActDepth*AccWidth-1:0], f_mem_words[0][ActDepth*AccWidth-1:0]};
  assign f_vlds = {f_vld_words[1][ActDepth-1:0], f_vld_words[0][ActDepth-1:0]};

  // ---------------------------------------------------------------------------
  // The tracked row and codebook entry, and a ghost copy of the pipeline
  // ---------------------------------------------------------------------------
  logic                   f_take;
  logic [CbAddrWidth-1:0] f_ent_cb_addr;

  assign f_take        = ent_valid_i && ent_code_i != '0;
  assign f_ent_cb_addr = CbAddrWidth'({layer_i, ent_code_i});

  logic                   f_init_q;
  logic                   f_bank_q;
  logic [RowWidth-1:0]    f_row_q;
  logic [CbAddrWidth-1:0] f_cb_addr_q;
  // The tracked codebook entry: written since reset, and its weight.
  logic                   f_cb_known_q;
  logic [WeightWidth-1:0] f_cb_q;
  // Stage 1 and 2 of the ghost pipeline: valid, row; stage 1's activation and
  // whether it decoded the tracked, written codebook entry; stage 2's product.
  logic                   f_s1_valid_q, f_s2_valid_q;
  logic [RowWidth-1:0]    f_s1_row_q, f_s2_row_q;
  logic [ActWidth-1:0]    f_s1_act_q;
  logic                   f_s1_tracked_cb_q;
  logic [ProdWidth-1:0]   f_s2_prod_q;
  // Per bank, the tracked row's sum of updates since it was last zeroed.
  logic [1:0][AccWidth-1:0] f_sum_q;
  // Per bank, the cycles of its sweep still to come (ActDepth cycles from reset or sweep_i).
  logic [1:0][RowWidth:0]   f_sweep_left_q;
  logic [1:0]               f_sweeping;
  // A write-back or RESULT read of the tracked row one and two cycles ago, and its
  // bank's sum then (the read returns it two cycles after it issues).
  logic                   f_wb_q, f_wb_q2;
  logic [AccWidth-1:0]    f_wb_sum_q, f_wb_sum_q2;

  // The first cycle of every trace; the solver starts from the initial value.
  initial f_init_q = 1'b1;

  always @(posedge clk_i) begin : proc_init
    f_init_q    <= 1'b0;
    f_row_q     <= f_row_i;
    f_cb_addr_q <= f_cb_addr_i;
  end

  // The product the wrapper expects of stage 1: the signed weight times the signed
  // activation, of the operand registers (which the assertions tie to the entry).
  logic [ProdWidth-1:0] f_prod;
  assign f_prod = $signed(\dut.w_q ) * $signed(\dut.a_q );

  always @(posedge clk_i or negedge rst_ni) begin : proc_ghost
    if (!rst_ni) begin
      f_bank_q          <= 1'b0;
      f_cb_known_q      <= 1'b0;
      f_cb_q            <= '0;
      f_s1_valid_q      <= 1'b0;
      f_s2_valid_q      <= 1'b0;
      f_s1_row_q        <= '0;
      f_s2_row_q        <= '0;
      f_s1_act_q        <= '0;
      f_s1_tracked_cb_q <= 1'b0;
      f_s2_prod_q       <= '0;
      f_sum_q           <= '0;
      f_sweep_left_q    <= {2{(RowWidth+1)'(ActDepth)}};
      f_wb_q            <= 1'b0;
      f_wb_sum_q        <= '0;
      f_wb_q2           <= 1'b0;
      f_wb_sum_q2       <= '0;
    end else begin
      f_bank_q <= acc_bank_i;
      if (cb_we_i && cb_addr_i == f_cb_addr_i) begin
        f_cb_known_q <= 1'b1;
        f_cb_q       <= cb_wdata_i;
      end
      f_s1_valid_q <= f_take && !clear_i;
      f_s2_valid_q <= f_s1_valid_q && !clear_i;
      if (f_take) begin
        f_s1_row_q        <= ent_row_i;
        f_s1_act_q        <= ent_act_i;
        f_s1_tracked_cb_q <= f_cb_known_q && f_ent_cb_addr == f_cb_addr_i;
      end
      if (f_s1_valid_q) begin
        f_s2_row_q  <= f_s1_row_q;
        f_s2_prod_q <= f_prod;
      end
      // Stage 2 adds its product into the row of the entries' bank; a sweep zeroes the
      // bank (the write of that cycle with it), a write-back read the row it reads.
      for (int b = 0; b < 2; b++) begin
        if (sweep_i[b]) begin
          f_sum_q[b] <= '0;
        end else if (wb_re_i && acc_bank_i != b[0] && wb_row_i == f_row_i) begin
          f_sum_q[b] <= '0;
        end else if (f_s2_valid_q && acc_bank_i == b[0] && f_s2_row_q == f_row_i) begin
          f_sum_q[b] <= f_sum_q[b] + AccWidth'($signed(f_s2_prod_q));
        end
        if (sweep_i[b]) f_sweep_left_q[b] <= (RowWidth+1)'(ActDepth);
        else if (f_sweeping[b]) f_sweep_left_q[b] <= f_sweep_left_q[b] - 1'b1;
      end
      f_wb_q     <= (wb_re_i && wb_row_i == f_row_i) || (res_re_i && res_row_i == f_row_i);
      f_wb_sum_q <= f_sum_q[wb_re_i ? !acc_bank_i : acc_bank_i];
      f_wb_q2     <= f_wb_q;
      f_wb_sum_q2 <= f_wb_sum_q;
    end
  end

  // ---------------------------------------------------------------------------
  // Assumptions: a reset first; the contract the RTL asserts
  // ---------------------------------------------------------------------------
  logic f_idle;
  assign f_idle = !f_s1_valid_q && !f_s2_valid_q;
  assign f_sweeping = {f_sweep_left_q[1] != '0, f_sweep_left_q[0] != '0};

  always @* begin : proc_assume
    if (f_init_q) assume (!rst_ni);
    if (!f_init_q) assume (f_row_i == f_row_q && f_cb_addr_i == f_cb_addr_q);
    assume (!(cb_we_i && f_take));
    assume (!f_take || 32'(layer_i) < MaxLayers);
    if (!f_init_q && !f_idle) assume (acc_bank_i == f_bank_q);
    assume (!(res_re_i && (wb_re_i || !f_idle || f_take)));
    if (!f_init_q) assume (f_idle || !f_sweeping[acc_bank_i]);
  end

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
  logic [1:0][AccWidth-1:0] f_value;

  // What a read of the tracked row returns in each bank: 0 while the bank is swept,
  // else its RAM word if its valid bit is set (else 0); and whether the sweep has
  // passed the row. At these depths a valid bit's word is its row.
  logic [1:0][AccWidth-1:0] f_word;
  logic [1:0]               f_vld;
  logic [1:0][RowWidth-1:0] f_sweep_addr;
  logic [1:0]               f_dut_sweeping;

  assign f_dut_sweeping  = {\dut.g_bank[1].sweeping_q , \dut.g_bank[0].sweeping_q };
  assign f_sweep_addr[0] = \dut.g_bank[0].sweep_addr_q ;
  assign f_sweep_addr[1] = \dut.g_bank[1].sweep_addr_q ;

  for (genvar b = 0; b < 2; b++) begin : g_value
    assign f_vld[b]   = f_vlds[b * ActDepth + 32'(f_row_i)];
    assign f_word[b]  = f_vld[b] ? f_mem[(b * ActDepth + 32'(f_row_i)) * AccWidth +: AccWidth] : '0;
    assign f_value[b] = f_sweeping[b] ? '0 : f_word[b];
  end

  always @* begin : proc_assert
    if (rst_ni) begin
      // The pipeline: as the ghost's.
      assert (idle == f_idle);
      assert (\dut.s1_valid_q == f_s1_valid_q && \dut.s2_valid_q == f_s2_valid_q);
      if (f_s1_valid_q) begin
        assert (\dut.s1_row_q == f_s1_row_q && \dut.a_q == f_s1_act_q);
        // The tracked codebook entry's last weight.
        if (f_s1_tracked_cb_q) assert (\dut.w_q == f_cb_q);
      end
      if (f_s2_valid_q) assert (\dut.s2_row_q == f_s2_row_q && \dut.prod_q == f_s2_prod_q);
      if (f_cb_known_q) assert (f_cb[32'(f_cb_addr_i) * WeightWidth +: WeightWidth] == f_cb_q);
      // The sweeps: as the ghost's; the rows a sweep has passed are not valid.
      assert (f_dut_sweeping == f_sweeping);
      for (int b = 0; b < 2; b++) begin
        if (f_sweeping[b]) begin
          assert (32'(f_sweep_addr[b]) == ActDepth - 32'(f_sweep_left_q[b]));
          if (f_row_i < f_sweep_addr[b]) assert (!f_vld[b]);
        end
      end
      // The tracked row holds its sum in both banks, and stage 2 adds to it.
      assert (f_value[0] == f_sum_q[0] && f_value[1] == f_sum_q[1]);
      if (f_s2_valid_q && f_s2_row_q == f_row_i) assert (\dut.base == f_sum_q[acc_bank_i]);
      // A write-back read returns the row's sum.
      if (f_wb_q2) assert (wb_acc == f_wb_sum_q2);
      // A write-back read of a non-zero sum (which it zeroes) while the entries' bank holds
      // one and two updates of the row bypass.
      cover (f_wb_q2 && f_wb_sum_q2 != '0 && f_sum_q[acc_bank_i] != '0 && f_s2_valid_q &&
             f_s1_valid_q && f_s2_row_q == f_row_i && f_s1_row_q == f_row_i && f_s1_tracked_cb_q);
      cover (f_s2_valid_q && f_s2_row_q == f_row_i && clear_i && f_sum_q[acc_bank_i] != '0);
      // The bypass over two: stage 1 updates the row that stage 2 does not, the row
      // the entry a cycle ahead of stage 2 updated.
      cover (f_s1_valid_q && f_s1_row_q == f_row_i && f_s2_valid_q && f_s2_row_q != f_row_i &&
             \dut.bypass2_q && f_s1_tracked_cb_q && f_sum_q[acc_bank_i] != '0);
      // A sweep's last cycle in one bank while the other holds a sum.
      cover (f_sweep_left_q[0] == 1 && f_sum_q[1] != '0);
    end
  end

endmodule

`default_nettype wire
