package dev.rmr1.tokenizers;

/**
 * An entry of tokenizer.json's {@code added_tokens}: matched in the raw text (or, when
 * {@code normalized}, in the normalized text) before pre-tokenization and never split.
 *
 * @param lstrip also takes the whitespace on its left
 * @param rstrip also takes the whitespace on its right
 * @param singleWord only matches when not inside a word
 */
public record AddedToken(int id, String content, boolean special, boolean normalized, boolean lstrip,
    boolean rstrip, boolean singleWord) {

  static AddedToken parse(JsonNodeAt n) {
    return new AddedToken(n.get("id").intValue(), n.text("content"), n.boolOr("special", false),
        n.boolOr("normalized", true), n.boolOr("lstrip", false), n.boolOr("rstrip", false),
        n.boolOr("single_word", false));
  }
}
