package io.tidaldb.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidaldb.Durability;
import io.tidaldb.TidalHome;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.testing.WalV1Segments;
import io.tidaldb.wal.Wal;
import io.tidaldb.wal.WalConfig;
import io.tidaldb.wal.WalEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code tidalctl wal dump} and {@code wal verify} on logs of both format versions, and the durable mark they show. */
class WalFormatVersionsTest {

  private static List<JsonNode> lines(String stdout) {
    return stdout.lines().filter(l -> !l.isBlank()).map(l -> {
      try {
        return Cli.JSON.readTree(l);
      } catch (IOException e) {
        throw new AssertionError("not a JSON line: " + l, e);
      }
    }).toList();
  }

  /** A home whose log holds events 1..12 in a version-1 segment, then 13..20 appended by this tidalDB. */
  private static TidalHome mixedHome(Path base) {
    TidalHome home = TidalHome.at(base).ensureAll();
    List<List<WalEvent>> batches = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      batches.add(List.of(Homes.event(3 * b + 1), Homes.event(3 * b + 2), Homes.event(3 * b + 3)));
    }
    WalV1Segments.write(home.wal(), 1, 1_767_225_600_000_000_000L, batches);
    try (Wal wal = Wal.open(WalConfig.of(home.wal()))) {
      for (int i = 13; i <= 20; i++) {
        wal.append(Homes.event(i));
      }
    }
    return home;
  }

  @Test
  void dumpBatches_showsEachBatchsFormatVersionAndDurableMark() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Homes.write(temp.path(), 40, 0);
      List<JsonNode> batches = lines(Cli.run("wal", "dump", "--batches", "--path", temp.path().toString()).stdout());
      assertEquals(40, batches.size());
      for (JsonNode batch : batches) {
        assertEquals(2, batch.get("version").asInt(), batch.toString());
        // Written under SYNC: every batch was fsynced before the next one was written.
        assertEquals(batch.get("first_seq").asLong() - 1, batch.get("durable_seq").asLong(), batch.toString());
      }
    }
  }

  @Test
  void dumpAndVerify_ofALogStartedByVersion1_readBothVersions() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      mixedHome(temp.path());
      String path = temp.path().toString();

      Cli.Result events = Cli.run("wal", "dump", "--path", path);
      assertEquals(0, events.exitCode(), events.toString());
      List<JsonNode> lines = lines(events.stdout());
      assertEquals(20, lines.size());
      for (int i = 0; i < 20; i++) {
        assertEquals(i + 1, lines.get(i).get("seq").asLong());
        assertEquals(Homes.event(i + 1).entityId(), lines.get(i).get("entity_id").asLong());
      }

      List<JsonNode> batches = lines(Cli.run("wal", "dump", "--batches", "--path", path).stdout());
      assertEquals(4 + 8, batches.size());
      for (JsonNode batch : batches.subList(0, 4)) {
        assertEquals(1, batch.get("version").asInt(), batch.toString());
        assertTrue(batch.has("durable_seq") && batch.get("durable_seq").isNull(), "version 1 has no mark: " + batch);
      }
      JsonNode firstNew = batches.get(4);
      assertEquals(2, firstNew.get("version").asInt());
      assertEquals(13, firstNew.get("first_seq").asLong());
      assertEquals(12, firstNew.get("durable_seq").asLong(), "the version-1 log was fsynced when it was opened");
      assertTrue(!firstNew.get("segment").asText().equals(batches.get(3).get("segment").asText()),
          "new batches go to a new segment");

      Cli.Result verify = Cli.run("wal", "verify", "--path", path);
      assertEquals(0, verify.exitCode(), verify.toString());
      assertEquals("ok", verify.json().get("status").asText());
      assertEquals(20, verify.json().get("events").asLong());
      assertEquals(2, verify.json().get("segments").asInt());

      List<String> text = Cli.run("wal", "dump", "--batches", "--path", path, "--format", "text").stdout().lines().toList();
      assertTrue(text.get(0).contains("version") && text.get(0).contains("durable_seq"), text.get(0));
      assertEquals(1 + 12, text.size(), String.join("\n", text));
    }
  }

  @Test
  void verify_ofAnUnsyncedTailAPowerLossTore_isATornTailWarning_exitZero() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalHome home = TidalHome.at(temp.path()).ensureAll();
      try (Wal wal = Wal.open(WalConfig.builder(home.wal()).durability(Durability.interval(Duration.ofDays(1))).build())) {
        for (int i = 1; i <= 4; i++) {
          wal.append(Homes.event(i));
        }
        wal.sync();
        for (int i = 5; i <= 7; i++) {
          wal.append(Homes.event(i));
        }
      }
      // The batch of event 6 (one event per batch) lost, as a page the disk never wrote reads back.
      Path segment = Homes.segments(home).get(0).path();
      byte[] bytes = Files.readAllBytes(segment);
      int lost = Homes.SEGMENT_HEADER + 5 * Homes.ONE_EVENT_BATCH;
      Arrays.fill(bytes, lost, lost + Homes.ONE_EVENT_BATCH, (byte) 0);
      Files.write(segment, bytes);

      Cli.Result verify = Cli.run("wal", "verify", "--path", temp.path().toString());
      assertEquals(0, verify.exitCode(), verify.toString());
      assertEquals("torn_tail", verify.json().get("status").asText());
      assertEquals(lost, verify.json().get("problem").get("offset").asLong());
      assertTrue(verify.json().get("problem").get("detail").asText().contains("never fsynced"), verify.toString());
      assertEquals(5, verify.json().get("last_seq").asLong());
    }
  }
}
