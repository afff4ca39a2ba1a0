package dev.rmr1.models.config;

/**
 * A configuration file ({@code config.json}, {@code generation_config.json}) is missing a field,
 * has a field of the wrong type or range, or has fields that contradict each other. The message
 * names the file (when known), the field and what was expected.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final String field;
  private final String problem;

  /**
   * @param source the file the value came from, or {@code null} when the value was not read from a
   *     file (a config built in code); {@link #withSource} adds it later
   * @param field the JSON field name, as Hugging Face spells it
   * @param problem what is wrong, with the expected and the actual value
   */
  public ConfigException(String source, String field, String problem) {
    super(format(source, field, problem));
    this.source = source;
    this.field = field;
    this.problem = problem;
  }

  private static String format(String source, String field, String problem) {
    return (source == null ? "" : source + ": ") + "field '" + field + "': " + problem;
  }

  /** The file name, or {@code null}. */
  public String source() {
    return source;
  }

  /** The JSON field name. */
  public String field() {
    return field;
  }

  /** The same error attributed to {@code file} (used when a validation inside a record fails during parsing). */
  public ConfigException withSource(String file) {
    ConfigException e = new ConfigException(file, field, problem);
    e.setStackTrace(getStackTrace());
    return e;
  }
}
