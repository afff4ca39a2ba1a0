package dev.rmr1.models;

import dev.rmr1.tensor.Tensor;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Paths of the Hugging Face reference fixtures (src/test/resources/dev/rmr1/models/fixtures/README.md) and comparisons. */
public final class Fixtures {
  private Fixtures() {}

  public static Path path(String relative) {
    URL url = Fixtures.class.getResource("fixtures/" + relative);
    if (url == null) throw new IllegalStateException("missing test resource dev/rmr1/models/fixtures/" + relative);
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Path tinyQwen2() {
    return path("tiny-qwen2-a");
  }

  /** max |a - b| / max |b|: the error relative to the reference's scale. */
  public static double relativeError(double[] actual, double[] expected) {
    if (actual.length != expected.length) throw new AssertionError("lengths " + actual.length + " vs " + expected.length);
    double diff = 0, scale = 0;
    for (int i = 0; i < actual.length; i++) {
      diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    return scale == 0 ? diff : diff / scale;
  }

  public static double relativeError(Tensor actual, Tensor expected) {
    return relativeError(actual.toDoubleArray(), expected.toDoubleArray());
  }

  public static int[] ints(Tensor t) {
    long[] l = t.toLongArray();
    int[] r = new int[l.length];
    for (int i = 0; i < l.length; i++) r[i] = Math.toIntExact(l[i]);
    return r;
  }
}
