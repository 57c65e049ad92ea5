// SPDX-License-Identifier: Apache-2.0
// Simulation-only event counters of one PE: the energy-relevant events of a run
// (python/eie/models/events.py PE_EVENTS, one register <name>_q each, read by the
// testbench through VPI), counted from the PE's real memory enables. eie_pe
// instantiates it only outside synthesis, so no netlist pays for it. No
// handshake: clear_i (START) zeroes every count; load-port accesses (I/O mode,
// never during a run) are not counted.

`default_nettype none

module eie_pe_events (
  /// Clock.
  input  logic       clk_i,
  /// Asynchronous reset, active low.
  input  logic       rst_ni,
  /// Zero every count (START); this cycle's events are not counted.
  input  logic       clear_i,
  /// The sparse-matrix SRAM reads a word for the entries (eie_spmat_read sram_re_issue).
  input  logic       spmat_re_i,
  /// Pointer-bank read enables: both banks' of both take lanes.
  input  logic [3:0] ptr_re_i,
  /// The codebook is read (eie_arith cb_re).
  input  logic       cb_re_i,
  /// A multiply's operands are fresh: an update is in the multiply stage.
  input  logic       mul_i,
  /// Accumulator reads this cycle (both banks' read enables).
  input  logic [1:0] acc_re_i,
  /// Accumulator writes this cycle (both banks' write enables).
  input  logic [1:0] acc_we_i,
  /// The accumulator bypass serves the next add (eie_arith bypass_d).
  input  logic       bypass_i,
  /// Activation-file reads this cycle (both files' read enables).
  input  logic [1:0] act_re_i,
  /// Activation-file writes this cycle (both files' write enables).
  input  logic [1:0] act_we_i,
  /// Columns pushed into the activation queue this cycle.
  input  logic [1:0] q_push_i,
  /// A column is popped from the activation queue.
  input  logic       q_pop_i,
  /// Columns taken from the broadcast history this cycle.
  input  logic [1:0] take_i,
  /// The compute phase of a layer.
  input  logic       compute_i,
  /// An entry issues this cycle.
  input  logic       issue_i,
  /// A load-port access to this PE this cycle: its memory enables are not the run's.
  input  logic       ld_access_i
);

  localparam int CntWidth = 64;

  logic [CntWidth-1:0] spmat_reads_d, spmat_reads_q;
  logic [CntWidth-1:0] ptr_reads_d, ptr_reads_q;
  logic [CntWidth-1:0] codebook_reads_d, codebook_reads_q;
  logic [CntWidth-1:0] multiplies_d, multiplies_q;
  logic [CntWidth-1:0] acc_reads_d, acc_reads_q;
  logic [CntWidth-1:0] acc_writes_d, acc_writes_q;
  logic [CntWidth-1:0] bypass_hits_d, bypass_hits_q;
  logic [CntWidth-1:0] act_reads_d, act_reads_q;
  logic [CntWidth-1:0] act_writes_d, act_writes_q;
  logic [CntWidth-1:0] queue_pushes_d, queue_pushes_q;
  logic [CntWidth-1:0] queue_pops_d, queue_pops_q;
  logic [CntWidth-1:0] history_reads_d, history_reads_q;
  logic [CntWidth-1:0] busy_cycles_d, busy_cycles_q;
  logic [CntWidth-1:0] idle_cycles_d, idle_cycles_q;
  logic                run;

  assign run = !ld_access_i;

  always_comb begin : proc_next
    spmat_reads_d    = spmat_reads_q + CntWidth'(run && spmat_re_i);
    ptr_reads_d      = ptr_reads_q + (run ? CntWidth'($countones(ptr_re_i)) : '0);
    codebook_reads_d = codebook_reads_q + CntWidth'(run && cb_re_i);
    multiplies_d     = multiplies_q + CntWidth'(mul_i);
    acc_reads_d      = acc_reads_q + (run ? CntWidth'(acc_re_i[0]) + CntWidth'(acc_re_i[1]) : '0);
    acc_writes_d     = acc_writes_q + CntWidth'(acc_we_i[0]) + CntWidth'(acc_we_i[1]);
    bypass_hits_d    = bypass_hits_q + CntWidth'(bypass_i);
    act_reads_d      = act_reads_q + (run ? CntWidth'(act_re_i[0]) + CntWidth'(act_re_i[1]) : '0);
    act_writes_d     = act_writes_q + (run ? CntWidth'(act_we_i[0]) + CntWidth'(act_we_i[1]) : '0);
    queue_pushes_d   = queue_pushes_q + CntWidth'(q_push_i[0]) + CntWidth'(q_push_i[1]);
    queue_pops_d     = queue_pops_q + CntWidth'(q_pop_i);
    history_reads_d  = history_reads_q + CntWidth'(take_i[0]) + CntWidth'(take_i[1]);
    busy_cycles_d    = busy_cycles_q + CntWidth'(compute_i && issue_i);
    idle_cycles_d    = idle_cycles_q + CntWidth'(compute_i && !issue_i);
    if (clear_i) begin
      spmat_reads_d    = '0;
      ptr_reads_d      = '0;
      codebook_reads_d = '0;
      multiplies_d     = '0;
      acc_reads_d      = '0;
      acc_writes_d     = '0;
      bypass_hits_d    = '0;
      act_reads_d      = '0;
      act_writes_d     = '0;
      queue_pushes_d   = '0;
      queue_pops_d     = '0;
      history_reads_d  = '0;
      busy_cycles_d    = '0;
      idle_cycles_d    = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_regs
    if (!rst_ni) begin
      spmat_reads_q    <= '0;
      ptr_reads_q      <= '0;
      codebook_reads_q <= '0;
      multiplies_q     <= '0;
      acc_reads_q      <= '0;
      acc_writes_q     <= '0;
      bypass_hits_q    <= '0;
      act_reads_q      <= '0;
      act_writes_q     <= '0;
      queue_pushes_q   <= '0;
      queue_pops_q     <= '0;
      history_reads_q  <= '0;
      busy_cycles_q    <= '0;
      idle_cycles_q    <= '0;
    end else begin
      spmat_reads_q    <= spmat_reads_d;
      ptr_reads_q      <= ptr_reads_d;
      codebook_reads_q <= codebook_reads_d;
      multiplies_q     <= multiplies_d;
      acc_reads_q      <= acc_reads_d;
      acc_writes_q     <= acc_writes_d;
      bypass_hits_q    <= bypass_hits_d;
      act_reads_q      <= act_reads_d;
      act_writes_q     <= act_writes_d;
      queue_pushes_q   <= queue_pushes_d;
      queue_pops_q     <= queue_pops_d;
      history_reads_q  <= history_reads_d;
      busy_cycles_q    <= busy_cycles_d;
      idle_cycles_q    <= idle_cycles_d;
    end
  end

endmodule

`default_nettype wire
