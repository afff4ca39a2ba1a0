package dev.rmr1.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad files and bad ids give errors that say what and where. */
class TokenizerErrorsTest {
  private static final String MODEL = "\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2}, \"merges\": [\"a b\"]}";

  private static String message(String json) {
    return assertThrows(TokenizerFormatException.class, () -> Tokenizer.fromJson(json, "t.json")).getMessage();
  }

  @Test
  void malformedJsonNamesFileLineAndPath(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("tokenizer.json");
    Files.writeString(f, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": }}}");
    String m = assertThrows(TokenizerFormatException.class, () -> Tokenizer.fromFile(f)).getMessage();
    assertTrue(m.startsWith(f.toString() + ": malformed JSON at line 1"), m);
    assertTrue(m.contains("/model/vocab/b"), m);
  }

  @Test
  void unsupportedComponentsNameTypeAndPath() {
    assertEquals("t.json: unsupported normalizer type 'BertNormalizer' at $.normalizer",
        message("{" + MODEL + ", \"normalizer\": {\"type\": \"BertNormalizer\"}}"));
    assertEquals("t.json: unsupported pre_tokenizer type 'UnicodeScripts' at $.pre_tokenizer.pretokenizers[1]",
        message("{" + MODEL + ", \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Digits\"}, {\"type\": \"UnicodeScripts\"}]}}"));
    assertEquals("t.json: unsupported decoder type 'WordPiece' at $.decoder.decoders[0]",
        message("{" + MODEL + ", \"decoder\": {\"type\": \"Sequence\", \"decoders\": [{\"type\": \"WordPiece\"}]}}"));
    assertEquals("t.json: unsupported model type 'Unigram' at $.model", message("{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}"));
    assertTrue(message("{" + MODEL + ", \"truncation\": {\"max_length\": 8}}").startsWith("t.json: unsupported truncation"));
    assertTrue(message("{" + MODEL + ", \"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"[[:alpha:]\"}, \"behavior\": \"Isolated\"}}")
        .startsWith("t.json: $.pre_tokenizer.pattern.Regex: unsupported regex"));
  }

  @Test
  void badModelEntriesNameTheirPlace() {
    assertEquals("t.json: $.model: merge 0 ('a' 'c'): 'c' is not in the vocabulary",
        message("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a c\"]}}"));
    assertEquals("t.json: $.model.merges[1]: expected a merge \"a b\", got \"ab\"",
        message("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2}, \"merges\": [\"a b\", \"ab\"]}}"));
    assertEquals("t.json: /model/vocab/b: expected an integer id, got VALUE_STRING",
        message("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": \"1\"}}}"));
    assertEquals("t.json: $.added_tokens[0]: missing field 'id'", message("{" + MODEL + ", \"added_tokens\": [{\"content\": \"x\"}]}"));
  }

  @Test
  void decodingAnIdOutsideTheVocabularyIsAnError() {
    Tokenizer t = Tokenizer.fromJson("{" + MODEL + "}", "t.json");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {2, 3}, false));
    assertEquals("token id 3 is outside the vocabulary (ids 0..2)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {-1}, false));
    assertEquals("ab b", t.decode(new int[] {2, 1}, false)); // no decoder: tokens joined by spaces, as HF
  }

  @Test
  void malformedTokenizerConfigNamesTheFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("tokenizer.json"), "{" + MODEL + "}");
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": 3}");
    String m = assertThrows(TokenizerFormatException.class, () -> PretrainedTokenizer.load(dir)).getMessage();
    assertTrue(m.contains("tokenizer_config.json") && m.contains("$.chat_template"), m);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": ");
    m = assertThrows(TokenizerFormatException.class, () -> PretrainedTokenizer.load(dir)).getMessage();
    assertTrue(m.contains("tokenizer_config.json: malformed JSON at line 1"), m);
  }
}
