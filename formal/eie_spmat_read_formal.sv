// SPDX-License-Identifier: Apache-2.0
// eie_spmat_read_formal: properties of eie_spmat_read (2-4 words of memory) for
// formal/spmat_read.sby. The memory holds any image (its words, read through
// hierconn wires, are the image the wrapper reads entries from; the load port may
// rewrite and read it while no column is held or offered, the RTL's contract).
// Columns, flushes and load accesses are otherwise free; an offered column is not
// empty (the RTL asserts it). The wrapper is a reference of the unit's contract:
// columns taken when idle or with the current one's last issue, one issue a cycle,
// entries out two cycles after issue. Proved: col_ready_o, busy_o, idle_o and
// err_range_o are as the reference says; the entries out for a column are exactly
// its entries p_j .. p_{j+1}-1 in order, less the merged paddings, each with its v,
// its column's activation and its row x (x_0 = z_0, x_n = x_{n-1} + z_n + 1, a
// merged padding's row counted in the next one's); a padding merges (ent_merged_o
// on the entry after it) exactly when the merge rule of doc/microarch.md says:
// not its column's first entry, not in its word's first or last slot, two more
// entries of its column after it, and the entry before it not merged (every other
// one of a run, from the first); out-of-range and reversed columns give nothing;
// a load read shows its word two cycles later.

`default_nettype none

module eie_spmat_read_formal #(
  /// Words of memory, passed to the DUT (2..4: the wrapper names each word).
  parameter int SpmatDepth = 2,
  /// Entry address width, passed to the DUT.
  parameter int PtrWidth   = 5,
  /// Row width, passed to the DUT.
  parameter int RowWidth   = 5,
  localparam int WordAddrWidth = $clog2(SpmatDepth),
  localparam int WordWidth     = eie_pkg::SpmatWordWidth,
  localparam int ActWidth      = eie_pkg::ActWidth,
  localparam int CodeWidth     = eie_pkg::CodeWidth
) (
  /// Clock, rising edge.
  input  logic                     clk_i,
  /// Asynchronous reset, active low; low in the first cycle, free afterwards.
  input  logic                     rst_ni,
  /// Any load write, while no column is held or offered, not with a load read.
  input  logic                     ld_we_i,
  /// Any load read, while no column is held or offered.
  input  logic                     ld_re_i,
  /// Any word address below SpmatDepth.
  input  logic [WordAddrWidth-1:0] ld_addr_i,
  /// Any word.
  input  logic [WordWidth-1:0]     ld_wdata_i,
  /// Any flush.
  input  logic                     flush_i,
  /// Any column, not empty.
  input  logic                     col_valid_i,
  /// Any activation.
  input  logic [ActWidth-1:0]      col_act_i,
  /// Any first entry address.
  input  logic [PtrWidth-1:0]      col_start_i,
  /// Any end address (not the start).
  input  logic [PtrWidth-1:0]      col_end_i
);

  localparam int EntryLimit   = SpmatDepth * eie_pkg::EntriesPerWord;
  localparam int SlotWidth    = eie_pkg::SlotWidth;
  localparam int ZWidth       = eie_pkg::ZeroRunWidth;
  localparam int EntryWidth   = eie_pkg::EntryWidth;
  localparam int WordIdxWidth = PtrWidth - SlotWidth;

  logic                 col_ready;
  logic                 ent_valid, ent_pad, ent_merged;
  logic [CodeWidth-1:0] ent_code;
  logic [RowWidth-1:0]  ent_row;
  logic [ActWidth-1:0]  ent_act;
  logic                 busy, idle, err_range;
  logic [WordWidth-1:0] ld_rdata;

  eie_spmat_read #(
    .SpmatDepth (SpmatDepth),
    .PtrWidth   (PtrWidth),
    .RowWidth   (RowWidth)
  ) dut (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .ld_we_i      (ld_we_i),
    .ld_re_i      (ld_re_i),
    .ld_addr_i    (ld_addr_i),
    .ld_wdata_i   (ld_wdata_i),
    .ld_rdata_o   (ld_rdata),
    .flush_i      (flush_i),
    .col_valid_i  (col_valid_i),
    .col_ready_o  (col_ready),
    .col_act_i    (col_act_i),
    .col_start_i  (col_start_i),
    .col_end_i    (col_end_i),
    .col_ok_i     (col_start_i < col_end_i && 32'(col_end_i) <= EntryLimit),
    .col_len1_i   (col_end_i - col_start_i == PtrWidth'(1)),
    .col_len2_i   (col_end_i - col_start_i == PtrWidth'(2)),
    .ent_valid_o  (ent_valid),
    .ent_code_o   (ent_code),
    .ent_row_o    (ent_row),
    .ent_act_o    (ent_act),
    .ent_pad_o    (ent_pad),
    .ent_merged_o (ent_merged),
    .busy_o       (busy),
    .idle_o       (idle),
    .err_range_o  (err_range)
  );

  // ---------------------------------------------------------------------------
  // The DUT's state, read through hierconn wires
  // ---------------------------------------------------------------------------
  // Driven by Yosys flatten, not by this source: Verilator sees them undriven, and
  // the words past SpmatDepth unused.
  /* verilator lint_off UNDRIVEN */
  /* verilator lint_off UNUSEDSIGNAL */
  (* hierconn, keep *) logic                    \dut.cur_valid_q ;
  (* hierconn, keep *) logic                    \dut.cur_first_q ;
  (* hierconn, keep *) logic                    \dut.cur_last_q ;
  (* hierconn, keep *) logic                    \dut.cur_last2_q ;
  (* hierconn, keep *) logic [PtrWidth-1:0]     \dut.cur_addr_q ;
  (* hierconn, keep *) logic [PtrWidth-1:0]     \dut.cur_end_q ;
  (* hierconn, keep *) logic [ActWidth-1:0]     \dut.cur_act_q ;
  (* hierconn, keep *) logic                    \dut.word_valid_q ;
  (* hierconn, keep *) logic [WordIdxWidth-1:0] \dut.word_q ;
  (* hierconn, keep *) logic                    \dut.word2_valid_q ;
  (* hierconn, keep *) logic [WordIdxWidth-1:0] \dut.word2_q ;
  (* hierconn, keep *) logic [WordWidth-1:0]    \dut.rdata_q ;
  (* hierconn, keep *) logic [WordWidth-1:0]    \dut.rdata2_q ;
  (* hierconn, keep *) logic                    \dut.s1_valid_q ;
  (* hierconn, keep *) logic                    \dut.s1_first_q ;
  (* hierconn, keep *) logic                    \dut.s1_merged_q ;
  (* hierconn, keep *) logic [ZWidth:0]         \dut.s1_skip_q ;
  (* hierconn, keep *) logic [SlotWidth-1:0]    \dut.s1_slot_q ;
  (* hierconn, keep *) logic [ActWidth-1:0]     \dut.s1_act_q ;
  (* hierconn, keep *) logic [WordWidth-1:0]    \dut.mem[0] ;
  (* hierconn, keep *) logic [WordWidth-1:0]    \dut.mem[1] ;
  (* hierconn, keep *) logic [WordWidth-1:0]    \dut.mem[2] ;
  (* hierconn, keep *) logic [WordWidth-1:0]    \dut.mem[3] ;
  /* verilator lint_on UNDRIVEN */
  logic [4*WordWidth-1:0] f_mem_words;
  /* verilator lint_on UNUSEDSIGNAL */

  assign f_mem_words = {\dut.mem[3] , \dut.mem[2] , \dut.mem[1] , \dut.mem[0] };

  // The image: entry a at [a*EntryWidth +: EntryWidth].
  logic [SpmatDepth*WordWidth-1:0] f_mem;
  assign f_mem = f_mem_words[SpmatDepth*WordWidth-1:0];

  function automatic logic [EntryWidth-1:0] f_entry(input logic [PtrWidth-1:0] a);
    f_entry = f_mem[32'(a) * EntryWidth +: EntryWidth];
  endfunction

  function automatic logic [CodeWidth-1:0] f_code(input logic [PtrWidth-1:0] a);
    f_code = f_mem[32'(a) * EntryWidth + ZWidth +: CodeWidth];
  endfunction

  function automatic logic [WordWidth-1:0] f_word(input logic [WordIdxWidth-1:0] w);
    f_word = f_mem[32'(w) * WordWidth +: WordWidth];
  endfunction

  // ---------------------------------------------------------------------------
  // The reference: issue stage, then two stages to the output
  // ---------------------------------------------------------------------------
  logic                f_init_q;
  logic                f_valid_q, f_first_q;
  logic [PtrWidth-1:0] f_addr_q, f_end_q;
  logic [ActWidth-1:0] f_act_q;
  logic [RowWidth-1:0] f_x_q;  // row of the column's last issued entry
  logic                f_err_q;

  // Stage 1 and the output: valid, the entry's address, v, row, merged, activation,
  // first of its column; stage 1's rows skipped by a merged padding.
  logic                 f_s1_valid_q, f_s1_first_q, f_s1_merged_q;
  logic [PtrWidth-1:0]  f_s1_addr_q;
  logic [CodeWidth-1:0] f_s1_code_q;
  logic [RowWidth-1:0]  f_s1_row_q;
  logic [ZWidth:0]      f_s1_skip_q;
  logic [ActWidth-1:0]  f_s1_act_q;
  logic                 f_s2_valid_q, f_s2_merged_q;
  logic [CodeWidth-1:0] f_s2_code_q;
  logic [RowWidth-1:0]  f_s2_row_q;
  logic [ActWidth-1:0]  f_s2_act_q;

  logic                 f_last, f_ready, f_accept, f_issue, f_merge, f_nonempty, f_in_range;
  logic [PtrWidth-1:0]  f_emit;
  logic [ZWidth:0]      f_skip;
  logic [RowWidth-1:0]  f_row;
  logic [EntryWidth-1:0] f_pad_entry, f_emit_entry;

  assign f_last     = f_addr_q + PtrWidth'(1) == f_end_q;
  assign f_ready    = !flush_i && (!f_valid_q || f_last);
  assign f_accept   = col_valid_i && f_ready;
  assign f_nonempty = col_start_i < col_end_i;
  assign f_in_range = 32'(col_end_i) <= EntryLimit;
  assign f_issue    = f_valid_q && !flush_i;
  // The merge rule: a padding, not its column's first entry, not in its word's first
  // or last slot, two more entries of its column after it. (The entry before it was
  // not merged: it would have taken this one into its issue.)
  assign f_pad_entry = f_entry(f_addr_q);
  assign f_merge     = f_issue && !f_first_q && f_addr_q[SlotWidth-1:0] != '0 &&
                       f_addr_q[SlotWidth-1:0] != '1 && 32'(f_addr_q) + 2 < 32'(f_end_q) &&
                       f_pad_entry[EntryWidth-1:ZWidth] == '0;
  assign f_emit       = f_addr_q + PtrWidth'(f_merge);
  assign f_emit_entry = f_entry(f_emit);
  assign f_skip       = f_merge ? (ZWidth+1)'(f_pad_entry[ZWidth-1:0]) + 1'b1 : '0;
  // x_0 = z_0, x_n = x_{n-1} + z_n + 1, a merged padding's z + 1 on top.
  assign f_row = (f_first_q ? RowWidth'(0) : f_x_q + RowWidth'(1)) + RowWidth'(f_skip) +
                 RowWidth'(f_emit_entry[ZWidth-1:0]);

  // The first cycle of every trace; the solver starts from the initial value.
  initial f_init_q = 1'b1;

  always @(posedge clk_i) begin : proc_init
    f_init_q <= 1'b0;
  end

  always @(posedge clk_i or negedge rst_ni) begin : proc_ref
    if (!rst_ni) begin
      f_valid_q     <= 1'b0;
      f_first_q     <= 1'b0;
      f_addr_q      <= '0;
      f_end_q       <= '0;
      f_act_q       <= '0;
      f_x_q         <= '0;
      f_err_q       <= 1'b0;
      f_s1_valid_q  <= 1'b0;
      f_s1_first_q  <= 1'b0;
      f_s1_merged_q <= 1'b0;
      f_s1_addr_q   <= '0;
      f_s1_code_q   <= '0;
      f_s1_row_q    <= '0;
      f_s1_skip_q   <= '0;
      f_s1_act_q    <= '0;
      f_s2_valid_q  <= 1'b0;
      f_s2_merged_q <= 1'b0;
      f_s2_code_q   <= '0;
      f_s2_row_q    <= '0;
      f_s2_act_q    <= '0;
    end else begin
      f_err_q <= f_accept && f_nonempty && !f_in_range;
      if (f_issue) begin
        f_addr_q  <= f_emit + PtrWidth'(1);
        f_first_q <= 1'b0;
        f_x_q     <= f_row;
        if (f_emit + PtrWidth'(1) == f_end_q) f_valid_q <= 1'b0;
      end
      if (f_accept) begin
        f_valid_q <= f_nonempty && f_in_range;
        f_first_q <= 1'b1;
        f_addr_q  <= col_start_i;
        f_end_q   <= col_end_i;
        f_act_q   <= col_act_i;
      end
      if (flush_i) f_valid_q <= 1'b0;
      f_s1_valid_q <= f_issue;
      if (f_issue) begin
        f_s1_first_q  <= f_first_q;
        f_s1_merged_q <= f_merge;
        f_s1_addr_q   <= f_emit;
        f_s1_code_q   <= f_emit_entry[EntryWidth-1:ZWidth];
        f_s1_row_q    <= f_row;
        f_s1_skip_q   <= f_skip;
        f_s1_act_q    <= f_act_q;
      end
      f_s2_valid_q <= f_s1_valid_q && !flush_i;
      if (f_s1_valid_q) begin
        f_s2_merged_q <= f_s1_merged_q;
        f_s2_code_q   <= f_s1_code_q;
        f_s2_row_q    <= f_s1_row_q;
        f_s2_act_q    <= f_s1_act_q;
      end
    end
  end

  // ---------------------------------------------------------------------------
  // Assumptions: a reset first; the contract
  // ---------------------------------------------------------------------------
  always @* begin : proc_assume
    if (f_init_q) assume (!rst_ni);
    if (ld_we_i || ld_re_i) assume (!f_valid_q && !col_valid_i && 32'(ld_addr_i) < SpmatDepth);
    assume (!(ld_we_i && ld_re_i));
    if (col_valid_i) assume (col_start_i != col_end_i);
  end

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
  logic [WordIdxWidth-1:0] f_word_of_addr, f_word_of_s1;
  assign f_word_of_addr = f_addr_q[PtrWidth-1:SlotWidth];
  assign f_word_of_s1   = f_s1_addr_q[PtrWidth-1:SlotWidth];

  always @* begin : proc_assert
    if (rst_ni) begin
      // The interface, as the reference.
      assert (col_ready == f_ready);
      assert (busy == f_issue);
      assert (idle == (!f_valid_q && !f_s1_valid_q && !f_s2_valid_q));
      assert (err_range == f_err_q);
      // The entries out: exactly the reference's.
      assert (ent_valid == f_s2_valid_q);
      if (f_s2_valid_q) begin
        assert (ent_code == f_s2_code_q && ent_row == f_s2_row_q && ent_act == f_s2_act_q);
        assert (ent_merged == f_s2_merged_q && ent_pad == (f_s2_code_q == '0));
      end
      // The state agrees with the reference (what makes the rest inductive).
      assert (\dut.cur_valid_q == f_valid_q && \dut.cur_first_q == f_first_q);
      assert (\dut.cur_addr_q == f_addr_q && \dut.cur_end_q == f_end_q);
      assert (\dut.cur_act_q == f_act_q);
      assert (\dut.cur_last_q == f_last);
      if (f_valid_q) begin
        assert (\dut.cur_last2_q == (f_addr_q + PtrWidth'(2) == f_end_q));
        assert (32'(f_addr_q) < 32'(f_end_q) && 32'(f_end_q) <= EntryLimit);
        // The word of the next issue is in the read register, and past the column's
        // first entry and the word's first slot also behind it.
        assert (\dut.word_valid_q && \dut.word_q == f_word_of_addr);
        if (!f_first_q) begin
          assert (f_s1_valid_q && f_x_q == f_s1_row_q);
          if (f_addr_q[SlotWidth-1:0] != '0) begin
            assert (\dut.word2_valid_q && \dut.word2_q == f_word_of_addr);
          end
        end
      end
      if (\dut.word_valid_q ) begin
        assert (32'(\dut.word_q ) < SpmatDepth && \dut.rdata_q == f_word(\dut.word_q ));
      end
      if (\dut.word2_valid_q ) begin
        assert (32'(\dut.word2_q ) < SpmatDepth && \dut.rdata2_q == f_word(\dut.word2_q ));
      end
      assert (\dut.s1_valid_q == f_s1_valid_q);
      if (f_s1_valid_q) begin
        assert (\dut.word2_valid_q && \dut.word2_q == f_word_of_s1);
        assert (\dut.s1_first_q == f_s1_first_q && \dut.s1_merged_q == f_s1_merged_q);
        assert (\dut.s1_skip_q == f_s1_skip_q && \dut.s1_act_q == f_s1_act_q);
        assert (\dut.s1_slot_q == f_s1_addr_q[SlotWidth-1:0]);
        assert (f_s1_code_q == f_code(f_s1_addr_q));
        if (!f_s1_first_q) assert (f_s2_valid_q);
      end
      // Two merges back to back.
      cover (f_s2_valid_q && f_s2_merged_q && f_s1_valid_q && f_s1_merged_q);
      // A merge into a word's last slot; a column's last issue with the next taken;
      // a column's first entry issued in the cycle after the one before it.
      cover (f_merge && f_addr_q[SlotWidth-1:0] == 3'd6);
      cover (f_issue && f_last && f_accept && col_start_i < col_end_i);
      cover (f_s2_valid_q && f_s1_valid_q && f_s1_first_q && f_issue && !f_first_q &&
             f_word_of_addr != f_word_of_s1);
    end
  end

  // A load read shows its word two cycles later.
  logic                 f_ld1_q, f_ld2_q;
  logic [WordWidth-1:0] f_ld1_word_q, f_ld2_word_q;

  always @(posedge clk_i or negedge rst_ni) begin : proc_ld
    if (!rst_ni) begin
      f_ld1_q      <= 1'b0;
      f_ld2_q      <= 1'b0;
      f_ld1_word_q <= '0;
      f_ld2_word_q <= '0;
    end else begin
      f_ld1_q      <= ld_re_i;
      f_ld2_q      <= f_ld1_q;
      f_ld1_word_q <= f_mem[32'(ld_addr_i) * WordWidth +: WordWidth];
      f_ld2_word_q <= f_ld1_word_q;
    end
  end

  always @* begin : proc_assert_ld
    if (rst_ni && f_ld2_q) assert (ld_rdata == f_ld2_word_q);
  end

endmodule

`default_nettype wire
