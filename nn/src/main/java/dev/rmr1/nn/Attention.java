package dev.rmr1.nn;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;

/**
 * Self-attention of one decoder layer, as transformers' {@code Qwen2Attention},
 * {@code LlamaAttention} and {@code Qwen3Attention}: children {@code q_proj}, {@code k_proj},
 * {@code v_proj}, {@code o_proj} (biases as the model's config says: Qwen2 q/k/v only; Llama and
 * Qwen3 all four or none) and, for Qwen3, {@code q_norm}/{@code k_norm}, an RMSNorm over each head's
 * {@code head_dim} applied before rotary embedding. Grouped KV heads (Ainslie et al. 2023); scale
 * {@code head_dim^-0.5}. The rotary tables come from {@link RotaryTables}; what the queries attend
 * to is the {@link AttentionCore}'s choice (the whole causal sequence, or per-sequence caches).
 *
 * <pre>
 *   q = rope(norm_q(x Wq^T + bq))  (B, Hq, T, D)      k = rope(norm_k(x Wk^T + bk))  (B, Hkv, T, D)
 *   v = x Wv^T + bv                (B, Hkv, T, D)      y = o_proj(core(q, k, v) as (B, T, Hq * D))
 * </pre>
 */
public final class Attention extends Module {
  private final Linear q, k, v, o;
  private final RMSNorm qNorm, kNorm;
  private final int heads, kvHeads, headDim;
  private final double scale;

  /**
   * @param hidden model width C
   * @param qkvBias whether q/k/v_proj carry a bias ({@code attention_bias}; always for Qwen2)
   * @param outputBias whether o_proj carries a bias
   * @param qkNorm whether q_norm/k_norm exist (Qwen3), RMSNorms with epsilon {@code normEps}
   */
  public Attention(int hidden, int heads, int kvHeads, int headDim, boolean qkvBias, boolean outputBias, boolean qkNorm, double normEps,
      DType dtype, Device device) {
    if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0)
      throw new IllegalArgumentException("attention heads " + heads + " must be a positive multiple of KV heads " + kvHeads);
    this.heads = heads;
    this.kvHeads = kvHeads;
    this.headDim = headDim;
    scale = 1 / Math.sqrt(headDim);
    q = registerModule("q_proj", new Linear(hidden, heads * headDim, qkvBias, dtype, device));
    k = registerModule("k_proj", new Linear(hidden, kvHeads * headDim, qkvBias, dtype, device));
    v = registerModule("v_proj", new Linear(hidden, kvHeads * headDim, qkvBias, dtype, device));
    o = registerModule("o_proj", new Linear(heads * headDim, hidden, outputBias, dtype, device));
    if (qkNorm) {
      qNorm = registerModule("q_norm", new RMSNorm(headDim, normEps, dtype, device));
      kNorm = registerModule("k_norm", new RMSNorm(headDim, normEps, dtype, device));
    } else {
      qNorm = null;
      kNorm = null;
    }
  }

  /**
   * x (B, T, C) with rotary tables cos/sin broadcastable to (B, H, T, D) -> (B, T, C); {@code layer}
   * tells a cached core which layer's keys and values to use.
   */
  public Var forward(Var x, Tensor cos, Tensor sin, AttentionCore core, int layer) {
    int b = x.size(0), t = x.size(1);
    Var qh = q.forward(x).view(b, t, heads, headDim);   // (B, T, Hq, D)
    Var kh = k.forward(x).view(b, t, kvHeads, headDim); // (B, T, Hkv, D)
    Var vh = v.forward(x).view(b, t, kvHeads, headDim);
    if (qNorm != null) {
      qh = qNorm.forward(qh);
      kh = kNorm.forward(kh);
    }
    qh = qh.transpose(1, 2).rope(cos, sin); // (B, Hq, T, D)
    kh = kh.transpose(1, 2).rope(cos, sin); // (B, Hkv, T, D)
    vh = vh.transpose(1, 2);
    Var a = core.attend(layer, qh, kh, vh, scale); // (B, Hq, T, D)
    return o.forward(a.transpose(1, 2).reshape(b, t, heads * headDim));
  }
}
