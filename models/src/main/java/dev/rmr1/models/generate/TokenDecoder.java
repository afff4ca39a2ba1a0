package dev.rmr1.models.generate;

/**
 * Turns token ids into text, for streaming output and stop strings. The tokenizer implements it
 * with Hugging Face {@code decode(ids, skip_special_tokens=False)} semantics: special tokens are
 * kept as their text, and bytes that do not (yet) form complete UTF-8 characters come out as
 * U+FFFD, which {@link Generator} uses to hold text back until a character is complete.
 */
@FunctionalInterface
public interface TokenDecoder {
  String decode(int[] ids);
}
