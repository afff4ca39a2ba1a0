package dev.rmr1.nn;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import java.util.function.UnaryOperator;

/**
 * The cos/sin tables of rotary position embedding in Hugging Face's rotate-half layout, for any
 * list of positions (a training batch uses 0 .. T-1; a generation step uses each sequence's own
 * next positions). The inverse frequencies are {@code theta^(-2i/d)} (RoFormer, Su et al. 2021)
 * rescaled by a given function (a model's {@code rope_scaling}: none, or Llama 3.1's), but rounded the
 * way transformers rounds them.
 *
 * <p>Rounding follows transformers: {@code inv_freq} is a float32 buffer ({@code 1 / base **
 * (arange(0, d, 2) / d)} in float32, then the rope_type's rescaling), and {@code
 * Qwen2RotaryEmbedding.forward} multiplies it by the positions and takes cos/sin in float32 even
 * for a float64 model, casting to the model dtype only at the end. So even the F64 path uses
 * float32-rounded angles and tables, as the Hugging Face reference does.
 */
public final class RotaryTables {
  private final int headDim;
  private final float[] invFreq;

  /**
   * @param headDim D, even
   * @param theta the rotary base ({@code rope_theta})
   * @param scaling rescales the (D/2) unscaled inverse frequencies, returning new values (identity
   *     for rope_type "default")
   */
  public RotaryTables(int headDim, double theta, UnaryOperator<double[]> scaling) {
    if (headDim <= 0 || headDim % 2 != 0) throw new IllegalArgumentException("rotary head dim must be even and positive, got " + headDim);
    this.headDim = headDim;
    int half = headDim / 2;
    double[] base = new double[half];
    float th = (float) theta;
    for (int i = 0; i < half; i++) {
      float exponent = (float) (2 * i) / (float) headDim;
      base[i] = 1.0f / (float) Math.pow(th, exponent);
    }
    double[] scaled = scaling.apply(base);
    if (scaled.length != half) throw new IllegalArgumentException("rope scaling returned " + scaled.length + " frequencies, expected " + half);
    invFreq = new float[half];
    for (int i = 0; i < half; i++) invFreq[i] = (float) scaled[i];
  }

  /** {cos, sin}, each (positions.length, headDim), in {@code dtype} on {@code device}. */
  public Tensor[] tables(int[] positions, DType dtype, Device device) {
    int n = positions.length, half = headDim / 2;
    double[] c = new double[n * headDim], s = new double[n * headDim];
    for (int p = 0; p < n; p++) {
      float pos = positions[p];
      for (int i = 0; i < half; i++) {
        float angle = pos * invFreq[i];
        double cos = (float) Math.cos(angle), sin = (float) Math.sin(angle);
        int o = p * headDim + i;
        c[o] = c[o + half] = cos;
        s[o] = s[o + half] = sin;
      }
    }
    return new Tensor[] {Tensor.of(device, dtype, c, n, headDim), Tensor.of(device, dtype, s, n, headDim)};
  }

  /** Tables for positions 0 .. length-1. */
  public Tensor[] tables(int length, DType dtype, Device device) {
    int[] positions = new int[length];
    for (int i = 0; i < length; i++) positions[i] = i;
    return tables(positions, dtype, device);
  }
}
