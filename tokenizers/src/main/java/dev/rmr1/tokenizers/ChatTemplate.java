package dev.rmr1.tokenizers;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.objects.SafeString;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Hugging Face chat template (the Jinja {@code chat_template} of tokenizer_config.json), rendered as
 * transformers' {@code apply_chat_template(..., tokenize=False)} renders it: jinja2 with
 * {@code trim_blocks} and {@code lstrip_blocks}, no trailing newline kept, {@code tojson} as Python's
 * json.dumps(ensure_ascii=False), {@code raise_exception}, {@code strftime_now}, and the
 * {@code {% generation %}} tag (transformers/utils/chat_template_utils.py).
 *
 * <p>Jinjava does the Jinja part. What it lacks or does differently is handled here: jinja2's whitespace
 * control and source rewrites ({@link JinjaSource}), Python str/dict methods ({@link PythonMethods}), and
 * the functions and filters above. Known differences left: {@code and}/{@code or} give booleans (Python gives
 * an operand, so {@code a and 'x' or 'y'} differs), and printing a boolean or none gives {@code true}/empty
 * where Python prints {@code True}/{@code None}; the Qwen, DeepSeek and Llama-style templates use neither.
 */
public final class ChatTemplate {
  private final String source;
  private final String translated;
  private final Jinjava jinjava;

  public ChatTemplate(String template) {
    this.source = template;
    // jinja2's default keep_trailing_newline=False drops one trailing newline of the template.
    String t = template.endsWith("\n") ? template.substring(0, template.length() - 1) : template;
    this.translated = JinjaSource.prepare(t);
    CompositeELResolver resolver = new CompositeELResolver();
    resolver.add(new PythonMethods());
    resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
    JinjavaConfig config = JinjavaConfig.newBuilder()
        .withTrimBlocks(false) // done by JinjaSource, as jinja2's lexer does it
        .withLstripBlocks(false)
        .withElResolver(resolver)
        .withLegacyOverrides(LegacyOverrides.newBuilder()
            .withEvaluateMapKeys(true)
            .withIterateOverMapKeys(true)
            .withKeepNullableLoopValues(true)
            .withUseNaturalOperatorPrecedence(true)
            .build())
        .withFailOnUnknownTokens(false)
        .withNestedInterpretationEnabled(false) // message text containing "{{" is data, never a template
        .build();
    jinjava = new Jinjava(config);
    jinjava.getGlobalContext().registerFilter(new ToJson());
    jinjava.getGlobalContext().registerFilter(new PySlice());
    jinjava.getGlobalContext().registerTag(new GenerationTag());
    try {
      jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
          ChatTemplate.class.getDeclaredMethod("raiseException", String.class)));
      jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
          ChatTemplate.class.getDeclaredMethod("strftimeNow", String.class)));
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }

  /** The template text as given. */
  public String source() {
    return source;
  }

  /** Renders {@code messages} (maps with role, content, ...) with no tools and the given special tokens. */
  public String render(List<?> messages, boolean addGenerationPrompt, Map<String, ?> specialTokens) {
    return render(messages, null, addGenerationPrompt, specialTokens, Map.of());
  }

  /**
   * Renders like {@code apply_chat_template(messages, tools=tools, add_generation_prompt=...,
   * **extra)}; {@code specialTokens} holds bos_token, eos_token, ... (only those that are set).
   */
  public String render(List<?> messages, List<?> tools, boolean addGenerationPrompt, Map<String, ?> specialTokens,
      Map<String, ?> extra) {
    Map<String, Object> ctx = new HashMap<>(specialTokens);
    ctx.putAll(extra);
    ctx.put("messages", messages);
    ctx.put("tools", tools);
    ctx.put("documents", null);
    ctx.put("add_generation_prompt", addGenerationPrompt);
    RenderResult result = jinjava.renderForResult(translated, ctx);
    List<String> errors = new ArrayList<>();
    for (TemplateError e : result.getErrors()) {
      if (e.getSeverity() != TemplateError.ErrorType.FATAL) continue;
      Throwable cause = e.getException();
      while (cause != null && !(cause instanceof TemplateRaised)) cause = cause.getCause();
      if (cause != null) throw new ChatTemplateException("the chat template raised: " + cause.getMessage());
      errors.add("line " + e.getLineno() + ": " + e.getMessage());
    }
    if (!errors.isEmpty()) throw new ChatTemplateException("chat template error: " + String.join("; ", errors));
    return result.getOutput();
  }

  /** {@code raise_exception(message)}: aborts rendering with the template's message. */
  public static String raiseException(String message) {
    throw new TemplateRaised(message);
  }

  /** {@code strftime_now(format)}: the local time with Python's strftime directives. */
  public static String strftimeNow(String format) {
    return Strftime.format(LocalDateTime.now(), format);
  }

  private static final class TemplateRaised extends RuntimeException {
    TemplateRaised(String message) {
      super(message);
    }
  }

  /**
   * transformers' {@code tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)}:
   * Python's json.dumps with those arguments (chat_template_utils.py), positional ones in that order.
   */
  private static final class ToJson implements Filter {
    private static final List<String> PARAMETERS = List.of("ensure_ascii", "indent", "separators", "sort_keys");

    @Override
    public String getName() {
      return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      return filter(var, interpreter, (Object[]) args, Map.of());
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
      if (args.length > PARAMETERS.size()) throw new ChatTemplateException("tojson takes at most " + PARAMETERS.size() + " arguments, got " + args.length);
      Map<String, Object> a = new HashMap<>();
      for (int i = 0; i < args.length; i++) a.put(PARAMETERS.get(i), args[i]);
      for (Map.Entry<String, Object> e : kwargs.entrySet()) {
        if (!PARAMETERS.contains(e.getKey())) throw new ChatTemplateException("tojson got an unexpected keyword argument '" + e.getKey() + "'");
        a.put(e.getKey(), e.getValue());
      }
      Object indent = a.get("indent");
      // json.dumps: an int indent is that many spaces (none if negative), a str is used as is
      String ind = indent == null ? null : indent instanceof Number n ? " ".repeat(Math.max(0, n.intValue())) : indent.toString();
      PythonJson json = PythonJson.of(ind, truthy(a.get("sort_keys")), truthy(a.get("ensure_ascii")));
      Object separators = a.get("separators");
      if (separators != null) {
        if (!(separators instanceof List<?> l && l.size() == 2))
          throw new ChatTemplateException("tojson: separators must be an (item_separator, key_separator) pair, got " + separators);
        json = new PythonJson(ind, String.valueOf(l.get(0)), String.valueOf(l.get(1)), json.sortKeys(), json.ensureAscii());
      }
      // Jinja's safe strings (Python's Markup, a str) are strings to json
      return json.dumps(var instanceof SafeString s ? s.getValue() : var);
    }

    /** Python's truth value of a keyword argument. */
    private static boolean truthy(Object o) {
      return switch (o) {
        case null -> false;
        case Boolean b -> b;
        case Number n -> n.doubleValue() != 0;
        case CharSequence s -> !s.isEmpty();
        case java.util.Collection<?> c -> !c.isEmpty();
        case Map<?, ?> m -> !m.isEmpty();
        default -> true;
      };
    }
  }

  /** {@code x|py_slice(start, stop, step)}: Python slicing of a list or string. */
  private static final class PySlice implements Filter {
    @Override
    public String getName() {
      return "py_slice";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      return filter(var, interpreter, (Object[]) args, Map.of());
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
      List<Object> items = new ArrayList<>();
      boolean string = var instanceof String;
      if (string) ((String) var).codePoints().forEach(c -> items.add(Character.toString(c)));
      else if (var instanceof Iterable<?> it) it.forEach(items::add);
      else throw new ChatTemplateException("cannot slice " + (var == null ? "None" : var.getClass().getSimpleName()));
      int n = items.size();
      int step = args.length > 2 && args[2] != null ? Integer.parseInt(args[2].toString()) : 1;
      if (step == 0) throw new ChatTemplateException("ValueError: slice step cannot be zero");
      Integer a = args.length > 0 && args[0] != null ? Integer.valueOf(args[0].toString()) : null;
      Integer b = args.length > 1 && args[1] != null ? Integer.valueOf(args[1].toString()) : null;
      int start, stop;
      if (step > 0) {
        start = a == null ? 0 : clamp(a < 0 ? a + n : a, 0, n);
        stop = b == null ? n : clamp(b < 0 ? b + n : b, 0, n);
      } else {
        start = a == null ? n - 1 : clamp(a < 0 ? a + n : a, -1, n - 1);
        stop = b == null ? -1 : clamp(b < 0 ? b + n : b, -1, n - 1);
      }
      List<Object> out = new ArrayList<>();
      for (int i = start; step > 0 ? i < stop : i > stop; i += step) out.add(items.get(i));
      if (!string) return out;
      StringBuilder sb = new StringBuilder();
      out.forEach(sb::append);
      return sb.toString();
    }

    private static int clamp(int v, int lo, int hi) {
      return Math.max(lo, Math.min(hi, v));
    }
  }

  /** transformers' {@code {% generation %}...{% endgeneration %}}: renders its body (it only marks assistant text). */
  private static final class GenerationTag implements Tag {
    @Override
    public String getName() {
      return "generation";
    }

    @Override
    public String getEndTagName() {
      return "endgeneration";
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
      StringBuilder sb = new StringBuilder();
      for (Node child : tagNode.getChildren()) sb.append(child.render(interpreter).getValue());
      return sb.toString();
    }
  }
}
