package dev.rmr1.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {

  @Test
  void trainSaveLoadRoundTrip(@TempDir Path dir) throws Exception {
    List<String> corpus = SyntheticCorpus.documents(7, 80_000);
    Path file = dir.resolve("tokenizer.json");
    new BpeTrainer(1000, List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>")).train(corpus, file);
    Tokenizer t = Tokenizer.fromFile(file);
    assertEquals(1000, t.vocabSize());
    assertEquals(997, t.tokenToId("<|endoftext|>"));
    assertEquals(999, t.tokenToId("<|im_end|>"));
    assertTrue(t.isSpecial(999));
    assertEquals(997, t.model().vocabSize());

    // The layout mirrors Qwen's tokenizer.json.
    JsonNode json = new ObjectMapper().readTree(file.toFile());
    assertEquals("NFC", json.get("normalizer").get("type").textValue());
    assertEquals(FastSplitPatterns.QWEN, json.get("pre_tokenizer").get("pretokenizers").get(0).get("pattern").get("Regex").textValue());
    assertTrue(json.get("model").get("merges").size() >= 1000 - 3 - 256);
    assertEquals("ByteLevel", json.get("decoder").get("type").textValue());

    int bytes = 0, ids = 0;
    for (String doc : corpus.subList(0, 200)) {
      int[] enc = t.encode(doc);
      assertEquals(doc, t.decode(enc, false));
      bytes += doc.getBytes(StandardCharsets.UTF_8).length;
      ids += enc.length;
    }
    assertTrue(ids * 2 < bytes, "merges should compress the training text: " + ids + " ids for " + bytes + " bytes");
    String unseen = "Ünïcödé \uD83D\uDE00 e\u0301 <|im_start|>user\nnew words<|im_end|>";
    assertEquals(Normalizer.normalize(unseen, Normalizer.Form.NFC), t.decode(t.encode(unseen), false));
    int[] special = t.encode("<|im_start|>");
    assertArrayEquals(new int[] {998}, special);
  }

  @Test
  void mostFrequentPairIsMergedFirst() {
    Tokenizer t = new BpeTrainer(256 + 2, List.of()).train(List.of("ab ab ab ab xy"));
    // "ab" occurs 4 times (as "ab" and "Ġab"... pre-tokens "ab", " ab"): the first merge is a+b.
    assertEquals(1, t.encode("ab").length);
    assertEquals(2, t.encode("xy").length);
  }

  @Test
  void writesAFileThatLoads(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("t.json");
    new BpeTrainer(300, List.of("<s>")).train(List.of("hello hello world"), f);
    assertTrue(Files.size(f) > 0);
    assertEquals("hello world<s>", Tokenizer.fromFile(f).decode(Tokenizer.fromFile(f).encode("hello world<s>"), false));
  }
}
