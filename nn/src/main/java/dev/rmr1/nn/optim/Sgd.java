package dev.rmr1.nn.optim;

import dev.rmr1.tensor.Tensor;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum, as {@code torch.optim.SGD} (maximize off). Per
 * parameter, with learning rate lr and group weight decay wd (coupled: added to the gradient):
 *
 * <pre>
 * d = g + wd * p
 * b = d                                     (first update of this parameter)
 * b = momentum * b + (1 - dampening) * d    (later updates)
 * d = nesterov ? d + momentum * b : b       (when momentum != 0)
 * p = p - lr * d
 * </pre>
 */
public final class Sgd extends Optimizer {
  private final double momentum, dampening;
  private final boolean nesterov;
  /** Momentum buffers (null when momentum is 0); PyTorch creates them at a parameter's first update. */
  private final Tensor[] buffers;
  private final boolean[] started;

  /** Plain SGD: no momentum. */
  public Sgd(List<ParamGroup> groups) {
    this(groups, 0, 0, false);
  }

  public Sgd(List<ParamGroup> groups, double momentum, double dampening, boolean nesterov) {
    super("SGD", groups);
    if (!(momentum >= 0) || Double.isInfinite(momentum)) throw new IllegalArgumentException("SGD: invalid momentum " + momentum);
    if (Double.isNaN(dampening) || Double.isInfinite(dampening)) throw new IllegalArgumentException("SGD: invalid dampening " + dampening);
    if (nesterov && (momentum <= 0 || dampening != 0))
      throw new IllegalArgumentException("SGD: Nesterov momentum requires a momentum and zero dampening (momentum " + momentum + ", dampening " + dampening + ")");
    this.momentum = momentum;
    this.dampening = dampening;
    this.nesterov = nesterov;
    int n = params().size();
    buffers = new Tensor[n];
    started = new boolean[n];
    if (momentum != 0) {
      // Allocated now, outside any step scope, so they live as long as the optimizer.
      try {
        for (int i = 0; i < n; i++) {
          Tensor p = params().get(i).value();
          buffers[i] = Tensor.zeros(p.device(), p.dtype(), p.shape());
        }
      } catch (RuntimeException | Error e) {
        closeState();
        throw e;
      }
    }
  }

  @Override
  void update(int i, Tensor p, Tensor g, double lr, double weightDecay) {
    // grad = grad.add(param, alpha=weight_decay)
    Tensor d = weightDecay != 0 ? g.add(p.mul(weightDecay)) : g;
    if (momentum != 0) {
      Tensor buf = buffers[i];
      checkStateAlive(buf, i);
      if (!started[i]) {
        buf.copyFrom(d);
        started[i] = true;
      } else {
        // buf.mul_(momentum).add_(grad, alpha=1 - dampening)
        buf.mulInPlace(momentum).addInPlace(d.mul(1 - dampening));
      }
      d = nesterov ? d.add(buf.mul(momentum)) : buf;
    }
    // param.add_(grad, alpha=-lr)
    p.addInPlace(d.mul(-lr));
  }

  @Override
  Map<String, String> hyperparameters() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("momentum", Double.toString(momentum));
    h.put("dampening", Double.toString(dampening));
    h.put("nesterov", Boolean.toString(nesterov));
    return h;
  }

  @Override
  List<String> stateFields() {
    return List.of("momentum_buffer");
  }

  /** Only started buffers are stored, as PyTorch's state has no momentum_buffer before the first update. */
  @Override
  void saveParamState(StateWriter w) throws IOException {
    for (int i = 0; i < buffers.length; i++)
      if (started[i]) w.putTensor(key(params().get(i), "momentum_buffer"), buffers[i]);
  }

  @Override
  void checkParamState(StateReader r) {
    for (int i = 0; i < buffers.length; i++) {
      String k = key(params().get(i), "momentum_buffer");
      if (r.tensorKeys().contains(k)) {
        if (buffers[i] == null) throw new IllegalArgumentException(r.source() + ": '" + k + "' is present but this SGD has no momentum");
        requireLike(r, k, buffers[i]);
      }
    }
  }

  @Override
  void loadParamState(StateReader r) {
    for (int i = 0; i < buffers.length; i++) {
      String k = key(params().get(i), "momentum_buffer");
      started[i] = r.tensorKeys().contains(k);
      if (started[i]) r.read(k, buffers[i]);
    }
  }

  @Override
  void closeState() {
    for (Tensor t : buffers) if (t != null) t.close();
  }
}
