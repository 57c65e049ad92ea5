// SPDX-License-Identifier: Apache-2.0
// Pointer read unit: p_j and p_{j+1} of the broadcast column from two single-port
// banks (even / odd pointer index) in one cycle. in_* -> out_* one cycle later, no
// backpressure: the PE presents a broadcast only when it has room for the column.
// The load port (I/O mode only) writes or reads one pointer by its index k.

`default_nettype none

module eie_ptr_read #(
  /// Pointers per bank; pointer index k lives in bank k & 1 at address k >> 1 (>= 2).
  parameter int PtrBankDepth = 512,
  /// Width of one pointer (an absolute entry address): $clog2(SpmatDepth*8+1).
  parameter int PtrWidth     = 14,
  /// Width of a pointer index k: one bank bit plus the bank address.
  localparam int IndexWidth  = $clog2(PtrBankDepth) + 1
) (
  /// Clock.
  input  logic                          clk_i,
  /// Asynchronous reset, active low.
  input  logic                          rst_ni,

  // Load port (I/O mode; never in the same cycle as in_valid_i)
  /// Write ld_data_i to pointer ld_index_i.
  input  logic                          ld_we_i,
  /// Read pointer ld_index_i; ld_rdata_o shows it one cycle later and holds.
  input  logic                          ld_re_i,
  /// Pointer index k of the load access.
  input  logic [IndexWidth-1:0]         ld_index_i,
  /// Pointer to write.
  input  logic [PtrWidth-1:0]           ld_data_i,
  /// Pointer read by the last ld_re_i.
  output logic [PtrWidth-1:0]           ld_rdata_o,

  // Compute: one broadcast column in, its pointer pair out one cycle later
  /// A broadcast activation for this PE (k = ptr_base + j must be <= 2*PtrBankDepth-2).
  input  logic                          in_valid_i,
  /// Its activation value a_j.
  input  logic [eie_pkg::ActWidth-1:0]  in_act_i,
  /// Its pointer index k = ptr_base + j.
  input  logic [IndexWidth-1:0]         in_index_i,
  /// Registered in_valid_i.
  output logic                          out_valid_o,
  /// Registered in_act_i.
  output logic [eie_pkg::ActWidth-1:0]  out_act_o,
  /// p_k: the column's first entry address (straight from the bank read register).
  output logic [PtrWidth-1:0]           out_start_o,
  /// p_{k+1}: one past the column's last entry.
  output logic [PtrWidth-1:0]           out_end_o,
  /// The column has no entries (start == end); meaningful with out_valid_o.
  output logic                          out_empty_o,
  /// Image error: start > end; the PE drops the column. Meaningful with out_valid_o.
  output logic                          err_order_o
);

  localparam int AddrWidth = $clog2(PtrBankDepth);

  initial begin : proc_check_params
    if (PtrBankDepth < 2) $fatal(1, "eie_ptr_read: PtrBankDepth must be >= 2, got %0d", PtrBankDepth);
    if (PtrWidth < 1) $fatal(1, "eie_ptr_read: PtrWidth must be >= 1, got %0d", PtrWidth);
  end

  // ---------------------------------------------------------------------------
  // Bank port addressing
  // ---------------------------------------------------------------------------
  // k even: p_k = even[k>>1], p_{k+1} = odd[k>>1];
  // k odd:  p_k = odd[k>>1],  p_{k+1} = even[(k>>1)+1].
  logic                 ld_access, ld_odd, in_odd;
  logic [AddrWidth-1:0] ld_addr, in_addr, in_addr_next;
  logic                 even_we, even_re, odd_we, odd_re;
  logic [AddrWidth-1:0] even_addr, odd_addr;

  assign ld_access    = ld_we_i | ld_re_i;
  assign ld_odd       = ld_index_i[0];
  assign in_odd       = in_index_i[0];
  assign ld_addr      = ld_index_i[IndexWidth-1:1];
  assign in_addr      = in_index_i[IndexWidth-1:1];
  assign in_addr_next = in_addr + AddrWidth'(in_odd);

  always_comb begin
    even_we   = ld_we_i & ~ld_odd;
    odd_we    = ld_we_i &  ld_odd;
    even_re   = in_valid_i | (ld_re_i & ~ld_odd);
    odd_re    = in_valid_i | (ld_re_i &  ld_odd);
    even_addr = ld_addr;
    odd_addr  = ld_addr;
    if (in_valid_i) begin
      even_addr = in_addr_next;
      odd_addr  = in_addr;
    end
  end

  // ---------------------------------------------------------------------------
  // Pointer banks: single port, synchronous read, read data holds when not read
  // ---------------------------------------------------------------------------
  // no_rw_check: a bank is never read and written in one cycle (asserted), so
  // Yosys maps it to a bare DP16KD without read-during-write logic.
  (* no_rw_check *) logic [PtrWidth-1:0] even_mem [PtrBankDepth];
  (* no_rw_check *) logic [PtrWidth-1:0] odd_mem  [PtrBankDepth];
  logic [PtrWidth-1:0] even_rdata_q, odd_rdata_q;

  always_ff @(posedge clk_i) begin
    if (even_we) even_mem[even_addr] <= ld_data_i;
    if (even_re) even_rdata_q <= even_mem[even_addr];
  end

  always_ff @(posedge clk_i) begin
    if (odd_we) odd_mem[odd_addr] <= ld_data_i;
    if (odd_re) odd_rdata_q <= odd_mem[odd_addr];
  end

  // ---------------------------------------------------------------------------
  // Pipeline registers: valid, activation, parity of k, bank of the load read
  // ---------------------------------------------------------------------------
  logic                         valid_d, valid_q;
  logic [eie_pkg::ActWidth-1:0] act_d, act_q;
  logic                         odd_d, odd_q;
  logic                         ld_odd_d, ld_odd_q;

  always_comb begin
    valid_d  = in_valid_i;
    act_d    = act_q;
    odd_d    = odd_q;
    ld_odd_d = ld_odd_q;
    if (in_valid_i) begin
      act_d = in_act_i;
      odd_d = in_odd;
    end
    if (ld_re_i) ld_odd_d = ld_odd;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q  <= 1'b0;
      act_q    <= '0;
      odd_q    <= 1'b0;
      ld_odd_q <= 1'b0;
    end else begin
      valid_q  <= valid_d;
      act_q    <= act_d;
      odd_q    <= odd_d;
      ld_odd_q <= ld_odd_d;
    end
  end

  assign out_valid_o = valid_q;
  assign out_act_o   = act_q;
  assign out_start_o = odd_q ? odd_rdata_q  : even_rdata_q;
  assign out_end_o   = odd_q ? even_rdata_q : odd_rdata_q;
  // Compared straight at the bank outputs, the parity mux after the compare: the
  // DP16KD's clock-to-output already takes most of the cycle and these two feed the
  // PE's queue push and the broadcast stall.
  assign out_empty_o = even_rdata_q == odd_rdata_q;
  assign err_order_o = odd_q ? (odd_rdata_q > even_rdata_q) : (even_rdata_q > odd_rdata_q);
  assign ld_rdata_o  = ld_odd_q ? odd_rdata_q : even_rdata_q;

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
`ifndef SYNTHESIS
  // A plain always: Icarus -Wall flags system tasks inside an always_ff. $fatal,
  // not $error: Icarus carries on after $error and the cocotb test would pass.
  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (rst_ni) begin
      assert (!(in_valid_i && ld_access))
        else $fatal(1, "eie_ptr_read: load access in the same cycle as a compute read");
      assert (!(ld_we_i && ld_re_i))
        else $fatal(1, "eie_ptr_read: load read and write in one cycle");
      assert (!in_valid_i || int'(in_index_i) <= 2 * PtrBankDepth - 2)
        else $fatal(1, "eie_ptr_read: pointer index %0d has no p_{k+1} (PtrBankDepth %0d)",
                    in_index_i, PtrBankDepth);
      assert (!ld_access || int'(ld_addr) < PtrBankDepth)
        else $fatal(1, "eie_ptr_read: load pointer index %0d out of range", ld_index_i);
    end
  end
`endif

endmodule

`default_nettype wire
