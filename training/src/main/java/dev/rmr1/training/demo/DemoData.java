package dev.rmr1.training.demo;

import dev.rmr1.tensor.Rng;
import dev.rmr1.training.data.AlternatingRecordBuilder;
import dev.rmr1.training.data.JudgePromptBuilder;
import dev.rmr1.training.data.PreferencePair;
import dev.rmr1.training.data.PromptFormat;
import dev.rmr1.training.data.RlvrRecord;
import dev.rmr1.training.data.SftRecord;
import dev.rmr1.training.data.Slot;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The demo's data, all derived from one seed: disjoint SFT, GRPO and held-out pair sets, the SFT records (judge
 * prompt + teacher trace) and the RLVR records (judge prompt + winner), with RM-R1's strict A/B alternation of the
 * chosen answer (spec 4). Only the SFT records carry traces; GRPO learns from the winner alone, as RM-R1's RL stage.
 *
 * <p>Held-out pairs are pairs never trained on: a question (operands and operator) belongs to the held-out side
 * when a hash of it and the seed falls in the held-out fraction, so its facts are never seen in training.
 *
 * @param sftPairs the distillation pairs
 * @param grpoPairs the RL pairs (drawn after the SFT ones from the same training questions)
 * @param heldOut the evaluation pairs (questions disjoint from both training sets)
 */
public record DemoData(List<ArithmeticPairs.Pair> sftPairs, List<ArithmeticPairs.Pair> grpoPairs, List<ArithmeticPairs.Pair> heldOut) {

  /** {@link #generate(long, int, int, int, int, String, double)} with additions and subtractions. */
  public static DemoData generate(long seed, int sft, int grpo, int heldOut, int maxOperand, double heldOutFraction) {
    return generate(seed, sft, grpo, heldOut, maxOperand, "+-", heldOutFraction);
  }

  /**
   * Draws the three sets.
   *
   * @param operators the operators questions use ("+", "-" or "+-")
   * @param heldOutFraction the fraction of questions kept for evaluation, in (0, 1)
   */
  public static DemoData generate(long seed, int sft, int grpo, int heldOut, int maxOperand, String operators, double heldOutFraction) {
    if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
      throw new IllegalArgumentException("heldOutFraction must be in (0, 1), got " + heldOutFraction);
    }
    List<ArithmeticPairs.Pair> train = new ArrayList<>(sft + grpo);
    List<ArithmeticPairs.Pair> test = new ArrayList<>(heldOut);
    Set<String> seen = new HashSet<>();
    long batch = 0;
    int rounds = 0;
    while (train.size() < sft + grpo || test.size() < heldOut) {
      if (++rounds > 1000) {
        throw new IllegalArgumentException("cannot draw " + (sft + grpo) + " training and " + heldOut
            + " distinct held-out pairs with operands up to " + maxOperand + " (too few distinct questions)");
      }
      for (ArithmeticPairs.Pair p : ArithmeticPairs.generate(seed * 1_000_003L + batch++, 256, maxOperand, operators)) {
        boolean test_ = isHeldOut(seed, p, heldOutFraction);
        // evaluation pairs are distinct from each other; training pairs may repeat (they are samples of a task)
        if (test_ && test.size() < heldOut && seen.add(p.question() + "|" + p.rejected())) test.add(p);
        if (!test_ && train.size() < sft + grpo) train.add(p);
      }
    }
    return new DemoData(List.copyOf(train.subList(0, sft)), List.copyOf(train.subList(sft, sft + grpo)), List.copyOf(test));
  }

  /** Whether {@code p}'s question is on the held-out side for this seed. */
  public static boolean isHeldOut(long seed, ArithmeticPairs.Pair p, double heldOutFraction) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      byte[] h = d.digest((seed + "\u0000" + p.a() + p.op() + p.b()).getBytes(StandardCharsets.UTF_8));
      long x = ((h[0] & 0xFFL) << 16) | ((h[1] & 0xFFL) << 8) | (h[2] & 0xFFL);
      return x < heldOutFraction * (1 << 24);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SFT records whose traces all check answers the teacher's usual way, {@link TeacherTraces.Check#COMPARE}. */
  public List<SftRecord> sftRecords() {
    return sftRecords(0, 1.0);
  }

  /**
   * SFT records: the compact judge prompt with the chosen answer alternating A/B, and the teacher trace as reply, each
   * trace checking the answers by {@link TeacherTraces.Check#COMPARE} with probability {@code compareFraction}, else
   * by {@link TeacherTraces.Check#LAST_DIGITS} (drawn from {@code seed}).
   */
  public List<SftRecord> sftRecords(long seed, double compareFraction) {
    if (!(compareFraction >= 0 && compareFraction <= 1)) throw new IllegalArgumentException("compareFraction must be in [0, 1], got " + compareFraction);
    Rng rng = new Rng(seed ^ 0x7EAC4E45L);
    List<RlvrRecord> judged = rlvr(sftPairs);
    List<SftRecord> out = new ArrayList<>(judged.size());
    for (int i = 0; i < judged.size(); i++) {
      RlvrRecord r = judged.get(i);
      TeacherTraces.Check check = rng.nextDouble() < compareFraction ? TeacherTraces.Check.COMPARE : TeacherTraces.Check.LAST_DIGITS;
      out.add(new SftRecord(r.contextMessages(), TeacherTraces.trace(sftPairs.get(i), r.winner() == Slot.A, check)));
    }
    return out;
  }

  /** RLVR records of the GRPO pairs. */
  public List<RlvrRecord> rlvrRecords() {
    return rlvr(grpoPairs);
  }

  /** The held-out set as a benchmark for the evaluation harness. */
  public ArithmeticBenchmark heldOutBenchmark() {
    return new ArithmeticBenchmark(heldOut);
  }

  private static List<RlvrRecord> rlvr(List<ArithmeticPairs.Pair> pairs) {
    AlternatingRecordBuilder b = new AlternatingRecordBuilder(new JudgePromptBuilder(DemoPrompts.prompts(), PromptFormat.INSTRUCT));
    List<RlvrRecord> out = new ArrayList<>(pairs.size());
    for (ArithmeticPairs.Pair p : pairs) out.add(b.next(PreferencePair.singleTurn(p.question(), p.chosen(), p.rejected())));
    return out;
  }
}
