package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.TempTidalHome;
import io.tidaldb.wal.WalEvent;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of a process writing {@link SignalBatch}es with source positions while another thread
 * writes single signals: after reopening, every batch in the log is whole (all its events, then its
 * position marker) or absent, every acknowledged batch is there, and {@link TidalDb#sourcePosition()}
 * is the last acknowledged batch's (or the next one's, when its write reached the log whole before
 * the kill but was not acknowledged yet).
 */
class BatchKillTest {

  private static final int CYCLES = 4;

  /** The number of events of batch {@code id}: 1 to 300, fixed by the id so the parent can check it. */
  static int size(long id) {
    return 1 + (int) Math.floorMod(id * 7919, 300L);
  }

  /** The entity of event {@code e} of batch {@code id}; single writes use negative entities. */
  static long entity(long id, int e) {
    return id * 1000 + e;
  }

  /** Child: batch after batch from one thread, single writes from another, checkpoints every 25 ms. */
  public static final class WriteBatchesUntilKilled {
    public static void main(String[] args) throws Exception {
      PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.US_ASCII);
      Durability durability = args[1].equals("interval") ? Durability.interval(Duration.ofMillis(10)) : Durability.SYNC;
      TidalDb db = TidalDb.builder().dataDir(Path.of(args[0])).schema(SignalKillTest.SCHEMA).durability(durability)
          .checkpointInterval(Duration.ofMillis(25)).open();
      long next = db.sourcePosition().orElse(-1) + 1;
      out.println("READY " + next);
      Thread singles = new Thread(() -> {
        for (long i = 1; ; i++) {
          db.signal("view", -i, 1.0, SignalKillTest.NOW);
        }
      }, "singles");
      singles.start();
      SignalBatch batch = db.newBatch();
      Instant at = SignalKillTest.NOW.minusSeconds(60);
      for (long id = next; ; id++) {
        batch.clear();
        for (int e = 0; e < size(id); e++) {
          batch.add(SignalKillTest.SCHEMA.signals().get(e % 3).name(), entity(id, e), 1.0, at);
        }
        long first = db.write(batch.sourcePosition(id));
        synchronized (out) {
          out.println("ACK " + id + " " + first);
        }
      }
    }
  }

  @Test
  void killMinus9_whileWritingBatches_leavesEachBatchWholeOrAbsent_andThePositionOfTheLastAcknowledged()
      throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    TreeMap<Long, Long> acknowledged = new TreeMap<>();   // batch id -> first sequence
    try (TempTidalHome temp = TempTidalHome.create()) {
      for (int cycle = 0; cycle < CYCLES; cycle++) {
        int target = 5 + random.nextInt(60);
        String mode = cycle % 2 == 0 ? "sync" : "interval";
        String context = "seed " + seed + ", cycle " + cycle + " (" + mode + "), killed after " + target + " batches";
        List<String> lines = SignalKillTest.runAndKill(temp, cycle, WriteBatchesUntilKilled.class,
            l -> l.size() > target, context, mode);
        assertTrue(lines.get(0).startsWith("READY "), context + ": " + lines.get(0));
        long start = Long.parseLong(lines.get(0).substring(6));
        assertEquals(acknowledged.isEmpty() ? 0 : acknowledged.lastKey() + 1, start, context
            + ": the reopened child resumes after the last acknowledged batch (nothing was under way at the kill"
            + " before, or it was lost whole)");
        for (String line : lines.subList(1, lines.size())) {
          String[] f = line.split(" ");
          acknowledged.put(Long.parseLong(f[1]), Long.parseLong(f[2]));
        }

        TreeMap<Long, SignalKillTest.Event> log = SignalKillTest.readLog(temp.home().wal(), context);
        TreeMap<Long, Long> inLog = new TreeMap<>();   // batch id -> first sequence, from the markers
        for (SignalKillTest.Event e : log.values()) {
          if (!WalEvent.isSourcePosition(e.type())) {
            continue;
          }
          long id = e.entity();
          int size = size(id);
          long first = e.sequence() - size;
          for (int i = 0; i < size; i++) {
            SignalKillTest.Event event = log.get(first + i);
            assertEquals(entity(id, i), event.entity(), context + ": event " + i + " of batch " + id);
          }
          inLog.put(id, first);
        }
        Map<Long, Integer> eventsPerBatch = new TreeMap<>();
        for (SignalKillTest.Event e : log.values()) {
          if (!WalEvent.isSourcePosition(e.type()) && e.entity() >= 0) {
            eventsPerBatch.merge(e.entity() / 1000, 1, Integer::sum);
          }
        }
        for (Map.Entry<Long, Integer> batch : eventsPerBatch.entrySet()) {
          assertEquals(size(batch.getKey()), batch.getValue(), context + ": batch " + batch.getKey()
              + " is in the log in part");
          assertTrue(inLog.containsKey(batch.getKey()), context + ": batch " + batch.getKey() + " has no marker");
        }
        for (Map.Entry<Long, Long> ack : acknowledged.entrySet()) {
          assertEquals(ack.getValue(), inLog.get(ack.getKey()), context + ": acknowledged batch " + ack.getKey());
        }
        long lastAcked = acknowledged.lastKey();
        long lastInLog = inLog.lastKey();
        assertTrue(lastInLog == lastAcked || lastInLog == lastAcked + 1, context + ": the log ends with batch "
            + lastInLog + ", the last acknowledged is " + lastAcked);
        try (TidalDb db = SignalKillTest.openForReading(temp.path())) {
          assertEquals(OptionalLong.of(lastInLog), db.sourcePosition(), context);
          assertEquals(1, db.windowCount("view", entity(lastInLog, 0), Window.ALL_TIME), context
              + ": the last batch's first event is in the ledger");
        }
        acknowledged.put(lastInLog, inLog.get(lastInLog));   // the next child resumes after it
      }
      assertTrue(temp.home().ledgerSnapshots().size() >= 1, "the children took checkpoints");
      System.out.printf("batch kill -9: %d cycles, %d batches acknowledged, none torn (seed %d)%n", CYCLES,
          acknowledged.size(), seed);
    }
  }
}
