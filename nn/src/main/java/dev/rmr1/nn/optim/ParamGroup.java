package dev.rmr1.nn.optim;

import java.util.List;

/**
 * Parameters that share a learning rate and a weight decay, like a PyTorch {@code param_group}. The
 * learning rate is the base value: each step applies {@code lr * schedule.factor(step)}, as
 * {@code torch.optim.lr_scheduler.LambdaLR} multiplies a group's {@code initial_lr}.
 */
public final class ParamGroup {
  private final String name;
  private final List<OptimParam> params;
  private final double lr;
  private final double weightDecay;

  /**
   * @param name a label for logs and checkpoints (e.g. {@code decay}, {@code no_decay})
   * @param lr base learning rate, finite and non-negative
   * @param weightDecay finite and non-negative; decoupled for AdamW, added to the gradient for SGD
   */
  public ParamGroup(String name, List<? extends OptimParam> params, double lr, double weightDecay) {
    if (name == null || name.isEmpty()) throw new IllegalArgumentException("a parameter group needs a non-empty name");
    if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("parameter group '" + name + "': invalid learning rate " + lr);
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay))
      throw new IllegalArgumentException("parameter group '" + name + "': invalid weight decay " + weightDecay);
    this.name = name;
    this.params = List.copyOf(params);
    this.lr = lr;
    this.weightDecay = weightDecay;
  }

  public String name() {
    return name;
  }

  public List<OptimParam> params() {
    return params;
  }

  public double lr() {
    return lr;
  }

  public double weightDecay() {
    return weightDecay;
  }

  @Override
  public String toString() {
    return "ParamGroup[" + name + ", " + params.size() + " params, lr=" + lr + ", weightDecay=" + weightDecay + "]";
  }
}
