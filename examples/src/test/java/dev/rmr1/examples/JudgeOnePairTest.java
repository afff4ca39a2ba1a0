package dev.rmr1.examples;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.tokenizers.PretrainedTokenizer;
import dev.rmr1.training.data.PromptFormat;
import dev.rmr1.training.demo.DemoPrompts;
import dev.rmr1.training.reward.EvalVerdict;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JudgeOnePairTest {
  @Test
  void walksThroughPromptGenerationAndVerdict(@TempDir Path dir) {
    PretrainedTokenizer tok = ExampleFixtures.tokenizer(dir);
    String[] outs = new String[2];
    EvalVerdict[] verdicts = new EvalVerdict[2];
    for (int i = 0; i < 2; i++) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      // tiny-qwen2-a has 256 positions: the demo's compact prompt instead of RM-R1's 2.9k-character one
      verdicts[i] = JudgeOnePair.run(ExampleFixtures.tinyQwen2(), tok, DemoPrompts.prompts(), PromptFormat.INSTRUCT, "What is 2 + 2?", "4", "5",
          12, new PrintStream(buf, true, StandardCharsets.UTF_8));
      outs[i] = buf.toString(StandardCharsets.UTF_8);
    }
    assertEquals(outs[0], outs[1], "greedy decoding is deterministic");
    assertEquals(verdicts[0], verdicts[1]);
    String out = outs[0];
    assertTrue(out.contains("<|im_start|>system\n" + DemoPrompts.SYSTEM + "<|im_end|>\n<|im_start|>user\nWhat is 2 + 2?\nA: 4\nB: 5<|im_end|>\n<|im_start|>assistant\n"), out);
    assertTrue(out.matches("(?s).*== 5\\. \\d+ tokens \\((EOS|LENGTH)\\); verdict: " + verdicts[0] + "\\s*"), out);
  }
}
