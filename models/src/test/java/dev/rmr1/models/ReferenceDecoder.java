package dev.rmr1.models;

import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.models.config.RotaryFrequencies;

/**
 * A plain double-precision transcription of transformers' modeling_qwen2.py / modeling_llama.py /
 * modeling_qwen3.py forward (eager attention), reading the parameters of a {@link CausalLM} by
 * their Hugging Face names. Loops over arrays only: no tensor library code is shared with the model.
 */
final class ReferenceDecoder {
  private final CausalLM m;
  private final ModelConfig c;

  ReferenceDecoder(CausalLM m) {
    this.m = m;
    this.c = m.config();
  }

  private double[] p(String name) {
    return m.parameter(name).value().toDoubleArray();
  }

  private boolean has(String name) {
    return m.namedParameters().containsKey(name);
  }

  /** x (T, in) W^T + b with W (out, in) row-major. */
  private static double[][] linear(double[][] x, double[] w, double[] b, int out) {
    int in = x[0].length;
    double[][] y = new double[x.length][out];
    for (int t = 0; t < x.length; t++)
      for (int o = 0; o < out; o++) {
        double s = b == null ? 0 : b[o];
        for (int i = 0; i < in; i++) s += x[t][i] * w[o * in + i];
        y[t][o] = s;
      }
    return y;
  }

  private double[][] linear(double[][] x, String prefix, int out) {
    return linear(x, p(prefix + ".weight"), has(prefix + ".bias") ? p(prefix + ".bias") : null, out);
  }

  /** RMSNorm of each group of {@code width} consecutive values. */
  private double[][] rms(double[][] x, double[] w, int width) {
    double[][] y = new double[x.length][x[0].length];
    for (int t = 0; t < x.length; t++)
      for (int g = 0; g < x[t].length; g += width) {
        double ss = 0;
        for (int i = 0; i < width; i++) ss += x[t][g + i] * x[t][g + i];
        double inv = 1 / Math.sqrt(ss / width + c.rmsNormEps());
        for (int i = 0; i < width; i++) y[t][g + i] = x[t][g + i] * inv * w[i];
      }
    return y;
  }

  /** Rotate-half rotary embedding of every head of x (T, heads * D), positions 0..T-1. */
  private double[][] rope(double[][] x, int heads) {
    int d = c.headDim(), half = d / 2;
    double[] inv = RotaryFrequencies.inverse(c);
    double[][] y = new double[x.length][x[0].length];
    for (int t = 0; t < x.length; t++)
      for (int h = 0; h < heads; h++)
        for (int i = 0; i < half; i++) {
          double a = t * inv[i], cos = Math.cos(a), sin = Math.sin(a);
          double x1 = x[t][h * d + i], x2 = x[t][h * d + half + i];
          y[t][h * d + i] = x1 * cos - x2 * sin;
          y[t][h * d + half + i] = x2 * cos + x1 * sin;
        }
    return y;
  }

  /** Logits (T, V) of ids. */
  double[][] logits(int[] ids) {
    int tn = ids.length, hidden = c.hiddenSize(), heads = c.numAttentionHeads(), kv = c.numKeyValueHeads(), d = c.headDim();
    double[] emb = p("model.embed_tokens.weight");
    double[][] x = new double[tn][hidden];
    for (int t = 0; t < tn; t++) System.arraycopy(emb, ids[t] * hidden, x[t], 0, hidden);
    for (int l = 0; l < c.numHiddenLayers(); l++) {
      String pre = "model.layers." + l + ".";
      double[][] h = rms(x, p(pre + "input_layernorm.weight"), hidden);
      double[][] q = linear(h, pre + "self_attn.q_proj", heads * d);
      double[][] k = linear(h, pre + "self_attn.k_proj", kv * d);
      double[][] v = linear(h, pre + "self_attn.v_proj", kv * d);
      if (c.qkNorm()) {
        q = rms(q, p(pre + "self_attn.q_norm.weight"), d);
        k = rms(k, p(pre + "self_attn.k_norm.weight"), d);
      }
      q = rope(q, heads);
      k = rope(k, kv);
      double[][] a = new double[tn][heads * d];
      for (int hh = 0; hh < heads; hh++) {
        int g = hh / (heads / kv);
        for (int t = 0; t < tn; t++) {
          double[] s = new double[t + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= t; j++) {
            double dot = 0;
            for (int i = 0; i < d; i++) dot += q[t][hh * d + i] * k[j][g * d + i];
            s[j] = dot / Math.sqrt(d);
            max = Math.max(max, s[j]);
          }
          double sum = 0;
          for (int j = 0; j <= t; j++) sum += s[j] = Math.exp(s[j] - max);
          for (int j = 0; j <= t; j++)
            for (int i = 0; i < d; i++) a[t][hh * d + i] += s[j] / sum * v[j][g * d + i];
        }
      }
      double[][] o = linear(a, pre + "self_attn.o_proj", hidden);
      for (int t = 0; t < tn; t++) for (int i = 0; i < hidden; i++) x[t][i] += o[t][i];
      double[][] h2 = rms(x, p(pre + "post_attention_layernorm.weight"), hidden);
      double[][] gate = linear(h2, pre + "mlp.gate_proj", c.intermediateSize());
      double[][] up = linear(h2, pre + "mlp.up_proj", c.intermediateSize());
      for (int t = 0; t < tn; t++)
        for (int i = 0; i < gate[t].length; i++) gate[t][i] = gate[t][i] / (1 + Math.exp(-gate[t][i])) * up[t][i];
      double[][] down = linear(gate, pre + "mlp.down_proj", hidden);
      for (int t = 0; t < tn; t++) for (int i = 0; i < hidden; i++) x[t][i] += down[t][i];
    }
    x = rms(x, p("model.norm.weight"), hidden);
    return linear(x, c.tieWordEmbeddings() ? emb : p("lm_head.weight"), null, c.vocabSize());
  }
}
