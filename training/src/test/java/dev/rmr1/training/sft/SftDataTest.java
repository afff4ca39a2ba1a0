package dev.rmr1.training.sft;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.data.SftRecord;
import dev.rmr1.training.data.SftTextBuilder;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class SftDataTest {
  private static final ToyCodec CODEC = new ToyCodec();

  private static SftSampleBuilder builder(boolean maskHeader, int maxLen) {
    return new SftSampleBuilder(new SftTextBuilder(ToyCodec.QWEN, ToyCodec.END, maskHeader), CODEC, ToyCodec.EOS_ID, maxLen);
  }

  private static SftRecord record(String user, String trace) {
    return new SftRecord(List.of(ChatMessage.system("judge"), ChatMessage.user(user)), trace);
  }

  @Test
  void labelsMaskThePromptAndTrainTheAssistantHeaderAsRmR1() {
    SftSampleBuilder b = builder(false, 1000);
    SftSample s = b.build(record("which?", "<answer>[[A]]</answer>")).orElseThrow();
    String prompt = "<|im_start|>system\njudge<|im_end|>\n<|im_start|>user\nwhich?<|im_end|>\n";
    // text = (prompt + response).rstrip("\n"): ends with the eos text, so no " " + eos is appended
    String text = prompt + "<|im_start|>assistant\n<answer>[[A]]</answer><|im_end|>";
    assertArrayEquals(CODEC.encode(text), s.ids());
    int promptLen = CODEC.encode(prompt).length;
    assertEquals(promptLen, s.maskedLength());
    int[] labels = s.labels();
    for (int i = 0; i < labels.length; i++) assertEquals(i < promptLen ? SftSample.IGNORE : s.id(i), labels[i], "label " + i);
    assertEquals(ToyCodec.START_ID, labels[promptLen], "the assistant header's <|im_start|> is trained (spec 5 step 6)");
    assertEquals(ToyCodec.EOS_ID, s.id(s.length() - 1));
    assertFalse(s.truncated());
    assertEquals(s.length() - promptLen, s.lossTokens());

    SftSample masked = builder(true, 1000).build(record("which?", "<answer>[[A]]</answer>")).orElseThrow();
    assertArrayEquals(s.ids(), masked.ids());
    assertEquals(promptLen + CODEC.encode("<|im_start|>assistant\n").length, masked.maskedLength());
  }

  @Test
  void truncationKeepsMaxLenTokensAndForcesEos() {
    SftSampleBuilder b = builder(false, 60);
    String prompt = "<|im_start|>system\njudge<|im_end|>\n<|im_start|>user\nq<|im_end|>\n";
    SftSample s = b.build(record("q", "x".repeat(200))).orElseThrow();
    assertEquals(60, s.length());
    assertTrue(s.truncated());
    assertEquals(ToyCodec.EOS_ID, s.id(59));
    assertEquals(CODEC.encode(prompt).length, s.maskedLength());
    assertEquals(1, b.stats().truncated());
    assertEquals(1, b.stats().kept());
  }

  @Test
  void promptLengthRuleDropsAtMaxLenMinusTwo() {
    String user = "u".repeat(10);
    int promptLen = CODEC.encode(ToyCodec.QWEN.render(record(user, "t").contextMessages(), false)).length;
    SftSampleBuilder atLimit = builder(false, promptLen + 2);
    assertEquals(Optional.empty(), atLimit.build(record(user, "t")));
    assertEquals(1, atLimit.stats().droppedPromptTooLong());
    SftSampleBuilder below = builder(false, promptLen + 3);
    SftSample s = below.build(record(user, "a long trace")).orElseThrow();
    assertEquals(promptLen + 3, s.length());
    assertEquals(3, s.lossTokens());
    assertEquals(0, below.stats().dropped());
  }

  @Test
  void headerMaskThatLeavesNothingToTrainIsDroppedAndCounted() {
    String user = "u".repeat(10);
    int promptLen = CODEC.encode(ToyCodec.QWEN.render(record(user, "t").contextMessages(), false)).length;
    SftSampleBuilder b = builder(true, promptLen + 3); // header = <|im_start|> a s s ... : longer than 3 tokens
    assertEquals(Optional.empty(), b.build(record(user, "trace")));
    assertEquals(1, b.stats().droppedNoLossTokens());
  }

  @Property(tries = 200)
  void samplesObeyTheSpecRules(@ForAll @StringLength(max = 30) String user, @ForAll @StringLength(min = 1, max = 60) String trace,
      @ForAll @IntRange(min = 3, max = 120) int maxLen, @ForAll boolean maskHeader) {
    SftTextBuilder texts = new SftTextBuilder(ToyCodec.QWEN, ToyCodec.END, maskHeader);
    SftRecord r = record(user, trace);
    SftSampleBuilder b = new SftSampleBuilder(texts, CODEC, ToyCodec.EOS_ID, maxLen);
    var text = texts.build(r).orElseThrow();
    int promptLen = CODEC.encode(text.prompt()).length;
    Optional<SftSample> got = b.build(r);
    if (promptLen >= maxLen - 2) {
      assertTrue(got.isEmpty());
      return;
    }
    if (got.isEmpty()) {
      assertTrue(maskHeader);
      assertEquals(1, b.stats().droppedNoLossTokens());
      return;
    }
    SftSample s = got.get();
    int[] full = CODEC.encode(text.text());
    assertEquals(Math.min(full.length, maxLen), s.length());
    assertEquals(full.length > maxLen, s.truncated());
    assertArrayEquals(Arrays.copyOf(full, s.length() - 1), Arrays.copyOf(s.ids(), s.length() - 1));
    assertEquals(ToyCodec.EOS_ID, s.id(s.length() - 1));
    int masked = Math.min(CODEC.encode(text.lossMaskedPrefix()).length, s.length());
    assertEquals(masked, s.maskedLength());
    assertTrue(s.lossTokens() > 0);
  }

  @Property(tries = 100)
  void batchPlanCoversEveryRowOncePerEpochInLengthSortedMicroBatches(@ForAll @IntRange(min = 1, max = 50) int rows,
      @ForAll @IntRange(min = 1, max = 9) int batch, @ForAll @IntRange(min = 1, max = 9) int micro, @ForAll long seed) {
    if (micro > batch) micro = batch;
    int[] lengths = new int[rows];
    for (int i = 0; i < rows; i++) lengths[i] = 2 + (int) ((i * 7919L + seed) & 31);
    SftBatchPlan plan = new SftBatchPlan(lengths, batch, micro, seed);
    assertEquals((rows + batch - 1) / batch, plan.stepsPerEpoch());
    for (int epoch = 0; epoch < 2; epoch++) {
      Set<Integer> seen = new HashSet<>();
      for (int s = 0; s < plan.stepsPerEpoch(); s++) {
        List<int[]> mbs = plan.step(epoch, s);
        int inStep = 0;
        int prev = Integer.MAX_VALUE;
        for (int[] mb : mbs) {
          assertTrue(mb.length >= 1 && mb.length <= micro);
          for (int i : mb) {
            assertTrue(seen.add(i), "row " + i + " twice in epoch " + epoch);
            assertTrue(lengths[i] <= prev, "micro-batches are length-sorted within the step");
            prev = lengths[i];
            inStep++;
          }
        }
        assertEquals(s < plan.stepsPerEpoch() - 1 ? batch : rows - batch * (plan.stepsPerEpoch() - 1), inStep);
        assertEquals(mbs.size(), Math.ceilDiv(inStep, micro));
        // a pure function of (seed, epoch, step): what a resumed run relies on
        List<int[]> again = new SftBatchPlan(lengths, batch, micro, seed).step(epoch, s);
        assertEquals(mbs.size(), again.size());
        for (int k = 0; k < mbs.size(); k++) assertArrayEquals(mbs.get(k), again.get(k));
      }
      assertEquals(rows, seen.size());
    }
    if (rows >= 8) assertFalse(Arrays.equals(plan.order(0), plan.order(1)), "epochs are reshuffled");
  }

  @Test
  void microBatchPadsRightAndShiftsLabels() {
    SftSample a = new SftSample(new int[] {5, 6, 7, 8, 2}, 2, false);
    SftSample b = new SftSample(new int[] {9, 10, 2}, 1, false);
    SftMicroBatch mb = SftMicroBatch.of(new int[] {4, 1}, List.of(a, b), 0);
    assertArrayEquals(new int[][] {{5, 6, 7, 8, 2}, {9, 10, 2, 0, 0}}, mb.ids());
    assertArrayEquals(new int[][] {{-100, 7, 8, 2}, {10, 2, -100, -100}}, mb.targets());
    assertEquals(a.lossTokens() + b.lossTokens(), mb.lossTokens());
    assertEquals(5, mb.lossTokens());
    assertEquals(8, mb.tokens());
    assertArrayEquals(new long[] {5, 6, 7, 8, 2, 9, 10, 2, 0, 0}, mb.idsTensor(dev.rmr1.tensor.Device.CPU).toLongArray());
  }
}
