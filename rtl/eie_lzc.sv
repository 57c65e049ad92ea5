// SPDX-License-Identifier: Apache-2.0
// eie_lzc: leading non-zero detector, combinational. first_o is the lowest set bit
// of bits_i as a one-hot vector, index_o its position (0 when empty_o). The one-hot
// comes from carry chains, b & ~(b - 1), in groups of 16 bits, and the group from
// the same over the groups' ORs: a few LUT levels and two short carry chains, so
// that a bitmap cleared by its own search (eie_act_file) closes a one-cycle loop
// at speed. index_o encodes each group's one-hot (OR trees) and picks the first
// group's, off that loop. No handshake; clk_i/rst_ni (every block has them) only
// sample the self-check assertions.

`default_nettype none

module eie_lzc #(
  /// Bits searched (>= 1).
  parameter int Width = 8,
  localparam int IdxWidth = (Width > 1) ? $clog2(Width) : 1
) (
  /// Clock (assertions only).
  input  logic                clk_i,
  /// Asynchronous reset, active low (assertions only).
  input  logic                rst_ni,
  /// Bits to search.
  input  logic [Width-1:0]    bits_i,
  /// The lowest set bit alone (all zero when empty_o).
  output logic [Width-1:0]    first_o,
  /// Its index (0 when empty_o).
  output logic [IdxWidth-1:0] index_o,
  /// No bit is set.
  output logic                empty_o
);

  // Groups of 16: a 16-bit carry chain is eight ECP5 CCU2C cells.
  localparam int GroupWidth  = (Width < 16) ? Width : 16;
  localparam int NumGroups   = (Width + GroupWidth - 1) / GroupWidth;
  localparam int PaddedWidth = NumGroups * GroupWidth;
  // Index bits within a group; a group is all the bits, or 16 (a power of two).
  localparam int InWidth     = (GroupWidth > 1) ? $clog2(GroupWidth) : 1;

  initial begin : proc_check_params
    if (Width < 1) $fatal(1, "eie_lzc: Width must be >= 1, got %0d", Width);
  end

  logic [PaddedWidth-1:0] bits_pad, first_pad;
  logic [NumGroups-1:0]   group_any, group_first;

  assign bits_pad = PaddedWidth'(bits_i);

  for (genvar g = 0; g < NumGroups; g++) begin : g_group
    assign group_any[g] = |bits_pad[g*GroupWidth +: GroupWidth];
  end

  assign group_first = group_any & ~(group_any - NumGroups'(1));
  assign first_o     = first_pad[Width-1:0];
  assign empty_o     = ~|group_any;

  // The positions whose index has bit k set, for the index encode below.
  logic [InWidth*GroupWidth-1:0] in_has_bit;

  for (genvar k = 0; k < InWidth; k++) begin : g_in_bit
    logic [GroupWidth-1:0] has_bit;

    for (genvar i = 0; i < GroupWidth; i++) begin : g_pos
      assign has_bit[i] = ((i >> k) & 1) == 1;
    end
    assign in_has_bit[k*GroupWidth +: GroupWidth] = has_bit;
  end

  // Each group's lowest set bit, and which of the positions of each index bit it is
  // (OR trees over its one-hot), kept for the first group only; in_first's bit k
  // ORs the groups' (zero but in the first). Not the OR trees over the whole of
  // first_o: the same function, and 34 LUT4 fewer at Width 64. Under
  // `if (group_first[g])` in a loop Verilator keeps as a loop: the same AND-OR for
  // Yosys, and a model that works out one group a cycle, not all of them, in a
  // few hundred bytes of code per PE (a 512-bit bitmap in each of 64 PEs, every
  // cycle: half the LZC's instructions and a third of its code, issue 20).
  logic [InWidth*NumGroups-1:0] in_bits;  // bit k*NumGroups + g: group g's, of index bit k
  logic [InWidth-1:0]           in_first;

  always_comb begin : proc_first
    first_pad = '0;
    in_bits   = '0;
    /* verilator unroll_disable */
    for (int g = 0; g < NumGroups; g++) begin
      if (group_first[g]) begin
        // Subtracting one borrows through the low zeros up to the lowest set bit,
        // which it clears. Not bits & (~bits + 1), the same function: Yosys feeds a
        // carry chain's inverted operand through a LUT per bit (area: 64 LUT4 at
        // Width 64).
        first_pad[g*GroupWidth +: GroupWidth] = bits_pad[g*GroupWidth +: GroupWidth] &
          ~(bits_pad[g*GroupWidth +: GroupWidth] - GroupWidth'(1));
        for (int k = 0; k < InWidth; k++) begin
          in_bits[k*NumGroups + g] = |(bits_pad[g*GroupWidth +: GroupWidth] &
                                       ~(bits_pad[g*GroupWidth +: GroupWidth] - GroupWidth'(1)) &
                                       in_has_bit[k*GroupWidth +: GroupWidth]);
        end
      end
    end
  end

  for (genvar k = 0; k < InWidth; k++) begin : g_in_first
    assign in_first[k] = |in_bits[k*NumGroups +: NumGroups];
  end

  if (NumGroups == 1) begin : g_one_group
    assign index_o = in_first;
  end else begin : g_groups
    logic [IdxWidth-InWidth-1:0] group_index;

    // Bit k of the group's number: the OR of group_first's bits whose number has bit k set.
    for (genvar k = 0; k < IdxWidth - InWidth; k++) begin : g_group_index
      logic [NumGroups-1:0] has_bit;

      for (genvar g = 0; g < NumGroups; g++) begin : g_num
        assign has_bit[g] = ((g >> k) & 1) == 1;
      end
      assign group_index[k] = |(group_first & has_bit);
    end
    assign index_o = {group_index, in_first};
  end

`ifndef SYNTHESIS
  // ---------------------------------------------------------------------------
  // Assertions (simulation only), sampled at the clock so that no glitch fires.
  // A plain always: Icarus -Wall flags system tasks inside an always_ff. $fatal,
  // not $error: Icarus carries on after $error and the cocotb test would pass.
  // ---------------------------------------------------------------------------
  // An empty input, the usual state of a bitmap through most of a layer, takes the
  // first branch: the same four checks with empty_o known, and no wide shift that
  // a Verilator model of 64 PEs would otherwise evaluate every cycle.
  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (rst_ni && !$isunknown(bits_i)) begin
      if (bits_i == '0) begin
        assert (empty_o)
          else $fatal(1, "eie_lzc: empty_o=%0b for bits %b", empty_o, bits_i);
        assert (index_o == '0)
          else $fatal(1, "eie_lzc: index %0d while empty", index_o);
        assert (first_o == '0)
          else $fatal(1, "eie_lzc: one-hot %b does not match index %0d", first_o, index_o);
      end else begin
        assert (!empty_o)
          else $fatal(1, "eie_lzc: empty_o=%0b for bits %b", empty_o, bits_i);
        assert (bits_i[index_o] && (bits_i & ((Width'(1) << index_o) - Width'(1))) == '0)
          else $fatal(1, "eie_lzc: index %0d is not the lowest set bit of %b", index_o, bits_i);
        assert (first_o == Width'(1) << index_o)
          else $fatal(1, "eie_lzc: one-hot %b does not match index %0d", first_o, index_o);
      end
    end
  end
`endif

endmodule

`default_nettype wire
