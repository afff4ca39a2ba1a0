package dev.rmr1.training.sft;

/**
 * The two tokenizer operations the trainers need, as Hugging Face calls them: {@code encode(text,
 * add_special_tokens=False)} (RM-R1 tokenizes already-templated text, spec 4 and 5) and {@code decode(ids,
 * skip_special_tokens=False)} (the GRPO reward reads the eos text, spec 3.1). The tokenizers module's {@code
 * Tokenizer} fits as {@code TokenCodec.of(tok::encode..., ...)} or a two-line adapter.
 */
public interface TokenCodec {
  /** Token ids of {@code text} without any added special tokens (BOS/EOS templates are not applied). */
  int[] encode(String text);

  /** The text of {@code ids} with special tokens kept. */
  String decode(int[] ids);
}
