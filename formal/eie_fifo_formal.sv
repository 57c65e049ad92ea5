// SPDX-License-Identifier: Apache-2.0
// eie_fifo_formal: properties of eie_fifo (Depth 1..8, one or two push lanes) for
// formal/fifo.sby. Producer and consumer are free but for the contract's prefix
// rule (lane 1 only with lane 0). Proved: a lane is ready exactly when there is
// room for it, so the count never passes Depth, and a pop takes only a held entry;
// the count follows pushes, pops and clear; the pointers agree with it; a stalled
// head keeps valid and data; the head register holds its slot's word with that
// word's next-bank bit; an arbitrary entry, chosen as it is pushed on either
// lane, pops after exactly the entries that were ahead of it, with its value.
// Pointers, the head register and storage are read through Yosys hierconn wires,
// joined by flatten after memory_map has made a wire of each storage word.

`default_nettype none

module eie_fifo_formal #(
  /// Bits per entry, passed to the DUT.
  parameter int Width     = 2,
  /// Entries, passed to the DUT (1..8: the wrapper names each storage word).
  parameter int Depth     = 4,
  /// Push lanes, passed to the DUT.
  parameter int PushLanes = 2
) (
  /// Clock, rising edge.
  input  logic                         clk_i,
  /// Asynchronous reset, active low; low in the first cycle, free afterwards.
  input  logic                         rst_ni,
  /// Any flush.
  input  logic                         clear_i,
  /// Any pushes, as a prefix of the lanes.
  input  logic [PushLanes-1:0]         push_valid_i,
  /// Any entries, lane l's at [l*Width +: Width].
  input  logic [PushLanes*Width-1:0]   push_data_i,
  /// Any consumer.
  input  logic                         pop_ready_i,
  /// Track the entry pushed on lane f_lane_i in this cycle (free).
  input  logic                         f_pick_i,
  /// The lane whose entry f_pick_i tracks (free).
  input  logic                         f_lane_i
);

  localparam int PtrWidth   = (Depth > 1) ? $clog2(Depth) : 1;
  localparam int CountWidth = $clog2(Depth + 1);
  localparam int Bank0Width = Width + PushLanes - 1;

  logic [PushLanes-1:0]  push_ready;
  logic                  pop_valid;
  logic [Width-1:0]      pop_data;
  logic [CountWidth-1:0] count;

  eie_fifo #(
    .Width     (Width),
    .Depth     (Depth),
    .PushLanes (PushLanes)
  ) dut (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clear_i      (clear_i),
    .push_valid_i (push_valid_i),
    .push_ready_o (push_ready),
    .push_data_i  (push_data_i),
    .pop_valid_o  (pop_valid),
    .pop_ready_i  (pop_ready_i),
    .pop_data_o   (pop_data),
    .count_o      (count)
  );

  // ---------------------------------------------------------------------------
  // The DUT's state, read through hierconn wires
  // ---------------------------------------------------------------------------
  // Driven by Yosys flatten, not by this source: Verilator sees them undriven, and
  // words past Depth unused.
  /* verilator lint_off UNDRIVEN */
  /* verilator lint_off UNUSEDSIGNAL */
  (* hierconn, keep *) logic [PtrWidth-1:0]   \dut.wr_ptr_q ;
  (* hierconn, keep *) logic [PtrWidth-1:0]   \dut.next_ptr_q ;
  (* hierconn, keep *) logic [Bank0Width-1:0] \dut.head_q ;
  (* hierconn, keep *) logic [Bank0Width-1:0] \dut.bank0[0] ;
  (* hierconn, keep *) logic [Bank0Width-1:0] \dut.bank0[1] ;
  (* hierconn, keep *) logic [Bank0Width-1:0] \dut.bank0[2] ;
  (* hierconn, keep *) logic [Bank0Width-1:0] \dut.bank0[3] ;
  (* hierconn, keep *) logic [Bank0Width-1:0] \dut.bank0[4] ;
  (* hierconn, keep *) logic [Bank0Width-1:0] \dut.bank0[5] ;
  (* hierconn, keep *) logic [Bank0Width-1:0] \dut.bank0[6] ;
  (* hierconn, keep *) logic [Bank0Width-1:0] \dut.bank0[7] ;
  (* hierconn, keep *) logic [Width-1:0]      \dut.g_two_banks.bank1[0] ;
  (* hierconn, keep *) logic [Width-1:0]      \dut.g_two_banks.bank1[1] ;
  (* hierconn, keep *) logic [Width-1:0]      \dut.g_two_banks.bank1[2] ;
  (* hierconn, keep *) logic [Width-1:0]      \dut.g_two_banks.bank1[3] ;
  (* hierconn, keep *) logic [Width-1:0]      \dut.g_two_banks.bank1[4] ;
  (* hierconn, keep *) logic [Width-1:0]      \dut.g_two_banks.bank1[5] ;
  (* hierconn, keep *) logic [Width-1:0]      \dut.g_two_banks.bank1[6] ;
  (* hierconn, keep *) logic [Width-1:0]      \dut.g_two_banks.bank1[7] ;
  /* verilator lint_on UNDRIVEN */
  // Word s of each bank at [s*BankWidth +: BankWidth]; the words past Depth do not exist.
  logic [8*Bank0Width-1:0]     bank0_words;
  logic [8*Width-1:0]          bank1_words;
  /* verilator lint_on UNUSEDSIGNAL */

  logic [PtrWidth-1:0]         wr_ptr;
  logic [PtrWidth-1:0]         next_ptr;
  logic [PtrWidth-1:0]         rd_ptr;
  logic [Bank0Width-1:0]       head;
  logic [Depth*Bank0Width-1:0] bank0;
  logic [Depth*Width-1:0]      bank1;

  assign wr_ptr      = \dut.wr_ptr_q ;
  assign next_ptr    = \dut.next_ptr_q ;
  // The head's slot is the one before the slot the banks read.
  assign rd_ptr      = (next_ptr == '0) ? PtrWidth'(Depth - 1) : next_ptr - 1'b1;
  assign head        = \dut.head_q ;
  assign bank0_words = {\dut.bank0[7] , \dut.bank0[6] , \dut.bank0[5] , \dut.bank0[4] ,
                        \dut.bank0[3] , \dut.bank0[2] , \dut.bank0[1] , \dut.bank0[0] };
  assign bank1_words = {\dut.g_two_banks.bank1[7] , \dut.g_two_banks.bank1[6] ,
                        \dut.g_two_banks.bank1[5] , \dut.g_two_banks.bank1[4] ,
                        \dut.g_two_banks.bank1[3] , \dut.g_two_banks.bank1[2] ,
                        \dut.g_two_banks.bank1[1] , \dut.g_two_banks.bank1[0] };
  assign bank0       = bank0_words[Depth*Bank0Width-1:0];

  if (PushLanes == 1) begin : g_one_bank
    assign bank1 = '0;
  end else begin : g_two_banks
    assign bank1 = bank1_words[Depth*Width-1:0];
  end

  // Slot rd + k, wrapped (k < Depth).
  function automatic int f_slot(input int rd, input int k);
    f_slot = (rd + k >= Depth) ? rd + k - Depth : rd + k;
  endfunction

  // ---------------------------------------------------------------------------
  // Ghost state: which lane wrote each slot; the tracked entry; last cycle
  // ---------------------------------------------------------------------------
  logic [PushLanes-1:0]  fire;
  logic [CountWidth-1:0] pushes;
  logic                  pop_fire;

  assign fire     = push_valid_i & push_ready;
  assign pushes   = (PushLanes == 1) ? CountWidth'(fire[0])
                                     : CountWidth'(fire[0]) + CountWidth'(fire[PushLanes-1]);
  assign pop_fire = pop_valid && pop_ready_i;

  logic                  f_lane;
  logic [Depth-1:0]      f_slot_bank1_q;
  logic                  f_track_q;
  logic [CountWidth-1:0] f_ahead_q;
  logic [Width-1:0]      f_data_q;
  logic                  f_init_q;
  logic                  f_past_q;
  logic                  f_clear_q;
  logic [CountWidth-1:0] f_count_q;
  logic [CountWidth-1:0] f_pushes_q;
  logic                  f_pop_q;
  logic                  f_stall_q;
  logic [Width-1:0]      f_head_q;

  assign f_lane = (PushLanes == 2) && f_lane_i;

  // The first cycle of every trace; the solver starts from the initial value.
  initial f_init_q = 1'b1;

  always @(posedge clk_i) begin : proc_init
    f_init_q <= 1'b0;
  end

  always @(posedge clk_i or negedge rst_ni) begin : proc_ghost
    if (!rst_ni) begin
      f_slot_bank1_q <= '0;
      f_track_q      <= 1'b0;
      f_ahead_q      <= '0;
      f_data_q       <= '0;
      f_past_q       <= 1'b0;
      f_clear_q      <= 1'b0;
      f_count_q      <= '0;
      f_pushes_q     <= '0;
      f_pop_q        <= 1'b0;
      f_stall_q      <= 1'b0;
      f_head_q       <= '0;
    end else begin
      if (fire[0]) f_slot_bank1_q[wr_ptr] <= 1'b0;
      if (PushLanes == 2 && fire[PushLanes-1]) f_slot_bank1_q[f_slot(int'(wr_ptr), 1)] <= 1'b1;
      if (clear_i) begin
        f_track_q <= 1'b0;
      end else if (f_track_q && pop_fire) begin
        f_track_q <= f_ahead_q != '0;
        f_ahead_q <= f_ahead_q - 1'b1;
      end else if (!f_track_q && f_pick_i && fire[f_lane]) begin
        f_track_q <= 1'b1;
        f_ahead_q <= count - CountWidth'(pop_fire) + CountWidth'(f_lane);
        f_data_q  <= push_data_i[f_lane * Width +: Width];
      end
      f_past_q   <= 1'b1;
      f_clear_q  <= clear_i;
      f_count_q  <= count;
      f_pushes_q <= pushes;
      f_pop_q    <= pop_fire;
      f_stall_q  <= pop_valid && !pop_ready_i && !clear_i;
      f_head_q   <= pop_data;
    end
  end

  // ---------------------------------------------------------------------------
  // Assumptions: a reset first; the valid lanes are a prefix
  // ---------------------------------------------------------------------------
  always @* begin : proc_assume
    if (f_init_q) assume (!rst_ni);
    if (PushLanes == 2) assume (!push_valid_i[PushLanes-1] || push_valid_i[0]);
  end

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
  int f_track_slot;

  assign f_track_slot = f_slot(int'(rd_ptr), int'(f_ahead_q));

  always @* begin : proc_assert
    if (rst_ni) begin
      // Occupancy: room decides the lanes; a pop only from a held entry.
      assert (32'(count) <= Depth);
      assert (pop_valid == (count != '0));
      assert (push_ready[0] == (32'(count) < Depth));
      if (PushLanes == 2) assert (push_ready[PushLanes-1] == (32'(count) + 1 < Depth));
      if (!f_past_q || f_clear_q) begin
        assert (count == '0);
      end else begin
        assert (count == f_count_q + f_pushes_q - CountWidth'(f_pop_q));
      end
      // Pointers agree with the count.
      assert (32'(wr_ptr) < Depth && 32'(next_ptr) < Depth);
      assert (32'(wr_ptr) == f_slot(int'(rd_ptr), int'(count) % Depth));
      // A stalled head stays.
      if (f_past_q && f_stall_q) assert (pop_valid && pop_data == f_head_q);
      // The head register is its slot's word, from the bank of the lane that wrote
      // it; a word from bank 1 with next-bank bit 0 (bank 0's layout).
      if (count != '0) begin
        if (PushLanes == 2 && f_slot_bank1_q[rd_ptr]) begin
          assert (head == Bank0Width'(bank1[rd_ptr * Width +: Width]));
        end else begin
          assert (head == bank0[rd_ptr * Bank0Width +: Bank0Width]);
        end
      end
      // The tracked entry: held, at its place, and the head once those ahead have gone.
      if (f_track_q) begin
        assert (f_ahead_q < count);
        if (PushLanes == 2 && f_slot_bank1_q[f_track_slot]) begin
          assert (bank1[f_track_slot * Width +: Width] == f_data_q);
        end else begin
          assert (bank0[f_track_slot * Bank0Width +: Width] == f_data_q);
        end
        if (f_ahead_q == '0) assert (pop_valid && pop_data == f_data_q);
      end
      cover (f_track_q && f_ahead_q == '0 && pop_fire && 32'(count) == Depth);
    end
  end

  // The k-th held entry's bank-0 bit names the bank of the next: bank 1 exactly when
  // lane 1 wrote the next slot; the newest entry's bit is 0 (lane 1 did not fire).
  if (PushLanes == 2) begin : g_bank_bits
    for (genvar k = 0; k < Depth; k++) begin : g_held
      int                  s;
      logic [PtrWidth-1:0] next;

      assign s    = f_slot(int'(rd_ptr), k);
      assign next = PtrWidth'(f_slot(int'(rd_ptr), (k + 1) % Depth));

      always @* begin : proc_assert_bits
        if (rst_ni && k + 1 < int'(count)) begin
          assert (f_slot_bank1_q[next] == (!f_slot_bank1_q[s] && bank0[s * Bank0Width + Width]));
        end
        if (rst_ni && k + 1 == int'(count) && !f_slot_bank1_q[s]) begin
          assert (!bank0[s * Bank0Width + Width]);
        end
      end
    end
  end

endmodule

`default_nettype wire
