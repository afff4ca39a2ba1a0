package dev.rmr1.nn;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;

/**
 * The cos/sin tables of rotary position embedding (Su et al. 2021) in Hugging Face's rotate-half
 * layout ({@code Qwen2RotaryEmbedding}, rope_type "default"): for position p and i < D/2,
 * angle = p * theta^(-2i/D), and both halves of a row hold the same angles:
 * cos[p] = cat(cos(angles), cos(angles)).
 *
 * <p>Hugging Face computes the inverse frequencies, the angles and their cosines in F32 whatever the
 * model's dtype (the buffer is F32 and {@code forward} casts to float before the product), and
 * only then casts to the model dtype; this class does the same so that long positions round alike.
 */
public final class RotaryEmbedding {
  private final int headDim;
  private final float[] invFreq;

  public RotaryEmbedding(int headDim, double theta) {
    if (headDim <= 0 || headDim % 2 != 0) throw new IllegalArgumentException("rotary head dim must be even and positive, got " + headDim);
    this.headDim = headDim;
    invFreq = new float[headDim / 2];
    float base = (float) theta;
    for (int i = 0; i < invFreq.length; i++) {
      float exponent = (float) (2 * i) / (float) headDim;
      invFreq[i] = 1.0f / (float) Math.pow(base, exponent);
    }
  }

  public int headDim() {
    return headDim;
  }

  /** {cos, sin}, each (length, D), for positions start .. start + length - 1. */
  public Tensor[] tables(int start, int length, DType dtype, Device device) {
    double[] c = new double[length * headDim], s = new double[length * headDim];
    fill(c, s, 0, start, length);
    return new Tensor[] {Tensor.of(device, dtype, c, length, headDim), Tensor.of(device, dtype, s, length, headDim)};
  }

  /**
   * Tables for a batch whose row b starts at position starts[b] (a KV-cache step with rows of
   * different lengths): (length, D) when all starts are equal, otherwise (B, 1, length, D), which
   * broadcasts against (B, H, length, D).
   */
  public Tensor[] tables(int[] starts, int length, DType dtype, Device device) {
    boolean uniform = true;
    for (int st : starts) uniform &= st == starts[0];
    if (uniform) return tables(starts.length == 0 ? 0 : starts[0], length, dtype, device);
    int rows = starts.length, n = length * headDim;
    double[] c = new double[rows * n], s = new double[rows * n];
    for (int b = 0; b < rows; b++) fill(c, s, b * n, starts[b], length);
    return new Tensor[] {Tensor.of(device, dtype, c, rows, 1, length, headDim), Tensor.of(device, dtype, s, rows, 1, length, headDim)};
  }

  private void fill(double[] c, double[] s, int at, int start, int length) {
    int half = headDim / 2;
    for (int p = 0; p < length; p++)
      for (int i = 0; i < half; i++) {
        float angle = (float) (start + p) * invFreq[i];
        double cos = (float) Math.cos(angle), sin = (float) Math.sin(angle);
        int o = at + p * headDim + i;
        c[o] = c[o + half] = cos;
        s[o] = s[o + half] = sin;
      }
  }
}
