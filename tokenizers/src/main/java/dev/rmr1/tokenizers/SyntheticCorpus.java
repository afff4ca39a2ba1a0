package dev.rmr1.tokenizers;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic mixed text for benchmarks, tests and tiny demo tokenizers: English prose (with numbers,
 * contractions, punctuation), source code (indentation, operators, identifiers) and CJK/Korean text, in
 * roughly 5 : 3 : 2 proportions by documents. The same seed always gives the same documents.
 */
public final class SyntheticCorpus {
  private SyntheticCorpus() {}

  private static final String[] WORDS = ("the of and to in is was for that with as on by at from it an be this are or his "
      + "which have not had but were they one all we their been has would there more can will if about when who what "
      + "time people year model reward judge answer better response reasoning score training data token language "
      + "question chatbot rubric evaluate quality correct helpful harmless policy gradient learning value function "
      + "system user assistant because however therefore example result method paper table figure section first "
      + "second large small new old good great high long little own other right different following important").split(" ");
  private static final String[] CONTRACTIONS = {"don't", "it's", "we're", "I'll", "they've", "can't", "she'd", "I'm"};
  private static final String[] IDENTS = {"i", "j", "n", "x", "y", "sum", "count", "result", "value", "index", "buffer",
      "tokens", "logits", "weights", "grad", "lr", "step", "loss", "batch", "hidden", "config", "cache", "scale"};
  private static final String CJK = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学"
      + "对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长"
      + "模型奖励判断回答推理训练数据语言问题评价质量正确帮助学习策略梯度函数系统用户助手因为所以例如结果方法论文";
  private static final String KANA = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん";
  private static final String HANGUL = "가나다라마바사아자차카타파하보상모델학습평가질문답변추론데이터언어";

  /** Documents totalling at least {@code minChars} UTF-16 chars. */
  public static List<String> documents(long seed, long minChars) {
    SplittableRandom r = new SplittableRandom(seed);
    List<String> docs = new ArrayList<>();
    long total = 0;
    while (total < minChars) {
      int kind = r.nextInt(10);
      String d = kind < 5 ? english(r) : kind < 8 ? code(r) : cjk(r);
      docs.add(d);
      total += d.length();
    }
    return docs;
  }

  static String english(SplittableRandom r) {
    StringBuilder sb = new StringBuilder();
    int sentences = 3 + r.nextInt(8);
    for (int s = 0; s < sentences; s++) {
      int n = 5 + r.nextInt(15);
      for (int i = 0; i < n; i++) {
        String w = r.nextInt(30) == 0 ? CONTRACTIONS[r.nextInt(CONTRACTIONS.length)]
            : r.nextInt(25) == 0 ? Integer.toString(r.nextInt(100_000)) : WORDS[r.nextInt(WORDS.length)];
        if (i == 0) w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
        sb.append(w);
        if (i < n - 1) sb.append(r.nextInt(12) == 0 ? ", " : " ");
      }
      sb.append(".?!".charAt(r.nextInt(3) == 0 ? 1 + r.nextInt(2) : 0));
      sb.append(r.nextInt(4) == 0 ? "\n\n" : " ");
    }
    return sb.toString();
  }

  static String code(SplittableRandom r) {
    StringBuilder sb = new StringBuilder();
    String f = IDENTS[r.nextInt(IDENTS.length)] + "_" + IDENTS[r.nextInt(IDENTS.length)];
    boolean python = r.nextBoolean();
    if (python) {
      sb.append("def ").append(f).append("(").append(IDENTS[r.nextInt(IDENTS.length)]).append(", ").append(IDENTS[r.nextInt(IDENTS.length)]).append("):\n");
    } else {
      sb.append("public static float ").append(f).append("(float[] ").append(IDENTS[r.nextInt(IDENTS.length)]).append(", int n) {\n");
    }
    int lines = 3 + r.nextInt(10);
    for (int l = 0; l < lines; l++) {
      String a = IDENTS[r.nextInt(IDENTS.length)], b = IDENTS[r.nextInt(IDENTS.length)];
      String indent = python ? "    ".repeat(1 + r.nextInt(2)) : "  ".repeat(1 + r.nextInt(3));
      switch (r.nextInt(4)) {
        case 0 -> sb.append(indent).append(a).append(" = ").append(b).append(" * ").append(r.nextInt(1000)).append(" + ").append(a);
        case 1 -> sb.append(indent).append(python ? "for " + a + " in range(" + b + "):" : "for (int " + a + " = 0; " + a + " < n; " + a + "++) {");
        case 2 -> sb.append(indent).append(python ? "# " : "// ").append(WORDS[r.nextInt(WORDS.length)]).append(' ').append(WORDS[r.nextInt(WORDS.length)]);
        default -> sb.append(indent).append(a).append("[").append(b).append("] += ").append(r.nextInt(10)).append(".").append(r.nextInt(100));
      }
      sb.append(python ? "\n" : ";\n");
    }
    sb.append(python ? "    return " + f + "\n\n" : "  return 0f;\n}\n\n");
    return sb.toString();
  }

  static String cjk(SplittableRandom r) {
    StringBuilder sb = new StringBuilder();
    String alphabet = switch (r.nextInt(5)) {
      case 0 -> KANA;
      case 1 -> HANGUL;
      default -> CJK;
    };
    int sentences = 2 + r.nextInt(6);
    for (int s = 0; s < sentences; s++) {
      int n = 6 + r.nextInt(25);
      for (int i = 0; i < n; i++) {
        sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        if (alphabet == HANGUL && r.nextInt(4) == 0) sb.append(' ');
      }
      sb.append(r.nextInt(5) == 0 ? "，" : "。");
    }
    return sb.append('\n').toString();
  }
}
