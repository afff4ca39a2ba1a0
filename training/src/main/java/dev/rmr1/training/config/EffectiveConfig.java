package dev.rmr1.training.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * A loaded configuration: the record, and every key with its value and where the value came from,
 * in declaration order. Prints as an aligned table at the start of a run (as llm.c and TRL do),
 * saves as YAML that loads back to the same configuration, and hashes the keys that change what a
 * run computes, so a resumed run can tell whether it is still the same run.
 *
 * @param <T> the configuration record type
 */
public final class EffectiveConfig<T extends Record> {
  /**
   * One key (or a switched-off section, with value null).
   *
   * @param value the typed value (enums, paths, lists as in the record)
   * @param text canonical text: numbers that read back exactly, enums in lower case
   * @param origin {@code default}, {@code run.yaml:12}, {@code --lr}, {@code --set grpo.kl_beta}, {@code code}
   * @param hashed whether the key counts in {@link #hash()}
   */
  public record Entry(String key, Object value, String text, String origin, boolean hashed) {}

  private final T value;
  private final List<Entry> entries;

  EffectiveConfig(T value, List<Entry> entries) {
    this.value = value;
    this.entries = List.copyOf(entries);
  }

  public T value() {
    return value;
  }

  public List<Entry> entries() {
    return entries;
  }

  /** Canonical text of the hashed keys, sorted by key: what {@link #hash()} digests; store it to explain a mismatch later. */
  public Map<String, String> hashedValues() {
    Map<String, String> m = new TreeMap<>();
    for (Entry e : entries) if (e.hashed()) m.put(e.key(), e.text());
    return m;
  }

  /** SHA-256 (hex) of {@link #hashedValues()} as {@code key=value} lines. */
  public String hash() {
    return hashOf(hashedValues());
  }

  /** The hash {@link #hash()} gives for these hashed values. */
  public static String hashOf(Map<String, String> hashedValues) {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(hashedValues).forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  /**
   * The keys whose values differ between two {@link #hashedValues()}, one line each:
   * {@code optim.lr: 5e-6 -> 1e-5} (a key present on one side only shows {@code (absent)}).
   */
  public static List<String> diff(Map<String, String> before, Map<String, String> after) {
    List<String> out = new ArrayList<>();
    TreeSet<String> keys = new TreeSet<>(before.keySet());
    keys.addAll(after.keySet());
    for (String k : keys) {
      String a = before.getOrDefault(k, "(absent)");
      String b = after.getOrDefault(k, "(absent)");
      if (!a.equals(b)) out.add(k + ": " + a + " -> " + b);
    }
    return out;
  }

  /**
   * The configuration as an aligned table, one key per row, with where each value came from:
   *
   * <pre>
   * +---------------------+---------+---------+
   * | sft configuration   | value   | from    |
   * +---------------------+---------+---------+
   * | optim.lr            | 1e-5    | --lr    |
   * </pre>
   */
  public String table(String title) {
    String h0 = title + " configuration";
    int w0 = h0.length(), w1 = "value".length(), w2 = "from".length();
    for (Entry e : entries) {
      w0 = Math.max(w0, e.key().length());
      w1 = Math.max(w1, e.text().length());
      w2 = Math.max(w2, e.origin().length());
    }
    String rule = "+" + "-".repeat(w0 + 2) + "+" + "-".repeat(w1 + 2) + "+" + "-".repeat(w2 + 2) + "+\n";
    StringBuilder sb = new StringBuilder(rule);
    row(sb, w0, w1, w2, h0, "value", "from");
    sb.append(rule);
    for (Entry e : entries) row(sb, w0, w1, w2, e.key(), e.text(), e.origin());
    sb.append(rule);
    sb.append("config hash ").append(hash(), 0, 16).append('\n');
    return sb.toString();
  }

  private static void row(StringBuilder sb, int w0, int w1, int w2, String a, String b, String c) {
    sb.append("| ").append(pad(a, w0)).append(" | ").append(pad(b, w1)).append(" | ").append(pad(c, w2)).append(" |\n");
  }

  private static String pad(String s, int w) {
    return s + " ".repeat(w - s.length());
  }

  /** YAML that loads back (with the same loader) to this configuration. */
  public String toYaml() {
    Map<String, Object> root = new LinkedHashMap<>();
    for (Entry e : entries) {
      String[] parts = e.key().split("\\.");
      Map<String, Object> m = root;
      for (int i = 0; i < parts.length - 1; i++) {
        @SuppressWarnings("unchecked")
        Map<String, Object> next = (Map<String, Object>) m.computeIfAbsent(parts[i], p -> new LinkedHashMap<String, Object>());
        m = next;
      }
      m.put(parts[parts.length - 1], ValueCodec.plain(e.value()));
    }
    DumperOptions opts = new DumperOptions();
    opts.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    opts.setIndent(2);
    opts.setSplitLines(false);
    return "# effective configuration, hash " + hash() + "\n" + new Yaml(opts).dump(root);
  }
}
