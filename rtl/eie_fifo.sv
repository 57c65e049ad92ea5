// SPDX-License-Identifier: Apache-2.0
// eie_fifo: first-word-fall-through FIFO of any depth (the PE's activation queue).
// Push: up to PushLanes entries per cycle, lane 0 the oldest; lane l moves on
// push_valid_i[l] && push_ready_o[l], push_ready_o[l] = room for l + 1 entries and
// depends on no input. The valid lanes are a prefix (lane l only with lane l-1).
// Pop: pop_valid_o = not empty, pop_data_o is the head and holds until popped.
// clear_i empties the FIFO next cycle, dropping same-cycle pushes.
// Storage: one bank per push lane, each with one write and one asynchronous read
// port, so that it maps to ECP5 LUT RAM (DPR16X4) and not to flip-flops as one
// two-write memory did (issue 18, doc/synthesis.md). The head is a register
// (timing: the consumer's logic starts at a flip-flop, not behind a LUT-RAM read
// and the bank mux), loaded from the push lane 0 into an empty FIFO, or at a pop
// from the slot after the head, which the banks read at a registered address; so
// an entry is at the head the cycle after its push, as from the RAM itself.

`default_nettype none

module eie_fifo #(
  /// Bits per entry.
  parameter int Width     = eie_pkg::ActWidth,
  /// Number of entries (>= 1, any value, not only powers of two).
  parameter int Depth     = 4,
  /// Entries pushed per cycle at most (1 or 2).
  parameter int PushLanes = 1
) (
  /// Clock, rising edge.
  input  logic                                 clk_i,
  /// Asynchronous reset, active low.
  input  logic                                 rst_ni,
  /// Synchronous flush: the FIFO is empty in the next cycle whatever else happens.
  input  logic                                 clear_i,
  /// Producer offers push_data_i[l] on lane l (a prefix of the lanes).
  input  logic [PushLanes-1:0]                 push_valid_i,
  /// Room for l + 1 entries; a registered state, so no combinational path from any input.
  output logic [PushLanes-1:0]                 push_ready_o,
  /// Entries to append, lane 0 first.
  input  logic [PushLanes-1:0][Width-1:0]      push_data_i,
  /// Not empty: pop_data_o is the oldest entry.
  output logic                                 pop_valid_o,
  /// Consumer takes the head this cycle.
  input  logic                                 pop_ready_i,
  /// Head entry, valid while pop_valid_o.
  output logic [Width-1:0]                     pop_data_o,
  /// Number of entries held (0..Depth).
  output logic [$clog2(Depth+1)-1:0]           count_o
);

  // Depth == 1 still gets a one-bit pointer; it then stays 0.
  localparam int PtrWidth   = (Depth > 1) ? $clog2(Depth) : 1;
  localparam int CountWidth = $clog2(Depth + 1);
  localparam logic [PtrWidth-1:0] LastPtr = PtrWidth'(Depth - 1);
  // next_ptr_q of an empty FIFO: the slot after slot 0.
  localparam logic [PtrWidth-1:0] FirstNext = (Depth > 1) ? PtrWidth'(1) : '0;

  initial begin : proc_check_params
    if (Width < 1) $fatal(1, "eie_fifo: Width must be >= 1, got %0d", Width);
    if (Depth < 1) $fatal(1, "eie_fifo: Depth must be >= 1, got %0d", Depth);
    if (PushLanes < 1 || PushLanes > 2) begin
      $fatal(1, "eie_fifo: PushLanes must be 1 or 2, got %0d", PushLanes);
    end
  end

  logic [PtrWidth-1:0]   wr_ptr_d, wr_ptr_q;
  // The slot after the head (the head's is the one before it, wrapped).
  logic [PtrWidth-1:0]   next_ptr_d, next_ptr_q;
`ifndef SYNTHESIS
  // The head's slot, for the checks only.
  logic [PtrWidth-1:0]   head_ptr;
  assign head_ptr = (next_ptr_q == '0) ? LastPtr : next_ptr_q - 1'b1;
`endif
  logic [CountWidth-1:0] count_d, count_q;
  logic [PushLanes-1:0]  push_fire;
  logic [CountWidth-1:0] pushes;
  logic                  pop_fire;
  // Write slots: the write pointer plus 0 .. PushLanes, wrapped at Depth (one
  // compare and subtract, not a modulo: the sum stays below 2 * Depth).
  logic [PushLanes:0][PtrWidth-1:0] wr_slot;

  for (genvar l = 0; l <= PushLanes; l++) begin : g_slot
    logic [31:0] sum;

    assign sum        = 32'(wr_ptr_q) + l;
    assign wr_slot[l] = PtrWidth'(sum >= Depth ? sum - Depth : sum);
  end

  for (genvar l = 0; l < PushLanes; l++) begin : g_lane
    assign push_ready_o[l] = 32'(count_q) + l < Depth;
    assign push_fire[l]    = push_valid_i[l] && push_ready_o[l];
  end

  // Lanes fire as a prefix: the count of fired lanes.
  if (PushLanes == 1) begin : g_pushes1
    assign pushes = CountWidth'(push_fire[0]);
  end else begin : g_pushes2
    assign pushes = CountWidth'(push_fire[0]) + CountWidth'(push_fire[PushLanes-1]);
  end

  assign pop_valid_o = (count_q != '0);
  assign count_o     = count_q;
  assign pop_fire    = pop_valid_o && pop_ready_i;

  // ---------------------------------------------------------------------------
  // Storage: bank l holds what lane l pushed, at its slot; no reset
  // ---------------------------------------------------------------------------
  // One write port per bank, so each maps to LUT RAM. Which bank holds a slot
  // follows from the slot before it: slot s + 1 is in bank 1 exactly when lane 1
  // fired in the cycle lane 0 wrote slot s (a cycle's pushes take consecutive slots,
  // lane 0 first). Bank 0 keeps that bit beside each entry, and the head register
  // keeps its entry's (head_q's top bit, "next in bank 1"). An entry pushed on
  // lane 1, or alone, is followed by one pushed on lane 0 in a later cycle, so bit 0.
  // The banks are read only at next_ptr_q, the slot after the head.
  localparam int Bank0Width = Width + PushLanes - 1;

  logic [Bank0Width-1:0] bank0 [Depth];
  logic [Bank0Width-1:0] bank0_wdata;
  // The entry after the head, with its own next-in-bank-1 bit in bank 0's layout.
  logic [Bank0Width-1:0] next_entry;
  logic [Bank0Width-1:0] head_d, head_q;
  logic                  head_from_ram, head_load;

  always_ff @(posedge clk_i) begin : proc_bank0
    if (push_fire[0]) bank0[wr_slot[0]] <= bank0_wdata;
  end

  if (PushLanes == 1) begin : g_one_bank
    assign bank0_wdata = push_data_i[0];
    assign next_entry  = bank0[next_ptr_q];

`ifndef SYNTHESIS
    always @(posedge clk_i or negedge rst_ni) begin : proc_assert_head
      if (rst_ni) begin
        assert (count_q == '0 || head_q == bank0[head_ptr])
          else $fatal(1, "eie_fifo: head register differs from slot %0d", head_ptr);
      end
    end
`endif
  end else begin : g_two_banks
    logic [Width-1:0] bank1 [Depth];

    assign bank0_wdata = {push_fire[1], push_data_i[0]};

    always_ff @(posedge clk_i) begin : proc_bank1
      if (push_fire[1]) bank1[wr_slot[1]] <= push_data_i[1];
    end

    // An entry from bank 1 is followed by one in bank 0: its bit is 0.
    assign next_entry = head_q[Width] ? {1'b0, bank1[next_ptr_q]} : bank0[next_ptr_q];

`ifndef SYNTHESIS
    // Which lane wrote each slot, kept directly: the head register must hold its
    // slot's word from the bank that lane wrote, with that word's next-bank bit.
    logic [Depth-1:0] slot_bank1_q;

    always @(posedge clk_i or negedge rst_ni) begin : proc_assert_bank
      if (!rst_ni) begin
        slot_bank1_q <= '0;
      end else begin
        assert (!push_fire[1] || push_fire[0])
          else $fatal(1, "eie_fifo: lane 1 fired without lane 0");
        assert (count_q == '0 ||
                head_q == (slot_bank1_q[head_ptr] ? {1'b0, bank1[head_ptr]} : bank0[head_ptr]))
          else $fatal(1, "eie_fifo: head register differs from slot %0d (bank %0d) with %0d held",
                      head_ptr, slot_bank1_q[head_ptr], count_q);
        for (int l = 0; l < PushLanes; l++) begin
          if (push_fire[l]) slot_bank1_q[wr_slot[l]] <= (l == 1);
        end
      end
    end
`endif
  end

  // A pop with two or more held moves the slot after the head up; a pop of the
  // last entry, or an empty FIFO, takes lane 0's push (or nothing: then the FIFO
  // stays empty and the head is not read). Otherwise the head holds.
  assign head_from_ram = pop_fire && count_q > CountWidth'(1);
  assign head_load     = pop_fire || count_q == '0;
  assign head_d        = head_from_ram ? next_entry : bank0_wdata;
  assign pop_data_o    = head_q[Width-1:0];

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_head
    if (!rst_ni) begin
      head_q <= '0;
    end else if (head_load) begin
      head_q <= head_d;
    end
  end

  // ---------------------------------------------------------------------------
  // Pointers and occupancy
  // ---------------------------------------------------------------------------
  always_comb begin : proc_next
    wr_ptr_d   = wr_ptr_q;
    next_ptr_d = next_ptr_q;
    count_d    = count_q;
    if (clear_i) begin
      wr_ptr_d   = '0;
      next_ptr_d = FirstNext;
      count_d    = '0;
    end else begin
      wr_ptr_d = wr_slot[pushes];
      if (pop_fire) begin
        next_ptr_d = (next_ptr_q == LastPtr) ? '0 : next_ptr_q + 1'b1;
      end
      count_d = count_q + pushes - CountWidth'(pop_fire);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_regs
    if (!rst_ni) begin
      wr_ptr_q   <= '0;
      next_ptr_q <= FirstNext;
      count_q    <= '0;
    end else begin
      wr_ptr_q   <= wr_ptr_d;
      next_ptr_q <= next_ptr_d;
      count_q    <= count_d;
    end
  end

`ifndef SYNTHESIS
  // ---------------------------------------------------------------------------
  // Assertions (simulation only)
  // ---------------------------------------------------------------------------
  // The head seen in a cycle where the consumer stalled it, kept for the next cycle.
  // A plain always: Icarus -Wall flags system tasks inside an always_ff. $fatal,
  // not $error: Icarus carries on after $error and the cocotb test would pass.
  logic             pop_stall_q;
  logic [Width-1:0] pop_stall_data_q;

  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (!rst_ni) begin
      pop_stall_q      <= 1'b0;
      pop_stall_data_q <= '0;
    end else begin
      assert (32'(count_q) + 32'(pushes) <= Depth)
        else $fatal(1, "eie_fifo: push into a full FIFO");
      for (int l = 1; l < PushLanes; l++) begin
        assert (!push_valid_i[l] || push_valid_i[l-1])
          else $fatal(1, "eie_fifo: push lane %0d without lane %0d", l, l - 1);
      end
      assert (!pop_fire || count_q != '0)
        else $fatal(1, "eie_fifo: pop from an empty FIFO");
      // Pointers and count agree: wr - rd == count (mod Depth).
      assert ((32'(wr_ptr_q) + 32'(Depth) - 32'(head_ptr)) % 32'(Depth) ==
              32'(count_q) % 32'(Depth))
        else $fatal(1, "eie_fifo: pointers disagree with count %0d", count_q);
      assert (!pop_stall_q || (pop_valid_o && pop_data_o == pop_stall_data_q))
        else $fatal(1, "eie_fifo: head changed or vanished while stalled");
      pop_stall_q      <= pop_valid_o && !pop_ready_i && !clear_i;
      pop_stall_data_q <= pop_data_o;
    end
  end
`endif

endmodule

`default_nettype wire
