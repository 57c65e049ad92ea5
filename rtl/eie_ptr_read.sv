// SPDX-License-Identifier: Apache-2.0
// Pointer read unit: p_j and p_{j+1} of each broadcast column the PE takes, for
// up to TakeLanes (one or two) columns per cycle, from two banks (even / odd
// pointer index) with a read port per lane each. in_* -> out_* two cycles later
// (the bank read, then a register behind the block RAM: a DP16KD's clock-to-output
// without its own output register takes 5.8 ns, and Yosys does not use that
// register), no backpressure: the PE takes a broadcast only when it has room.
// The load port (I/O mode only) writes or reads one pointer by its index k,
// through lane 0's port.

`default_nettype none

module eie_ptr_read #(
  /// Pointers per bank; pointer index k lives in bank k & 1 at address k >> 1 (>= 2).
  parameter int PtrBankDepth = 512,
  /// Width of one pointer (an absolute entry address): $clog2(SpmatDepth*8+1).
  parameter int PtrWidth     = 14,
  /// Width of a pointer index k: one bank bit plus the bank address.
  localparam int IndexWidth  = $clog2(PtrBankDepth) + 1,
  /// Take lanes: columns per cycle (1 or 2).
  parameter int TakeLanes    = eie_pkg::TakeLanes,
  localparam int Lanes       = TakeLanes
) (
  /// Clock.
  input  logic                          clk_i,
  /// Asynchronous reset, active low.
  input  logic                          rst_ni,

  // Load port (I/O mode; never in the same cycle as in_valid_i, and lane 0's in_index_i
  // and in_even_addr_i are zero with it: the history's output for a PE wanting nothing)
  /// Write ld_data_i to pointer ld_index_i.
  input  logic                          ld_we_i,
  /// Read pointer ld_index_i; ld_rdata_o shows it two cycles later and holds.
  input  logic                          ld_re_i,
  /// Pointer index k of the load access.
  input  logic [IndexWidth-1:0]         ld_index_i,
  /// Pointer to write.
  input  logic [PtrWidth-1:0]           ld_data_i,
  /// Pointer read by the last ld_re_i.
  output logic [PtrWidth-1:0]           ld_rdata_o,

  // Compute: per lane, one broadcast column in, its pointer pair out two cycles later
  /// New layer or abort: drops the columns read this cycle and the last.
  input  logic                                      flush_i,
  /// A broadcast activation for this PE (k = ptr_base + j must be <= 2*PtrBankDepth-2).
  input  logic [Lanes-1:0]                          in_valid_i,
  /// Its activation value a_j.
  input  logic [Lanes-1:0][eie_pkg::ActWidth-1:0]   in_act_i,
  /// Its pointer index k = ptr_base + j.
  input  logic [Lanes-1:0][IndexWidth-1:0]          in_index_i,
  /// The even bank's address of p_k or p_{k+1}: (k + 1) >> 1, formed by the CCU
  /// before the broadcast enters the history (timing: no add between the history's
  /// read and the bank address; the same for every PE).
  input  logic [Lanes-1:0][IndexWidth-2:0]          in_even_addr_i,
  /// Per lane: a column read last cycle, out next cycle (the PE counts it as queued).
  output logic [Lanes-1:0]                          mid_valid_o,
  /// in_valid_i two cycles ago.
  output logic [Lanes-1:0]                          out_valid_o,
  /// in_act_i two cycles ago.
  output logic [Lanes-1:0][eie_pkg::ActWidth-1:0]   out_act_o,
  /// p_k: the column's first entry address.
  output logic [Lanes-1:0][PtrWidth-1:0]            out_start_o,
  /// p_{k+1}: one past the column's last entry.
  output logic [Lanes-1:0][PtrWidth-1:0]            out_end_o,
  /// The column has no entries (start == end); meaningful with out_valid_o.
  output logic [Lanes-1:0]                          out_empty_o,
  /// Image error: start > end; the PE drops the column. Meaningful with out_valid_o.
  output logic [Lanes-1:0]                          err_order_o
);

  localparam int AddrWidth = $clog2(PtrBankDepth);

  initial begin : proc_check_params
    if (Lanes < 1 || Lanes > 2) $fatal(1, "eie_ptr_read: TakeLanes must be 1 or 2, got %0d", Lanes);
    if (PtrBankDepth < 2) begin
      $fatal(1, "eie_ptr_read: PtrBankDepth must be >= 2, got %0d", PtrBankDepth);
    end
    if (PtrWidth < 1) $fatal(1, "eie_ptr_read: PtrWidth must be >= 1, got %0d", PtrWidth);
  end

  // ---------------------------------------------------------------------------
  // Bank port addressing
  // ---------------------------------------------------------------------------
  // k even: p_k = even[k>>1], p_{k+1} = odd[k>>1];
  // k odd:  p_k = odd[k>>1],  p_{k+1} = even[(k>>1)+1].
  // So the even bank reads at (k + 1) >> 1 (in_even_addr_i) and the odd one at k >> 1.
  // Port l of each bank serves lane l; port 0 also serves the load port. Its address
  // is lane 0's ORed with the load port's, which is zero without a load access: in
  // I/O mode lane 0's inputs are zero (asserted). (Timing: the history's block RAM
  // output, 5.8 ns after the clock, then passes one LUT to the bank's address, the
  // history's AND-OR and this OR in one; a mux would add a second.)
  logic                            ld_access, ld_odd;
  logic [AddrWidth-1:0]            ld_addr, ld_addr_or;
  logic                            even_we, odd_we;
  logic [Lanes-1:0]                in_odd, even_re, odd_re;
  logic [Lanes-1:0][AddrWidth-1:0] in_addr, even_addr, odd_addr;

  assign ld_access = ld_we_i | ld_re_i;
  assign ld_odd    = ld_index_i[0];
  assign ld_addr   = ld_index_i[IndexWidth-1:1];
  assign ld_addr_or = ld_access ? ld_addr : '0;
  assign even_we   = ld_we_i & ~ld_odd;
  assign odd_we    = ld_we_i &  ld_odd;

  for (genvar l = 0; l < Lanes; l++) begin : g_port
    // The load port shares lane 0's port (never in the same cycle).
    localparam logic LoadPort = l == 0;

    assign in_odd[l]       = in_index_i[l][0];
    assign in_addr[l]      = in_index_i[l][IndexWidth-1:1];
    assign even_re[l]      = in_valid_i[l] | (LoadPort && ld_re_i && !ld_odd);
    assign odd_re[l]       = in_valid_i[l] | (LoadPort && ld_re_i &&  ld_odd);
    assign even_addr[l]    = LoadPort ? in_even_addr_i[l] | ld_addr_or : in_even_addr_i[l];
    assign odd_addr[l]     = LoadPort ? in_addr[l] | ld_addr_or : in_addr[l];
  end

  // ---------------------------------------------------------------------------
  // Pointer banks: port 0 writes (load port) or reads, port 1 reads; synchronous
  // reads, read data holds when not read
  // ---------------------------------------------------------------------------
  // no_rw_check: a bank is never read and written in one cycle (asserted), so
  // Yosys maps it to a bare DP16KD without read-during-write logic.
  (* no_rw_check *) logic [PtrWidth-1:0] even_mem [PtrBankDepth];
  (* no_rw_check *) logic [PtrWidth-1:0] odd_mem  [PtrBankDepth];
  logic [Lanes-1:0][PtrWidth-1:0] even_rdata_q, odd_rdata_q;

  always_ff @(posedge clk_i) begin : proc_even_port0
    if (even_we) even_mem[even_addr[0]] <= ld_data_i;
    if (even_re[0]) even_rdata_q[0] <= even_mem[even_addr[0]];
  end

  always_ff @(posedge clk_i) begin : proc_odd_port0
    if (odd_we) odd_mem[odd_addr[0]] <= ld_data_i;
    if (odd_re[0]) odd_rdata_q[0] <= odd_mem[odd_addr[0]];
  end

  // Lane 1's read ports (two lanes only: one lane leaves each bank a single port).
  if (Lanes == 2) begin : g_port1
    always_ff @(posedge clk_i) begin : proc_even_port1
      if (even_re[1]) even_rdata_q[1] <= even_mem[even_addr[1]];
    end

    always_ff @(posedge clk_i) begin : proc_odd_port1
      if (odd_re[1]) odd_rdata_q[1] <= odd_mem[odd_addr[1]];
    end
  end

`ifndef SYNTHESIS
  // Simulation only: eie sim's fast load fills both banks from the image folder DIR's
  // files of PE pe (called at time 0 by eie_core for +eie_image_dir=DIR, through
  // eie_pe; as in eie_spmat_read).
  task automatic preload(input string dir, input int pe);
    string even_path, odd_path;
    int    fd;
    even_path = $sformatf("%s/ptr_even_pe%03d.hex", dir, pe);
    odd_path  = $sformatf("%s/ptr_odd_pe%03d.hex", dir, pe);
    fd = $fopen(even_path, "r");
    if (fd == 0) $fatal(1, "eie_ptr_read: cannot read the image file %s", even_path);
    $fclose(fd);
    fd = $fopen(odd_path, "r");
    if (fd == 0) $fatal(1, "eie_ptr_read: cannot read the image file %s", odd_path);
    $fclose(fd);
    $readmemh(even_path, even_mem);
    $readmemh(odd_path, odd_mem);
  endtask
`endif

  // ---------------------------------------------------------------------------
  // Pipeline registers per lane: valid, activation, parity of k; bank of the load read
  // ---------------------------------------------------------------------------
  logic [Lanes-1:0]                        valid_q, odd_d, odd_q;
  logic [Lanes-1:0][eie_pkg::ActWidth-1:0] act_d, act_q;
  logic                                    ld_odd_d, ld_odd_q;

  always_comb begin : proc_next
    act_d    = act_q;
    odd_d    = odd_q;
    ld_odd_d = ld_odd_q;
    for (int l = 0; l < Lanes; l++) begin
      if (in_valid_i[l]) begin
        act_d[l] = in_act_i[l];
        odd_d[l] = in_odd[l];
      end
    end
    if (ld_re_i) ld_odd_d = ld_odd;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_regs
    if (!rst_ni) begin
      valid_q  <= '0;
      act_q    <= '0;
      odd_q    <= '0;
      ld_odd_q <= 1'b0;
    end else begin
      valid_q  <= flush_i ? '0 : in_valid_i;
      act_q    <= act_d;
      odd_q    <= odd_d;
      ld_odd_q <= ld_odd_d;
    end
  end

  // ---------------------------------------------------------------------------
  // Stage 2: the bank outputs registered (timing, above); no enables, no reset
  // on the data (it is meaningful only with its valid bit)
  // ---------------------------------------------------------------------------
  logic [Lanes-1:0]                        valid2_q, odd2_q;
  logic [Lanes-1:0][eie_pkg::ActWidth-1:0] act2_q;
  logic [Lanes-1:0][PtrWidth-1:0]          even2_q, odd2_data_q;
  logic                                    ld_odd2_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_stage2_valid
    if (!rst_ni) valid2_q <= '0;
    else         valid2_q <= flush_i ? '0 : valid_q;
  end

  always_ff @(posedge clk_i) begin : proc_stage2_data
    act2_q      <= act_q;
    odd2_q      <= odd_q;
    even2_q     <= even_rdata_q;
    odd2_data_q <= odd_rdata_q;
    ld_odd2_q   <= ld_odd_q;
  end

  for (genvar l = 0; l < Lanes; l++) begin : g_out
    assign mid_valid_o[l] = valid_q[l];
    assign out_valid_o[l] = valid2_q[l];
    assign out_act_o[l]   = act2_q[l];
    assign out_start_o[l] = odd2_q[l] ? odd2_data_q[l] : even2_q[l];
    assign out_end_o[l]   = odd2_q[l] ? even2_q[l]     : odd2_data_q[l];
    assign out_empty_o[l] = even2_q[l] == odd2_data_q[l];
    assign err_order_o[l] = odd2_q[l] ? (odd2_data_q[l] > even2_q[l])
                                      : (even2_q[l] > odd2_data_q[l]);
  end

  assign ld_rdata_o = ld_odd2_q ? odd2_data_q[0] : even2_q[0];

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
`ifndef SYNTHESIS
  // A plain always: Icarus -Wall flags system tasks inside an always_ff. $fatal,
  // not $error: Icarus carries on after $error and the cocotb test would pass.
  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (rst_ni) begin
      assert (!(in_valid_i != '0 && ld_access))
        else $fatal(1, "eie_ptr_read: load access in the same cycle as a compute read");
      assert (!ld_access || (in_index_i[0] == '0 && in_even_addr_i[0] == '0))
        else $fatal(1, "eie_ptr_read: a load access with lane 0's index not zero");
      assert (!(ld_we_i && ld_re_i))
        else $fatal(1, "eie_ptr_read: load read and write in one cycle");
      // Lanes take a prefix of the columns: lane 1 only with lane 0.
      assert (in_valid_i[Lanes-1] <= in_valid_i[0])
        else $fatal(1, "eie_ptr_read: lane 1 without lane 0");
      for (int l = 0; l < Lanes; l++) begin
        assert (!in_valid_i[l] || int'(in_index_i[l]) <= 2 * PtrBankDepth - 2)
          else $fatal(1, "eie_ptr_read: lane %0d pointer index %0d has no p_{k+1} (%0d per bank)",
                      l, in_index_i[l], PtrBankDepth);
        assert (!in_valid_i[l] || int'(in_even_addr_i[l]) == (int'(in_index_i[l]) + 1) / 2)
          else $fatal(1, "eie_ptr_read: lane %0d even-bank address %0d is not (%0d + 1) >> 1",
                      l, in_even_addr_i[l], in_index_i[l]);
      end
      assert (!ld_access || int'(ld_addr) < PtrBankDepth)
        else $fatal(1, "eie_ptr_read: load pointer index %0d out of range", ld_index_i);
    end
  end
`endif

endmodule

`default_nettype wire
