package dev.rmr1.tokenizers;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face decoder (tokenizers/src/decoders): turns the token strings of ids back into text. Each
 * decoder maps the list of token strings to a new list ({@code decode_chain}); the text is their
 * concatenation.
 */
sealed interface TokenDecoder {
  List<String> decodeChain(List<String> tokens);

  static TokenDecoder parse(JsonNodeAt n) {
    return switch (n.type()) {
      case "ByteLevel" -> new ByteLevelDecoder();
      case "ByteFallback" -> new ByteFallback();
      case "Fuse" -> new Fuse();
      case "Strip" -> {
        String content = n.text("content");
        if (content.codePointCount(0, content.length()) != 1) throw n.get("content").error("expected a single character");
        yield new Strip(content.codePointAt(0), n.intOr("start", 0), n.intOr("stop", 0));
      }
      case "Replace" -> {
        JsonNodeAt p = n.get("pattern");
        String content = Matcher.quoteReplacement(n.text("content"));
        if (p.opt("String") != null) yield new Replace(Pattern.compile(Pattern.quote(p.text("String"))), content);
        if (p.opt("Regex") != null) yield new Replace(SplitPattern.compileOniguruma(p.text("Regex"), p.get("Regex")), content);
        throw p.error("expected {\"Regex\": ...} or {\"String\": ...}");
      }
      case "Metaspace" -> {
        String scheme = n.textOr("prepend_scheme", null);
        if (scheme == null) scheme = n.boolOr("add_prefix_space", true) ? "always" : "never";
        yield new Metaspace(n.textOr("replacement", "\u2581").codePointAt(0), !scheme.equals("never"));
      }
      case "BPEDecoder" -> new BpeSuffix(n.textOr("suffix", "</w>"));
      case "Sequence" -> {
        List<TokenDecoder> steps = new ArrayList<>();
        for (JsonNodeAt e : n.get("decoders").elements()) steps.add(parse(e));
        yield new Sequence(steps);
      }
      default -> throw n.unsupported("decoder");
    };
  }

  /** Byte-level chars back to bytes, lossy UTF-8; a token with any other char contributes its own UTF-8. */
  record ByteLevelDecoder() implements TokenDecoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      for (String t : tokens) {
        boolean all = true;
        for (int i = 0; i < t.length() && all; i++) all = ByteLevel.byteOf(t.charAt(i)) >= 0;
        if (all) {
          for (int i = 0; i < t.length(); i++) bytes.write(ByteLevel.byteOf(t.charAt(i)));
        } else {
          bytes.writeBytes(t.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      byte[] b = bytes.toByteArray();
      return List.of(Utf8.decodeLossy(b, b.length));
    }
  }

  /** Runs of {@code <0xXX>} tokens become their UTF-8 text, or one U+FFFD per byte when invalid. */
  record ByteFallback() implements TokenDecoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      List<String> out = new ArrayList<>(tokens.size());
      java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();
      for (String t : tokens) {
        int b = byteToken(t);
        if (b >= 0) {
          pending.write(b);
          continue;
        }
        flush(pending, out);
        out.add(t);
      }
      flush(pending, out);
      return out;
    }

    private static int byteToken(String t) {
      if (t.length() != 6 || !t.startsWith("<0x") || t.charAt(5) != '>') return -1;
      int hi = Character.digit(t.charAt(3), 16), lo = Character.digit(t.charAt(4), 16);
      return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    private static void flush(java.io.ByteArrayOutputStream pending, List<String> out) {
      if (pending.size() == 0) return;
      byte[] b = pending.toByteArray();
      String s = Utf8.decodeLossy(b, b.length);
      boolean valid = s.indexOf(Utf8.REPLACEMENT) < 0 || java.util.Arrays.equals(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), b);
      if (valid) out.add(s);
      else for (int i = 0; i < b.length; i++) out.add(String.valueOf(Utf8.REPLACEMENT));
      pending.reset();
    }
  }

  record Fuse() implements TokenDecoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      return List.of(String.join("", tokens));
    }
  }

  /** Removes up to {@code start} leading and {@code stop} trailing {@code content} chars from each token. */
  record Strip(int content, int start, int stop) implements TokenDecoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      List<String> out = new ArrayList<>(tokens.size());
      for (String t : tokens) {
        int[] cps = t.codePoints().toArray();
        int a = 0;
        while (a < start && a < cps.length && cps[a] == content) a++;
        int b = cps.length;
        for (int i = 0; i < stop && b > a && cps[b - 1] == content; i++) b--;
        out.add(new String(cps, a, b - a));
      }
      return out;
    }
  }

  record Replace(Pattern pattern, String quotedContent) implements TokenDecoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      List<String> out = new ArrayList<>(tokens.size());
      for (String t : tokens) out.add(pattern.matcher(t).replaceAll(quotedContent));
      return out;
    }
  }

  /** The replacement char becomes a space, except at the start of the first token when a prefix was added. */
  record Metaspace(int replacement, boolean prefixAdded) implements TokenDecoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      List<String> out = new ArrayList<>(tokens.size());
      for (int i = 0; i < tokens.size(); i++) {
        StringBuilder sb = new StringBuilder();
        int[] cps = tokens.get(i).codePoints().toArray();
        for (int j = 0; j < cps.length; j++) {
          if (cps[j] != replacement) sb.appendCodePoint(cps[j]);
          else if (!(i == 0 && j == 0 && prefixAdded)) sb.append(' ');
        }
        out.add(sb.toString());
      }
      return out;
    }
  }

  /** Original BPE (GPT-1, CLIP): the end-of-word suffix becomes a space, except in the last token. */
  record BpeSuffix(String suffix) implements TokenDecoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      List<String> out = new ArrayList<>(tokens.size());
      for (int i = 0; i < tokens.size(); i++) out.add(tokens.get(i).replace(suffix, i == tokens.size() - 1 ? "" : " "));
      return out;
    }
  }

  record Sequence(List<TokenDecoder> steps) implements TokenDecoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      for (TokenDecoder d : steps) tokens = d.decodeChain(tokens);
      return tokens;
    }
  }
}
