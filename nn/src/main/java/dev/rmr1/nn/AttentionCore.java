package dev.rmr1.nn;

import dev.rmr1.autograd.Var;

/**
 * The part of self-attention that differs between a full-sequence pass and a pass over cached
 * sequences: given this pass's rotated queries and keys and its values, produce the attention
 * output. {@link Attention} does the projections, norms and rotary embedding around it.
 */
public interface AttentionCore {
  /**
   * q (B, Hq, T, D), k and v (B, Hkv, T, D) of layer {@code layer} -> (B, Hq, T, D).
   */
  Var attend(int layer, Var q, Var k, Var v, double scale);

  /** Causal attention of every position to itself and the positions before it in its own row. */
  AttentionCore CAUSAL = (layer, q, k, v, scale) -> Var.attention(q, k, v, scale, true, 0);
}
