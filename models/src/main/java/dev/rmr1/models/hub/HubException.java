package dev.rmr1.models.hub;

import java.util.Optional;

/**
 * The Hub could not be reached, refused a request, or sent something that fails verification. The
 * message says what was asked (URL), what came back, and what to do.
 */
public final class HubException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the request failed; decides whether a cached snapshot may be used instead. */
  public enum Kind {
    /** No answer: connection refused or reset, timeout, unknown host. */
    UNREACHABLE,
    /** 401 or 403: not authorised (or, for 401, a repository that does not exist). */
    UNAUTHORIZED,
    /** 404: repository, revision or file not found. */
    NOT_FOUND,
    /** 5xx or 429: the Hub is failing or throttling. */
    SERVER,
    /** Any other unexpected answer (missing headers, bad JSON, other statuses). */
    PROTOCOL,
    /** The downloaded bytes do not match the size or hash the Hub announced. */
    VERIFICATION,
    /** Offline mode ({@code HF_HUB_OFFLINE}) and the cache does not hold what is needed. */
    OFFLINE
  }

  private final Kind kind;
  private final int status;

  public HubException(Kind kind, int status, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.status = status;
  }

  public HubException(Kind kind, String message) {
    this(kind, 0, message, null);
  }

  public Kind kind() {
    return kind;
  }

  /** The HTTP status, if the Hub answered. */
  public Optional<Integer> status() {
    return status == 0 ? Optional.empty() : Optional.of(status);
  }

  /**
   * Whether a complete cached snapshot may stand in for the answer. As huggingface_hub, only when
   * the Hub is unreachable, failing, or refused access; not when it says the revision or file does
   * not exist, nor when content failed verification.
   */
  public boolean cacheMayAnswer() {
    return kind == Kind.UNREACHABLE || kind == Kind.SERVER || kind == Kind.UNAUTHORIZED;
  }
}
