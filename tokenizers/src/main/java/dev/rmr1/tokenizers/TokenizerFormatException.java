package dev.rmr1.tokenizers;

/**
 * A tokenizer file (tokenizer.json, tokenizer_config.json) that is malformed or uses a component this
 * library does not implement. The message names the file and the JSON path, e.g.
 * {@code tokenizer.json: unsupported pre_tokenizer type 'BertPreTokenizer' at $.pre_tokenizer}.
 */
public final class TokenizerFormatException extends RuntimeException {
  public TokenizerFormatException(String message) {
    super(message);
  }

  public TokenizerFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
