package dev.rmr1.training.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.Chars;

class ConfigProperties {
  private static final ConfigLoader<SftConfig> SFT = SftConfig.loader();
  /** Every hashed key of a GRPO configuration with LoRA on. */
  private static final List<String> KNOWN =
      List.copyOf(GrpoConfig.fromArgs("--model", "m", "--data", "d", "--lora").hashedValues().keySet());

  @Property(tries = 300)
  void canonicalNumberTextReadsBackExactly(@ForAll double d) {
    Assume.that(Double.isFinite(d));
    String text = ValueCodec.formatDouble(d);
    assertEquals(d, Double.parseDouble(text), text);
  }

  /** Any finite lr given as a flag arrives bit for bit, and the table prints text that reads back to it. */
  @Property(tries = 100)
  void flagValuesArriveExactly(@ForAll @DoubleRange(min = 1, max = 10) @Scale(15) double mantissa, @ForAll @IntRange(min = -12, max = 0) int exp,
      @ForAll @IntRange(min = 3, max = 1 << 20) int maxLen) {
    double lr = mantissa * Math.pow(10, exp);
    EffectiveConfig<SftConfig> e = SFT.fromArgs("--model", "m", "--data", "d", "--lr", Double.toString(lr), "--max-len", Integer.toString(maxLen));
    assertEquals(lr, e.value().optim().lr());
    assertEquals(maxLen, e.value().sft().maxLen());
    String shown = e.entries().stream().filter(x -> x.key().equals("optim.lr")).findFirst().orElseThrow().text();
    assertEquals(lr, Double.parseDouble(shown));
  }

  /** One edit to a known key (a deleted, doubled or swapped letter) is always traced back to that key. */
  @Property(tries = 80)
  void oneTypoIsSuggested(@ForAll("keys") String key, @ForAll @IntRange(min = 0, max = 100) int where, @ForAll @IntRange(min = 0, max = 2) int kind) {
    List<String> known = KNOWN;
    int i = where % key.length();
    String typo = switch (kind) {
      case 0 -> key.substring(0, i) + key.substring(i + 1);
      case 1 -> key.substring(0, i) + key.charAt(i) + key.substring(i);
      default -> i + 1 < key.length() ? key.substring(0, i) + key.charAt(i + 1) + key.charAt(i) + key.substring(i + 2) : key + "x";
    };
    Assume.that(!known.contains(typo));
    Optional<String> s = Suggest.closest(typo, known);
    assertTrue(s.isPresent(), typo);
    assertTrue(Suggest.distance(typo, s.get()) <= 1 || s.get().endsWith("." + typo.substring(typo.lastIndexOf('.') + 1)), typo + " -> " + s.get());
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> keys() {
    return net.jqwik.api.Arbitraries.of(KNOWN);
  }

  @Property(tries = 200)
  void distanceIsAMetricOnSamples(@ForAll @StringLength(max = 8) @Chars({'a', 'b', 'c', '_'}) String a,
      @ForAll @StringLength(max = 8) @Chars({'a', 'b', 'c', '_'}) String b) {
    int d = Suggest.distance(a, b);
    assertEquals(d, Suggest.distance(b, a));
    assertEquals(a.equals(b), d == 0);
    assertTrue(d <= Math.max(a.length(), b.length()));
    assertTrue(d >= Math.abs(a.length() - b.length()));
  }

  @Example
  void farNamesGetNoSuggestion() {
    assertEquals(Optional.empty(), Suggest.closest("completely_unrelated", List.of("optim.lr", "grpo.kl_beta")));
    assertEquals(Optional.of("grpo.kl_beta"), Suggest.closest("kl_beta", List.of("optim.lr", "grpo.kl_beta")));
  }
}
