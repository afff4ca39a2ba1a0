package dev.rmr1.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.cuda.CudaAttention.Block;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * How {@link CudaAttention} cuts a call into blocks (no GPU needed): every stacked query row of every
 * (batch, KV head) pair lies in exactly one block, with every key its query sees, the position the
 * causal mask uses, and within the score budget whenever one row of keys fits it.
 */
class CudaAttentionBlocksTest {
  @Property(tries = 300)
  void blocksCoverEveryRowOnceWithTheKeysItSees(@ForAll @IntRange(min = 1, max = 5) int pairs, @ForAll @IntRange(min = 1, max = 4) int group,
      @ForAll @IntRange(min = 1, max = 30) int tq, @ForAll @IntRange(min = 0, max = 6) int extraKeys, @ForAll boolean causal,
      @ForAll @LongRange(min = 1, max = 5000) long maxScores) {
    int tk = tq + extraKeys, qOffset = causal ? extraKeys : 0;
    List<Block> blocks = CudaAttention.blocks(pairs, group, tq, tk, causal, qOffset, maxScores);
    int stacked = group * tq;
    int[][] seen = new int[pairs][stacked];
    boolean partial = blocks.get(0).partial();
    for (Block blk : blocks) {
      assertEquals(partial, blk.partial(), "a call's blocks are all whole pairs or all rows of one head");
      assertTrue(blk.partial() ? blk.pairs() == 1 : blk.row0() == 0 && blk.rows() == stacked, blk.toString());
      if (blk.pairs() * (long) blk.rows() * blk.keys() > maxScores) assertTrue(blk.partial() && blk.rows() == 1, blk + " over budget");
      for (int p = blk.pair0(); p < blk.pair0() + blk.pairs(); p++)
        for (int r = 0; r < blk.rows(); r++) {
          int row = blk.row0() + r;
          seen[p][row]++;
          long pos = blk.firstPos() + r % blk.period();
          assertEquals(qOffset + row % tq, pos, "absolute position of stacked row " + row + " in " + blk);
          long visible = causal ? pos + 1 : tk;
          assertTrue(blk.keys() >= visible, blk + " cuts keys its row " + row + " sees");
          assertTrue(blk.keys() <= tk, blk.toString());
        }
      assertEquals(blk.lseRow(stacked), (long) blk.pair0() * stacked + blk.row0());
    }
    for (int[] pair : seen) for (int n : pair) assertEquals(1, n);
  }
}
