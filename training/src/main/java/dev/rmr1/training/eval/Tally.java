package dev.rmr1.training.eval;

/** {@code correct} of {@code total} judged pairs. */
public record Tally(long correct, long total) {
  public Tally {
    if (total < 0 || correct < 0 || correct > total) {
      throw new IllegalArgumentException("invalid tally " + correct + "/" + total);
    }
  }

  public static final Tally EMPTY = new Tally(0, 0);

  public Tally add(int score) {
    if (score != 0 && score != 1) throw new IllegalArgumentException("score must be 0 or 1, got " + score);
    return new Tally(correct + score, total + 1);
  }

  public Tally plus(Tally o) {
    return new Tally(correct + o.correct, total + o.total);
  }

  /** correct / total; NaN-free: throws for an empty tally. */
  public double accuracy() {
    if (total == 0) throw new IllegalStateException("accuracy of an empty tally");
    return (double) correct / total;
  }
}
