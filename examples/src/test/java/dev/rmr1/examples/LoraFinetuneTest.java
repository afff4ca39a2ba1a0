package dev.rmr1.examples;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoraFinetuneTest {
  @Test
  void loraOnTinyQwen2LearnsARepetitiveText(@TempDir Path dir) throws Exception {
    String text = Files.readString(ExampleFixtures.resource("rhyme.txt"));
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    LoraFinetune.Result r = LoraFinetune.run(ExampleFixtures.tinyQwen2(), ExampleFixtures.tokenizer(dir), text, 15, 2, 24, 1,
        new PrintStream(buf, true, StandardCharsets.UTF_8));
    // all seven linear layers of both decoder layers; r * (in + out) each: 2 * 8 * (128 + 96 + 96 + 128 + 224 + 224 + 224)
    assertEquals(14, r.adapted().size());
    assertEquals(17_920, r.trainable());
    double first = r.losses()[0];
    double last = Arrays.stream(r.losses(), 12, 15).average().orElseThrow();
    assertTrue(last < first - 0.5, "loss " + first + " -> " + last + "\n" + buf);
    assertTrue(buf.toString(StandardCharsets.UTF_8).contains("step  15"));
  }
}
