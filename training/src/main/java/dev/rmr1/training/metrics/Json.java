package dev.rmr1.training.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON dialect of the logs and trainer state: Python's. Non-finite numbers are written bare
 * ({@code NaN}, {@code Infinity}, {@code -Infinity}) as Python's {@code json.dumps} writes them and
 * {@code json.loads} reads them, so a diverged loss shows as NaN rather than as a string or null.
 */
public final class Json {
  private Json() {}

  /** Shared mapper; thread-safe once configured. */
  public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .build());
}
