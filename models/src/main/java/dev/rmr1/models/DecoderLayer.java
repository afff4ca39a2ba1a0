package dev.rmr1.models;

import dev.rmr1.autograd.Var;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.nn.Attention;
import dev.rmr1.nn.AttentionCore;
import dev.rmr1.nn.Module;
import dev.rmr1.nn.RMSNorm;
import dev.rmr1.nn.SwiGluMlp;
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

  DecoderLayer(ModelConfig c, ParameterSource source, String prefix) {
    String a = prefix + "self_attn.", m = prefix + "mlp.";
    int hidden = c.hiddenSize();
    // arguments are evaluated in order, so parameters are made in transformers' module order
    attention = registerModule("self_attn", new Attention(c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(),
        source.linear(a + "q_proj.", hidden, c.queryDim(), c.qkvBias()), source.linear(a + "k_proj.", hidden, c.keyValueDim(), c.qkvBias()),
        source.linear(a + "v_proj.", hidden, c.keyValueDim(), c.qkvBias()), source.linear(a + "o_proj.", c.queryDim(), hidden, c.outputBias()),
        c.qkNorm() ? source.rmsNorm(a + "q_norm.", c.headDim(), c.rmsNormEps()) : null,
        c.qkNorm() ? source.rmsNorm(a + "k_norm.", c.headDim(), c.rmsNormEps()) : null));
    mlp = registerModule("mlp", new SwiGluMlp(source.linear(m + "gate_proj.", hidden, c.intermediateSize(), false),
        source.linear(m + "up_proj.", hidden, c.intermediateSize(), false), source.linear(m + "down_proj.", c.intermediateSize(), hidden, false)));
    inputNorm = registerModule("input_layernorm", source.rmsNorm(prefix + "input_layernorm.", hidden, c.rmsNormEps()));
    postNorm = registerModule("post_attention_layernorm", source.rmsNorm(prefix + "post_attention_layernorm.", hidden, c.rmsNormEps()));
  }

  /** x (B, T, C) -> (B, T, C). */
  Var forward(Var x, Tensor cos, Tensor sin, AttentionCore core, int layer) {
    Var h = x.add(attention.forward(inputNorm.forward(x), cos, sin, core, layer));
    return h.add(mlp.forward(postNorm.forward(h)));
  }
}
