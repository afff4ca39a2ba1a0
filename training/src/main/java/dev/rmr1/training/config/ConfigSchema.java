package dev.rmr1.training.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys of a configuration record, found by reflection: every record component is a key named in
 * snake_case ({@code klBeta} is {@code kl_beta}); a component whose type is itself a record is a
 * section whose keys are dotted ({@code grpo.kl_beta}). Value types: int, long, double, boolean,
 * String, Path, enums and {@code List<String>}.
 */
final class ConfigSchema {
  /** A key holding a value. */
  record Key(String path, Class<?> type, boolean nullable, boolean hashed, String doc, RecordComponent component) {
    String leaf() {
      return path.substring(path.lastIndexOf('.') + 1);
    }
  }

  /** A nested record; the root section has path "". */
  record Section(String path, Class<? extends Record> type, boolean nullable, boolean hashed, String doc, Constructor<?> constructor,
      RecordComponent[] components) {}

  private final Map<String, Key> keys = new LinkedHashMap<>();
  private final Map<String, Section> sections = new LinkedHashMap<>();

  ConfigSchema(Class<? extends Record> root) {
    addSection("", root, false, true, "");
  }

  Map<String, Key> keys() {
    return Collections.unmodifiableMap(keys);
  }

  /** Sections in declaration order, the root ("") first. */
  Map<String, Section> sections() {
    return Collections.unmodifiableMap(sections);
  }

  /** Every dotted name a setting may use: keys and sections. */
  List<String> names() {
    List<String> all = new ArrayList<>(keys.keySet());
    for (String s : sections.keySet()) if (!s.isEmpty()) all.add(s);
    return all;
  }

  static String child(String section, String name) {
    return section.isEmpty() ? name : section + "." + name;
  }

  static String snakeCase(String camel) {
    StringBuilder sb = new StringBuilder();
    for (char c : camel.toCharArray()) {
      if (Character.isUpperCase(c)) sb.append('_').append(Character.toLowerCase(c));
      else sb.append(c);
    }
    return sb.toString();
  }

  @SuppressWarnings("unchecked")
  private void addSection(String path, Class<? extends Record> type, boolean nullable, boolean hashed, String doc) {
    RecordComponent[] comps = type.getRecordComponents();
    Class<?>[] types = new Class<?>[comps.length];
    for (int i = 0; i < comps.length; i++) types[i] = comps[i].getType();
    Constructor<?> ctor;
    try {
      ctor = type.getDeclaredConstructor(types);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(type + " has no canonical constructor", e);
    }
    if (nullable) defaultsMethod(type); // fail early: a switchable section must say what "on" means
    sections.put(path, new Section(path, type, nullable, hashed, doc, ctor, comps));
    for (RecordComponent c : comps) {
      String p = child(path, snakeCase(c.getName()));
      boolean n = c.isAnnotationPresent(Nullable.class);
      boolean h = hashed && !c.isAnnotationPresent(NotHashed.class);
      Doc d = c.getAnnotation(Doc.class);
      String text = d == null ? "" : d.value();
      Class<?> t = c.getType();
      if (t.isRecord()) {
        addSection(p, (Class<? extends Record>) t, n, h, text);
      } else {
        checkValueType(type, c);
        if (n && t.isPrimitive()) throw new IllegalStateException(type.getSimpleName() + "." + c.getName() + ": a primitive cannot be @Nullable");
        keys.put(p, new Key(p, t, n, h, text, c));
      }
    }
  }

  private static void checkValueType(Class<?> owner, RecordComponent c) {
    Class<?> t = c.getType();
    if (t == int.class || t == long.class || t == double.class || t == boolean.class || t == String.class || t == Path.class || t.isEnum()) return;
    if (t == List.class) {
      Type g = c.getGenericType();
      if (g instanceof ParameterizedType pt && pt.getActualTypeArguments()[0] == String.class) return;
    }
    throw new IllegalStateException(owner.getSimpleName() + "." + c.getName() + ": unsupported configuration type " + c.getGenericType());
  }

  /** The public static {@code defaults()} of a switchable section. */
  static Method defaultsMethod(Class<?> type) {
    try {
      Method m = type.getMethod("defaults");
      if (Modifier.isStatic(m.getModifiers()) && m.getReturnType() == type) return m;
    } catch (NoSuchMethodException e) {
      // reported below
    }
    throw new IllegalStateException(type.getSimpleName() + " is a @Nullable section and needs a public static " + type.getSimpleName() + " defaults()");
  }
}
