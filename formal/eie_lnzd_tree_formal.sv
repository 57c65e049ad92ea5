// SPDX-License-Identifier: Apache-2.0
// eie_lnzd_tree_formal: properties of eie_lnzd_tree (one to three levels, so at most
// 64 leaves) for formal/lnzd_tree.sby. Each leaf's items carry its number in their
// top bits (the tree never looks at data, so this only names them) and a free
// payload below; the leaves keep the tree's contract (a done leaf offers nothing
// and stays done until a flush). Proved: in each group of four the lowest leaf not
// done is taken whenever its node's skid register is empty, whatever the root's
// ready and the flush (the ready is a register); an arbitrary leaf's items leave the root
// once each, in order and unchanged (an arbitrary one of them, chosen as it is taken,
// is tracked), none appears from nowhere; within a flush epoch the items leave the
// root leaf by leaf (their leaf numbers never decrease); a stalled root keeps valid
// and data; flush empties the tree (an item a leaf hands over then is dropped);
// done_o iff every leaf is done and no register holds an item. Each node holds up to
// two items, its output register's and (younger) its skid register's. The node
// registers are read through Yosys hierconn wires, joined by flatten.

`default_nettype none

module eie_lnzd_tree_formal #(
  /// Leaves, passed to the DUT (1..64).
  parameter int NumLeaves = 4,
  /// Payload bits below the leaf number.
  parameter int PayloadWidth = 2
) (
  /// Clock, rising edge.
  input  logic                                clk_i,
  /// Asynchronous reset, active low; low in the first cycle, free afterwards.
  input  logic                                rst_ni,
  /// Any flush.
  input  logic                                flush_i,
  /// Any leaves, but no item from a done leaf.
  input  logic [NumLeaves-1:0]                leaf_valid_i,
  /// Any done flags, but one falls only in the cycle after a flush.
  input  logic [NumLeaves-1:0]                leaf_done_i,
  /// Leaf items, leaf n's at [n*DataWidth +: DataWidth]: its number above any payload.
  input  logic [NumLeaves*DataWidth-1:0]      leaf_data_i,
  /// Any consumer.
  input  logic                                root_ready_i,
  /// Track the item that the tracked leaf hands over in this cycle (free).
  input  logic                                f_pick_i
);

  localparam int TagWidth  = (NumLeaves > 1) ? $clog2(NumLeaves) : 1;
  localparam int DataWidth = TagWidth + PayloadWidth;
  // As the DUT: ceil(log4(NumLeaves)) levels, at least one.
  localparam int NumLevels = (NumLeaves > 4) ? ($clog2(NumLeaves) + 1) / 2 : 1;
  localparam int NumNodes1 = (NumLeaves + 3) / 4;
  localparam int NumNodes2 = (NumLeaves + 15) / 16;

  logic [NumLeaves-1:0] leaf_ready;
  logic                 root_valid;
  logic [DataWidth-1:0] root_data;
  logic                 done;

  eie_lnzd_tree #(
    .NumLeaves (NumLeaves),
    .DataWidth (DataWidth)
  ) dut (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .flush_i      (flush_i),
    .leaf_valid_i (leaf_valid_i),
    .leaf_done_i  (leaf_done_i),
    .leaf_data_i  (leaf_data_i),
    .leaf_ready_o (leaf_ready),
    .root_valid_o (root_valid),
    .root_data_o  (root_data),
    .root_ready_i (root_ready_i),
    .done_o       (done)
  );

  // Every register in one vector, level 1's nodes first, the root last (the order of
  // the tree's skid_valid and skid_data).
  localparam int NumRegs = (NumLevels == 1) ? 1 : (NumLevels == 2) ? NumNodes1 + 1
                                                                    : NumNodes1 + NumNodes2 + 1;

  // The output registers of levels 1 and 2 (the root's are ports) and every node's
  // skid register. Driven by Yosys flatten, not by this source: Verilator sees them
  // undriven, and unused where the tree has fewer levels.
  /* verilator lint_off UNDRIVEN */
  /* verilator lint_off UNUSEDSIGNAL */
  (* hierconn, keep *) logic [NumNodes1-1:0]           \dut.g_level[1].valid ;
  (* hierconn, keep *) logic [NumNodes1*DataWidth-1:0] \dut.g_level[1].data ;
  (* hierconn, keep *) logic [NumNodes2-1:0]           \dut.g_level[2].valid ;
  (* hierconn, keep *) logic [NumNodes2*DataWidth-1:0] \dut.g_level[2].data ;
  (* hierconn, keep *) logic [NumRegs-1:0]             \dut.skid_valid ;
  (* hierconn, keep *) logic [NumRegs*DataWidth-1:0]   \dut.skid_data ;
  /* verilator lint_on UNUSEDSIGNAL */
  /* verilator lint_on UNDRIVEN */

  // ---------------------------------------------------------------------------
  // The tracked leaf and its items inside the tree
  // ---------------------------------------------------------------------------
  /* verilator lint_off UNDRIVEN */
  (* anyconst *) logic [TagWidth-1:0] f_leaf;
  /* verilator lint_on UNDRIVEN */

  logic [NumLeaves-1:0] leaf_fire;
  logic                 root_fire;
  logic [TagWidth-1:0]  root_tag;
  logic                 f_in;
  logic                 f_out;

  assign leaf_fire = leaf_valid_i & leaf_ready;
  assign root_fire = root_valid && root_ready_i;
  assign root_tag  = root_data[DataWidth-1 -: TagWidth];
  assign f_in      = leaf_fire[f_leaf];
  assign f_out     = root_fire && root_tag == f_leaf;

  // Items of the tracked leaf inside; the tracked item and how many are ahead of it.
  logic [2:0]              f_inside_q;
  logic                    f_track_q;
  logic [2:0]              f_ahead_q;
  logic [PayloadWidth-1:0] f_payload_q;
  // An item left the root since the last flush, and the leaf of the last one.
  logic                    f_out_seen_q;
  logic [TagWidth-1:0]     f_out_tag_q;
  // Last cycle, for the checks and assumptions of this one.
  logic                    f_init_q;
  logic                    f_past_q;
  logic                    f_flush_q;
  logic                    f_stall_q;
  logic [DataWidth-1:0]    f_root_data_q;
  logic [NumLeaves-1:0]    f_done_q;

  // The first cycle of every trace; the solver starts from the initial value.
  initial f_init_q = 1'b1;

  always @(posedge clk_i) begin : proc_init
    f_init_q <= 1'b0;
  end

  always @(posedge clk_i or negedge rst_ni) begin : proc_track
    if (!rst_ni) begin
      f_inside_q    <= '0;
      f_track_q     <= 1'b0;
      f_ahead_q     <= '0;
      f_payload_q   <= '0;
      f_out_seen_q  <= 1'b0;
      f_out_tag_q   <= '0;
      f_past_q      <= 1'b0;
      f_flush_q     <= 1'b0;
      f_stall_q     <= 1'b0;
      f_root_data_q <= '0;
      f_done_q      <= '0;
    end else begin
      f_past_q      <= 1'b1;
      f_flush_q     <= flush_i;
      f_stall_q     <= root_valid && !root_ready_i && !flush_i;
      f_root_data_q <= root_data;
      f_done_q      <= leaf_done_i;
      if (flush_i) begin
        f_inside_q   <= '0;
        f_track_q    <= 1'b0;
        f_out_seen_q <= 1'b0;
      end else begin
        f_inside_q <= f_inside_q + 3'(f_in) - 3'(f_out);
        if (f_track_q && f_out) begin
          f_track_q <= f_ahead_q != '0;
          f_ahead_q <= f_ahead_q - 1'b1;
        end else if (!f_track_q && f_in && f_pick_i) begin
          f_track_q   <= 1'b1;
          f_ahead_q   <= f_inside_q - 3'(f_out);
          f_payload_q <= leaf_data_i[f_leaf * DataWidth +: PayloadWidth];
        end
        if (root_fire) begin
          f_out_seen_q <= 1'b1;
          f_out_tag_q  <= root_tag;
        end
      end
    end
  end

  // ---------------------------------------------------------------------------
  // Assumptions: a reset first; leaf n's items carry n; the tracked leaf exists;
  // the leaves' contract (the RTL's header): a done leaf offers nothing now and
  // nothing more until a flush
  // ---------------------------------------------------------------------------
  always @* begin : proc_assume
    if (f_init_q) assume (!rst_ni);
    assume (32'(f_leaf) < NumLeaves);
    for (int n = 0; n < NumLeaves; n++) begin
      assume (32'(leaf_data_i[n * DataWidth + PayloadWidth +: TagWidth]) == n);
    end
    // A done leaf offers nothing now and nothing more: done falls only in the cycle
    // after a flush.
    assume ((leaf_valid_i & leaf_done_i) == '0);
    if (rst_ni && f_past_q && !f_flush_q) assume ((f_done_q & ~leaf_done_i) == '0);
  end

  // ---------------------------------------------------------------------------
  // Leaves: in each group of four, the lowest one not done whenever its node's skid
  // register is empty
  // ---------------------------------------------------------------------------
  // Generate loops, not procedural ones: Yosys unrolls a loop in a process far more
  // slowly, which at 64 leaves was most of the proof's time.
  logic [NumLeaves-1:0] f_lowest;
  logic [NumLeaves-1:0] f_leaf_ready;

  for (genvar n = 0; n < NumLeaves; n++) begin : g_leaf
    // The leaves before n in its group of four.
    localparam logic [NumLeaves-1:0] Before = NumLeaves'(((NumLeaves + 1)'(1) << n) -
                                                        ((NumLeaves + 1)'(1) << (n / 4 * 4)));

    assign f_lowest[n]     = !leaf_done_i[n] && (~leaf_done_i & Before) == '0;
    assign f_leaf_ready[n] = f_lowest[n] && !\dut.skid_valid [n/4];
  end

  // ---------------------------------------------------------------------------
  // Per level: the registers, which hold the tracked leaf's items, and where
  // ---------------------------------------------------------------------------
  // f_has[l] (f_has_skid[l]): level l's output (skid) register on the tracked leaf's
  // path holds one of its items. The registers of f_reg_*: the output registers
  // (0 .. NumRegs-1), then the skid registers in the same order.
  logic [NumLevels:1]                 f_has;
  logic [NumLevels:1]                 f_has_skid;
  logic [NumLevels:1]                 f_tags_ok;
  logic [NumLevels:1]                 f_skid_ok;
  logic [NumLevels:1]                 f_empty;
  logic [2*NumRegs-1:0][TagWidth-1:0] f_reg_tag;
  logic [2*NumRegs-1:0]               f_reg_order_ok;
  logic [2*NumRegs-1:0]               f_reg_out_ok;

  // How many of has[from..NumLevels] and has_skid[from..NumLevels] are set.
  function automatic logic [2:0] f_ones_from(input logic [NumLevels:1] has,
                                             input logic [NumLevels:1] has_skid, input int from);
    f_ones_from = '0;
    for (int k = 1; k <= NumLevels; k++) begin
      if (k >= from) f_ones_from = f_ones_from + 3'(has[k]) + 3'(has_skid[k]);
    end
  endfunction

  // Whether any of four children holds an item ({any, lowest leaf of those that do}).
  function automatic logic [TagWidth:0] f_lowest_of(input logic [3:0] any,
                                                    input logic [4*TagWidth-1:0] mins);
    f_lowest_of = '0;
    for (int c = 3; c >= 0; c--) begin
      logic [TagWidth-1:0] kid;
      kid = mins[c * TagWidth +: TagWidth];
      if (any[c] && (!f_lowest_of[TagWidth] || kid < f_lowest_of[TagWidth-1:0])) begin
        f_lowest_of = {1'b1, kid};
      end
    end
  endfunction

  for (genvar l = 1; l <= NumLevels; l++) begin : g_lv
    localparam int NumNodes = (NumLeaves + (1 << (2 * l)) - 1) >> (2 * l);
    // Its first register in f_reg_*.
    localparam int Offset   = (l == NumLevels) ? NumRegs - 1 : (l == 1) ? 0 : NumNodes1;

    logic [NumNodes-1:0]           valid;
    logic [NumNodes*DataWidth-1:0] data;
    logic [NumNodes-1:0]           skid_valid;
    logic [NumNodes*DataWidth-1:0] skid_data;
    logic [DataWidth-1:0]          path;
    logic [DataWidth-1:0]          skid_path;
    // Items ahead of those at this level: the tracked leaf's items in the levels above.
    logic [2:0]                    above;

    assign skid_valid = \dut.skid_valid [Offset +: NumNodes];
    assign skid_data  = \dut.skid_data [Offset * DataWidth +: NumNodes * DataWidth];

    if (l == NumLevels) begin : g_root
      assign valid = root_valid;
      assign data  = root_data;
    end else if (l == 1) begin : g_level1
      assign valid = \dut.g_level[1].valid ;
      assign data  = \dut.g_level[1].data ;
    end else begin : g_level2
      assign valid = \dut.g_level[2].valid ;
      assign data  = \dut.g_level[2].data ;
    end

    for (genvar m = 0; m < NumNodes; m++) begin : g_reg
      localparam int Tag = m * DataWidth + PayloadWidth;

      assign f_reg_tag[Offset + m]             = data[Tag +: TagWidth];
      assign f_reg_tag[NumRegs + Offset + m]   = skid_data[Tag +: TagWidth];
    end

    // Leaf by leaf, for each register of this level (see f_order_ok below). The
    // lowest leaf held in each node's subtree, its own registers included (sub_*),
    // and below it, its own registers excluded (below_*).
    // Flat, tag n at [n*TagWidth +: TagWidth]: Yosys cannot size a packed 2-D array
    // declared inside a generate block.
    // The root's sub_* are read by no parent.
    /* verilator lint_off UNUSEDSIGNAL */
    logic [NumNodes-1:0]          sub_any;
    logic [NumNodes*TagWidth-1:0] sub_min;
    /* verilator lint_on UNUSEDSIGNAL */
    logic [NumNodes-1:0]          below_any;
    logic [NumNodes*TagWidth-1:0] below_min;

    for (genvar m = 0; m < NumNodes; m++) begin : g_order
      // The leaves of its subtree.
      localparam logic [NumLeaves-1:0] Under =
          NumLeaves'(((NumLeaves + 1)'(1) << ((m + 1) << (2 * l))) -
                     ((NumLeaves + 1)'(1) << (m << (2 * l))));

      logic [TagWidth-1:0]  tag, skid_tag, below;
      // The leaves below tag, below skid_tag.
      logic [NumLeaves-1:0] lower, skid_lower;

      assign tag        = f_reg_tag[Offset + m];
      assign skid_tag   = f_reg_tag[NumRegs + Offset + m];
      assign lower      = NumLeaves'(((NumLeaves + 1)'(1) << tag) - 1'b1);
      assign skid_lower = NumLeaves'(((NumLeaves + 1)'(1) << skid_tag) - 1'b1);

      if (l == 1) begin : g_no_below
        assign below_any[m]                       = 1'b0;
        assign below_min[m * TagWidth +: TagWidth] = '0;
      end else begin : g_below
        localparam int NumBelow = (NumLeaves + (1 << (2 * (l - 1))) - 1) >> (2 * (l - 1));
        localparam int Kids     = (NumBelow - 4 * m < 4) ? NumBelow - 4 * m : 4;

        logic [3:0]            kid_any;
        logic [4*TagWidth-1:0] kid_min;

        assign kid_any = 4'(g_lv[l-1].sub_any[4 * m +: Kids]);
        assign kid_min = (4 * TagWidth)'(g_lv[l-1].sub_min[4 * m * TagWidth +: Kids * TagWidth]);
        assign {below_any[m], below_min[m * TagWidth +: TagWidth]} = f_lowest_of(kid_any, kid_min);
      end

      // The output register's item is the node's oldest, so the lowest leaf.
      assign below                             = below_min[m * TagWidth +: TagWidth];
      assign sub_any[m]                        = valid[m] || below_any[m];
      assign sub_min[m * TagWidth +: TagWidth] = valid[m] ? tag : below;

      // An output register: no lower leaf not done in its subtree, none in its own skid
      // register or below; a skid register likewise, with what is below it.
      assign f_reg_order_ok[Offset + m] =
          !valid[m] || ((lower & Under & ~leaf_done_i) == '0 &&
                        !(skid_valid[m] && skid_tag < tag) && !(below_any[m] && below < tag));
      assign f_reg_order_ok[NumRegs + Offset + m] =
          !skid_valid[m] || ((skid_lower & Under & ~leaf_done_i) == '0 &&
                             !(below_any[m] && below < skid_tag));
      assign f_reg_out_ok[Offset + m] = !f_out_seen_q || !valid[m] || tag >= f_out_tag_q;
      assign f_reg_out_ok[NumRegs + Offset + m] =
          !f_out_seen_q || !skid_valid[m] || skid_tag >= f_out_tag_q;
    end

    assign path          = data[(32'(f_leaf) >> (2 * l)) * DataWidth +: DataWidth];
    assign skid_path     = skid_data[(32'(f_leaf) >> (2 * l)) * DataWidth +: DataWidth];
    assign f_has[l]      = valid[32'(f_leaf) >> (2 * l)] && path[DataWidth-1 -: TagWidth] == f_leaf;
    assign f_has_skid[l] = skid_valid[32'(f_leaf) >> (2 * l)] &&
                           skid_path[DataWidth-1 -: TagWidth] == f_leaf;
    assign f_empty[l]    = valid == '0;
    // A skid register holds an item only while its output register does.
    assign f_skid_ok[l]  = (skid_valid & ~valid) == '0;

    assign above = f_ones_from(f_has, f_has_skid, l + 1);

    // Every register holds an item of a leaf below it.
    always_comb begin : proc_tags
      f_tags_ok[l] = 1'b1;
      for (int m = 0; m < NumNodes; m++) begin
        if (valid[m] && (32'(data[m * DataWidth + PayloadWidth +: TagWidth]) >> (2 * l)) != m) begin
          f_tags_ok[l] = 1'b0;
        end
        if (skid_valid[m] &&
            (32'(skid_data[m * DataWidth + PayloadWidth +: TagWidth]) >> (2 * l)) != m) begin
          f_tags_ok[l] = 1'b0;
        end
      end
    end

    // The tracked item: the first on the path, root first, output register before
    // skid register, with f_ahead_q before it.
    always @* begin : proc_assert_tracked
      if (rst_ni && f_track_q && f_has[l] && above == f_ahead_q) begin
        assert (path[PayloadWidth-1:0] == f_payload_q);
      end
      if (rst_ni && f_track_q && f_has_skid[l] && above + 3'(f_has[l]) == f_ahead_q) begin
        assert (skid_path[PayloadWidth-1:0] == f_payload_q);
      end
    end
  end

  logic [2:0] f_held;

  assign f_held = f_ones_from(f_has, f_has_skid, 1);

  // ---------------------------------------------------------------------------
  // Leaf by leaf. A register holding an item of leaf t: every leaf below t in its
  // subtree is done, and every register below it (and, for an output register, its
  // node's skid register) holds items of leaf t or higher (its node took the item
  // when the children before were done, and done stays).
  // After an item of leaf t left the root, the same holds for the whole tree.
  // ---------------------------------------------------------------------------
  logic                 f_order_ok;
  logic                 f_out_order_ok;
  logic [NumLeaves-1:0] f_out_lower;

  assign f_out_lower    = NumLeaves'(((NumLeaves + 1)'(1) << f_out_tag_q) - 1'b1);
  assign f_order_ok     = f_reg_order_ok == '1;
  assign f_out_order_ok = f_reg_out_ok == '1 &&
                          (!f_out_seen_q || (f_out_lower & ~leaf_done_i) == '0);

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
  always @* begin : proc_assert
    if (rst_ni) begin
      // In each group of four, the lowest leaf not done whenever the node has room.
      assert (leaf_ready == f_leaf_ready);
      assert (f_tags_ok == '1);
      assert (f_skid_ok == '1);
      // Done: every leaf done and nothing held.
      assert (done == (leaf_done_i == '1 && f_empty == '1));
      // The tracked leaf's items inside are the ones its path holds; none leaves unseen.
      assert (f_inside_q == f_held);
      assert (!f_out || f_inside_q != '0);
      if (f_track_q) assert (f_ahead_q < f_inside_q);
      // The tracked item leaves unchanged.
      if (f_track_q && f_out && f_ahead_q == '0) begin
        assert (root_data[PayloadWidth-1:0] == f_payload_q);
      end
      // Leaf by leaf: no item of a lower leaf after one of a higher leaf left the root.
      assert (f_order_ok);
      assert (f_out_order_ok);
      if (f_out_seen_q && root_fire) assert (root_tag >= f_out_tag_q);
      // The root's handshake; flush.
      if (f_past_q && f_flush_q) assert (f_empty == '1 && !root_valid);
      if (f_past_q && f_stall_q) assert (root_valid && root_data == f_root_data_q);
      if (!f_past_q) assert (f_empty == '1);
      // The path full of the tracked leaf's items, the tracked one last, the first leaving.
      cover (f_track_q && 32'(f_ahead_q) == 2 * NumLevels - 1 && f_out);
      // The last leaf's item leaves after an item of leaf 0, with every leaf then done.
      cover (f_out_seen_q && f_out_tag_q == '0 && root_fire &&
             32'(root_tag) == NumLeaves - 1 && done == 1'b0 && leaf_done_i == '1);
      // A higher leaf's item waits in level 1 while a lower leaf, not done, has none.
      cover (NumLevels > 1 && \dut.g_level[1].valid [NumNodes1-1] && !root_valid &&
             !leaf_done_i[0] && !leaf_valid_i[0]);
    end
  end

endmodule

`default_nettype wire
