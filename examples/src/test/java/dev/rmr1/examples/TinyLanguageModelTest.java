package dev.rmr1.examples;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TinyLanguageModelTest {
  @Test
  void learnsToReciteARepetitiveText() throws Exception {
    String text = Files.readString(ExampleFixtures.resource("rhyme.txt"));
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    TinyLanguageModel.Result r = TinyLanguageModel.run(text, 300, 40, 4, 32, 2, new PrintStream(buf, true, StandardCharsets.UTF_8));
    String log = buf.toString(StandardCharsets.UTF_8);
    double first = r.losses()[0];
    double last = Arrays.stream(r.losses(), 35, 40).average().orElseThrow();
    // starts near ln(vocab) (uniform guessing) and falls well below it
    assertTrue(first > 4.5, log);
    assertTrue(last < first - 2, log);
    assertTrue(text.startsWith(r.prompt()), r.prompt());
    assertFalse(r.continuation().isEmpty());
  }
}
