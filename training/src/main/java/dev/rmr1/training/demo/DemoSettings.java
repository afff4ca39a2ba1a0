package dev.rmr1.training.demo;

/**
 * Everything the demo's run depends on besides the seed's randomness. The defaults are sized so that the whole run
 * takes a few minutes on two CPU cores: additions of two numbers up to 99 (about 50 prompt and 65 trace tokens), a
 * model of about 0.12M parameters, SFT long enough to learn the format, the column facts and both checks of
 * {@link TeacherTraces}, and GRPO long enough for its reward to tell which check the model carries out reliably.
 *
 * @param maxOperand operands are drawn from [0, maxOperand]
 * @param operators the operators of the questions ("+", "-" or "+-")
 * @param heldOutFraction fraction of questions that only the held-out set uses
 * @param compareFraction fraction of teacher traces that check by comparing whole numbers (the rest subtract last
 *     digits); above one half, so that the SFT model's greedy choice is the teacher's majority way
 * @param vocab tokenizer vocabulary at most (256 bytes + merges + 3 special tokens)
 * @param sftSteps SFT optimizer steps (the data is cycled when they need more than sftPairs)
 * @param grpoSteps GRPO rollout steps
 * @param group GRPO samples per prompt (RM-R1: 7)
 * @param grpoPrompts prompts per GRPO rollout step
 * @param maxNewTokens generation cap in evaluation and rollouts
 */
public record DemoSettings(
    long seed,
    int maxOperand,
    String operators,
    double heldOutFraction,
    double compareFraction,
    int sftPairs,
    int grpoPairs,
    int heldOutPairs,
    int corpusPairs,
    int vocab,
    int hidden,
    int layers,
    int heads,
    int kvHeads,
    int intermediate,
    int maxPositions,
    int sftSteps,
    int sftBatch,
    double sftLr,
    int grpoSteps,
    int grpoPrompts,
    int group,
    double grpoLr,
    int maxNewTokens,
    int evalBatch) {

  public static DemoSettings defaults(long seed) {
    return new DemoSettings(seed, 99, "+", 0.2, 0.6, 19200, 2000, 200, 400, 384, 64, 2, 4, 2, 192, 192,
        1200, 16, 5e-3, 60, 16, 7, 2e-4, 96, 50);
  }

  public DemoSettings withSftSteps(int n) {
    return new DemoSettings(seed, maxOperand, operators, heldOutFraction, compareFraction, sftPairs, grpoPairs, heldOutPairs, corpusPairs, vocab,
        hidden, layers, heads, kvHeads, intermediate, maxPositions, n, sftBatch, sftLr, grpoSteps, grpoPrompts, group, grpoLr, maxNewTokens, evalBatch);
  }

  public DemoSettings withGrpoSteps(int n) {
    return new DemoSettings(seed, maxOperand, operators, heldOutFraction, compareFraction, sftPairs, grpoPairs, heldOutPairs, corpusPairs, vocab,
        hidden, layers, heads, kvHeads, intermediate, maxPositions, sftSteps, sftBatch, sftLr, n, grpoPrompts, group, grpoLr, maxNewTokens, evalBatch);
  }
}
