package dev.rmr1.nn;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;

/**
 * Hugging Face {@code Qwen2Attention}: causal self-attention with grouped KV heads (Ainslie et al.
 * 2023) and rotary embedding. Children {@code q_proj}, {@code k_proj}, {@code v_proj} (with bias in
 * Qwen2) and {@code o_proj} (no bias); scale 1/sqrt(head_dim).
 *
 * <pre>
 *   q = rope(x Wq^T + bq) (B, Hq, T, D),  k = rope(x Wk^T + bk), v = x Wv^T + bv  (B, Hkv, T, D)
 *   y = o_proj(attention(q, k, v) transposed to (B, T, Hq * D))
 * </pre>
 */
public final class GroupedQueryAttention extends Module {
  private final Linear q, k, v, o;
  private final int heads, kvHeads, headDim;

  public GroupedQueryAttention(int hidden, int heads, int kvHeads, int headDim, boolean qkvBias, DType dtype, Device device) {
    if (heads % kvHeads != 0) throw new IllegalArgumentException("attention heads " + heads + " not a multiple of KV heads " + kvHeads);
    this.heads = heads;
    this.kvHeads = kvHeads;
    this.headDim = headDim;
    q = registerModule("q_proj", new Linear(hidden, heads * headDim, qkvBias, dtype, device));
    k = registerModule("k_proj", new Linear(hidden, kvHeads * headDim, qkvBias, dtype, device));
    v = registerModule("v_proj", new Linear(hidden, kvHeads * headDim, qkvBias, dtype, device));
    o = registerModule("o_proj", new Linear(heads * headDim, hidden, false, dtype, device));
  }

  public Linear qProj() { return q; }
  public Linear kProj() { return k; }
  public Linear vProj() { return v; }
  public Linear oProj() { return o; }
  public int heads() { return heads; }
  public int kvHeads() { return kvHeads; }
  public int headDim() { return headDim; }

  /** Training / full-sequence forward: x (B, T, C), positions 0 .. T-1 (cos, sin (T, D)). */
  public Var forward(Var x, Tensor cos, Tensor sin) {
    return forward(x, cos, sin, null, 0);
  }

  /**
   * With a KV cache (inference): the T new tokens of row b sit at positions cache.lengths()[b] ..;
   * cos/sin are the tables of those positions ((T, D), or (B, 1, T, D) when rows differ, see
   * {@link RotaryEmbedding#tables(int[], int, DType, Device)}). The caller advances the cache after
   * the last layer.
   */
  public Var forward(Var x, Tensor cos, Tensor sin, KvCache cache, int layer) {
    int b = x.size(0), t = x.size(1);
    Var qh = q.forward(x).view(b, t, heads, headDim).transpose(1, 2).rope(cos, sin);   // (B, Hq, T, D)
    Var kh = k.forward(x).view(b, t, kvHeads, headDim).transpose(1, 2).rope(cos, sin); // (B, Hkv, T, D)
    Var vh = v.forward(x).view(b, t, kvHeads, headDim).transpose(1, 2);                // (B, Hkv, T, D)
    double scale = 1 / Math.sqrt(headDim);
    Var a = cache == null ? Var.attention(qh, kh, vh, scale, true, 0) : cache.attend(layer, qh, kh, vh, scale);
    return o.forward(a.transpose(1, 2).reshape(b, t, heads * headDim));
  }
}
