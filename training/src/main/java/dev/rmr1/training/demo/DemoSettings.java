package dev.rmr1.training.demo;

/**
 * Everything the demo's run depends on besides the seed's randomness. The defaults are sized so that the whole run
 * takes a few minutes on two CPU cores: short sequences (the compact prompt and a trace of about 30 tokens), a model
 * of about 0.2M parameters, and SFT deliberately stopped early so that GRPO has something left to improve.
 *
 * @param maxOperand operands are drawn from [0, maxOperand]
 * @param heldOutFraction fraction of questions that only the held-out set uses
 * @param vocab tokenizer vocabulary at most (256 bytes + merges + 3 special tokens)
 * @param sftSteps SFT optimizer steps (the early stop)
 * @param grpoSteps GRPO rollout steps
 * @param group GRPO samples per prompt (RM-R1: 7)
 * @param grpoPrompts prompts per GRPO rollout step
 * @param maxNewTokens generation cap in evaluation and rollouts
 */
public record DemoSettings(
    long seed,
    int maxOperand,
    double heldOutFraction,
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
    return new DemoSettings(seed, 9, 0.2, 4000, 2000, 100, 400, 384, 64, 2, 4, 2, 192, 192,
        80, 16, 5e-3, 40, 8, 7, 1e-3, 64, 50);
  }

  public DemoSettings withSftSteps(int n) {
    return new DemoSettings(seed, maxOperand, heldOutFraction, sftPairs, grpoPairs, heldOutPairs, corpusPairs, vocab, hidden, layers, heads,
        kvHeads, intermediate, maxPositions, n, sftBatch, sftLr, grpoSteps, grpoPrompts, group, grpoLr, maxNewTokens, evalBatch);
  }

  public DemoSettings withGrpoSteps(int n) {
    return new DemoSettings(seed, maxOperand, heldOutFraction, sftPairs, grpoPairs, heldOutPairs, corpusPairs, vocab, hidden, layers, heads,
        kvHeads, intermediate, maxPositions, sftSteps, sftBatch, sftLr, n, grpoPrompts, group, grpoLr, maxNewTokens, evalBatch);
  }
}
