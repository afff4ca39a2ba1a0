package dev.rmr1.tokenizers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A Hugging Face {@code tokenizer.json} tokenizer (byte-level BPE and relatives) giving the same ids as the
 * {@code tokenizers} library. The pipeline, as in tokenizers/src/tokenizer/mod.rs: split out added tokens
 * in the raw text; normalize the rest; split out normalized added tokens; pre-tokenize; run the BPE model
 * on each pre-token (cached per thread); post-process when special tokens are wanted.
 *
 * <p>Thread-safe: encoding keeps its word cache per thread.
 */
public final class Tokenizer {
  private final BpeModel model;
  private final TextNormalizer normalizer; // may be null
  private final PreTokenizer preTokenizer; // may be null
  /** The pre-tokenizer chain ended with ByteLevel: pre-tokens are mapped to byte-level chars here, on cache misses. */
  private final boolean byteLevelInput;
  private final PostProcessor postProcessor; // may be null
  private final TokenDecoder decoder; // may be null
  private final List<AddedToken> addedTokens;
  private final Map<Integer, String> addedById = new HashMap<>();
  private final Map<String, Integer> addedByContent = new HashMap<>();
  private final Set<String> specialContents = new HashSet<>();
  private final AddedTokenMatcher rawMatcher;
  private final AddedTokenMatcher normalizedMatcher;
  private final ThreadLocal<EncodeState> state = ThreadLocal.withInitial(EncodeState::new);

  private Tokenizer(BpeModel model, TextNormalizer normalizer, PreTokenizer preTokenizer, boolean byteLevelInput,
      PostProcessor postProcessor, TokenDecoder decoder, List<AddedToken> addedTokens) {
    this.model = model;
    this.normalizer = normalizer;
    this.preTokenizer = preTokenizer;
    this.byteLevelInput = byteLevelInput;
    this.postProcessor = postProcessor;
    this.decoder = decoder;
    this.addedTokens = List.copyOf(addedTokens);
    List<AddedToken> raw = new ArrayList<>(), norm = new ArrayList<>();
    List<String> rawPatterns = new ArrayList<>(), normPatterns = new ArrayList<>();
    for (AddedToken t : addedTokens) {
      String normalizedContent = t.normalized() && normalizer != null ? normalizer.normalize(t.content()) : t.content();
      // As in HF, a normalized token decodes to its normalized content; skipping special tokens compares
      // that string with the special contents.
      addedById.put(t.id(), normalizedContent);
      addedByContent.put(t.content(), t.id());
      if (t.special()) specialContents.add(t.content());
      if (t.normalized()) {
        norm.add(t);
        normPatterns.add(normalizedContent);
      } else {
        raw.add(t);
        rawPatterns.add(t.content());
      }
    }
    rawMatcher = new AddedTokenMatcher(raw, rawPatterns);
    normalizedMatcher = new AddedTokenMatcher(norm, normPatterns);
  }

  /** Loads a tokenizer.json file. */
  public static Tokenizer fromFile(Path tokenizerJson) {
    return build(TokenizerJsonReader.read(tokenizerJson), tokenizerJson.toString());
  }

  /** Builds a tokenizer from the text of a tokenizer.json; {@code source} names it in errors. */
  public static Tokenizer fromJson(String json, String source) {
    return build(TokenizerJsonReader.read(json, source), source);
  }

  private static Tokenizer build(TokenizerJsonReader.Parsed parsed, String source) {
    JsonNodeAt r = new JsonNodeAt(parsed.root(), "$", source);
    for (String unsupported : List.of("truncation", "padding")) {
      JsonNodeAt t = r.opt(unsupported);
      if (t != null) throw new TokenizerFormatException(source + ": unsupported " + unsupported + " " + t.json() + " at $." + unsupported + " (encode does not truncate or pad)");
    }
    JsonNodeAt m = r.get("model");
    String type = m.textOr("type", parsed.merges() != null ? "BPE" : null);
    if (!"BPE".equals(type)) throw m.unsupported("model");
    BpeModel model = BpeModel.parse(m, parsed.vocab(), parsed.merges());
    JsonNodeAt n = r.opt("normalizer");
    TextNormalizer normalizer = n == null ? null : TextNormalizer.parse(n);
    JsonNodeAt p = r.opt("pre_tokenizer");
    PreTokenizer pre = p == null ? null : PreTokenizer.parse(p);
    // A trailing ByteLevel's char mapping moves into the model step, behind the word cache; what is left of
    // it is dropped when it no longer splits or prefixes (Qwen, Llama 3: Split + ByteLevel(use_regex=false)).
    boolean byteLevelInput = false;
    List<PreTokenizer> steps = pre instanceof PreTokenizer.Sequence s ? new ArrayList<>(s.steps()) : pre == null ? new ArrayList<>() : new ArrayList<>(List.of(pre));
    if (!steps.isEmpty() && steps.getLast() instanceof PreTokenizer.ByteLevelSplit b) {
      byteLevelInput = true;
      steps.removeLast();
      if (b.addPrefixSpace() || b.useRegex()) steps.add(new PreTokenizer.ByteLevelSplit(b.addPrefixSpace(), b.useRegex(), false));
      pre = steps.isEmpty() ? null : steps.size() == 1 ? steps.getFirst() : new PreTokenizer.Sequence(steps);
    }
    JsonNodeAt pp = r.opt("post_processor");
    PostProcessor post = pp == null ? null : PostProcessor.parse(pp);
    JsonNodeAt d = r.opt("decoder");
    TokenDecoder decoder = d == null ? null : TokenDecoder.parse(d);
    List<AddedToken> added = new ArrayList<>();
    JsonNodeAt at = r.opt("added_tokens");
    if (at != null) for (JsonNodeAt e : at.elements()) added.add(AddedToken.parse(e));
    return new Tokenizer(model, normalizer, pre, byteLevelInput, post, decoder, added);
  }

  /** Encodes without adding special tokens (HF {@code add_special_tokens=False}). */
  public int[] encode(String text) {
    return encode(text, false);
  }

  /**
   * Encodes {@code text}. Lone surrogates count as U+FFFD (HF only sees valid UTF-8). With
   * {@code addSpecialTokens} the post-processor adds its tokens (e.g. Llama 3's BOS; none for Qwen).
   */
  public int[] encode(String text, boolean addSpecialTokens) {
    text = Utf8.sanitize(text);
    EncodeState st = state.get();
    IntList out = new IntList(text.length() / 3 + 8);
    st.out = out;
    try {
      int[] segs = rawMatcher.split(text);
      for (int i = 0; i < segs.length; i += 3) {
        if (segs[i + 2] >= 0) {
          out.add(segs[i + 2]);
          continue;
        }
        String part = segs[i] == 0 && segs[i + 1] == text.length() ? text : text.substring(segs[i], segs[i + 1]);
        String norm = normalizer == null ? part : normalizer.normalize(part);
        if (normalizedMatcher.isEmpty()) {
          preTokenize(norm, 0, norm.length(), segs[i] == 0, st);
          continue;
        }
        int[] segs2 = normalizedMatcher.split(norm);
        for (int j = 0; j < segs2.length; j += 3) {
          if (segs2[j + 2] >= 0) out.add(segs2[j + 2]);
          else preTokenize(norm, segs2[j], segs2[j + 1], segs[i] == 0 && segs2[j] == 0, st);
        }
      }
    } finally {
      st.out = null;
    }
    int[] ids = out.toArray();
    return addSpecialTokens && postProcessor != null ? postProcessor.addSpecialTokens(ids) : ids;
  }

  /** Encodes each text on all cores; the result is in input order. */
  public List<int[]> encodeBatch(List<String> texts, boolean addSpecialTokens) {
    int[][] out = new int[texts.size()][];
    IntStream.range(0, texts.size()).parallel().forEach(i -> out[i] = encode(texts.get(i), addSpecialTokens));
    return List.of(out);
  }

  private void preTokenize(String s, int start, int end, boolean atOrigin, EncodeState st) {
    if (start == end) return;
    if (preTokenizer == null) st.piece(s, start, end, atOrigin);
    else preTokenizer.split(s, start, end, atOrigin, st);
  }

  /** Per-thread encoding state: the word cache, a UTF-8 buffer and the output of the running call. */
  private final class EncodeState implements PreTokenizer.Sink {
    final WordCache cache = new WordCache(1 << 15);
    byte[] utf8 = new byte[Utf8.maxBytes(WordCache.MAX_WORD)];
    IntList out;

    @Override
    public void piece(String s, int start, int end, boolean atOrigin) {
      int len = end - start;
      if (len >= WordCache.MAX_WORD) {
        out.addAll(tokenizePiece(s, start, end));
        return;
      }
      int h = WordCache.hash(s, start, end);
      int[] ids = cache.get(s, start, end, h);
      if (ids == null) {
        ids = tokenizePiece(s, start, end);
        cache.put(s.substring(start, end), h, ids);
      }
      out.addAll(ids);
    }

    private int[] tokenizePiece(String s, int start, int end) {
      if (!byteLevelInput) return model.tokenize(s.substring(start, end));
      if (!model.byteLevelReady()) return model.tokenize(ByteLevel.encode(s, start, end));
      int max = Utf8.maxBytes(end - start);
      if (utf8.length < max) utf8 = new byte[max];
      int n = Utf8.encode(s, start, end, utf8);
      return model.tokenizeBytes(utf8, n);
    }
  }

  /**
   * Decodes ids to text through the decoder (HF {@code decode}). Special tokens (added tokens marked
   * special) are dropped when {@code skipSpecialTokens}.
   *
   * @throws IllegalArgumentException for an id outside the vocabulary
   */
  public String decode(int[] ids, boolean skipSpecialTokens) {
    List<String> tokens = new ArrayList<>(ids.length);
    for (int id : ids) {
      String t = idToToken(id);
      if (t == null) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (ids 0.." + (vocabSize() - 1) + ")");
      if (skipSpecialTokens && specialContents.contains(t)) continue;
      tokens.add(t);
    }
    if (decoder == null) return String.join(" ", tokens);
    return String.join("", decoder.decodeChain(tokens));
  }

  /** A decoder for generation: feed ids one by one, get text only once its characters are complete. */
  public StreamDecoder streamDecoder(boolean skipSpecialTokens) {
    return new StreamDecoder(this, skipSpecialTokens);
  }

  /** The token string of {@code id} (added tokens first, as HF does), or null. */
  public String idToToken(int id) {
    String t = addedById.get(id);
    return t != null ? t : model.idToToken(id);
  }

  /** The id of a token string (added tokens first), or null. */
  public Integer tokenToId(String token) {
    Integer id = addedByContent.get(token);
    return id != null ? id : model.tokenToId(token);
  }

  /** Highest id + 1 over the model vocabulary and the added tokens. */
  public int vocabSize() {
    int max = model.vocabSize() - 1;
    for (AddedToken t : addedTokens) max = Math.max(max, t.id());
    return max + 1;
  }

  public boolean isSpecial(int id) {
    String t = addedById.get(id);
    return t != null && specialContents.contains(t);
  }

  public List<AddedToken> addedTokens() {
    return Collections.unmodifiableList(addedTokens);
  }

  public BpeModel model() {
    return model;
  }
}
