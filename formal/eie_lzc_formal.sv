// SPDX-License-Identifier: Apache-2.0
// eie_lzc_formal: properties of eie_lzc for formal/lzc.sby. bits_i is free; first_o
// must be the lowest set bit alone (zero when no bit is set), index_o its position
// (0 when empty), empty_o that no bit is set, each checked against a loop over the
// bits. The block is combinational, so every property is checked in every step.

`default_nettype none

module eie_lzc_formal #(
  /// Bits searched, passed to the DUT.
  parameter int Width = 8
) (
  /// Clock; the DUT's port only.
  input  logic             clk_i,
  /// Reset; the DUT's port only.
  input  logic             rst_ni,
  /// Any bit pattern.
  input  logic [Width-1:0] bits_i
);

  localparam int IdxWidth = (Width > 1) ? $clog2(Width) : 1;

  logic [Width-1:0]    first;
  logic [IdxWidth-1:0] index;
  logic                empty;

  eie_lzc #(
    .Width (Width)
  ) dut (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .bits_i  (bits_i),
    .first_o (first),
    .index_o (index),
    .empty_o (empty)
  );

  // The reference: the lowest set bit, searched from bit Width - 1 down, as an
  // index and alone in a vector (not the DUT's carry-chain formula).
  logic [IdxWidth-1:0] f_index;
  logic [Width-1:0]    f_first;

  always_comb begin : proc_reference
    f_index = '0;
    f_first = '0;
    for (int i = Width - 1; i >= 0; i--) begin
      if (bits_i[i]) begin
        f_index    = IdxWidth'(i);
        f_first    = '0;
        f_first[i] = 1'b1;
      end
    end
  end

  always @* begin : proc_assert
    assert (empty == (bits_i == '0));
    assert (index == f_index);
    assert (first == f_first);
    // The two outputs agree: the one-hot is the bit index_o names, or nothing.
    assert (first == (empty ? '0 : Width'(1) << index));
    if (!empty) begin
      assert (32'(index) < Width);
      assert (bits_i[index]);
    end
    // The last bit as the only one set: the longest carry chains.
    cover (bits_i == Width'(1) << (Width - 1));
    // Bits in several places, the lowest one past the first group of 16.
    cover (Width > 16 && bits_i[Width-1] && first == Width'(1) << 16);
  end

endmodule

`default_nettype wire
