// SPDX-License-Identifier: Apache-2.0
// Load port: memory-mapped access to every PE memory in I/O mode (rtl/eie_regs.rdl,
// addrmap eie_load_port). Address {target, pe, index}; a beat moves on
// ld_valid_i && ld_ready_o. Accesses while the core runs, or outside a memory,
// are dropped (reads answer 0) and raise an error event.
//
// For the clock, the request is decoded and registered twice on its way to the
// PEs, in one copy per PE: the first register, beside the decode, loads only on a
// beat addressed to its PE (or a codebook write), so no register drives the
// memory addresses of two PEs (one such net crossed the die at N = 8, issue 18);
// the second, beside its PE, is a plain copy of the first, so the route across
// the die has a cycle of its own and no logic behind it (the RESULT read's
// address mux behind the first register limited N = 4 and N = 8). The read
// answer is registered after the PE mux. A write lands in its memory two cycles
// after its beat, one per cycle; a read answers on the R side
// (ld_rvalid_o/ld_rready_i) seven cycles after its beat (the two request
// registers, memory, the two registers behind it, PE output register, answer
// register) and holds the port until it is taken. A START counts as busy from
// the cycle it reaches the CCU (busy_i): a write beat in the cycle before lands
// in the first busy cycle, which only loads the layer descriptor, so no PE
// memory is read or written by the run before every allowed write has landed.

`default_nettype none

module eie_load_port #(
  /// Number of PEs.
  parameter int NumPe        = 4,
  /// Sparse-matrix words per PE.
  parameter int SpmatDepth   = 1024,
  /// Entries per pointer bank.
  parameter int PtrBankDepth = 1024,
  /// Activations per PE and file.
  parameter int ActDepth     = 64,
  /// Layers (16 codebook entries each).
  parameter int MaxLayers    = 4,
  localparam int AddrWidth   = eie_pkg::LdAddrWidth,
  localparam int DataWidth   = eie_pkg::LdDataWidth,
  localparam int TgtWidth    = eie_pkg::LdTgtCodeWidth,
  localparam int IdxWidth    = eie_pkg::LdIndexWidth
) (
  /// Clock.
  input  logic                          clk_i,
  /// Asynchronous reset, active low.
  input  logic                          rst_ni,
  /// Request: a beat is offered.
  input  logic                          ld_valid_i,
  /// Request: the beat is taken (one read outstanding at most).
  output logic                          ld_ready_o,
  /// Request: write (1) or read (0).
  input  logic                          ld_write_i,
  /// Request: address {target, pe, index} (rtl/eie_regs.rdl, eie_load_port).
  input  logic [AddrWidth-1:0]          ld_addr_i,
  /// Request: write data.
  input  logic [DataWidth-1:0]          ld_wdata_i,
  /// Read answer: valid, held until taken.
  output logic                          ld_rvalid_o,
  /// Read answer: taken.
  input  logic                          ld_rready_i,
  /// Read answer: data (0 for a refused read).
  output logic [DataWidth-1:0]          ld_rdata_o,
  /// The core is running a layer, or a START is reaching the CCU (load accesses
  /// are misuse then).
  input  logic                          busy_i,
  /// Per PE: write the decoded access (codebook writes go to every PE).
  output logic [NumPe-1:0]              pe_we_o,
  /// Per PE: read the decoded access (one-hot).
  output logic [NumPe-1:0]              pe_re_o,
  /// Per PE: a RESULT read, pe_re_o with target_o RESULT, decoded before the registers
  /// (timing: the accumulators' read address mux is steered by a register).
  output logic [NumPe-1:0]              pe_res_re_o,
  /// Per PE: the decoded access's target (eie_pkg::LdTgt*), valid with its pe_we_o/pe_re_o.
  output logic [NumPe-1:0][TgtWidth-1:0]  target_o,
  /// Per PE: the decoded access's index within the target, valid with its pe_we_o/pe_re_o.
  output logic [NumPe-1:0][IdxWidth-1:0]  index_o,
  /// Per PE: the decoded access's write data, valid with its pe_we_o.
  output logic [NumPe-1:0][DataWidth-1:0] wdata_o,
  /// Read data of every PE: the read PE's in the one cycle three cycles after its
  /// pe_re_o (memory, the register behind it, PE register), zero otherwise.
  input  logic [NumPe-1:0][DataWidth-1:0] pe_rdata_i,
  /// Software says the memories kept their image across a reset (CTRL.IMAGE_KEPT).
  input  logic                          image_kept_i,
  /// A pointer has been written, or IMAGE_KEPT set, since reset.
  output logic                          loaded_o,
  /// loaded_o as it will be next cycle (the CCU registers its START checks from it).
  output logic                          loaded_next_o,
  /// Error event: an access while busy (ERROR.LOAD_BUSY).
  output logic                          err_busy_o,
  /// Error event: an access outside every memory (ERROR.LOAD_RANGE).
  output logic                          err_range_o
);

  localparam int AddrTgtWidth = eie_pkg::LdTargetWidth;
  /// A read's progress: the two request registers, the accumulators' read (their block
  /// RAM and its register), the requantisation's register, the PE's output register.
  localparam int ReadStages   = 2 + eie_pkg::AccReadLatency + eie_pkg::RequantStages + 1;

  initial begin : proc_check_params
    if (NumPe < eie_pkg::MinNumPe || NumPe > (1 << eie_pkg::LdPeWidth)) begin
      $fatal(1, "eie_load_port: NumPe must be %0d..%0d", eie_pkg::MinNumPe,
             1 << eie_pkg::LdPeWidth);
    end
    if (AddrTgtWidth <= TgtWidth) $fatal(1, "eie_load_port: written for a wider address target");
  end

  // The address's target field: the code of a known target in its low bits, and
  // none of them with any higher bit set.
  logic [AddrTgtWidth-1:0]      target;
  logic [TgtWidth-1:0]          target_code;
  logic                         target_high;
  logic [eie_pkg::LdPeWidth-1:0] pe;
  logic [IdxWidth-1:0]          index;
  logic                         beat, codebook, in_range, allowed;
  logic [31:0]                  depth;

  assign target      = ld_addr_i[eie_pkg::LdTargetLsb +: AddrTgtWidth];
  assign target_code = target[TgtWidth-1:0];
  assign target_high = target[AddrTgtWidth-1:TgtWidth] != '0;
  assign pe     = ld_addr_i[eie_pkg::LdPeLsb +: eie_pkg::LdPeWidth];
  assign index  = ld_addr_i[eie_pkg::LdIndexLsb +: IdxWidth];
  assign beat   = ld_valid_i && ld_ready_o;

  always_comb begin : proc_depth
    unique case (target_code)
      eie_pkg::LdTgtSpmat:    depth = 32'(SpmatDepth);
      eie_pkg::LdTgtPtr:      depth = 32'(2 * PtrBankDepth);
      eie_pkg::LdTgtCodebook: depth = 32'(MaxLayers * eie_pkg::NumCodes);
      eie_pkg::LdTgtAct0,
      eie_pkg::LdTgtAct1:     depth = 32'(ActDepth);
      eie_pkg::LdTgtResult:   depth = 32'(ActDepth);
      default:                depth = '0;
    endcase
    if (target_high) depth = '0;
  end

  // Codebook writes ignore the PE field (every PE holds the same table); the
  // codebook is write-only and the result read-only.
  assign codebook  = !target_high && target_code == eie_pkg::LdTgtCodebook;
  assign in_range  = 32'(index) < depth &&
                     (codebook ? ld_write_i : 32'(pe) < NumPe) &&
                     !(target_code == eie_pkg::LdTgtResult && ld_write_i);
  assign allowed  = beat && in_range && !busy_i;

  assign err_busy_o  = beat && busy_i;
  assign err_range_o = beat && !in_range;

  // ---------------------------------------------------------------------------
  // Request registers, one copy per PE: decoded selects, target, index and write
  // data. A PE uses target, index and data only with its own pe_we_o/pe_re_o, so
  // its first copy loads only on a beat addressed to it (the different loads also
  // keep Yosys from merging the copies back into one); the second copies the
  // first in every cycle (no enable: no LUT between the two).
  // ---------------------------------------------------------------------------
  logic [NumPe-1:0]                 pe_we_d, pe_we_q, pe_re_d, pe_re_q, pe_load;
  logic [NumPe-1:0]                 pe_res_re_d, pe_res_re_q;
  logic [NumPe-1:0][TgtWidth-1:0]   target_d, target_q;
  logic [NumPe-1:0][IdxWidth-1:0]   index_d, index_q;
  logic [NumPe-1:0][DataWidth-1:0]  wdata_d, wdata_q;
  // The second registers, beside the PEs.
  logic [NumPe-1:0]                 pe_we_pe_q, pe_re_pe_q, pe_res_re_pe_q;
  logic [NumPe-1:0][TgtWidth-1:0]   target_pe_q;
  logic [NumPe-1:0][IdxWidth-1:0]   index_pe_q;
  logic [NumPe-1:0][DataWidth-1:0]  wdata_pe_q;

  for (genvar p = 0; p < NumPe; p++) begin : g_pe_select
    assign pe_load[p]     = beat && (codebook || 32'(pe) == p);
    assign pe_we_d[p]     = allowed && ld_write_i && (codebook || 32'(pe) == p);
    assign pe_re_d[p]     = allowed && !ld_write_i && 32'(pe) == p;
    assign pe_res_re_d[p] = pe_re_d[p] && target_code == eie_pkg::LdTgtResult;
    // An unknown target never reaches the PEs, so its code suffices.
    assign target_d[p] = pe_load[p] ? target_code : target_q[p];
    assign index_d[p]  = pe_load[p] ? index : index_q[p];
    assign wdata_d[p]  = pe_load[p] ? ld_wdata_i : wdata_q[p];
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_request
    if (!rst_ni) begin
      pe_we_q        <= '0;
      pe_re_q        <= '0;
      pe_res_re_q    <= '0;
      target_q       <= '0;
      index_q        <= '0;
      wdata_q        <= '0;
      pe_we_pe_q     <= '0;
      pe_re_pe_q     <= '0;
      pe_res_re_pe_q <= '0;
      target_pe_q    <= '0;
      index_pe_q     <= '0;
      wdata_pe_q     <= '0;
    end else begin
      pe_we_q        <= pe_we_d;
      pe_re_q        <= pe_re_d;
      pe_res_re_q    <= pe_res_re_d;
      target_q       <= target_d;
      index_q        <= index_d;
      wdata_q        <= wdata_d;
      pe_we_pe_q     <= pe_we_q;
      pe_re_pe_q     <= pe_re_q;
      pe_res_re_pe_q <= pe_res_re_q;
      target_pe_q    <= target_q;
      index_pe_q     <= index_q;
      wdata_pe_q     <= wdata_q;
    end
  end

  assign pe_we_o     = pe_we_pe_q;
  assign pe_re_o     = pe_re_pe_q;
  assign pe_res_re_o = pe_res_re_pe_q;
  assign target_o    = target_pe_q;
  assign index_o     = index_pe_q;
  assign wdata_o     = wdata_pe_q;

  // ---------------------------------------------------------------------------
  // Read answer: one read in flight; its progress is a shift register (the two
  // request registers, memory output, the two registers behind it, PE output register), then
  // the OR of every PE's output is registered: only the read PE's is not zero, and a
  // refused read reaches no PE, so its answer is zero too (area: an OR tree, not an
  // N:1 mux of 64 bits and its select register)
  // ---------------------------------------------------------------------------
  logic                 read_beat, pending_d, pending_q, rvalid_d, rvalid_q;
  logic                 loaded_d, loaded_q;
  logic [ReadStages-1:0] rstage_d, rstage_q;
  logic [DataWidth-1:0] rdata_d, rdata_q;

  logic [DataWidth-1:0] pe_rdata_or;

  always_comb begin : proc_pe_rdata_or
    pe_rdata_or = '0;
    for (int p = 0; p < NumPe; p++) pe_rdata_or |= pe_rdata_i[p];
  end

  assign read_beat = beat && !ld_write_i;
  assign loaded_d  = loaded_q || image_kept_i ||
                     (allowed && ld_write_i && target_code == eie_pkg::LdTgtPtr);
  assign rstage_d  = {rstage_q[ReadStages-2:0], read_beat};
  assign rdata_d   = rstage_q[ReadStages-1] ? pe_rdata_or : rdata_q;

  always_comb begin : proc_answer
    pending_d = pending_q;
    rvalid_d  = rvalid_q;
    if (read_beat) begin
      pending_d = 1'b1;
    end else if (rvalid_q && ld_rready_i) begin
      pending_d = 1'b0;
      rvalid_d  = 1'b0;
    end
    if (rstage_q[ReadStages-1]) rvalid_d = 1'b1;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_answer_regs
    if (!rst_ni) begin
      pending_q <= 1'b0;
      rvalid_q  <= 1'b0;
      rstage_q  <= '0;
      rdata_q   <= '0;
      loaded_q  <= 1'b0;
    end else begin
      pending_q <= pending_d;
      rvalid_q  <= rvalid_d;
      rstage_q  <= rstage_d;
      rdata_q   <= rdata_d;
      loaded_q  <= loaded_d;
    end
  end

  assign ld_ready_o  = !pending_q;
  assign ld_rvalid_o = rvalid_q;
  assign ld_rdata_o  = rdata_q;
  assign loaded_o    = loaded_q;
  assign loaded_next_o = loaded_d;

`ifndef SYNTHESIS
  logic                 wait_q;
  logic [AddrWidth-1:0] addr_seen_q;
  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (!rst_ni) begin
      wait_q      <= 1'b0;
      addr_seen_q <= '0;
    end else begin
      if (wait_q) begin
        assert (ld_valid_i && ld_addr_i == addr_seen_q)
          else $fatal(1, "eie_load_port: request dropped or changed before it was taken");
      end
      wait_q      <= ld_valid_i && !ld_ready_o;
      addr_seen_q <= ld_addr_i;
    end
  end
`endif

endmodule

`default_nettype wire
