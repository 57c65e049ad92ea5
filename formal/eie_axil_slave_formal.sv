// SPDX-License-Identifier: Apache-2.0
// eie_axil_slave_formal: the AXI4-Lite rules for eie_axil_slave, for
// formal/axil_slave.sby, in the manner of ZipCPU's faxil_slave: the master is
// assumed to keep the rules (a valid stays, with its payload, until its ready),
// the slave is proved to keep them. Proved: B and R stay valid, with response and
// data, until ready; no response without a request, one per request: counted from
// the handshakes, AW and W each lead B by the held request plus the pending
// response (at most 2 outstanding), AR leads R by the pending response (at most 1);
// each write strobe carries the held AW address and W data and answers once, with
// SLVERR exactly when the register block refused it; each read strobe is the AR
// handshake with its address, answered with the register block's data and error
// of that cycle; no read in the cycle after a write strobe; nothing valid in or
// right after reset. The register block (reg_rdata_i, the error inputs) is free.

`default_nettype none

module eie_axil_slave_formal #(
  /// Byte address width, passed to the DUT.
  parameter int AddrWidth = 4,
  /// Data width (32 or 64), passed to the DUT.
  parameter int DataWidth = 32,
  localparam int StrbWidth = DataWidth / 8
) (
  /// Clock, rising edge.
  input  logic                 clk_i,
  /// Asynchronous reset, active low; low in the first cycle, free afterwards.
  input  logic                 rst_ni,
  /// Any write address, held with AWVALID until AWREADY.
  input  logic [AddrWidth-1:0] awaddr_i,
  /// Any AWVALID, held until AWREADY.
  input  logic                 awvalid_i,
  /// Any write data, held with WVALID until WREADY.
  input  logic [DataWidth-1:0] wdata_i,
  /// Any write strobes, held with WVALID until WREADY.
  input  logic [StrbWidth-1:0] wstrb_i,
  /// Any WVALID, held until WREADY.
  input  logic                 wvalid_i,
  /// Any BREADY.
  input  logic                 bready_i,
  /// Any read address, held with ARVALID until ARREADY.
  input  logic [AddrWidth-1:0] araddr_i,
  /// Any ARVALID, held until ARREADY.
  input  logic                 arvalid_i,
  /// Any RREADY.
  input  logic                 rready_i,
  /// The register block refuses any write.
  input  logic                 reg_werr_i,
  /// The register block's answer to a read: any value.
  input  logic [DataWidth-1:0] reg_rdata_i,
  /// The register block refuses any read.
  input  logic                 reg_rerr_i
);

  localparam logic [1:0] RespOkay   = 2'b00;
  localparam logic [1:0] RespSlvErr = 2'b10;

  logic                 awready, wready, bvalid, arready, rvalid;
  logic [1:0]           bresp, rresp;
  logic [DataWidth-1:0] rdata;
  logic                 reg_we, reg_re;
  logic [AddrWidth-1:0] reg_waddr, reg_raddr;
  logic [DataWidth-1:0] reg_wdata;
  logic [StrbWidth-1:0] reg_wstrb;

  eie_axil_slave #(
    .AddrWidth (AddrWidth),
    .DataWidth (DataWidth)
  ) dut (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .s_axil_awaddr_i  (awaddr_i),
    .s_axil_awvalid_i (awvalid_i),
    .s_axil_awready_o (awready),
    .s_axil_wdata_i   (wdata_i),
    .s_axil_wstrb_i   (wstrb_i),
    .s_axil_wvalid_i  (wvalid_i),
    .s_axil_wready_o  (wready),
    .s_axil_bresp_o   (bresp),
    .s_axil_bvalid_o  (bvalid),
    .s_axil_bready_i  (bready_i),
    .s_axil_araddr_i  (araddr_i),
    .s_axil_arvalid_i (arvalid_i),
    .s_axil_arready_o (arready),
    .s_axil_rdata_o   (rdata),
    .s_axil_rresp_o   (rresp),
    .s_axil_rvalid_o  (rvalid),
    .s_axil_rready_i  (rready_i),
    .reg_we_o         (reg_we),
    .reg_waddr_o      (reg_waddr),
    .reg_wdata_o      (reg_wdata),
    .reg_wstrb_o      (reg_wstrb),
    .reg_werr_i       (reg_werr_i),
    .reg_re_o         (reg_re),
    .reg_raddr_o      (reg_raddr),
    .reg_rdata_i      (reg_rdata_i),
    .reg_rerr_i       (reg_rerr_i)
  );

  // ---------------------------------------------------------------------------
  // Handshakes, and the counts of requests not yet answered
  // ---------------------------------------------------------------------------
  logic aw_fire, w_fire, b_fire, ar_fire, r_fire;

  assign aw_fire = awvalid_i && awready;
  assign w_fire  = wvalid_i && wready;
  assign b_fire  = bvalid && bready_i;
  assign ar_fire = arvalid_i && arready;
  assign r_fire  = rvalid && rready_i;

  // Wide enough to show a count past what the slave allows (it saturates at 7).
  logic [2:0] f_aw_out_q, f_w_out_q, f_ar_out_q;

  function automatic logic [2:0] f_count(input logic [2:0] n, input logic up, input logic down);
    f_count = (up && !down && n != '1) ? n + 3'd1 : (down && !up && n != '0) ? n - 3'd1 : n;
  endfunction

  // ---------------------------------------------------------------------------
  // Last cycle, kept for the checks of this one
  // ---------------------------------------------------------------------------
  logic                 f_init_q;
  logic                 f_past_q;
  logic                 f_aw_stall_q, f_w_stall_q, f_ar_stall_q;
  logic                 f_b_stall_q, f_r_stall_q;
  logic [AddrWidth-1:0] f_awaddr_q, f_araddr_q;
  logic [DataWidth-1:0] f_wdata_q;
  logic [StrbWidth-1:0] f_wstrb_q;
  logic [1:0]           f_bresp_q, f_rresp_q;
  logic [DataWidth-1:0] f_rdata_q;
  logic                 f_we_q;
  // The request held for the next strobe: its AW address, its W data and strobes.
  logic [AddrWidth-1:0] f_req_addr_q;
  logic [DataWidth-1:0] f_req_data_q;
  logic [StrbWidth-1:0] f_req_strb_q;
  // A read strobe last cycle, and what the register block answered.
  logic                 f_re_q;
  logic [DataWidth-1:0] f_re_data_q;
  logic                 f_re_err_q;
  logic                 f_we_err_q;

  // The first cycle of every trace; the solver starts from the initial value.
  initial f_init_q = 1'b1;

  always @(posedge clk_i) begin : proc_init
    f_init_q <= 1'b0;
  end

  always @(posedge clk_i or negedge rst_ni) begin : proc_past
    if (!rst_ni) begin
      f_past_q     <= 1'b0;
      f_aw_out_q   <= '0;
      f_w_out_q    <= '0;
      f_ar_out_q   <= '0;
      f_aw_stall_q <= 1'b0;
      f_w_stall_q  <= 1'b0;
      f_ar_stall_q <= 1'b0;
      f_b_stall_q  <= 1'b0;
      f_r_stall_q  <= 1'b0;
      f_awaddr_q   <= '0;
      f_araddr_q   <= '0;
      f_wdata_q    <= '0;
      f_wstrb_q    <= '0;
      f_bresp_q    <= '0;
      f_rresp_q    <= '0;
      f_rdata_q    <= '0;
      f_we_q       <= 1'b0;
      f_req_addr_q <= '0;
      f_req_data_q <= '0;
      f_req_strb_q <= '0;
      f_re_q       <= 1'b0;
      f_re_data_q  <= '0;
      f_re_err_q   <= 1'b0;
      f_we_err_q   <= 1'b0;
    end else begin
      f_past_q     <= 1'b1;
      f_aw_out_q   <= f_count(f_aw_out_q, aw_fire, b_fire);
      f_w_out_q    <= f_count(f_w_out_q, w_fire, b_fire);
      f_ar_out_q   <= f_count(f_ar_out_q, ar_fire, r_fire);
      f_aw_stall_q <= awvalid_i && !awready;
      f_w_stall_q  <= wvalid_i && !wready;
      f_ar_stall_q <= arvalid_i && !arready;
      f_b_stall_q  <= bvalid && !bready_i;
      f_r_stall_q  <= rvalid && !rready_i;
      f_awaddr_q   <= awaddr_i;
      f_araddr_q   <= araddr_i;
      f_wdata_q    <= wdata_i;
      f_wstrb_q    <= wstrb_i;
      f_bresp_q    <= bresp;
      f_rresp_q    <= rresp;
      f_rdata_q    <= rdata;
      f_we_q       <= reg_we;
      if (aw_fire) f_req_addr_q <= awaddr_i;
      if (w_fire) begin
        f_req_data_q <= wdata_i;
        f_req_strb_q <= wstrb_i;
      end
      f_re_q       <= reg_re;
      f_re_data_q  <= reg_rdata_i;
      f_re_err_q   <= reg_rerr_i;
      f_we_err_q   <= reg_werr_i;
    end
  end

  // ---------------------------------------------------------------------------
  // Assumptions: a reset first; the master keeps the handshake rules
  // ---------------------------------------------------------------------------
  always @* begin : proc_assume
    if (f_init_q) assume (!rst_ni);
    if (rst_ni && f_past_q) begin
      if (f_aw_stall_q) assume (awvalid_i && awaddr_i == f_awaddr_q);
      if (f_w_stall_q) assume (wvalid_i && wdata_i == f_wdata_q && wstrb_i == f_wstrb_q);
      if (f_ar_stall_q) assume (arvalid_i && araddr_i == f_araddr_q);
    end
  end

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
  always @* begin : proc_assert
    if (!rst_ni || !f_past_q) begin
      // Nothing valid in reset or in the first cycle after it.
      assert (!bvalid && !rvalid);
    end
    if (rst_ni) begin
      // A response stays, with its payload, until the master takes it.
      if (f_past_q && f_b_stall_q) assert (bvalid && bresp == f_bresp_q);
      if (f_past_q && f_r_stall_q) assert (rvalid && rresp == f_rresp_q && rdata == f_rdata_q);
      // Only OKAY and SLVERR.
      assert (bresp == RespOkay || bresp == RespSlvErr);
      assert (rresp == RespOkay || rresp == RespSlvErr);
      // Outstanding requests: a held AW (W) not yet written, plus the pending
      // response. So no B without both an AW and a W, at most two of each, no R
      // without an AR, at most one.
      assert (f_aw_out_q == 3'(!awready) + 3'(bvalid));
      assert (f_w_out_q == 3'(!wready) + 3'(bvalid));
      assert (f_ar_out_q == 3'(rvalid));
      // The write strobe: once both halves are held and B is free; it carries them.
      assert (reg_we == (!awready && !wready && !bvalid));
      if (!awready) assert (reg_waddr == f_req_addr_q);
      if (!wready) assert (reg_wdata == f_req_data_q && reg_wstrb == f_req_strb_q);
      // ... and is answered in the next cycle, SLVERR exactly when refused.
      if (f_past_q && f_we_q) begin
        assert (bvalid && awready && wready);
        assert (bresp == (f_we_err_q ? RespSlvErr : RespOkay));
      end
      // The read strobe is the AR handshake, with its address; never right after a
      // write strobe (the register block may apply it then).
      assert (reg_re == ar_fire);
      assert (reg_raddr == araddr_i);
      if (f_past_q && f_we_q) assert (!reg_re && !arready);
      // ... answered next cycle with what the register block said then.
      if (f_past_q && f_re_q) begin
        assert (rvalid && rdata == f_re_data_q);
        assert (rresp == (f_re_err_q ? RespSlvErr : RespOkay));
      end
      // The slave stalls a request only while it holds one or owes a response.
      if (!arready) assert (rvalid || (f_past_q && f_we_q));
      cover (f_aw_out_q == 3'd2 && f_w_out_q == 3'd2 && f_ar_out_q == 3'd1);
      cover (f_past_q && f_b_stall_q && f_r_stall_q && aw_fire && w_fire);
      cover (f_past_q && f_we_q && f_re_q && bvalid && rvalid && bresp == RespSlvErr);
    end
  end

endmodule

`default_nettype wire
