package io.tidaldb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.Schema;
import io.tidaldb.TidalHome;
import io.tidaldb.inspect.HomeChecks;
import io.tidaldb.inspect.LedgerSnapshotInfo;
import io.tidaldb.inspect.StoredSchema;
import io.tidaldb.test.TempTidalHome;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QuickstartTest {

  @Test
  void run_recordsServesMetricsRanks_andASecondRunRecoversTheFirst() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("quickstart-home");
      TidalHome home = TidalHome.at(dir);

      String first = run(dir);
      assertTrue(first.contains("a new home: nothing to recover"), first);
      assertTrue(first.contains("recorded 5,000 signals over 300 items; checkpoint at sequence 5,000"), first);
      assertTrue(first.contains("metrics at http://127.0.0.1:"), first);
      assertTrue(first.contains("  tidaldb_signal_writes_total{partition_id=\"0\",signal=\"view\"} "), first);
      assertTrue(first.contains("  tidaldb_wal_sequence{partition_id=\"0\"} 5000.0"), first);
      List<String> ranks = first.lines().filter(l -> l.matches(" +\\d+ +\\d+ +[0-9.]+ .*")).toList();
      assertEquals(10, ranks.size(), first);
      assertTrue(ranks.get(0).trim().startsWith("1 "), ranks.get(0));
      assertTrue(first.indexOf("top 10 items") < first.indexOf("metrics at"), "the scrape follows the ranking");
      assertTrue(first.contains("  tidaldb_ranking_queries_total{partition_id=\"0\",profile=\"trending\"} 1.0"),
          "the quickstart ranks with one db.top query of the trending profile: " + first);
      assertFalse(HomeChecks.lockStatus(home).inUse(), "the quickstart must close its database");
      assertEquals(Optional.of(Quickstart.SCHEMA), StoredSchema.read(home));
      assertEquals(5_000, LedgerSnapshotInfo.read(home.ledgerSnapshot(5_000)).sequence());

      String second = run(dir);
      assertTrue(second.contains("recovered 5,000 signals from earlier runs (sequences 1 to 5,000)"), second);
      assertTrue(second.contains("checkpoint at sequence 10,000"), second);
      assertEquals(List.of(home.ledgerSnapshot(10_000)), home.ledgerSnapshots(), "older snapshots are removed");
    }
  }

  private static String run(Path dir) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Quickstart.run(dir, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
