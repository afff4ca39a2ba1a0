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
    this(heads, kvHeads, headDim, new Linear(hidden, heads * headDim, qkvBias, dtype, device),
        new Linear(hidden, kvHeads * headDim, qkvBias, dtype, device), new Linear(hidden, kvHeads * headDim, qkvBias, dtype, device),
        new Linear(heads * headDim, hidden, outputBias, dtype, device), qkNorm ? new RMSNorm(headDim, normEps, dtype, device) : null,
        qkNorm ? new RMSNorm(headDim, normEps, dtype, device) : null);
  }

  /**
   * Over existing projections (a checkpoint's, say): q (C -> Hq * D), k and v (C -> Hkv * D), o
   * (Hq * D -> C); qNorm and kNorm over D, both or neither.
   */
  public Attention(int heads, int kvHeads, int headDim, Linear q, Linear k, Linear v, Linear o, RMSNorm qNorm, RMSNorm kNorm) {
    if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0)
      throw new IllegalArgumentException("attention heads " + heads + " must be a positive multiple of KV heads " + kvHeads);
    int hidden = q.inFeatures();
    check("q_proj", q, hidden, heads * headDim);
    check("k_proj", k, hidden, kvHeads * headDim);
    check("v_proj", v, hidden, kvHeads * headDim);
    check("o_proj", o, heads * headDim, hidden);
    if ((qNorm == null) != (kNorm == null)) throw new IllegalArgumentException("attention needs both q_norm and k_norm or neither");
    if (qNorm != null && (qNorm.weight().shape()[0] != headDim || kNorm.weight().shape()[0] != headDim))
      throw new IllegalArgumentException("q_norm/k_norm must be over head_dim " + headDim + ", got " + qNorm.weight().shape()[0] + " and "
          + kNorm.weight().shape()[0]);
    this.heads = heads;
    this.kvHeads = kvHeads;
    this.headDim = headDim;
    scale = 1 / Math.sqrt(headDim);
    this.q = registerModule("q_proj", q);
    this.k = registerModule("k_proj", k);
    this.v = registerModule("v_proj", v);
    this.o = registerModule("o_proj", o);
    this.qNorm = qNorm == null ? null : registerModule("q_norm", qNorm);
    this.kNorm = kNorm == null ? null : registerModule("k_norm", kNorm);
  }

  private static void check(String name, Linear l, int in, int out) {
    if (l.inFeatures() != in || l.outFeatures() != out)
      throw new IllegalArgumentException("attention " + name + " must map " + in + " -> " + out + ", got " + l.inFeatures() + " -> "
          + l.outFeatures());
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
