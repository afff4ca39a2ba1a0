package dev.rmr1.nn.optim;

/** torch.optim.SGD for one parameter in plain double arithmetic (the documented algorithm). */
final class ScalarSgd {
  final double[] p;
  double[] buf;
  final double momentum, dampening;
  final boolean nesterov;

  ScalarSgd(double[] p, double momentum, double dampening, boolean nesterov) {
    this.p = p.clone();
    this.momentum = momentum;
    this.dampening = dampening;
    this.nesterov = nesterov;
  }

  void step(double[] g, double lr, double weightDecay) {
    double[] d = new double[p.length];
    for (int i = 0; i < p.length; i++) d[i] = g[i] + weightDecay * p[i];
    if (momentum != 0) {
      if (buf == null) {
        buf = d.clone();
      } else {
        for (int i = 0; i < p.length; i++) buf[i] = momentum * buf[i] + (1 - dampening) * d[i];
      }
      for (int i = 0; i < p.length; i++) d[i] = nesterov ? d[i] + momentum * buf[i] : buf[i];
    }
    for (int i = 0; i < p.length; i++) p[i] -= lr * d[i];
  }
}
