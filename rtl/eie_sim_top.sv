// SPDX-License-Identifier: Apache-2.0
// Simulation-only top level (not in rtl/eie.f, never synthesised): eie_core with
// its ports passed through, plus a bus script player for eie sim. A pulse on
// script_start_i makes it read the script file named by +eie_script=PATH (one
// access a line: "op address data" in hex; op 0 load-port read, 1 load-port
// write, 2 register read, 3 register write) and play every access through the
// core's real load port and AXI4-Lite port, one at a time, each as soon as the
// previous one is answered, writing "resp data" a line to PATH.out; then
// script_done_o rises and stays high until the next start. While it plays, the
// script owns both ports: the testbench's drivers must stay idle, and its ports
// show no ready and no answer (its monitors see none of the script's accesses).
// Op 4 ("4 count 0") reads results 0..count-1 (result i: PE i mod N, row i div N)
// through every PE's own RESULT read path at once (accumulator, requantisation,
// PE read register), one row of all PEs per ResultCycles cycles instead of one
// result per load-port read (seven cycles): the load port's request registers to
// the PEs are written from here (not forced: Verilator reads a forced signal through
// its force table every cycle, forced or not), its one-read-at-a-time sequencing and
// PE mux are skipped.

`default_nettype none

module eie_sim_top #(
  /// eie_core parameters, passed through unchanged.
  parameter int NumPe        = 4,
  parameter int QueueDepth   = 8,
  parameter int HistoryDepth = 128,
  parameter int SpmatDepth   = 16384,
  parameter int PtrBankDepth = 16384,
  parameter int ActDepth     = 512,
  parameter int MaxLayers    = 8,
  parameter bit PeCounters   = 1'b1,
  parameter int TakeLanes    = 2,
  localparam int RegAddrW    = eie_pkg::RegAddrWidth,
  localparam int RegDataW    = eie_pkg::RegDataWidth,
  localparam int LdAddrW     = eie_pkg::LdAddrWidth,
  localparam int LdDataW     = eie_pkg::LdDataWidth
) (
  /// Clock.
  input  logic                  clk_i,
  /// Asynchronous reset, active low.
  input  logic                  rst_ni,
  /// AXI4-Lite write address.
  input  logic [RegAddrW-1:0]   s_axil_awaddr_i,
  /// AXI4-Lite write address valid.
  input  logic                  s_axil_awvalid_i,
  /// AXI4-Lite write address ready.
  output logic                  s_axil_awready_o,
  /// AXI4-Lite write data.
  input  logic [RegDataW-1:0]   s_axil_wdata_i,
  /// AXI4-Lite write strobes.
  input  logic [RegDataW/8-1:0] s_axil_wstrb_i,
  /// AXI4-Lite write data valid.
  input  logic                  s_axil_wvalid_i,
  /// AXI4-Lite write data ready.
  output logic                  s_axil_wready_o,
  /// AXI4-Lite write response.
  output logic [1:0]            s_axil_bresp_o,
  /// AXI4-Lite write response valid.
  output logic                  s_axil_bvalid_o,
  /// AXI4-Lite write response ready.
  input  logic                  s_axil_bready_i,
  /// AXI4-Lite read address.
  input  logic [RegAddrW-1:0]   s_axil_araddr_i,
  /// AXI4-Lite read address valid.
  input  logic                  s_axil_arvalid_i,
  /// AXI4-Lite read address ready.
  output logic                  s_axil_arready_o,
  /// AXI4-Lite read data.
  output logic [RegDataW-1:0]   s_axil_rdata_o,
  /// AXI4-Lite read response.
  output logic [1:0]            s_axil_rresp_o,
  /// AXI4-Lite read data valid.
  output logic                  s_axil_rvalid_o,
  /// AXI4-Lite read data ready.
  input  logic                  s_axil_rready_i,
  /// Load port: a beat is offered.
  input  logic                  ld_valid_i,
  /// Load port: the beat is taken.
  output logic                  ld_ready_o,
  /// Load port: write (1) or read (0).
  input  logic                  ld_write_i,
  /// Load port: address {target, pe, index}.
  input  logic [LdAddrW-1:0]    ld_addr_i,
  /// Load port: write data.
  input  logic [LdDataW-1:0]    ld_wdata_i,
  /// Load port: read answer valid.
  output logic                  ld_rvalid_o,
  /// Load port: read answer taken.
  input  logic                  ld_rready_i,
  /// Load port: read answer data.
  output logic [LdDataW-1:0]    ld_rdata_o,
  /// STATUS.BUSY.
  output logic                  busy_o,
  /// STATUS.DONE.
  output logic                  done_o,
  /// Pulse: play the script file (+eie_script=PATH).
  input  logic                  script_start_i,
  /// The last script has been played and its answers written (PATH.out).
  output logic                  script_done_o
);

  // The core's ports as the script player or the testbench drives them.
  logic                  awvalid, wvalid, bready, arvalid, rready, lvalid, lwrite, lrready;
  logic [RegAddrW-1:0]   awaddr, araddr;
  logic [RegDataW-1:0]   wdata;
  logic [LdAddrW-1:0]    laddr;
  logic [LdDataW-1:0]    lwdata;
  // The core's handshake outputs, shown on the ports only while no script plays.
  logic                  awready, wready, bvalid, arready, rvalid, lready, lrvalid;

  eie_core #(
    .NumPe        (NumPe),
    .QueueDepth   (QueueDepth),
    .HistoryDepth (HistoryDepth),
    .SpmatDepth   (SpmatDepth),
    .PtrBankDepth (PtrBankDepth),
    .ActDepth     (ActDepth),
    .MaxLayers    (MaxLayers),
    .PeCounters   (PeCounters),
    .TakeLanes    (TakeLanes)
  ) u_core (
    .clk_i,
    .rst_ni,
    .s_axil_awaddr_i  (awaddr),
    .s_axil_awvalid_i (awvalid),
    .s_axil_awready_o (awready),
    .s_axil_wdata_i   (wdata),
    .s_axil_wstrb_i   (playing ? {(RegDataW / 8){1'b1}} : s_axil_wstrb_i),
    .s_axil_wvalid_i  (wvalid),
    .s_axil_wready_o  (wready),
    .s_axil_bresp_o,
    .s_axil_bvalid_o  (bvalid),
    .s_axil_bready_i  (bready),
    .s_axil_araddr_i  (araddr),
    .s_axil_arvalid_i (arvalid),
    .s_axil_arready_o (arready),
    .s_axil_rdata_o,
    .s_axil_rresp_o,
    .s_axil_rvalid_o  (rvalid),
    .s_axil_rready_i  (rready),
    .ld_valid_i       (lvalid),
    .ld_ready_o       (lready),
    .ld_write_i       (lwrite),
    .ld_addr_i        (laddr),
    .ld_wdata_i       (lwdata),
    .ld_rvalid_o      (lrvalid),
    .ld_rready_i      (lrready),
    .ld_rdata_o,
    .busy_o,
    .done_o
  );

  // ---------------------------------------------------------------------------
  // Script player: one access at a time, the next read from the file as the
  // previous one is answered
  // ---------------------------------------------------------------------------
  localparam logic [2:0] OpLdRead = 3'd0, OpLdWrite = 3'd1, OpRegRead = 3'd2, OpRegWrite = 3'd3,
                         OpResults = 3'd4;

  typedef enum logic [2:0] {StIdle, StLd, StLdAnswer, StReg, StRegAnswer, StResults} state_e;

  state_e              state_q;
  logic                playing, aw_done_q, w_done_q, done_q;
  logic [2:0]          op_q;
  logic [LdAddrW-1:0]  addr_q;
  logic [LdDataW-1:0]  data_q;
  string               path;
  int                  fd_in, fd_out;
  // Op 4's reader (below): the posedge player counts the op 4s it starts, the reader
  // the ones it has finished.
  logic [7:0]          results_seq_q, results_seen;
  logic                results_done;

  logic reg_write;

  assign playing   = state_q != StIdle;
  assign reg_write = state_q == StReg && op_q == OpRegWrite;

  assign awvalid = playing ? reg_write && !aw_done_q : s_axil_awvalid_i;
  assign awaddr  = playing ? RegAddrW'(addr_q) : s_axil_awaddr_i;
  assign wvalid  = playing ? reg_write && !w_done_q : s_axil_wvalid_i;
  assign wdata   = playing ? RegDataW'(data_q) : s_axil_wdata_i;
  assign bready  = playing ? state_q == StRegAnswer : s_axil_bready_i;
  assign arvalid = playing ? state_q == StReg && op_q == OpRegRead : s_axil_arvalid_i;
  assign araddr  = playing ? RegAddrW'(addr_q) : s_axil_araddr_i;
  assign rready  = playing ? state_q == StRegAnswer : s_axil_rready_i;
  assign lvalid  = playing ? state_q == StLd : ld_valid_i;
  assign lwrite  = playing ? op_q == OpLdWrite : ld_write_i;
  assign laddr   = playing ? addr_q : ld_addr_i;
  assign lwdata  = playing ? data_q : ld_wdata_i;
  assign lrready = playing ? state_q == StLdAnswer : ld_rready_i;

  assign s_axil_awready_o = awready && !playing;
  assign s_axil_wready_o  = wready && !playing;
  assign s_axil_bvalid_o  = bvalid && !playing;
  assign s_axil_arready_o = arready && !playing;
  assign s_axil_rvalid_o  = rvalid && !playing;
  assign ld_ready_o       = lready && !playing;
  assign ld_rvalid_o      = lrvalid && !playing;
  assign script_done_o    = done_q;

  // Reads the script's next access, which then starts at this edge (back-to-back
  // with the previous one's end); at the end of the file closes both files and
  // raises script_done_o.
  task automatic next_access;
    int                 found;
    logic [2:0]         op;
    logic [LdAddrW-1:0] addr;
    logic [LdDataW-1:0] data;
    found = $fscanf(fd_in, "%h %h %h\n", op, addr, data);
    aw_done_q <= 1'b0;
    w_done_q  <= 1'b0;
    if (found == 3) begin
      if (op == OpResults) results_seq_q <= results_seq_q + 1'b1;
      op_q    <= op;
      addr_q  <= addr;
      data_q  <= data;
      state_q <= op == OpResults ? StResults : (op == OpLdRead || op == OpLdWrite) ? StLd : StReg;
    end else begin
      $fclose(fd_in);
      $fclose(fd_out);
      done_q  <= 1'b1;
      state_q <= StIdle;
    end
  endtask

  // The file handles are set at once (blocking): the same edge reads through them.
  /* verilator lint_off BLKSEQ */
  always @(posedge clk_i or negedge rst_ni) begin : proc_player
    if (!rst_ni) begin
      state_q   <= StIdle;
      done_q    <= 1'b0;
      op_q      <= OpLdRead;
      addr_q    <= '0;
      data_q    <= '0;
      aw_done_q <= 1'b0;
      w_done_q  <= 1'b0;
      results_seq_q <= '0;
    end else begin
      unique case (state_q)
        StIdle: begin
          if (script_start_i) begin
            if (!$value$plusargs("eie_script=%s", path)) begin
              $fatal(1, "eie_sim_top: script_start_i without +eie_script=PATH");
            end
            fd_in = $fopen(path, "r");
            fd_out = $fopen({path, ".out"}, "w");
            if (fd_in == 0 || fd_out == 0) begin
              $fatal(1, "eie_sim_top: cannot open %s or its .out", path);
            end
            done_q <= 1'b0;
            next_access();
          end
        end
        StLd: begin
          if (lready) begin
            if (op_q == OpLdWrite) begin
              $fwrite(fd_out, "0 0\n");
              next_access();
            end else begin
              state_q <= StLdAnswer;
            end
          end
        end
        StLdAnswer: begin
          if (lrvalid) begin
            $fwrite(fd_out, "0 %h\n", ld_rdata_o);
            next_access();
          end
        end
        StReg: begin
          if (op_q == OpRegRead) begin
            if (arready) state_q <= StRegAnswer;
          end else begin
            if (awready) aw_done_q <= 1'b1;
            if (wready) w_done_q <= 1'b1;
            if ((aw_done_q || awready) && (w_done_q || wready)) begin
              state_q <= StRegAnswer;
            end
          end
        end
        StRegAnswer: begin
          if (op_q == OpRegRead && rvalid) begin
            $fwrite(fd_out, "%h %h\n", s_axil_rresp_o, s_axil_rdata_o);
            next_access();
          end else if (op_q == OpRegWrite && bvalid) begin
            $fwrite(fd_out, "%h 0\n", s_axil_bresp_o);
            next_access();
          end
        end
        StResults: begin
          if (results_done && results_seen == results_seq_q) next_access();
        end
        default: state_q <= StIdle;
      endcase
    end
  end
  /* verilator lint_on BLKSEQ */

  // ---------------------------------------------------------------------------
  // Results of every PE at once (op 4)
  // ---------------------------------------------------------------------------
  // On falling edges, so that the written request is settled before the rising
  // edge the PEs sample it on, as the load port's registered one would be, and
  // the PEs' read registers are sampled mid-cycle; and on those of a clock that
  // falls only while results are read (a falling edge every cycle made the whole
  // model compute about a fifth slower). The request goes into the load port's own
  // request registers (no beat moves while results are read, so they hold what is
  // written): the selects into the second ones, beside the PEs, which clear
  // themselves at the next rising edge (one read per PE and row); target and index
  // into both (the second copies the first at every edge), and the first ones'
  // are put back after the last row, as the last beat left them.
  // A PE's read data is in its read register for the one cycle after the
  // (AccReadLatency + RequantStages + 1)-th rising edge after the request (the
  // accumulators' block RAM and its register, the requantisation's register, the PE's
  // read register): sampled on the falling edge in that cycle.
  localparam int ResultCycles = eie_pkg::AccReadLatency + eie_pkg::RequantStages + 2;
  localparam int LdIdxW = eie_pkg::LdIndexWidth;
  localparam int LdTgtW = eie_pkg::LdTgtCodeWidth;

  logic [NumPe-1:0]             results_re;
  logic [LdIdxW-1:0]            results_row;
  logic [NumPe-1:0][LdTgtW-1:0] saved_target;
  logic [NumPe-1:0][LdIdxW-1:0] saved_index;
  logic                         results_clk;
  int                           results_step, results_count;

  assign results_clk = clk_i || state_q != StResults;

  /* verilator lint_off BLKSEQ */
  always @(negedge results_clk or negedge rst_ni) begin : proc_results
    if (!rst_ni) begin
      results_seen = '0;
      results_done = 1'b0;
    end else if (results_seen != results_seq_q) begin  // an op 4 started: its first row now
      results_seen = results_seq_q;
      results_done = 1'b0;
      results_step = 0;
      results_row  = '0;
      saved_target = u_core.u_load_port.target_q;
      saved_index  = u_core.u_load_port.index_q;
    end
    if (rst_ni && !results_done) begin
      results_count = int'(addr_q);
      if (results_step == 0) begin
        for (int p = 0; p < NumPe; p++) begin
          results_re[p] = int'(results_row) * NumPe + p < results_count;
        end
        u_core.u_load_port.pe_re_pe_q     <= results_re;
        u_core.u_load_port.pe_res_re_pe_q <= results_re;
        u_core.u_load_port.target_pe_q    <= {NumPe{eie_pkg::LdTgtResult}};
        u_core.u_load_port.index_pe_q     <= {NumPe{results_row}};
        u_core.u_load_port.target_q       <= {NumPe{eie_pkg::LdTgtResult}};
        u_core.u_load_port.index_q        <= {NumPe{results_row}};
      end else if (results_step == ResultCycles - 1) begin
        for (int p = 0; p < NumPe; p++) begin
          if (int'(results_row) * NumPe + p < results_count) begin
            $fwrite(fd_out, "0 %h\n", u_core.ld_pe_rdata[p]);
          end
        end
        results_row = results_row + 1'b1;
        if (int'(results_row) * NumPe >= results_count) begin
          u_core.u_load_port.target_q <= saved_target;
          u_core.u_load_port.index_q  <= saved_index;
          results_done = 1'b1;
        end
      end
      results_step = results_step == ResultCycles - 1 ? 0 : results_step + 1;
    end
  end
  /* verilator lint_on BLKSEQ */

endmodule

`default_nettype wire
