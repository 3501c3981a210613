package io.tidaldb.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.Durability;
import io.tidaldb.testing.ChildJvm;
import io.tidaldb.test.TempTidalHome;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 at random moments: every event acknowledged (under {@code SYNC}, and under
 * {@code interval(10 ms)}, whose batches are copied into a mapping of the prepared space where the
 * file system allows) must be in the log afterwards, and the log must be a gapless prefix of what
 * was appended.
 */
class KillTest {

  private static final int CYCLES = 24;
  private static final int THREADS = 4;

  /**
   * Child process: appends from several threads and prints each acknowledged sequence; under
   * {@code SYNC}, or under {@code interval(10 ms)} when its second argument says {@code interval}.
   */
  public static final class AppendUntilKilled {
    public static void main(String[] args) throws Exception {
      Path dir = Path.of(args[0]);
      PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.US_ASCII);
      Durability durability = args[1].equals("interval") ? Durability.interval(Duration.ofMillis(10)) : Durability.SYNC;
      Wal wal = Wal.open(WalConfig.builder(dir).durability(durability).build());
      out.println("READY " + wal.recovery().nextSequence());
      Thread[] threads = new Thread[THREADS];
      for (int t = 0; t < THREADS; t++) {
        long base = (ProcessHandle.current().pid() << 32) | ((long) t << 28);
        threads[t] = new Thread(() -> {
          for (long n = 0; ; n++) {
            long entity = base | n;
            long seq = wal.append(new WalEvent(entity, 7, 1.0f, n));
            synchronized (out) {
              out.println(seq + " " + entity);
            }
          }
        });
        threads[t].start();
      }
      threads[0].join();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "interval"})
  void killMinus9_atRandomMoments_losesNoAcknowledgedEvent(String mode) throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Map<Long, Long> acknowledged = new TreeMap<>();
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      for (int cycle = 0; cycle < CYCLES; cycle++) {
        int target = cycle % 6 == 0 ? 0 : 1 + random.nextInt(1500);
        String context = mode + ", seed " + seed + ", cycle " + cycle + ", killed after " + target + " acknowledgements";
        Path stderr = temp.path().resolve("child-" + cycle + ".err");
        List<String> lines;
        try (ChildJvm.Watched child = ChildJvm.watch(ChildJvm.builder(AppendUntilKilled.class, List.of(), dir.toString(), mode), stderr)) {
          child.awaitOutput(Duration.ofSeconds(60), printed -> printed.size() > target, context);
          lines = child.kill();
        }
        assertTrue(lines.get(0).startsWith("READY "), context + ": " + lines.get(0));
        long nextAtStart = Long.parseLong(lines.get(0).substring(6));
        long lastAcknowledgedBefore = acknowledged.isEmpty() ? 0 : ((TreeMap<Long, Long>) acknowledged).lastKey();
        assertTrue(nextAtStart > lastAcknowledgedBefore, context + ": acknowledged sequences must never be given out again");
        for (String line : lines.subList(1, lines.size())) {
          String[] parts = line.split(" ");
          acknowledged.put(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
        }

        TreeMap<Long, Long> inLog = new TreeMap<>();
        ScanResult result = WalReader.of(dir).events(1, Long.MAX_VALUE, (seq, entity, type, weight, ts) -> {
          inLog.put(seq, entity);
        });
        result.problem().ifPresent(p -> assertEquals(WalProblem.Kind.TORN_TAIL, p.kind(), context + ": " + p));
        assertEquals(inLog.isEmpty() ? 0 : inLog.lastKey(), (long) inLog.size(), context + ": the log must be gapless from 1");
        for (Map.Entry<Long, Long> ack : acknowledged.entrySet()) {
          assertEquals(ack.getValue(), inLog.get(ack.getKey()), context + ": acknowledged sequence " + ack.getKey());
        }
      }
      try (Wal wal = Wal.open(WalConfig.of(dir))) {
        TreeMap<Long, WalEvent> all = WalTesting.replay(wal, 1);
        assertEquals(wal.recovery().lastSequence(), all.size());
        acknowledged.forEach((seq, entity) -> assertEquals(entity, all.get(seq).entityId()));
        assertTrue(acknowledged.size() > CYCLES, "the test must have seen acknowledgements: " + acknowledged.size());
      }
    }
  }
}
