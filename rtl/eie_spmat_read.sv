// SPDX-License-Identifier: Apache-2.0
// Sparse-matrix read unit: walks column entries p_j .. p_{j+1}-1 one issue per cycle,
// with no bubble between columns (col_ready_o is high while the current column's
// last entry issues, or when idle), and emits (v, x, a_j) two cycles after issue.
// The SRAM's read data passes a register (a DP16KD's clock-to-output without its
// own output register takes 5.8 ns, and Yosys does not use that register); to
// hide that cycle, the SRAM reads the word of the entry that issues next, a cycle
// ahead of its issue. A padding entry whose word is already behind the SRAM,
// that is neither its column's first entry nor in the word's first or last slot,
// and that is followed by at least two entries of its column, is merged into the
// next entry's issue: it costs no cycle, only moves that entry's row on (the
// merge rule, eie.models.perf). The 64-bit SRAM is read only when the word
// address changes. No output backpressure.

`default_nettype none

module eie_spmat_read #(
  /// 64-bit words of sparse-matrix memory (8 entries each, >= 2).
  parameter int SpmatDepth = 1024,
  /// Width of an entry address (column pointer): at least $clog2(SpmatDepth*8+1).
  parameter int PtrWidth   = 14,
  /// Width of a local row index x.
  parameter int RowWidth   = 8,
  /// Width of the load port's word address.
  localparam int WordAddrWidth = $clog2(SpmatDepth)
) (
  /// Clock.
  input  logic                          clk_i,
  /// Asynchronous reset, active low.
  input  logic                          rst_ni,

  // Load port (I/O mode only: nothing issued in the same cycle)
  /// Write ld_wdata_i to word ld_addr_i.
  input  logic                          ld_we_i,
  /// Read word ld_addr_i; ld_rdata_o shows it two cycles later and holds.
  input  logic                          ld_re_i,
  /// Word address of the load access.
  input  logic [WordAddrWidth-1:0]      ld_addr_i,
  /// Word to write: entry at slot s in bits [8*s +: 8], entry = {v[3:0], z[3:0]}.
  input  logic [eie_pkg::SpmatWordWidth-1:0] ld_wdata_i,
  /// The register behind the SRAM's (the word of the last load or compute read, a cycle later).
  output logic [eie_pkg::SpmatWordWidth-1:0] ld_rdata_o,

  /// Synchronous abort: drops the current column and the entries in flight and
  /// forgets the buffered word, so the next entry reads the SRAM. col_ready_o is low.
  input  logic                          flush_i,

  // Column input (valid/ready)
  /// A non-empty column (col_start_i < col_end_i) is offered, or a reversed one
  /// (an image error the PE reports), which is taken and dropped.
  input  logic                          col_valid_i,
  /// The column is taken this cycle: idle, or the current column's last entry issues.
  output logic                          col_ready_o,
  /// Its activation a_j.
  input  logic [eie_pkg::ActWidth-1:0]  col_act_i,
  /// Address of its first entry (p_j).
  input  logic [PtrWidth-1:0]           col_start_i,
  /// One past its last entry (p_{j+1}).
  input  logic [PtrWidth-1:0]           col_end_i,
  /// The column issues: col_start_i < col_end_i <= the SRAM's entries (computed
  /// before the queue, so that the SRAM's enable waits on no compare: timing).
  input  logic                          col_ok_i,
  /// col_end_i - col_start_i is 1 (computed before the queue, so that the last-entry
  /// flags wait on no subtract behind the queue's read: timing).
  input  logic                          col_len1_i,
  /// col_end_i - col_start_i is 2 (as col_len1_i).
  input  logic                          col_len2_i,

  // Entry output, two cycles after issue (no backpressure)
  /// An entry of the matrix.
  output logic                          ent_valid_o,
  /// Its codebook index v (0 = padding).
  output logic [eie_pkg::CodeWidth-1:0] ent_code_o,
  /// Its local row x (x_0 = z_0, x_n = x_{n-1} + z_n + 1).
  output logic [RowWidth-1:0]           ent_row_o,
  /// The column's activation.
  output logic [eie_pkg::ActWidth-1:0]  ent_act_o,
  /// Padding entry (v == 0): advances the row, updates nothing.
  output logic                          ent_pad_o,
  /// A padding entry before this one was merged into its issue (counted, not emitted).
  output logic                          ent_merged_o,

  /// An entry is issued this cycle, a merged padding with it or not (load-balance statistics).
  output logic                          busy_o,
  /// No column held, nothing issued or in flight.
  output logic                          idle_o,
  /// One-cycle pulse, one cycle after taking a column whose end lies beyond
  /// SpmatDepth*8: an image error; the whole column is dropped.
  output logic                          err_range_o
);

  localparam int WordWidth  = eie_pkg::SpmatWordWidth;
  localparam int SlotWidth  = eie_pkg::SlotWidth;
  localparam int EntryWidth = eie_pkg::EntryWidth;
  localparam int ZWidth     = eie_pkg::ZeroRunWidth;
  localparam int CodeWidth  = eie_pkg::CodeWidth;
  localparam int ActWidth   = eie_pkg::ActWidth;
  /// Entry address of the first entry past the memory.
  localparam int EntriesPerWord = eie_pkg::EntriesPerWord;
  localparam int EntryLimit = SpmatDepth * EntriesPerWord;
  /// Word part of an entry address.
  localparam int WordIdxWidth = PtrWidth - SlotWidth;
  /// Row arithmetic is done wide enough for z, then truncated to RowWidth.
  localparam int XWidth = ((RowWidth > ZWidth) ? RowWidth : ZWidth) + 1;

  initial begin : proc_check_params
    if (SpmatDepth < 2) $fatal(1, "eie_spmat_read: SpmatDepth must be >= 2, got %0d", SpmatDepth);
    if (PtrWidth < $clog2(EntryLimit + 1))
      $fatal(1, "eie_spmat_read: PtrWidth %0d < $clog2(SpmatDepth*8+1) = %0d", PtrWidth,
             $clog2(EntryLimit + 1));
    if (RowWidth < 1) $fatal(1, "eie_spmat_read: RowWidth must be >= 1, got %0d", RowWidth);
  end

  // ---------------------------------------------------------------------------
  // Issue stage: the current column's next entry address
  // ---------------------------------------------------------------------------
  logic                    cur_valid_d, cur_valid_q;
  logic                    cur_first_d, cur_first_q;
  logic                    cur_last_d, cur_last_q;
  logic                    cur_last2_d, cur_last2_q;
  logic [PtrWidth-1:0]     cur_addr_d, cur_addr_q;
  logic [PtrWidth-1:0]     cur_end_d, cur_end_q;
  logic [ActWidth-1:0]     cur_act_d, cur_act_q;
  logic                    err_range_d, err_range_q;

  logic                    issue, merge, accept, col_nonempty, col_in_range;
  logic [WordWidth-1:0]    rdata2_q;  // the register behind the SRAM's (below)
  // Slot s of rdata2_q is a padding (code 0), registered with it (timing: the merge
  // then picks one flag, with no entry decode in front of the SRAM address).
  logic [EntriesPerWord-1:0] pad2_q;
  logic [PtrWidth-1:0]     cur_addr_inc;
  logic [ZWidth-1:0]       issue_z;  // the issue's zero run (a merge's skip)
  logic [SlotWidth-1:0]    issue_slot;

  // cur_last_q == (cur_addr_q + 1 == cur_end_q) and cur_last2_q == (cur_addr_q + 2
  // == cur_end_q) at all times, kept in flops so that col_ready_o (which the PE's
  // queue and the broadcast wait on) needs no increment and compare.
  assign cur_addr_inc = cur_addr_q + PtrWidth'(1);
  assign issue        = cur_valid_q & ~flush_i;
  assign issue_slot   = cur_addr_q[SlotWidth-1:0];
  // Past a column's first entry and the word's first slot, the previous issue was
  // in this entry's word (no merge starts in a last slot), so the word was read a
  // cycle before that issue and the register behind the SRAM holds it (asserted
  // below). Two entries must follow: the merged issue is then never the column's
  // last, and col_ready_o does not wait on the word.
  assign issue_z      = rdata2_q[EntryWidth*issue_slot +: ZWidth];
  assign merge        = issue & ~cur_first_q & (issue_slot != '0) & (issue_slot != '1) &
                        ~cur_last_q & ~cur_last2_q & pad2_q[issue_slot];
  assign col_ready_o  = ~flush_i & ready_nf;
  assign accept       = col_valid_i & col_ready_o;
  assign col_nonempty = col_start_i < col_end_i;
  assign col_in_range = col_end_i <= PtrWidth'(EntryLimit);

  // The entries left in the current column: each last/last2 flag is then a compare
  // with a constant, not an adder and a compare of two addresses (a + k == b and
  // b - a == k are the same modulo 2^PtrWidth; area: one subtractor instead of one
  // adder per flag). The offered column's come with it (col_len1_i, col_len2_i).
  logic [PtrWidth-1:0] cur_left;
  assign cur_left = cur_end_q - cur_addr_q;

  always_comb begin : proc_issue
    cur_valid_d = cur_valid_q;
    cur_first_d = cur_first_q;
    cur_last_d  = cur_last_q;
    cur_last2_d = cur_last2_q;
    cur_addr_d  = cur_addr_q;
    cur_end_d   = cur_end_q;
    cur_act_d   = cur_act_q;
    err_range_d = accept & col_nonempty & ~col_in_range;
    if (merge) begin
      cur_addr_d  = cur_addr_q + PtrWidth'(2);
      cur_first_d = 1'b0;
      cur_last_d  = cur_left == PtrWidth'(3);
      cur_last2_d = cur_left == PtrWidth'(4);
    end else if (issue) begin
      cur_addr_d  = cur_addr_inc;
      cur_first_d = 1'b0;
      cur_last_d  = cur_last2_q;
      cur_last2_d = cur_left == PtrWidth'(3);
      if (cur_last_q) cur_valid_d = 1'b0;
    end
    if (accept) begin
      cur_valid_d = col_ok_i;
      cur_first_d = 1'b1;
      cur_last_d  = col_len1_i;
      cur_last2_d = col_len2_i;
      cur_addr_d  = col_start_i;
      cur_end_d   = col_end_i;
      cur_act_d   = col_act_i;
    end
    if (flush_i) cur_valid_d = 1'b0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_issue_regs
    if (!rst_ni) begin
      cur_valid_q <= 1'b0;
      cur_first_q <= 1'b0;
      cur_last_q  <= 1'b0;
      cur_last2_q <= 1'b0;
      cur_addr_q  <= '0;
      cur_end_q   <= '0;
      cur_act_q   <= '0;
      err_range_q <= 1'b0;
    end else begin
      cur_valid_q <= cur_valid_d;
      cur_first_q <= cur_first_d;
      cur_last_q  <= cur_last_d;
      cur_last2_q <= cur_last2_d;
      cur_addr_q  <= cur_addr_d;
      cur_end_q   <= cur_end_d;
      cur_act_q   <= cur_act_d;
      err_range_q <= err_range_d;
    end
  end

  // ---------------------------------------------------------------------------
  // SRAM: reads the word of the entry that issues next cycle, only when it differs
  // from the last word read (word_q: the word in the read register)
  // ---------------------------------------------------------------------------
  logic [WordIdxWidth-1:0]  issue_word, issue_word_inc, start_word, next_word;
  logic                     next_crosses;  // the next entry is in the next word
  logic                     word_valid_d, word_valid_q;
  logic [WordIdxWidth-1:0]  word_d, word_q;
  logic                     sram_re_issue;
  logic                     sram_we, sram_re;
  logic [WordAddrWidth-1:0] sram_addr;

  // The word of cur_addr_d, picked from words known early (timing: the DP16KD's
  // address and enable do not wait on the merge through an adder): a new column's
  // first, or the issue's own word or the one after it. An issue moves one slot, a
  // merge two, and a merge never starts in a word's last slot. The pick ignores the
  // flush (*_nf: accept, merge and the crossing as if no flush came), as nothing is
  // read in a flush's cycle (cur_valid_d is clear), so the word is then any one
  // (timing: the flush, a register that fans out over the whole PE, and the
  // write-back's start stay off the DP16KD's address).
  logic ready_nf, accept_nf, merge_nf;

  assign ready_nf       = ~cur_valid_q | cur_last_q;
  assign accept_nf      = col_valid_i & ready_nf;
  assign merge_nf       = cur_valid_q & ~cur_first_q & (issue_slot != '0) &
                          (issue_slot != '1) & ~cur_last_q & ~cur_last2_q & pad2_q[issue_slot];
  assign issue_word     = cur_addr_q[PtrWidth-1:SlotWidth];
  assign issue_word_inc = issue_word + WordIdxWidth'(1);
  assign start_word     = col_start_i[PtrWidth-1:SlotWidth];
  assign next_crosses   = cur_valid_q &
                          ((issue_slot == '1) |
                           (merge_nf & (issue_slot == SlotWidth'(EntriesPerWord - 2))));
  assign next_word      = accept_nf ? start_word : next_crosses ? issue_word_inc : issue_word;
  // An issue's own word is the one in the read register (asserted below), so past a
  // column's first entry the SRAM is read exactly when the next entry crosses into
  // the next word (area: no compare of issue_word or issue_word_inc with word_q).
  assign sram_re_issue  = cur_valid_d &
                          (~word_valid_q | (accept_nf ? start_word != word_q : next_crosses));
  assign sram_we       = ld_we_i;
  assign sram_re       = sram_re_issue | ld_re_i;
  assign sram_addr     = (ld_we_i | ld_re_i) ? ld_addr_i : next_word[WordAddrWidth-1:0];

  always_comb begin : proc_word
    word_valid_d = word_valid_q;
    word_d       = word_q;
    if (sram_re_issue) begin
      word_valid_d = 1'b1;
      word_d       = next_word;
    end
    // A load access replaces the read register or may change the buffered word.
    if (flush_i || ld_we_i || ld_re_i) word_valid_d = 1'b0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_word_regs
    if (!rst_ni) begin
      word_valid_q <= 1'b0;
      word_q       <= '0;
    end else begin
      word_valid_q <= word_valid_d;
      word_q       <= word_d;
    end
  end

  // no_rw_check: never read and written in one cycle (asserted). Without it Yosys
  // adds a 64-bit bypass register and a mux after the DP16KD pair, whose write and
  // read use different ports in the 36-bit-wide mode.
  (* no_rw_check *) logic [WordWidth-1:0] mem [SpmatDepth];
  logic [WordWidth-1:0] rdata_q;

  always_ff @(posedge clk_i) begin : proc_mem
    if (sram_we) mem[sram_addr] <= ld_wdata_i;
    if (sram_re) rdata_q <= mem[sram_addr];
  end

`ifndef SYNTHESIS
  // Simulation only: eie sim's fast load fills the SRAM from the image folder DIR's
  // file of PE pe (called at time 0 by eie_core for +eie_image_dir=DIR, through
  // eie_pe; the load port stays the path the regression tests, and the testbench
  // still sends one pointer to mark the image loaded).
  task automatic preload(input string dir, input int pe);
    string path;
    int    fd;
    path = $sformatf("%s/spmat_pe%03d.hex", dir, pe);
    fd = $fopen(path, "r");
    if (fd == 0) $fatal(1, "eie_spmat_read: cannot read the image file %s", path);
    $fclose(fd);
    $readmemh(path, mem);
  endtask
`endif

  // The register behind the SRAM's (timing, above): it holds a word from the second
  // cycle after its read, the cycle its first entry's row stage needs it, until the
  // second cycle after the next read. word2_*: which word that is (assertions).
  logic                    word2_valid_q;
  logic [WordIdxWidth-1:0] word2_q;

  always_ff @(posedge clk_i) begin : proc_rdata2
    rdata2_q <= rdata_q;
    for (int s = 0; s < EntriesPerWord; s++) begin
      pad2_q[s] <= rdata_q[EntryWidth*s + ZWidth +: CodeWidth] == '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_word2_regs
    if (!rst_ni) begin
      word2_valid_q <= 1'b0;
      word2_q       <= '0;
    end else begin
      word2_valid_q <= word_valid_q && !flush_i && !ld_we_i && !ld_re_i;
      word2_q       <= word_q;
    end
  end

  assign ld_rdata_o = rdata2_q;

  // ---------------------------------------------------------------------------
  // Stage 1: the word is behind the SRAM; select the slot and advance the row
  // ---------------------------------------------------------------------------
  logic                 s1_valid_d, s1_valid_q;
  logic                 s1_first_d, s1_first_q;
  logic                 s1_merged_d, s1_merged_q;
  logic [ZWidth:0]      s1_skip_d, s1_skip_q;  // rows a merged padding moves on: z + 1
  logic [SlotWidth-1:0] s1_slot_d, s1_slot_q;
  logic [ActWidth-1:0]  s1_act_d, s1_act_q;

  always_comb begin : proc_s1
    s1_valid_d  = issue;
    s1_first_d  = s1_first_q;
    s1_merged_d = s1_merged_q;
    s1_skip_d   = s1_skip_q;
    s1_slot_d   = s1_slot_q;
    s1_act_d    = s1_act_q;
    if (issue) begin
      s1_first_d  = cur_first_q;
      s1_merged_d = merge;
      s1_skip_d   = merge ? (ZWidth+1)'(issue_z) + (ZWidth+1)'(1) : '0;
      s1_slot_d   = issue_slot + SlotWidth'(merge);
      s1_act_d    = cur_act_q;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_s1_regs
    if (!rst_ni) begin
      s1_valid_q  <= 1'b0;
      s1_first_q  <= 1'b0;
      s1_merged_q <= 1'b0;
      s1_skip_q   <= '0;
      s1_slot_q   <= '0;
      s1_act_q    <= '0;
    end else begin
      s1_valid_q  <= s1_valid_d;
      s1_first_q  <= s1_first_d;
      s1_merged_q <= s1_merged_d;
      s1_skip_q   <= s1_skip_d;
      s1_slot_q   <= s1_slot_d;
      s1_act_q    <= s1_act_d;
    end
  end

  logic [EntryWidth-1:0] s1_entry;
  logic [ZWidth-1:0]     s1_z;
  logic [CodeWidth-1:0]  s1_v;
  logic [XWidth-1:0]     x_base, x_next;
  logic [RowWidth-1:0]   x_row;

  assign s1_entry = rdata2_q[EntryWidth*s1_slot_q +: EntryWidth];
  assign s1_z     = s1_entry[ZWidth-1:0];
  assign s1_v     = s1_entry[EntryWidth-1:ZWidth];

  // Entries of a column issue back to back, so x_{n-1} is always the output register.
  logic [RowWidth-1:0] out_row_q;
  assign x_base = s1_first_q ? '0 : XWidth'(out_row_q) + XWidth'(1);
  assign x_next = x_base + XWidth'(s1_skip_q) + XWidth'(s1_z);
  assign x_row  = x_next[RowWidth-1:0];

  // ---------------------------------------------------------------------------
  // Stage 2: output register
  // ---------------------------------------------------------------------------
  logic                 out_valid_d, out_valid_q;
  logic                 out_merged_d, out_merged_q;
  logic [CodeWidth-1:0] out_code_d, out_code_q;
  logic [RowWidth-1:0]  out_row_d;
  logic [ActWidth-1:0]  out_act_d, out_act_q;

  always_comb begin : proc_out
    out_valid_d  = s1_valid_q & ~flush_i;
    out_merged_d = out_merged_q;
    out_code_d   = out_code_q;
    out_row_d    = out_row_q;
    out_act_d    = out_act_q;
    if (s1_valid_q) begin
      out_merged_d = s1_merged_q;
      out_code_d   = s1_v;
      out_row_d    = x_row;
      out_act_d    = s1_act_q;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_out_regs
    if (!rst_ni) begin
      out_valid_q  <= 1'b0;
      out_merged_q <= 1'b0;
      out_code_q   <= '0;
      out_row_q    <= '0;
      out_act_q    <= '0;
    end else begin
      out_valid_q  <= out_valid_d;
      out_merged_q <= out_merged_d;
      out_code_q   <= out_code_d;
      out_row_q    <= out_row_d;
      out_act_q    <= out_act_d;
    end
  end

  assign ent_valid_o  = out_valid_q;
  assign ent_code_o   = out_code_q;
  assign ent_row_o    = out_row_q;
  assign ent_act_o    = out_act_q;
  assign ent_pad_o    = out_code_q == '0;
  assign ent_merged_o = out_merged_q;

  assign busy_o       = issue;
  assign idle_o       = ~cur_valid_q & ~s1_valid_q & ~out_valid_q;
  assign err_range_o  = err_range_q;

  // Rows beyond RowWidth cannot occur in a valid image; the carry is dropped.
  logic unused_x_carry;
  assign unused_x_carry = ^x_next[XWidth-1:RowWidth];

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
`ifndef SYNTHESIS
  // The word of the entry in the row stage.
  logic [WordIdxWidth-1:0] s1_word_q;
  always @(posedge clk_i) begin : proc_s1_word
    if (issue) s1_word_q <= issue_word;
  end

  // A plain always: Icarus -Wall flags system tasks inside an always_ff. $fatal,
  // not $error: Icarus carries on after $error and the cocotb test would pass.
  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (rst_ni) begin
      assert (!((ld_we_i || ld_re_i) && cur_valid_q))
        else $fatal(1, "eie_spmat_read: load access while a column is being issued");
      assert (!col_valid_i || (col_len1_i == (col_end_i - col_start_i == PtrWidth'(1)) &&
                               col_len2_i == (col_end_i - col_start_i == PtrWidth'(2))))
        else $fatal(1, "eie_spmat_read: col_len1_i / col_len2_i disagree with the column");
      assert (cur_last_q == (cur_addr_inc == cur_end_q))
        else $fatal(1, "eie_spmat_read: cur_last_q out of step with the address");
      assert (!cur_valid_q || cur_last2_q == (cur_addr_q + PtrWidth'(2) == cur_end_q))
        else $fatal(1, "eie_spmat_read: cur_last2_q out of step with the address");
      // The word is the next entry's but in a flush's cycle, which reads nothing.
      assert (flush_i || next_word == cur_addr_d[PtrWidth-1:SlotWidth])
        else $fatal(1, "eie_spmat_read: the SRAM's next word is not the next entry's word");
      assert (!(flush_i && sram_re_issue))
        else $fatal(1, "eie_spmat_read: an SRAM read for an entry in a flush's cycle");
      assert (!issue || (word_valid_q && issue_word == word_q))
        else $fatal(1, "eie_spmat_read: an issued entry's word not in the read register");
      assert (!merge || (word2_valid_q && issue_word == word2_q))
        else $fatal(1, "eie_spmat_read: a merge whose word is not behind the read register");
      assert (!s1_valid_q || (word2_valid_q && s1_word_q == word2_q))
        else $fatal(1, "eie_spmat_read: a row stage whose word is not behind the read register");
      assert (!(sram_we && sram_re))
        else $fatal(1, "eie_spmat_read: SRAM read and write in one cycle");
      assert (!(ld_we_i || ld_re_i) || int'(ld_addr_i) < SpmatDepth)
        else $fatal(1, "eie_spmat_read: load word address %0d out of range", ld_addr_i);
      assert (!col_valid_i || col_ok_i == (col_nonempty && col_in_range))
        else $fatal(1, "eie_spmat_read: col_ok_i disagrees with column %0d..%0d", col_start_i,
                    col_end_i);
      assert (!accept || col_start_i != col_end_i)
        else $fatal(1, "eie_spmat_read: empty column %0d..%0d", col_start_i, col_end_i);
      assert (!issue || int'(cur_addr_q) < EntryLimit)
        else $fatal(1, "eie_spmat_read: issued entry address %0d out of range", cur_addr_q);
    end
  end
`endif

endmodule

`default_nettype wire
