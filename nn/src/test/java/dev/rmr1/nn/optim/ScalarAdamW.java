package dev.rmr1.nn.optim;

/**
 * AdamW for one parameter in plain double arithmetic, written from the textbook form of PyTorch's
 * documented algorithm (bias-corrected moments, eps outside the square root, decay before the
 * update) rather than from the implementation under test.
 */
final class ScalarAdamW {
  final double[] p, m, v;
  final double beta1, beta2, eps;
  long t;

  ScalarAdamW(double[] p, double beta1, double beta2, double eps) {
    this.p = p.clone();
    this.m = new double[p.length];
    this.v = new double[p.length];
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
  }

  void step(double[] g, double lr, double weightDecay) {
    t++;
    for (int i = 0; i < p.length; i++) {
      p[i] -= lr * weightDecay * p[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      double mHat = m[i] / (1 - Math.pow(beta1, t));
      double vHat = v[i] / (1 - Math.pow(beta2, t));
      p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
    }
  }
}
