package dev.rmr1.training.data;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingDatasetsTest {
  private static final String GOOD_A =
      "{\"context_messages\": [{\"role\": \"system\", \"content\": \"S\"}, {\"role\": \"user\", \"content\": \"U\"}],"
          + " \"winner\": \"model_a\", \"extra\": 1}";
  private static final String GOOD_B = "{\"context_messages\": [{\"role\": \"user\", \"content\": \"V\"}], \"winner\": \"model_b\"}";

  @Test
  void readsJsonLinesAndReportsEveryBadRecordWithItsLine(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("rlvr.jsonl");
    Files.writeString(f, String.join("\n",
        GOOD_A,
        "",
        "{\"context_messages\": [{\"role\": \"user\", \"content\": \"U\"}], \"winner\": \"model_c\"}",
        "{\"context_messages\": [{\"role\": \"user\", \"content\": \"U\"}]}",
        "{\"context_messages\": [{\"role\": \"user\", \"content\": \"U\"}, ",
        "{\"context_messages\": [{\"role\": \"tool\", \"content\": \"U\"}], \"winner\": \"model_a\"}",
        "{\"context_messages\": [], \"winner\": \"model_a\"}",
        "[1, 2]",
        "{\"context_messages\": [{\"role\": \"user\"}], \"winner\": \"model_a\"}",
        GOOD_B) + "\n");
    var loaded = TrainingDatasets.readRlvr(f, BadRecordPolicy.SKIP);
    assertEquals(2, loaded.records().size());
    assertEquals(Slot.A, loaded.records().get(0).winner());
    assertEquals(List.of(ChatMessage.system("S"), ChatMessage.user("U")), loaded.records().get(0).contextMessages());
    assertEquals(Slot.B, loaded.records().get(1).winner());
    List<BadRecord> bad = loaded.report().skipped();
    assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L), bad.stream().map(BadRecord::line).toList());
    assertTrue(bad.get(0).reason().contains("model_c"), bad.get(0).reason());
    assertTrue(bad.get(1).reason().contains("winner: missing"), bad.get(1).reason());
    assertTrue(bad.get(2).reason().contains("invalid JSON"), bad.get(2).reason());
    assertTrue(bad.get(3).reason().contains("context_messages[0].role"), bad.get(3).reason());
    assertTrue(bad.get(4).reason().contains("context_messages: empty"), bad.get(4).reason());
    assertTrue(bad.get(5).reason().contains("expected an object"), bad.get(5).reason());
    assertTrue(bad.get(6).reason().contains("context_messages[0].content: missing"), bad.get(6).reason());
    assertEquals(2, loaded.report().accepted());
    assertTrue(loaded.report().summary().contains("7 skipped"), loaded.report().summary());
    assertTrue(bad.get(0).toString().startsWith(f + ":3: "));

    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> TrainingDatasets.readRlvr(f, BadRecordPolicy.FAIL));
    assertEquals(3, e.line());
    assertTrue(e.getMessage().startsWith(f + ":3: "), e.getMessage());
  }

  @Test
  void readsJsonArraysWithTheLineWhereEachRecordStarts(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("rlvr.json");
    Files.writeString(f, "[\n  " + GOOD_A + ",\n  {\"context_messages\": [{\"role\": \"user\",\n"
        + " \"content\": \"x\"}], \"winner\": 3},\n  " + GOOD_B + "\n]\n");
    var loaded = TrainingDatasets.readRlvr(f, BadRecordPolicy.SKIP);
    assertEquals(2, loaded.records().size());
    assertEquals(3, loaded.report().skipped().get(0).line());
    assertTrue(loaded.report().skipped().get(0).reason().contains("winner: expected a string"));

    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "[\n" + GOOD_A + ",\n{\"context_messages\": oops}\n]");
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> TrainingDatasets.readRlvr(broken, BadRecordPolicy.SKIP));
    assertEquals(3, e.line());
    assertTrue(e.getMessage().contains("invalid JSON"), e.getMessage());
  }

  @Test
  void writeThenReadRoundTripsAndLimitStopsEarly(@TempDir Path dir) {
    List<RlvrRecord> recs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      recs.add(new RlvrRecord(List.of(ChatMessage.system("s"), ChatMessage.user("q" + i + " \"é😀\"\n")),
          i % 2 == 0 ? Slot.A : Slot.B));
    }
    Path f = dir.resolve("out.jsonl");
    TrainingDatasets.writeRlvrJsonl(f, recs);
    assertEquals(recs, TrainingDatasets.readRlvr(f, BadRecordPolicy.FAIL).records());
    var firstTwo = JsonRecordReader.readAll(f, TrainingDatasets.RLVR, BadRecordPolicy.FAIL, 2);
    assertEquals(recs.subList(0, 2), firstTwo.records());
    List<RlvrRecord> streamed = new ArrayList<>();
    assertEquals(5, TrainingDatasets.streamRlvr(f, BadRecordPolicy.FAIL, streamed::add).accepted());
    assertEquals(recs, streamed);
  }

  @Test
  void sftRecordsCarryTheTraceInWinner(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("sft.jsonl");
    Files.writeString(f, "{\"context_messages\": [{\"role\": \"user\", \"content\": \"U\"}], \"winner\": "
        + "\"<type>Chat</type> ... <answer>[[A]]</answer>\"}\n"
        + "{\"context_messages\": [{\"role\": \"user\", \"content\": \"U\"}], \"winner\": \"\"}\n");
    var loaded = TrainingDatasets.readSft(f, BadRecordPolicy.SKIP);
    assertEquals(List.of(new SftRecord(List.of(ChatMessage.user("U")), "<type>Chat</type> ... <answer>[[A]]</answer>")),
        loaded.records());
    assertEquals(2, loaded.report().skipped().get(0).line());
    Path back = dir.resolve("back.jsonl");
    TrainingDatasets.writeSftJsonl(back, loaded.records());
    assertEquals(loaded.records(), TrainingDatasets.readSft(back, BadRecordPolicy.FAIL).records());
  }

  @Test
  void missingFileIsAFormatErrorNamingIt(@TempDir Path dir) {
    Path f = dir.resolve("nope.jsonl");
    var e = assertThrows(DatasetFormatException.class, () -> TrainingDatasets.readRlvr(f, BadRecordPolicy.SKIP));
    assertTrue(e.getMessage().contains("nope.jsonl"), e.getMessage());
  }
}
