package dev.rmr1.tokenizers;

import java.text.Normalizer.Form;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Hugging Face normalizer (tokenizers/src/normalizers), applied to text between added tokens. */
sealed interface TextNormalizer {
  String normalize(String s);

  static TextNormalizer parse(JsonNodeAt n) {
    return switch (n.type()) {
      case "NFC" -> new Unicode(Form.NFC);
      case "NFD" -> new Unicode(Form.NFD);
      case "NFKC" -> new Unicode(Form.NFKC);
      case "NFKD" -> new Unicode(Form.NFKD);
      case "Lowercase" -> new Lowercase();
      case "Strip" -> new Strip(n.boolOr("strip_left", true), n.boolOr("strip_right", true));
      case "StripAccents" -> new StripAccents();
      case "Prepend" -> new Prepend(n.text("prepend"));
      case "Replace" -> {
        JsonNodeAt p = n.get("pattern");
        String content = n.text("content");
        if (p.opt("String") != null) yield new Replace(Pattern.compile(Pattern.quote(p.text("String"))), Matcher.quoteReplacement(content));
        if (p.opt("Regex") != null) yield new Replace(SplitPattern.compileOniguruma(p.text("Regex"), p.get("Regex")), Matcher.quoteReplacement(content));
        throw p.error("expected {\"Regex\": ...} or {\"String\": ...}");
      }
      case "Sequence" -> {
        List<TextNormalizer> steps = new ArrayList<>();
        for (JsonNodeAt e : n.get("normalizers").elements()) steps.add(parse(e));
        yield new Sequence(steps);
      }
      default -> throw n.unsupported("normalizer");
    };
  }

  record Unicode(Form form) implements TextNormalizer {
    @Override
    public String normalize(String s) {
      // Quick check: NFC leaves text below U+0300 unchanged (no combining or composition-excluded chars
      // there), NFD text below U+00C0 (the first decomposable char). Other forms always run.
      int limit = form == Form.NFC ? 0x300 : form == Form.NFD ? 0xC0 : 0;
      boolean low = true;
      for (int i = 0, n = s.length(); i < n && low; i++) low = s.charAt(i) < limit;
      if (low || java.text.Normalizer.isNormalized(s, form)) return s;
      return java.text.Normalizer.normalize(s, form);
    }
  }

  /** Per-char lowercase (Rust {@code char::to_lowercase}: no context-dependent final sigma). */
  record Lowercase() implements TextNormalizer {
    @Override
    public String normalize(String s) {
      StringBuilder sb = new StringBuilder(s.length());
      s.codePoints().forEach(c -> {
        if (c < 0x80) sb.append((char) (c >= 'A' && c <= 'Z' ? c + 32 : c));
        else sb.append(Character.toString(c).toLowerCase(Locale.ROOT));
      });
      return sb.toString();
    }
  }

  record Strip(boolean left, boolean right) implements TextNormalizer {
    @Override
    public String normalize(String s) {
      int a = 0, b = s.length();
      while (left && a < b && UnicodeClasses.isWhiteSpace(s.codePointAt(a))) a += Character.charCount(s.codePointAt(a));
      while (right && b > a && UnicodeClasses.isWhiteSpace(s.codePointBefore(b))) b -= Character.charCount(s.codePointBefore(b));
      return s.substring(a, b);
    }
  }

  /** Removes combining marks (HF StripAccents; meant to follow NFD). */
  record StripAccents() implements TextNormalizer {
    @Override
    public String normalize(String s) {
      StringBuilder sb = new StringBuilder(s.length());
      s.codePoints().forEach(c -> {
        int t = Character.getType(c);
        if (t != Character.NON_SPACING_MARK && t != Character.COMBINING_SPACING_MARK && t != Character.ENCLOSING_MARK) sb.appendCodePoint(c);
      });
      return sb.toString();
    }
  }

  record Prepend(String prepend) implements TextNormalizer {
    @Override
    public String normalize(String s) {
      return s.isEmpty() ? s : prepend + s;
    }
  }

  record Replace(Pattern pattern, String quotedContent) implements TextNormalizer {
    @Override
    public String normalize(String s) {
      return pattern.matcher(s).replaceAll(quotedContent);
    }
  }

  record Sequence(List<TextNormalizer> steps) implements TextNormalizer {
    @Override
    public String normalize(String s) {
      for (TextNormalizer n : steps) s = n.normalize(s);
      return s;
    }
  }
}
