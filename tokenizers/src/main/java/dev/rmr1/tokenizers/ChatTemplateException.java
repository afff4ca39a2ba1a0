package dev.rmr1.tokenizers;

/** A chat template failed: a syntax error, an unknown method, or the template's own raise_exception(message). */
public final class ChatTemplateException extends RuntimeException {
  public ChatTemplateException(String message) {
    super(message);
  }

  public ChatTemplateException(String message, Throwable cause) {
    super(message, cause);
  }
}
