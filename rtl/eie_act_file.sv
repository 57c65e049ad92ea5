// SPDX-License-Identifier: Apache-2.0
// Activation read/write unit: two ping-pong 16-bit files and the non-zero bitmap of
// the source file. The scan port is a leaf of the LNZD tree: valid/ready, one
// non-zero per cycle in ascending index order, leaf_valid_o one cycle after the
// take; after a stall valid stays high and data stays put. Zeros cost no cycle.
// The previous layer's write-back fills the source file while it is scanned: it
// writes rows in ascending order, and each row's bitmap bit with it, so the scan
// never passes a row not yet written; the leaf is done only when the write-back
// is over. Each file has a read port (scan, load reads) and a write port
// (write-back, load writes).

`default_nettype none

module eie_act_file #(
  /// Activations per file (local indices) of this PE (>= 2).
  parameter int ActDepth = 64,
  /// Number of PEs N.
  parameter int NumPe    = 4,
  /// Width of a local index.
  localparam int RowWidth = $clog2(ActDepth)
) (
  /// Clock.
  input  logic                            clk_i,
  /// Asynchronous reset, active low.
  input  logic                            rst_ni,
  /// This PE's index p, a constant (0 .. NumPe-1): local index k is global column
  /// k*NumPe + p.
  input  logic [eie_pkg::ColIdxWidth-1:0] pe_index_i,

  /// Which file is the source (0 or 1): the one scanned and written back into.
  input  logic                            src_sel_i,

  // Scan port: leaf of the LNZD tree
  /// Take the next non-zero of the source file whenever the leaf register is free.
  input  logic                            scan_en_i,
  /// A non-zero activation is offered.
  output logic                            leaf_valid_o,
  /// The LNZD node takes it.
  input  logic                            leaf_ready_i,
  /// Its value.
  output logic [eie_pkg::ActWidth-1:0]    leaf_act_o,
  /// Its global column j = k*NumPe + pe_index_i.
  output logic [eie_pkg::ColIdxWidth-1:0] leaf_col_o,
  /// Nothing offered and nothing to come: the bitmap is empty, no leaf is offered
  /// and no write-back is pending.
  output logic                            done_o,

  // Write-back port (the previous layer's outputs, while this layer runs)
  /// The write-back may still write a row (from its start to its last write).
  input  logic                            wb_pending_i,
  /// Write wb_act_i to the source file at wb_row_i.
  input  logic                            wb_valid_i,
  /// Local row.
  input  logic [RowWidth-1:0]             wb_row_i,
  /// Requantised activation; its bitmap bit becomes (wb_act_i != 0).
  input  logic [eie_pkg::ActWidth-1:0]    wb_act_i,

  // Load port (I/O mode)
  /// Write ld_wdata_i to file ld_file_i at ld_addr_i (the source file also updates its bitmap bit).
  input  logic                            ld_we_i,
  /// Read file ld_file_i at ld_addr_i; ld_rdata_o shows it one cycle later and holds.
  input  logic                            ld_re_i,
  /// File of the load access.
  input  logic                            ld_file_i,
  /// Local index of the load access.
  input  logic [RowWidth-1:0]             ld_addr_i,
  /// Activation to write.
  input  logic [eie_pkg::ActWidth-1:0]    ld_wdata_i,
  /// Activation read by the last ld_re_i.
  output logic [eie_pkg::ActWidth-1:0]    ld_rdata_o,

  /// Clear the whole bitmap and drop an offered leaf (layer abort / new image).
  input  logic                            bitmap_clear_i
);

  localparam int ActWidth    = eie_pkg::ActWidth;
  localparam int ColIdxWidth = eie_pkg::ColIdxWidth;

  initial begin : proc_check_params
    if (ActDepth < 2) $fatal(1, "eie_act_file: ActDepth must be >= 2, got %0d", ActDepth);
    if (NumPe < 1) $fatal(1, "eie_act_file: NumPe must be >= 1, got %0d", NumPe);
    // The last PE's last column is the largest.
    if (ActDepth * NumPe - 1 >= (1 << ColIdxWidth))
      $fatal(1, "eie_act_file: column index does not fit in %0d bits", ColIdxWidth);
  end

  // ---------------------------------------------------------------------------
  // Scan: lowest set bitmap bit
  // ---------------------------------------------------------------------------
  logic [ActDepth-1:0] bitmap_d, bitmap_q;
  logic [ActDepth-1:0] scan_first;
  logic [RowWidth-1:0] scan_index;
  logic                scan_none;
  // Some bitmap bit is set: |bitmap_q, registered (timing: the leaf's done flag then
  // feeds the LNZD nodes' grants, and through them the other leaves' takes, from a
  // register, not through an OR over the whole bitmap).
  logic                any_d, any_q;

  eie_lzc #(
    .Width (ActDepth)
  ) u_lzc (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .bits_i  (bitmap_q),
    .first_o (scan_first),
    .index_o (scan_index),
    .empty_o (scan_none)
  );

  logic                   leaf_valid_d, leaf_valid_q;
  logic                   leaf_file_d, leaf_file_q;
  logic [ColIdxWidth-1:0] leaf_col_d, leaf_col_q;
  logic                   scan_go, take;
  logic [ColIdxWidth-1:0] scan_col;

  // scan_go does not wait for a set bit: with nothing set it clears nothing, so the
  // bitmap's loop (search, clear) has no OR over the whole bitmap in it.
  assign scan_go  = scan_en_i & (~leaf_valid_q | leaf_ready_i);
  assign take     = scan_go & any_q;
  assign scan_col = ColIdxWidth'(scan_index) * ColIdxWidth'(NumPe) + pe_index_i;

  always_comb begin : proc_leaf
    leaf_valid_d = leaf_valid_q;
    leaf_file_d  = leaf_file_q;
    leaf_col_d   = leaf_col_q;
    if (leaf_ready_i) leaf_valid_d = 1'b0;
    if (take) begin
      leaf_valid_d = 1'b1;
      leaf_file_d  = src_sel_i;
      leaf_col_d   = scan_col;
    end
    if (bitmap_clear_i) leaf_valid_d = 1'b0;
  end

  // ---------------------------------------------------------------------------
  // Bitmap: cleared by the scan, written by write-back and source-file loads
  // ---------------------------------------------------------------------------
  logic ld_src_we;
  assign ld_src_we = ld_we_i & (ld_file_i == src_sel_i);

  // One write port into the bitmap: the write-back (computing) and source-file loads
  // (idle) never write at once. A bit written or cleared by bitmap_clear_i (bit_en)
  // takes the one written value (a non-zero under no clear), any other bit loses
  // itself if the scan takes it (a taken bit is never the written one). The written
  // row's one-hot is the AND of two partial decodes (low and high address bits) with
  // the clear folded into both (area), and scan_go, which waits for the ready from
  // the root through the tree, enters only the last LUT in front of each bit.
  localparam int LoWidth = (RowWidth + 1) / 2;
  localparam int LoRows  = 1 << LoWidth;
  localparam int HiRows  = 1 << (RowWidth - LoWidth);

  logic                bit_we, bit_value, ld_nz;
  logic [RowWidth-1:0] bit_addr;
  logic [RowWidth-LoWidth:0] bit_hi;  // the high address bits, one more (ActDepth 2 has none)
  logic [LoRows-1:0]   lo_hit, lo_en;
  logic [ActDepth-1:0] bit_en;

  assign bit_we    = wb_valid_i | ld_src_we;
  assign bit_addr  = wb_valid_i ? wb_row_i : ld_addr_i;
  assign ld_nz     = ld_wdata_i != '0;
  assign bit_value = wb_valid_i ? wb_act_i != '0 : ld_nz;
  assign bit_hi    = (RowWidth - LoWidth + 1)'({1'b0, bit_addr} >> LoWidth);

  assign lo_hit = bit_we ? LoRows'(1) << bit_addr[LoWidth-1:0] : '0;
  assign lo_en  = lo_hit | {LoRows{bitmap_clear_i}};

  // Whole-vector operations, not a loop over the bits (the same function, and a model
  // the simulators evaluate several times faster): the high decode as a run of
  // LoRows ones at the written row's group, the low decode repeated in every group.
  // An AND-OR, not a mux per bit: about 20 LUT4 more, as Yosys then makes no enables.
  // The written value is one bit for all, not the written row's one-hot of it (area:
  // the unit alone 506 -> 418 LUT4 at ActDepth 64).
  logic [ActDepth-1:0] hi_hit_rows;

  assign hi_hit_rows = ActDepth'({LoRows{1'b1}}) << {bit_hi, LoWidth'(0)};
  assign bit_en      = ActDepth'({HiRows{lo_en}}) & (hi_hit_rows | {ActDepth{bitmap_clear_i}});
  assign bitmap_d    = (bit_en & {ActDepth{bit_value & ~bitmap_clear_i}}) |
                       (~bit_en & bitmap_q & ~(scan_first & {ActDepth{scan_go}}));

  // any_d = |bitmap_d from a count of the set bits (area: no OR over the whole
  // bitmap; the unit alone 624 -> 506 LUT4 at ActDepth 64). A write-back write only adds its
  // own bit (a write-back row's bit is always clear before its write: the bitmap is
  // empty when a write-back starts, each row is written once), a source-file load
  // adds or removes its own, a take removes one and a clear empties the bitmap. The
  // count moves by one adder of a step from the load's increment or decrement and
  // the take, and the flag is picked from flags of count_q (timing: the load's old
  // bit, a read of the bitmap at the load port's registered address, then meets one
  // short adder on its way to count_q and no adder or compare on its way to any_q).
  // Loads come only in I/O mode and takes only while computing (asserted).
  localparam int CntWidth = RowWidth + 1;

  logic [CntWidth-1:0] count_d, count_q, cnt_step;
  logic                ld_old_bit, cnt_inc, cnt_dec;
  logic                count_is0, count_is1, count_is2, up_is0, up_is1;

  assign ld_old_bit = ld_src_we & bitmap_q[ld_addr_i];
  assign cnt_inc    = bit_we & bit_value & ~ld_old_bit;
  assign cnt_dec    = ld_old_bit & ~ld_nz;
  // The step, -2 .. +1, each of its bits a function of the three: one adder.
  assign cnt_step   = CntWidth'(cnt_inc) - CntWidth'(cnt_dec) - CntWidth'(take);
  assign count_d    = bitmap_clear_i ? '0 : count_q + cnt_step;

  // any_d = (count_d != 0) from flags of count_q, not from the adder's sum.
  assign count_is0  = count_q == CntWidth'(0);
  assign count_is1  = count_q == CntWidth'(1);
  assign count_is2  = count_q == CntWidth'(2);
  assign up_is0     = cnt_inc ? 1'b0 : cnt_dec ? count_is1 : count_is0;
  assign up_is1     = cnt_inc ? count_is0 : cnt_dec ? count_is2 : count_is1;
  assign any_d      = !bitmap_clear_i && (take ? !up_is1 : !up_is0);

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_regs
    if (!rst_ni) begin
      bitmap_q     <= '0;
      count_q      <= '0;
      any_q        <= 1'b0;
      leaf_valid_q <= 1'b0;
      leaf_file_q  <= 1'b0;
      leaf_col_q   <= '0;
    end else begin
      bitmap_q     <= bitmap_d;
      count_q      <= count_d;
      any_q        <= any_d;
      leaf_valid_q <= leaf_valid_d;
      leaf_file_q  <= leaf_file_d;
      leaf_col_q   <= leaf_col_d;
    end
  end

  // ---------------------------------------------------------------------------
  // The two files: a read port (the scan reads the source, the load port either)
  // and a write port (the write-back writes the source, the load port either);
  // the load port is used only while the core is idle, never at once with the
  // others (asserted), so both files share one read address and one write address
  // and data (area: one set of muxes, not one per file)
  // ---------------------------------------------------------------------------
  logic [1:0][ActWidth-1:0] file_rdata;
  logic [1:0]               file_scan, file_wb, file_ld;
  logic [RowWidth-1:0]      raddr;
  logic [ActWidth-1:0]      wdata;

  assign raddr = take ? scan_index : ld_addr_i;
  assign wdata = wb_valid_i ? wb_act_i : ld_wdata_i;

  for (genvar f = 0; f < 2; f++) begin : g_file
    logic scan_rd, wb_wr, ld_sel, we, re;

    assign scan_rd = take & (src_sel_i == f[0]);
    assign wb_wr   = wb_valid_i & (src_sel_i == f[0]);
    assign ld_sel  = (ld_we_i | ld_re_i) & (ld_file_i == f[0]);
    assign we      = wb_wr | (ld_sel & ld_we_i);
    assign re      = scan_rd | (ld_sel & ld_re_i);

    // Block RAM (DP16KD) even when shallow, as in the paper's SRAM. no_rw_check: a
    // row is read at the earliest the cycle after its write (its bitmap bit is set
    // with the write), so Yosys needs no read-during-write logic.
    (* ram_style = "block", no_rw_check *) logic [ActWidth-1:0] mem [ActDepth];
    logic [ActWidth-1:0] rdata_q;

    always_ff @(posedge clk_i) begin : proc_mem
      if (we) mem[bit_addr] <= wdata;  // the bitmap's write row
      if (re) rdata_q <= mem[raddr];
    end

    assign file_rdata[f] = rdata_q;
    assign file_scan[f]  = scan_rd;
    assign file_wb[f]    = wb_wr;
    assign file_ld[f]    = ld_sel;
  end

  logic ld_file_d, ld_file_q;

  always_comb begin : proc_ld_file
    ld_file_d = ld_file_q;
    if (ld_re_i) ld_file_d = ld_file_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_ld_file_reg
    if (!rst_ni) begin
      ld_file_q <= 1'b0;
    end else begin
      ld_file_q <= ld_file_d;
    end
  end

  assign leaf_valid_o = leaf_valid_q;
  assign leaf_act_o   = file_rdata[leaf_file_q];
  assign leaf_col_o   = leaf_col_q;
  assign done_o       = ~any_q & ~leaf_valid_q & ~wb_pending_i;
  assign ld_rdata_o   = file_rdata[ld_file_q];

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
`ifndef SYNTHESIS
  // A plain always: Icarus -Wall flags system tasks inside an always_ff. $fatal,
  // not $error: Icarus carries on after $error and the cocotb test would pass.
  logic                   stall_q;
  logic [ActWidth-1:0]    stall_act_q;
  logic [ColIdxWidth-1:0] stall_col_q;

  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (!rst_ni) begin
      stall_q <= 1'b0;
    end else begin
      stall_q     <= leaf_valid_o && !leaf_ready_i && !bitmap_clear_i;
      stall_act_q <= leaf_act_o;
      stall_col_q <= leaf_col_o;
      assert (32'(pe_index_i) < NumPe)
        else $fatal(1, "eie_act_file: pe_index_i %0d outside 0..%0d", pe_index_i, NumPe - 1);
      assert (!stall_q || (leaf_valid_o && leaf_act_o == stall_act_q && leaf_col_o == stall_col_q))
        else $fatal(1, "eie_act_file: leaf changed or vanished while stalled");
      for (int f = 0; f < 2; f++) begin
        assert (!(file_ld[f] && (file_scan[f] || file_wb[f])))
          else $fatal(1, "eie_act_file: load access to file %0d while it is scanned or written", f);
      end
      // The offered leaf's value lives in the source file's read register.
      assert (!(leaf_valid_q && file_ld[leaf_file_q] && ld_re_i))
        else $fatal(1, "eie_act_file: load read of the file of an offered leaf");
      assert (!wb_valid_i || int'(wb_row_i) >= ActDepth || !bitmap_q[wb_row_i])
        else $fatal(1, "eie_act_file: write-back row %0d's bitmap bit is already set", wb_row_i);
      // Also checks count_q: a count off by any amount reaches 0 with bits set, or
      // stays above 0 once the bitmap is empty.
      assert (any_q == !scan_none)
        else $fatal(1, "eie_act_file: the registered any-bit flag disagrees with the bitmap");
      assert (!(ld_we_i && scan_en_i))
        else $fatal(1, "eie_act_file: load write while the LNZD leaf scans");
      assert (!((ld_we_i || ld_re_i) && (wb_valid_i || take)))
        else $fatal(1, "eie_act_file: load access in a cycle of a write-back write or a scan take");
      assert (!(ld_we_i && ld_re_i))
        else $fatal(1, "eie_act_file: load read and write in one cycle");
      assert (!wb_valid_i || int'(wb_row_i) < ActDepth)
        else $fatal(1, "eie_act_file: write-back row %0d >= ActDepth %0d", wb_row_i, ActDepth);
      assert (!(ld_we_i || ld_re_i) || int'(ld_addr_i) < ActDepth)
        else $fatal(1, "eie_act_file: load index %0d >= ActDepth %0d", ld_addr_i, ActDepth);
    end
  end
`endif

endmodule

`default_nettype wire
