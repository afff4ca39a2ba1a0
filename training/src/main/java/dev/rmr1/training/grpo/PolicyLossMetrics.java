package dev.rmr1.training.grpo;

/**
 * Accumulates {@link GrpoLoss.Result}s over a rollout batch's updates into the actor metrics of spec 11:
 * {@code actor/pg_loss}, {@code actor/kl_loss}, {@code actor/entropy} and the total loss as the mean over optimizer
 * updates of each update's value (the sum of its micro-batches' contributions), {@code actor/pg_clipfrac} and
 * {@code actor/ppo_kl} as masked means over all response tokens seen.
 */
public final class PolicyLossMetrics {
  private double loss, pgLoss, klLoss, entropy;
  private double clipped, ppoKl, tokens;
  private int updates;
  private boolean open;

  /** Adds one micro-batch of the current update. */
  public void add(GrpoLoss.Result r, double lossValue) {
    open = true;
    loss += lossValue;
    pgLoss += r.pgLoss();
    klLoss += r.klLoss();
    entropy += r.entropy();
    clipped += r.clippedTokens();
    ppoKl += r.ppoKlSum();
    tokens += r.tokens();
  }

  /** Closes the current update (one optimizer step). */
  public void endUpdate() {
    if (open) updates++;
    open = false;
  }

  public int updates() {
    return updates;
  }

  public double loss() {
    return perUpdate(loss);
  }

  public double pgLoss() {
    return perUpdate(pgLoss);
  }

  /** NaN when no reference was used. */
  public double klLoss() {
    return perUpdate(klLoss);
  }

  /** NaN when the entropy was not computed. */
  public double entropy() {
    return perUpdate(entropy);
  }

  public double pgClipfrac() {
    return tokens == 0 ? Double.NaN : clipped / tokens;
  }

  public double ppoKl() {
    return tokens == 0 ? Double.NaN : ppoKl / tokens;
  }

  private double perUpdate(double sum) {
    return updates == 0 ? Double.NaN : sum / updates;
  }
}
