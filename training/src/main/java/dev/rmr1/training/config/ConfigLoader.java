package dev.rmr1.training.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Loads a configuration record: its defaults, then a YAML or JSON file, then command-line
 * overrides, in that order, each later setting winning; then checks every value and every
 * {@link Validated} section, reporting all problems at once with the key and where the value came
 * from ({@link ConfigException}). Unknown keys and flags are errors with a "did you mean" hint.
 *
 * <pre>{@code
 * EffectiveConfig<SftConfig> cfg = SftConfig.loader().fromArgs(args);  // --config run.yaml --lr 1e-5 --set lora.r=16
 * System.out.print(cfg.table("sft"));
 * SftConfig c = cfg.value();
 * }</pre>
 *
 * @param <T> the configuration record type
 */
public final class ConfigLoader<T extends Record> {
  /** Parsed command line: the configuration file (or null) and the overrides in order. */
  public record Args(Path configFile, List<Setting> overrides) {}

  private final Class<T> type;
  private final T defaults;
  private final ConfigSchema schema;
  private final FlagTable flags;

  private ConfigLoader(Class<T> type, T defaults) {
    this.type = type;
    this.defaults = defaults;
    this.schema = new ConfigSchema(type);
    this.flags = new FlagTable(schema);
  }

  /**
   * A loader for {@code type} starting from {@code defaults} (required keys may be null there: they
   * are then reported as not set unless the file or flags set them).
   */
  public static <T extends Record> ConfigLoader<T> of(Class<T> type, T defaults) {
    if (!type.isInstance(defaults)) throw new IllegalArgumentException("defaults must be a " + type.getName());
    return new ConfigLoader<>(type, defaults);
  }

  /** Defaults, then {@code file} (may be null), then {@code overrides}. */
  public EffectiveConfig<T> load(Path file, List<Setting> overrides) {
    List<Setting> all = new ArrayList<>();
    if (file != null) all.addAll(ConfigFile.read(file));
    all.addAll(overrides);
    return bind(all, new ArrayList<>());
  }

  /**
   * Loads from command-line arguments: {@code --config FILE} (or {@code -c FILE}), flags
   * ({@code --lr 1e-5}, {@code --lr=1e-5}, {@code --lora-r 8}, {@code --no-lora}) and
   * {@code --set key=value} with dotted keys. Flags apply after the file, in order.
   */
  public EffectiveConfig<T> fromArgs(String... args) {
    return fromArgs(List.of(args));
  }

  public EffectiveConfig<T> fromArgs(List<String> args) {
    List<ConfigException.Problem> problems = new ArrayList<>();
    Args parsed = parseArgs(args, problems);
    List<Setting> all = new ArrayList<>();
    if (parsed.configFile() != null) {
      try {
        all.addAll(ConfigFile.read(parsed.configFile()));
      } catch (ConfigException e) {
        problems.addAll(e.problems());
      }
    }
    all.addAll(parsed.overrides());
    return bind(all, problems);
  }

  /** Parses command-line arguments without applying them; throws a {@link ConfigException} for bad flags. */
  public Args parseArgs(List<String> args) {
    List<ConfigException.Problem> problems = new ArrayList<>();
    Args a = parseArgs(args, problems);
    if (!problems.isEmpty()) throw new ConfigException(problems);
    return a;
  }

  /** Checks a configuration built in code, as {@link #load} checks a loaded one. */
  public void validate(T value) {
    describe(value);
  }

  /** The effective configuration of a record built in code (every origin is "code"), after checking it. */
  public EffectiveConfig<T> describe(T value) {
    return finish(value, key -> "code", new ArrayList<>());
  }

  /**
   * Every key with its default, flags and description, for {@code --help}:
   *
   * <pre>
   *   grpo.kl_beta = 0.001   --kl-beta, --grpo-kl-beta
   *       weight of the KL-to-reference term in the loss (k3 estimator)
   * </pre>
   */
  public String keysHelp() {
    EffectiveConfig<T> d = entriesOnly(defaults);
    Map<String, String> defaultText = new HashMap<>();
    for (EffectiveConfig.Entry e : d.entries()) defaultText.put(e.key(), e.text());
    StringBuilder sb = new StringBuilder();
    for (ConfigSchema.Section s : schema.sections().values()) {
      if (s.nullable()) line(sb, s.path(), flags.flagsOf(s.path()), defaultText.getOrDefault(s.path(), "on"), s.doc() + " (null: off)");
    }
    for (ConfigSchema.Key k : schema.keys().values()) {
      String def = defaultText.get(k.path());
      if (def == null) def = "(section off)";
      else if (def.equals("null") && !k.nullable()) def = "(required)";
      String doc = k.doc() + (k.type().isEnum() ? " [" + ValueCodec.enumNames(k.type()) + "]" : "");
      line(sb, k.path(), flags.flagsOf(k.path()), def, doc);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, String key, List<String> fl, String def, String doc) {
    sb.append("  ").append(key).append(" = ").append(def).append("   ").append(String.join(", ", fl)).append('\n');
    sb.append("      ").append(doc).append('\n');
  }

  // ---- arguments ---------------------------------------------------------------------------------

  private static final List<String> OFF_WORDS = List.of("null", "none", "off", "false");
  private static final List<String> ON_WORDS = List.of("on", "true", "{}");
  private static final List<String> BOOLEAN_WORDS = List.of("true", "false", "yes", "no", "on", "off");

  private Args parseArgs(List<String> args, List<ConfigException.Problem> problems) {
    Path config = null;
    List<Setting> out = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      String name;
      String inline = null;
      if (a.equals("-c")) name = "config";
      else if (a.startsWith("--")) {
        name = a.substring(2);
        int eq = name.indexOf('=');
        if (eq >= 0) {
          inline = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
      } else {
        problems.add(new ConfigException.Problem("", "command line", "unexpected argument '" + a + "' (flags start with --)"));
        continue;
      }
      String flag = "--" + name;
      boolean hasNext = i + 1 < args.size();
      String next = hasNext ? args.get(i + 1) : null;
      if (name.equals("config") || name.equals("set")) {
        String v = inline;
        if (v == null) {
          if (!hasNext) {
            problems.add(new ConfigException.Problem("", a, "needs a value"));
            continue;
          }
          v = next;
          i++;
        }
        if (name.equals("config")) {
          if (config != null) problems.add(new ConfigException.Problem("", flag, "given twice (" + config + " and " + v + ")"));
          config = Path.of(v);
        } else {
          int eq = v.indexOf('=');
          if (eq <= 0) problems.add(new ConfigException.Problem("", "--set " + v, "expected KEY=VALUE, e.g. --set grpo.kl_beta=0.01"));
          else out.add(new Setting(v.substring(0, eq).strip(), v.substring(eq + 1), "--set " + v.substring(0, eq).strip()));
        }
        continue;
      }
      FlagTable.Target t = flags.get(name);
      if (t == null) {
        List<String> known = new ArrayList<>(flags.names());
        known.add("--config");
        known.add("--set");
        problems.add(new ConfigException.Problem("", flag, "unknown flag" + Suggest.didYouMean(flag, known)));
        if (inline == null && hasNext && !next.startsWith("--")) i++; // skip its value, not a second error
        continue;
      }
      if (t.negated()) {
        if (inline != null) problems.add(new ConfigException.Problem(t.path(), flag, "takes no value"));
        else out.add(new Setting(t.path(), t.kind() == FlagTable.Kind.SECTION ? null : "false", flag));
        continue;
      }
      String v = inline;
      switch (t.kind()) {
        case VALUE -> {
          if (v == null) {
            if (!hasNext) {
              problems.add(new ConfigException.Problem(t.path(), flag, "needs a value"));
              continue;
            }
            v = next;
            i++;
          }
          out.add(new Setting(t.path(), v, flag));
        }
        case BOOLEAN -> {
          if (v == null && hasNext && BOOLEAN_WORDS.contains(next.toLowerCase(Locale.ROOT))) {
            v = next;
            i++;
          }
          out.add(new Setting(t.path(), v == null ? "true" : v, flag));
        }
        case SECTION -> {
          if (v == null && hasNext && (OFF_WORDS.contains(next.toLowerCase(Locale.ROOT)) || ON_WORDS.contains(next.toLowerCase(Locale.ROOT)))) {
            v = next;
            i++;
          }
          out.add(new Setting(t.path(), v == null ? "on" : v, flag));
        }
      }
    }
    return new Args(config, out);
  }

  // ---- binding -----------------------------------------------------------------------------------

  private EffectiveConfig<T> bind(List<Setting> settings, List<ConfigException.Problem> problems) {
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, Boolean> enabled = new HashMap<>();
    Map<String, String> origins = new HashMap<>();
    flatten(schema.sections().get(""), defaults, values, enabled, origins);
    for (Setting s : settings) apply(s, values, enabled, origins, problems);
    if (!problems.isEmpty()) throw new ConfigException(problems);
    T value = type.cast(construct(schema.sections().get(""), values, enabled));
    return finish(value, key -> origins.getOrDefault(key, "default"), problems);
  }

  private void flatten(ConfigSchema.Section s, Object inst, Map<String, Object> values, Map<String, Boolean> enabled, Map<String, String> origins) {
    for (RecordComponent c : s.components()) {
      String path = ConfigSchema.child(s.path(), ConfigSchema.snakeCase(c.getName()));
      Object v = get(c, inst);
      ConfigSchema.Section sub = schema.sections().get(path);
      if (sub == null) {
        values.put(path, v);
        continue;
      }
      if (v == null) {
        if (!sub.nullable()) throw new IllegalStateException("defaults of " + type.getSimpleName() + ": section " + path + " is null but not @Nullable");
        v = invokeDefaults(sub.type());
      }
      if (sub.nullable()) enabled.put(path, get(c, inst) != null);
      flatten(sub, v, values, enabled, origins);
    }
  }

  private void apply(Setting st, Map<String, Object> values, Map<String, Boolean> enabled, Map<String, String> origins,
      List<ConfigException.Problem> problems) {
    String key = st.key();
    ConfigSchema.Key k = schema.keys().get(key);
    if (k != null) {
      if (st.raw() == Setting.ON) {
        problems.add(new ConfigException.Problem(key, st.origin(), "expected " + ValueCodec.describe(k.type()) + ", got a mapping"));
        return;
      }
      try {
        values.put(key, ValueCodec.parse(k, st.raw()));
      } catch (IllegalArgumentException e) {
        problems.add(new ConfigException.Problem(key, st.origin(), e.getMessage()));
        return;
      }
      origins.put(key, st.origin());
      for (int dot = key.indexOf('.'); dot >= 0; dot = key.indexOf('.', dot + 1)) {
        String section = key.substring(0, dot);
        if (schema.sections().get(section).nullable() && !Boolean.TRUE.equals(enabled.get(section))) {
          enabled.put(section, true);
          origins.put(section, st.origin());
        }
      }
      return;
    }
    ConfigSchema.Section s = schema.sections().get(key);
    if (s != null && !key.isEmpty()) {
      Boolean on = sectionSwitch(st.raw());
      if (on == null) {
        problems.add(new ConfigException.Problem(key, st.origin(), "is a section: set its keys (" + key + ".<key>)" + (s.nullable() ? ", or null to switch it off" : "")));
      } else if (!on && !s.nullable()) {
        problems.add(new ConfigException.Problem(key, st.origin(), "is a section and cannot be null"));
      } else if (s.nullable()) {
        enabled.put(key, on);
        origins.put(key, st.origin());
      }
      return;
    }
    for (int dot = key.lastIndexOf('.'); dot > 0; dot = key.lastIndexOf('.', dot - 1)) {
      String prefix = key.substring(0, dot);
      if (schema.keys().containsKey(prefix)) {
        problems.add(new ConfigException.Problem(prefix, st.origin(), "is a single value, not a section (found '" + key + "')"));
        return;
      }
    }
    problems.add(new ConfigException.Problem(key, st.origin(), "unknown key" + Suggest.didYouMean(key, schema.names())));
  }

  /** True to switch a section on, false for off, null when the value is neither. */
  private static Boolean sectionSwitch(Object raw) {
    if (raw == null) return false;
    if (raw == Setting.ON) return true;
    if (raw instanceof String s) {
      String w = s.strip().toLowerCase(Locale.ROOT);
      if (OFF_WORDS.contains(w)) return false;
      if (ON_WORDS.contains(w)) return true;
    }
    return null;
  }

  private Object construct(ConfigSchema.Section s, Map<String, Object> values, Map<String, Boolean> enabled) {
    RecordComponent[] comps = s.components();
    Object[] args = new Object[comps.length];
    for (int i = 0; i < comps.length; i++) {
      String path = ConfigSchema.child(s.path(), ConfigSchema.snakeCase(comps[i].getName()));
      ConfigSchema.Section sub = schema.sections().get(path);
      if (sub == null) args[i] = values.get(path);
      else if (sub.nullable() && !enabled.get(path)) args[i] = null;
      else args[i] = construct(sub, values, enabled);
    }
    try {
      return s.constructor().newInstance(args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot construct " + s.type().getName(), e);
    }
  }

  // ---- checking and describing -------------------------------------------------------------------

  private EffectiveConfig<T> finish(T value, Function<String, String> originOf, List<ConfigException.Problem> problems) {
    EffectiveConfig<T> eff = entriesOnly(value, originOf);
    Map<String, EffectiveConfig.Entry> byKey = new HashMap<>();
    for (EffectiveConfig.Entry e : eff.entries()) byKey.put(e.key(), e);
    for (EffectiveConfig.Entry e : eff.entries()) {
      ConfigSchema.Key k = schema.keys().get(e.key());
      if (k != null && e.value() == null && !k.nullable())
        problems.add(new ConfigException.Problem(e.key(), "not set", "is required: set it in the configuration file or with " + flags.flagsOf(e.key()).getFirst()));
    }
    if (!problems.isEmpty()) throw new ConfigException(problems); // validators may assume required values are there
    Problems found = new Problems();
    validateTree(schema.sections().get(""), value, found);
    for (Problems.Entry p : found.entries()) {
      EffectiveConfig.Entry e = byKey.get(p.key());
      String origin = e != null ? e.origin() : originOf.apply(p.key());
      String got = e != null && schema.keys().containsKey(p.key()) ? " (got " + e.text() + ")" : "";
      problems.add(new ConfigException.Problem(p.key(), origin, p.message() + got));
    }
    if (!problems.isEmpty()) throw new ConfigException(problems);
    return eff;
  }

  private void validateTree(ConfigSchema.Section s, Object inst, Problems problems) {
    for (RecordComponent c : s.components()) {
      String name = ConfigSchema.snakeCase(c.getName());
      ConfigSchema.Section sub = schema.sections().get(ConfigSchema.child(s.path(), name));
      if (sub == null) continue;
      Object v = get(c, inst);
      if (v == null) {
        if (!sub.nullable()) problems.add(name, "section is required");
        continue;
      }
      validateTree(sub, v, problems.section(name));
    }
    if (inst instanceof Validated v) v.validate(problems);
  }

  private EffectiveConfig<T> entriesOnly(T value) {
    return entriesOnly(value, key -> "default");
  }

  private EffectiveConfig<T> entriesOnly(T value, Function<String, String> originOf) {
    List<EffectiveConfig.Entry> entries = new ArrayList<>();
    collect(schema.sections().get(""), value, originOf, entries);
    return new EffectiveConfig<>(value, entries);
  }

  private void collect(ConfigSchema.Section s, Object inst, Function<String, String> originOf, List<EffectiveConfig.Entry> out) {
    for (RecordComponent c : s.components()) {
      String path = ConfigSchema.child(s.path(), ConfigSchema.snakeCase(c.getName()));
      Object v = get(c, inst);
      ConfigSchema.Section sub = schema.sections().get(path);
      if (sub == null) {
        ConfigSchema.Key k = schema.keys().get(path);
        out.add(new EffectiveConfig.Entry(path, v, ValueCodec.text(v), originOf.apply(path), k.hashed()));
      } else if (v == null) {
        out.add(new EffectiveConfig.Entry(path, null, "null", originOf.apply(path), sub.hashed()));
      } else {
        collect(sub, v, originOf, out);
      }
    }
  }

  private static Object get(RecordComponent c, Object inst) {
    try {
      return c.getAccessor().invoke(inst);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + c, e);
    }
  }

  private static Object invokeDefaults(Class<?> type) {
    try {
      return ConfigSchema.defaultsMethod(type).invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot call " + type.getSimpleName() + ".defaults()", e);
    }
  }
}
