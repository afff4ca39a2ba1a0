package dev.rmr1.tensor;

import java.util.List;

/**
 * An optional capability of a {@link Backend}: one decoding step of several sequences, each with its
 * own key/value cache, in a fixed number of kernels instead of a few per sequence. The caller (an
 * inference attention over packed sequences) runs the same semantics one sequence at a time when
 * the backend lacks this or {@link #raggedAttentionSupports} declines.
 *
 * <p>Sequence i owns packed position {@code offsets[i]} of q, k, v and out, (1, Hq, N, D) and
 * (1, Hkv, N, D) (any strides), and caches (1, Hkv, capacity_i, D) holding {@code pasts[i]} positions.
 * Its new key and value are written at cache position {@code pasts[i]}, then its query attends to
 * cache positions 0 .. pasts[i] (causal: the new token sees itself and the past).
 */
public interface RaggedAttention {
  /** Whether {@link #appendAndAttend} runs on these operands (one new token per sequence, dtypes, layouts). */
  boolean raggedAttentionSupports(Tensor q, List<Tensor> keyCaches, List<Tensor> valueCaches, int[] counts);

  void appendAndAttend(Tensor out, Tensor q, Tensor k, Tensor v, List<Tensor> keyCaches, List<Tensor> valueCaches, int[] pasts, int[] offsets,
      double scale);
}
