package dev.rmr1.training.data;

import java.util.Objects;

/**
 * Builds RLVR records from preference pairs with RM-R1's strict A/B alternation (spec 4, {@code mix_data.py}): a
 * counter {@code n} starts at 0 and increases by one per emitted record, across all sources fed to the same builder;
 * {@code n} even puts the chosen response in slot A ({@code winner=model_a}), {@code n} odd in slot B.
 *
 * <p>RM-R1 collected its sources in the order math, code, Skywork (so the counter runs through them in that order)
 * and then concatenated the results as [code, skywork, math]; reproduce that by feeding the sources in collection
 * order and concatenating afterwards.
 */
public final class AlternatingRecordBuilder {
  private final JudgePromptBuilder prompts;
  private long counter;

  public AlternatingRecordBuilder(JudgePromptBuilder prompts) {
    this(prompts, 0);
  }

  /** Continues an alternation that has already emitted {@code start} records. */
  public AlternatingRecordBuilder(JudgePromptBuilder prompts, long start) {
    this.prompts = Objects.requireNonNull(prompts, "prompts");
    if (start < 0) throw new IllegalArgumentException("start must be >= 0, got " + start);
    this.counter = start;
  }

  /** The number of records emitted so far (the next record's {@code n}). */
  public long count() {
    return counter;
  }

  /** The record for {@code pair} at the current counter value; advances the counter. */
  public RlvrRecord next(PreferencePair pair) {
    Slot chosenSlot = counter % 2 == 0 ? Slot.A : Slot.B;
    RlvrRecord r = new RlvrRecord(prompts.build(pair, chosenSlot), chosenSlot);
    counter++;
    return r;
  }
}
