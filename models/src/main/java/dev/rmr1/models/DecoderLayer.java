package dev.rmr1.models;

import dev.rmr1.autograd.Var;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.nn.Attention;
import dev.rmr1.nn.AttentionCore;
import dev.rmr1.nn.Module;
import dev.rmr1.nn.RMSNorm;
import dev.rmr1.nn.SwiGluMlp;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;

/**
 * One pre-norm decoder layer ({@code Qwen2DecoderLayer}; Llama and Qwen3 are the same):
 * h = x + self_attn(input_layernorm(x)), out = h + mlp(post_attention_layernorm(h)). Children in
 * transformers' order: {@code self_attn}, {@code mlp}, {@code input_layernorm},
 * {@code post_attention_layernorm}.
 */
final class DecoderLayer extends Module {
  private final Attention attention;
  private final SwiGluMlp mlp;
  private final RMSNorm inputNorm, postNorm;

  DecoderLayer(ModelConfig c, DType dtype, Device device, ParameterFill fill, String prefix) {
    attention = registerModule("self_attn", fill.fill(prefix + "self_attn.", new Attention(c.hiddenSize(), c.numAttentionHeads(),
        c.numKeyValueHeads(), c.headDim(), c.qkvBias(), c.outputBias(), c.qkNorm(), c.rmsNormEps(), dtype, device)));
    mlp = registerModule("mlp", fill.fill(prefix + "mlp.", new SwiGluMlp(c.hiddenSize(), c.intermediateSize(), dtype, device)));
    inputNorm = registerModule("input_layernorm", fill.fill(prefix + "input_layernorm.", new RMSNorm(c.hiddenSize(), c.rmsNormEps(), dtype, device)));
    postNorm = registerModule("post_attention_layernorm",
        fill.fill(prefix + "post_attention_layernorm.", new RMSNorm(c.hiddenSize(), c.rmsNormEps(), dtype, device)));
  }

  /** x (B, T, C) -> (B, T, C). */
  Var forward(Var x, Tensor cos, Tensor sin, AttentionCore core, int layer) {
    Var h = x.add(attention.forward(inputNorm.forward(x), cos, sin, core, layer));
    return h.add(mlp.forward(postNorm.forward(h)));
  }
}
