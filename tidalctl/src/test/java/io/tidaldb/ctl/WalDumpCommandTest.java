package io.tidaldb.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidaldb.TidalHome;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.wal.WalEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WalDumpCommandTest {

  private static List<JsonNode> lines(String stdout) {
    return stdout.lines().filter(l -> !l.isBlank()).map(l -> {
      try {
        return Cli.JSON.readTree(l);
      } catch (Exception e) {
        throw new AssertionError("not a JSON line: " + l, e);
      }
    }).toList();
  }

  @Test
  void dump_printsEveryEventAsAJsonLine_inSequenceOrder() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Homes.write(temp.path(), 40, 0);
      Cli.Result result = Cli.run("wal", "dump", "--path", temp.path().toString());
      assertEquals(0, result.exitCode(), result.toString());
      List<JsonNode> events = lines(result.stdout());
      assertEquals(40, events.size());
      for (int i = 0; i < 40; i++) {
        JsonNode line = events.get(i);
        WalEvent expected = Homes.event(i + 1);
        assertEquals(i + 1, line.get("seq").asLong());
        assertEquals(expected.entityId(), line.get("entity_id").asLong());
        assertEquals(expected.signalTypeId(), line.get("signal_type_id").asInt());
        assertEquals(expected.weight(), line.get("weight").floatValue());
        assertEquals(expected.timestampNanos(), line.get("timestamp_nanos").asLong());
        assertEquals(WalDumpCommand.instant(expected.timestampNanos()), Instant.parse(line.get("timestamp").asText()));
      }
      assertEquals("", result.stderr());
    }
  }

  @Test
  void dump_withFromToAndLimit_printsThatRange() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Homes.write(temp.path(), 40, 0);
      List<JsonNode> range = lines(Cli.run("wal", "dump", "--path", temp.path().toString(), "--from", "17", "--to", "23").stdout());
      assertEquals(List.of(17L, 18L, 19L, 20L, 21L, 22L, 23L), range.stream().map(n -> n.get("seq").asLong()).toList());
      List<JsonNode> limited = lines(Cli.run("wal", "dump", "--path", temp.path().toString(), "--from", "30", "--limit", "3").stdout());
      assertEquals(List.of(30L, 31L, 32L), limited.stream().map(n -> n.get("seq").asLong()).toList());
      assertEquals(0, lines(Cli.run("wal", "dump", "--path", temp.path().toString(), "--limit", "0").stdout()).size());
    }
  }

  @Test
  void dump_withBadBounds_isAPlainTextUsageError() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Cli.Result result = Cli.run("wal", "dump", "--path", temp.path().toString(), "--from", "9", "--to", "3");
      assertEquals(ExitCodes.USAGE, result.exitCode(), result.toString());
      assertTrue(result.stderr().startsWith("need 1 <= --from <= --to"), result.stderr());
      assertTrue(result.stderr().contains("--from 9"), result.stderr());
      assertTrue(result.stderr().contains("Usage: tidalctl wal dump"), result.stderr());
    }
  }

  @Test
  void dump_printsEachEventsSignalName_fromTheHomesSchema() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Homes.write(temp.path(), 6, 0);
      Homes.storeSchema(temp.path());
      Cli.Result result = Cli.run("wal", "dump", "--path", temp.path().toString());
      assertEquals(0, result.exitCode(), result.toString());
      List<JsonNode> events = lines(result.stdout());
      assertEquals(6, events.size());
      for (JsonNode event : events) {
        int id = event.get("signal_type_id").asInt();
        assertEquals(Homes.SCHEMA.signals().get(id).name(), event.get("signal").asText(), event.toString());
      }
      assertEquals(List.of("like", "follow", "view"), events.subList(0, 3).stream().map(e -> e.get("signal").asText()).toList());
    }
  }

  @Test
  void dump_showsABatchsSourcePositionMarker_asAPosition_andVerifyAcceptsIt() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Instant at = Instant.parse("2026-03-01T10:00:00Z");
      try (io.tidaldb.TidalDb db = io.tidaldb.TidalDb.builder().dataDir(temp.path()).schema(Homes.SCHEMA)
          .clock(java.time.Clock.fixed(at, java.time.ZoneOffset.UTC)).open()) {
        db.write(db.newBatch().add("view", 7, 1.0, at).add("like", 8, 1.0, at).sourcePosition(4242));
      }
      List<JsonNode> events = lines(Cli.run("wal", "dump", "--path", temp.path().toString()).stdout());
      assertEquals(3, events.size());
      assertEquals("view", events.get(0).get("signal").asText());
      assertEquals(3, events.get(2).get("seq").asLong());
      assertEquals(4242, events.get(2).get("source_position").asLong(), events.get(2).toString());
      assertTrue(events.get(2).get("signal") == null, "a marker is not a signal event: " + events.get(2));
      List<String> text = Cli.run("wal", "dump", "--path", temp.path().toString(), "--format", "text").stdout().lines()
          .toList();
      assertTrue(text.get(3).matches("\\s*3  source position 4242"), text.get(3));
      Cli.Result verify = Cli.run("wal", "verify", "--path", temp.path().toString());
      assertEquals(0, verify.exitCode(), verify.toString());
    }
  }

  @Test
  void dump_asText_printsTheSignalNameBesideItsId() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Homes.write(temp.path(), 3, 0);
      Homes.storeSchema(temp.path());
      List<String> lines = Cli.run("wal", "dump", "--path", temp.path().toString(), "--format", "text").stdout().lines().toList();
      assertTrue(lines.get(0).contains("signal"), lines.get(0));
      assertTrue(lines.get(1).matches(".*\\b1 like\\b.*"), lines.get(1));
      assertTrue(lines.get(2).matches(".*\\b2 follow\\b.*"), lines.get(2));
      assertTrue(lines.get(3).matches(".*\\b0 view\\b.*"), lines.get(3));
    }
  }

  @Test
  void dump_ofALogWithoutASchema_printsNullSignalNames() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Homes.write(temp.path(), 2, 0);
      Cli.Result result = Cli.run("wal", "dump", "--path", temp.path().toString());
      assertEquals(0, result.exitCode(), result.toString());
      assertTrue(lines(result.stdout()).stream().allMatch(e -> e.get("signal").isNull()), result.stdout());
    }
  }

  @Test
  void dump_batches_printsSequenceRangesThatTileTheLog() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 40, 0);
      List<JsonNode> batches = lines(Cli.run("wal", "dump", "--batches", "--path", temp.path().toString()).stdout());
      long next = 1;
      for (JsonNode batch : batches) {
        assertEquals(next, batch.get("first_seq").asLong());
        next = batch.get("last_seq").asLong() + 1;
        assertTrue(batch.get("segment").asText().startsWith("wal-"));
      }
      assertEquals(41, next);
      assertEquals(Homes.segments(home).size(), batches.stream().map(b -> b.get("segment").asText()).distinct().count());
    }
  }

  @Test
  void dump_ofATornLog_printsTheCompleteEventsAndWarns_exitZero() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 12, 0);
      Homes.tearTail(home, 7);
      Cli.Result result = Cli.run("wal", "dump", "--path", temp.path().toString());
      assertEquals(0, result.exitCode(), result.toString());
      assertEquals(11, lines(result.stdout()).size());
      JsonNode warning = result.errorJson();
      assertEquals("torn_tail", warning.get("warning").asText());
    }
  }

  @Test
  void dump_ofACorruptLog_printsWhatPrecedesTheDamage_andFailsWithExitThree() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = Homes.write(temp.path(), 40, 0);
      // The third batch of the first segment: header 32 bytes, then batches of one event.
      Path damaged = Homes.flipByte(home, Homes.SEGMENT_HEADER + 2 * Homes.ONE_EVENT_BATCH + 45);
      Cli.Result result = Cli.run("wal", "dump", "--path", temp.path().toString());
      assertEquals(ExitCodes.CORRUPTION, result.exitCode(), result.toString());
      assertEquals(2, lines(result.stdout()).size());
      JsonNode error = result.errorJson();
      assertEquals("corruption", error.get("error").asText());
      assertEquals(damaged.toString(), error.get("path").asText());
      assertTrue(error.get("message").asText().contains("offset " + (Homes.SEGMENT_HEADER + 2 * Homes.ONE_EVENT_BATCH)),
          error.toString());
    }
  }

  @Test
  void dump_asText_printsAlignedColumns() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Homes.write(temp.path(), 3, 0);
      List<String> lines = Cli.run("wal", "dump", "--path", temp.path().toString(), "--format", "text").stdout().lines().toList();
      assertEquals(4, lines.size(), String.join("\n", lines));
      assertTrue(lines.get(0).contains("seq") && lines.get(0).contains("entity_id") && lines.get(0).contains("timestamp"));
      assertTrue(lines.get(1).trim().startsWith("1 "), lines.get(1));
      assertEquals(lines.get(1).length(), lines.get(2).length());
    }
  }
}
