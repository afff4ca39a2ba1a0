package dev.rmr1.models.hub;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  @Test
  void drawsInPlaceAndEndsTheLine() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ProgressBar bar = new ProgressBar(new PrintStream(buf, true, StandardCharsets.UTF_8), "model.safetensors",
        3L << 30, 1L << 30, 0);
    bar.advance(1L << 29);
    bar.advance(3L << 29);
    bar.finish();
    String out = buf.toString(StandardCharsets.UTF_8);
    String[] frames = out.split("\r");
    assertEquals(5, frames.length, out); // "", the initial frame, two advances, the final frame
    assertTrue(frames[1].startsWith("model.safetensors [##########....................]  33% 1.0 GiB/3.0 GiB "), frames[1]);
    assertTrue(frames[2].contains("]  50% 1.5 GiB/3.0 GiB "), frames[2]);
    assertTrue(frames[3].contains("] 100% 3.0 GiB/3.0 GiB "), frames[3]);
    assertTrue(frames[4].contains("[##############################] 100%") && frames[4].endsWith("/s\n"), frames[4]);
  }

  @Test
  void byteUnits() {
    assertEquals("0 B", ProgressBar.bytes(0));
    assertEquals("1023 B", ProgressBar.bytes(1023));
    assertEquals("1.0 KiB", ProgressBar.bytes(1024));
    assertEquals("1.5 MiB", ProgressBar.bytes(3L << 19));
    assertEquals("14.2 GiB", ProgressBar.bytes((long) (14.2 * (1L << 30))));
  }
}
