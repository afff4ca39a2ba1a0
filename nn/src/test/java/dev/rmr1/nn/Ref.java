package dev.rmr1.nn;

/** Plain double-array reference computations (row-major) for the layer tests. */
final class Ref {
  private Ref() {}

  /** x (n, in) @ w^T (w: (out, in)) + b -> (n, out); b may be null. */
  static double[] linear(double[] x, int n, int in, double[] w, int out, double[] b) {
    double[] y = new double[n * out];
    for (int r = 0; r < n; r++)
      for (int o = 0; o < out; o++) {
        double acc = b == null ? 0 : b[o];
        for (int i = 0; i < in; i++) acc += x[r * in + i] * w[o * in + i];
        y[r * out + o] = acc;
      }
    return y;
  }

  static double[] rmsNorm(double[] x, int n, int c, double[] w, double eps) {
    double[] y = new double[n * c];
    for (int r = 0; r < n; r++) {
      double ss = 0;
      for (int j = 0; j < c; j++) ss += x[r * c + j] * x[r * c + j];
      double inv = 1 / Math.sqrt(ss / c + eps);
      for (int j = 0; j < c; j++) y[r * c + j] = x[r * c + j] * inv * w[j];
    }
    return y;
  }

  static double silu(double v) {
    return v / (1 + Math.exp(-v));
  }

  /** rotate-half rope of one (d) row at position p. */
  static void rope(double[] x, int at, int d, int p, double theta) {
    int h = d / 2;
    double[] r = new double[d];
    for (int j = 0; j < d; j++) {
      int i = j % h;
      double angle = p * Math.pow(theta, -2.0 * i / d);
      double rot = j < h ? -x[at + j + h] : x[at + j - h];
      r[j] = x[at + j] * Math.cos(angle) + rot * Math.sin(angle);
    }
    System.arraycopy(r, 0, x, at, d);
  }

  /**
   * Qwen2/Llama/Qwen3 attention on one sequence of positions 0.. (x (t, c)): returns (t, c) given the
   * projection weights; bo (o_proj bias) and the per-head q/k RMSNorm weights qn, kn may be null.
   */
  static double[] attention(double[] x, int t, int c, int heads, int kvHeads, int d, double[] wq, double[] bq, double[] wk, double[] bk,
      double[] wv, double[] bv, double[] wo, double[] bo, double[] qn, double[] kn, double eps, double theta) {
    double[] q = linear(x, t, c, wq, heads * d, bq), k = linear(x, t, c, wk, kvHeads * d, bk), v = linear(x, t, c, wv, kvHeads * d, bv);
    if (qn != null) {
      q = rmsNorm(q, t * heads, d, qn, eps);
      k = rmsNorm(k, t * kvHeads, d, kn, eps);
    }
    for (int p = 0; p < t; p++) {
      for (int h = 0; h < heads; h++) rope(q, p * heads * d + h * d, d, p, theta);
      for (int h = 0; h < kvHeads; h++) rope(k, p * kvHeads * d + h * d, d, p, theta);
    }
    double[] o = new double[t * heads * d];
    int group = heads / kvHeads;
    for (int h = 0; h < heads; h++) {
      int kh = h / group;
      for (int i = 0; i < t; i++) {
        double[] s = new double[i + 1];
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= i; j++) {
          double dot = 0;
          for (int e = 0; e < d; e++) dot += q[i * heads * d + h * d + e] * k[j * kvHeads * d + kh * d + e];
          s[j] = dot / Math.sqrt(d);
          m = Math.max(m, s[j]);
        }
        double z = 0;
        for (int j = 0; j <= i; j++) z += s[j] = Math.exp(s[j] - m);
        for (int e = 0; e < d; e++) {
          double acc = 0;
          for (int j = 0; j <= i; j++) acc += s[j] / z * v[j * kvHeads * d + kh * d + e];
          o[i * heads * d + h * d + e] = acc;
        }
      }
    }
    return linear(o, t, heads * d, wo, c, bo);
  }
}
