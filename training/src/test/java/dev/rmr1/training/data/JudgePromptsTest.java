package dev.rmr1.training.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JudgePromptsTest {
  // Spec 2.1 table: key -> {chars (Python len = code points), sha256 of UTF-8}.
  private static final Map<String, Object[]> SPEC = Map.of(
      "instruct_system", new Object[] {2871, "e0bf09a87f19837abf172278c348e8fc6ed36034f4f39b98191910533c3df3ed"},
      "instruct_user_single", new Object[] {192, "5fa3baf9813bdf0ed9b8601be6fe162ab82e37467e0843c32cfbc22792c65ac2"},
      "instruct_user_multi", new Object[] {290, "8cb7158fc42faa0b78f398ea4f9e475dc204cf9bfd0e81e2d4984059dd5252d9"},
      "reasoning_user_single", new Object[] {508, "2a0d3caf562d59367bbbefb29c400438e0312def4fbb73fb2e70be8661ddd770"},
      "reasoning_user_multi", new Object[] {606, "3abf19ca3d35017131fe26861e09ab3bb343c0fe96e901cea2fe5aeb1a67bedb"});

  private static String sha256(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void bundledPromptsMatchTheSpecTable() throws Exception {
    JudgePrompts p = JudgePrompts.bundled();
    Map<String, String> byKey = Map.of(
        "instruct_system", p.instructSystem(),
        "instruct_user_single", p.instructUserSingle(),
        "instruct_user_multi", p.instructUserMulti(),
        "reasoning_user_single", p.reasoningUserSingle(),
        "reasoning_user_multi", p.reasoningUserMulti());
    for (var e : SPEC.entrySet()) {
      String s = byKey.get(e.getKey());
      assertEquals(e.getValue()[0], s.codePointCount(0, s.length()), e.getKey() + " length");
      assertEquals(e.getValue()[1], sha256(s), e.getKey() + " sha256");
    }
  }

  @Test
  void detailsTheSpecAsksToPreserve() {
    JudgePrompts p = JudgePrompts.bundled();
    assertFalse(p.instructSystem().endsWith("\n"), "instruct_system has no trailing newline");
    assertTrue(p.reasoningUserSingle().contains("displayed below. \n\n"));
    assertTrue(p.reasoningUserMulti().contains("displayed below. \n\n"));
    assertEquals(p.instructSystem(), p.systemPrompt(PromptFormat.INSTRUCT).orElseThrow());
    assertTrue(p.systemPrompt(PromptFormat.REASONING).isEmpty());
    assertSame(p.reasoningUserMulti(), p.userTemplate(PromptFormat.REASONING, true));
    assertSame(p.instructUserSingle(), p.userTemplate(PromptFormat.INSTRUCT, false));
  }

  @Test
  void resourceIsAByteCopyThatLoadsFromAPathToo(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("p.json");
    try (InputStream in = JudgePrompts.class.getResourceAsStream(JudgePrompts.RESOURCE)) {
      Files.copy(in, f);
    }
    assertEquals(JudgePrompts.bundled(), JudgePrompts.load(f));
  }

  @Test
  void badPromptFilesAreRejectedWithTheKey(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing.json");
    Files.writeString(missing, "{\"instruct_system\": \"s\"}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JudgePrompts.load(missing));
    assertTrue(e.getMessage().contains("instruct_user_single"), e.getMessage());

    Path wrongField = dir.resolve("wrong.json");
    Files.writeString(wrongField, """
        {"instruct_system": "s", "instruct_user_single": "{question} {answer_a}",
         "instruct_user_multi": "{conversation_1}{conversation_2}", "reasoning_user_single": "{question}{answer_a}{answer_b}",
         "reasoning_user_multi": "{conversation_1}{conversation_2}"}""");
    e = assertThrows(IllegalArgumentException.class, () -> JudgePrompts.load(wrongField));
    assertTrue(e.getMessage().contains("instruct_user_single") && e.getMessage().contains("answer_b"), e.getMessage());
  }
}
