package dev.rmr1.models;

import dev.rmr1.autograd.Var;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.nn.Linear;
import dev.rmr1.nn.Module;
import dev.rmr1.nn.RMSNorm;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;

/**
 * Self-attention of one decoder layer, as transformers' {@code Qwen2Attention},
 * {@code LlamaAttention} and {@code Qwen3Attention}: children {@code q_proj}, {@code k_proj},
 * {@code v_proj}, {@code o_proj} (biases as the config says: Qwen2 q/k/v only; Llama and Qwen3 all
 * four or none) and, for Qwen3, {@code q_norm}/{@code k_norm}, an RMSNorm over each head's
 * {@code head_dim} applied before rotary embedding. Grouped KV heads; scale {@code head_dim^-0.5}.
 *
 * <pre>
 *   q = rope(norm_q(x Wq^T + bq))  (B, Hq, T, D)      k = rope(norm_k(x Wk^T + bk))  (B, Hkv, T, D)
 *   v = x Wv^T + bv                (B, Hkv, T, D)      y = o_proj(core(q, k, v) as (B, T, Hq * D))
 * </pre>
 */
final class Attention extends Module {
  private final Linear q, k, v, o;
  private final RMSNorm qNorm, kNorm;
  private final int heads, kvHeads, headDim;
  private final double scale;

  Attention(ModelConfig c, DType dtype, Device device) {
    heads = c.numAttentionHeads();
    kvHeads = c.numKeyValueHeads();
    headDim = c.headDim();
    scale = 1 / Math.sqrt(headDim);
    q = registerModule("q_proj", new Linear(c.hiddenSize(), c.queryDim(), c.qkvBias(), dtype, device));
    k = registerModule("k_proj", new Linear(c.hiddenSize(), c.keyValueDim(), c.qkvBias(), dtype, device));
    v = registerModule("v_proj", new Linear(c.hiddenSize(), c.keyValueDim(), c.qkvBias(), dtype, device));
    o = registerModule("o_proj", new Linear(c.queryDim(), c.hiddenSize(), c.outputBias(), dtype, device));
    if (c.qkNorm()) {
      qNorm = registerModule("q_norm", new RMSNorm(headDim, c.rmsNormEps(), dtype, device));
      kNorm = registerModule("k_norm", new RMSNorm(headDim, c.rmsNormEps(), dtype, device));
    } else {
      qNorm = null;
      kNorm = null;
    }
  }

  /** x (B, T, C) with rotary tables cos/sin broadcastable to (B, H, T, D) -> (B, T, C). */
  Var forward(Var x, Tensor cos, Tensor sin, AttentionCore core, int layer) {
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
