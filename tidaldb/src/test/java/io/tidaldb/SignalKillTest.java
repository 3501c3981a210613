package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.testing.ChildJvm;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.wal.ScanResult;
import io.tidaldb.wal.WalProblem;
import io.tidaldb.wal.WalReader;
import io.tidaldb.wal.WalSegments;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of a process writing signals: every acknowledged signal is there after reopening, and the
 * recovered scores and window counts equal a brute-force recomputation from the events in the log.
 */
class SignalKillTest {

  static final Instant NOW = Instant.parse("2026-03-01T10:30:15Z");
  static final long NOW_NANOS = NOW.getEpochSecond() * 1_000_000_000L;
  static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
          .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.SEVEN_DAYS, Window.ALL_TIME).add()
      .signal("like", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(30))).windows(Window.ALL_TIME)
          .negativeWeights(true).add()
      .signal("follow", EntityKind.CREATOR, DecaySpec.permanent()).add()
      .build();
  static final int ENTITIES = 100;
  /** Kill cycles per run: 10 in the test run; {@code bench/kill-soak.sh} asks for more with {@value #CYCLES_PROPERTY}. */
  private static final String CYCLES_PROPERTY = "tidaldb.kill.cycles";
  private static final int CYCLES = Integer.getInteger(CYCLES_PROPERTY, 10);

  /** One event, as the log holds it. */
  record Event(long sequence, long entity, int type, float weight, long nanos) {
    static Event parse(String line) {
      String[] f = line.split(" ");
      return new Event(Long.parseLong(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2]), Float.parseFloat(f[3]),
          Long.parseLong(f[4]));
    }
  }

  static TidalDb openForReading(Path home) {
    return TidalDb.builder().dataDir(home).schema(SCHEMA).clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .checkpointInterval(Duration.ZERO).open();
  }

  /**
   * Child: writes from three blocking threads and one pipelining thread, checkpointing every 25 ms,
   * under SYNC, or under {@code interval(10 ms)} when the second argument says {@code interval} (an
   * acknowledged write is then in the operating system's hands, which a killed process cannot lose).
   */
  public static final class WriteUntilKilled {
    public static void main(String[] args) throws Exception {
      PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.US_ASCII);
      Durability durability = args.length > 1 && args[1].equals("interval")
          ? Durability.interval(Duration.ofMillis(10)) : Durability.SYNC;
      TidalDb db = TidalDb.builder().dataDir(Path.of(args[0])).schema(SCHEMA).durability(durability)
          .checkpointInterval(Duration.ofMillis(25)).open();
      out.println("READY " + db.stats().lastSequence());
      for (int t = 0; t < 4; t++) {
        SplittableRandom random = new SplittableRandom(ProcessHandle.current().pid() * 31 + t);
        boolean pipelining = t == 0;
        Thread thread = new Thread(() -> {
          while (true) {
            SignalSpec signal = SCHEMA.signals().get(random.nextInt(3));
            long entity = random.nextInt(ENTITIES);
            double weight = signal.negativeWeights() && random.nextInt(4) == 0 ? -1 : 1 + random.nextInt(3);
            Instant at = NOW.minusSeconds(random.nextLong(3 * 86_400)).minusNanos(random.nextInt(1_000_000_000));
            long nanos = at.getEpochSecond() * 1_000_000_000L + at.getNano();
            String event = entity + " " + signal.id() + " " + (float) weight + " " + nanos;
            if (pipelining) {
              db.signalAsync(signal.name(), entity, weight, at).thenAccept(seq -> print(out, seq + " " + event));
            } else {
              print(out, db.signal(signal.name(), entity, weight, at) + " " + event);
            }
          }
        });
        thread.start();
      }
      new CountDownLatch(1).await();
    }

    private static void print(PrintStream out, String line) {
      synchronized (out) {
        out.println(line);
      }
    }
  }

  /** Child: 500 events, a checkpoint, 300 more, then every read as exact bits; then waits to be killed. */
  public static final class CheckpointThenWrite {
    public static void main(String[] args) throws Exception {
      PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.US_ASCII);
      TidalDb db = TidalDb.builder().dataDir(Path.of(args[0])).schema(SCHEMA).clock(Clock.fixed(NOW, ZoneOffset.UTC))
          .checkpointInterval(Duration.ZERO).open();
      SplittableRandom random = new SplittableRandom(11);
      for (int i = 0; i < 800; i++) {
        SignalSpec signal = SCHEMA.signals().get(random.nextInt(3));
        db.signal(signal.name(), random.nextInt(ENTITIES), 1 + random.nextInt(3), NOW.minusSeconds(random.nextLong(86_400)));
        if (i == 499) {
          out.println("CHECKPOINT " + db.checkpoint());
        }
      }
      for (Read read : reads(db)) {
        out.println(read.exact());
      }
      out.println("DONE");
      new CountDownLatch(1).await();
    }
  }

  /** What a user reads for one (signal, entity): its score at {@link #NOW} and its window counts. */
  record Read(String signal, long entity, double score, List<Long> counts) {
    String exact() {
      return signal + " " + entity + " " + Double.doubleToRawLongBits(score) + " " + counts;
    }
  }

  /** Every read of every (signal, entity) of the test. */
  static List<Read> reads(TidalDb db) {
    List<Read> reads = new ArrayList<>();
    for (SignalSpec signal : SCHEMA.signals()) {
      for (long entity = 0; entity < ENTITIES; entity++) {
        List<Long> counts = new ArrayList<>();
        for (Window window : signal.windows()) {
          counts.add(db.windowCount(signal.name(), entity, window));
        }
        reads.add(new Read(signal.name(), entity, db.decayScore(signal.name(), entity, NOW), counts));
      }
    }
    return reads;
  }

  /** Equal reads: the same counts, and scores within 1e-9 relative (sums of doubles in another order). */
  static void assertSameReads(List<Read> expected, List<Read> actual, String context) {
    assertEquals(expected.size(), actual.size(), context);
    for (int i = 0; i < expected.size(); i++) {
      Read e = expected.get(i);
      Read a = actual.get(i);
      assertEquals(e.signal() + " " + e.entity() + " " + e.counts(), a.signal() + " " + a.entity() + " " + a.counts(),
          context);
      assertEquals(e.score(), a.score(), 1e-9 * Math.max(1, Math.abs(e.score())), context + ": score of " + e);
    }
  }

  @Test
  void killMinus9_underSyncAndInterval_losesNoAcknowledgedSignal_andReadsEqualABruteForceRecomputation()
      throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    List<Event> acknowledged = new ArrayList<>();
    try (TempTidalHome temp = TempTidalHome.create()) {
      for (int cycle = 0; cycle < CYCLES; cycle++) {
        int target = 1 + random.nextInt(600);
        String mode = cycle % 2 == 0 ? "sync" : "interval";
        String context = "seed " + seed + ", cycle " + cycle + " (" + mode + "), killed after " + target
            + " acknowledgements";
        List<String> lines = runAndKill(temp, cycle, WriteUntilKilled.class, lines1 -> lines1.size() > target, context,
            mode);
        assertTrue(lines.get(0).startsWith("READY "), context + ": " + lines.get(0));
        long lastBefore = acknowledged.stream().mapToLong(Event::sequence).max().orElse(0);
        assertTrue(Long.parseLong(lines.get(0).substring(6)) >= lastBefore, context + ": sequences never go back");
        lines.subList(1, lines.size()).stream().map(Event::parse).forEach(acknowledged::add);

        TreeMap<Long, Event> log = readLog(temp.home().wal(), context);
        for (Event ack : acknowledged) {
          assertEquals(ack, log.get(ack.sequence()), context + ": acknowledged sequence " + ack.sequence());
        }
        try (TidalDb db = openForReading(temp.path())) {
          assertEquals(log.lastKey(), db.stats().lastSequence(), context);
          assertSameReads(bruteForce(log.values()), reads(db), context);
        }
      }
      assertTrue(acknowledged.size() > CYCLES, "the children acknowledged writes: " + acknowledged.size());
      System.out.printf("kill -9 soak: %d cycles, %d acknowledged events, 0 lost (seed %d)%n", CYCLES,
          acknowledged.size(), seed);
      assertTrue(temp.home().ledgerSnapshots().size() >= 1, "the children took checkpoints");
    }
  }

  @Test
  void checkpoint_moreWrites_killMinus9_reopenReadsWhatTheProcessRead() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<String> lines = runAndKill(temp, 0, CheckpointThenWrite.class, l -> l.contains("DONE"),
          "checkpoint then write");
      assertEquals("CHECKPOINT 500", lines.get(0));
      List<String> before = lines.subList(1, lines.indexOf("DONE"));
      try (TidalDb db = openForReading(temp.path())) {
        assertEquals(800, db.stats().lastSequence());
        assertEquals(500, db.stats().lastCheckpointSequence());
        List<String> after = reads(db).stream().map(Read::exact).toList();
        assertEquals(before.size(), after.size());
        for (int i = 0; i < before.size(); i++) {
          assertEquals(before.get(i), after.get(i), "restored from the snapshot at 500, then 300 events replayed:"
              + " the very same bits");
        }
      }
    }
  }

  static List<String> runAndKill(TempTidalHome temp, int cycle, Class<?> main,
      java.util.function.Predicate<List<String>> until, String context, String... args) throws Exception {
    Path stderr = temp.path().resolveSibling(temp.path().getFileName() + "-child-" + cycle + ".err");
    List<String> childArgs = new ArrayList<>(List.of(temp.path().toString()));
    childArgs.addAll(List.of(args));
    try (ChildJvm.Watched child = ChildJvm.watch(ChildJvm.builder(main, List.of(), childArgs.toArray(String[]::new)),
        stderr)) {
      child.awaitOutput(Duration.ofSeconds(60), until, context);
      return child.kill();
    } finally {
      Files.deleteIfExists(stderr);
    }
  }

  /** Every event in the log, by sequence; the log must start at 1 (its one segment is never removed). */
  static TreeMap<Long, Event> readLog(Path wal, String context) {
    assertEquals(1, WalSegments.list(wal).get(0).firstSequence(), context + ": the test reads the whole history");
    TreeMap<Long, Event> log = new TreeMap<>();
    ScanResult result = WalReader.of(wal).events(1, Long.MAX_VALUE,
        (seq, entity, type, weight, ts) -> log.put(seq, new Event(seq, entity, type, weight, ts)));
    result.problem().ifPresent(p -> assertEquals(WalProblem.Kind.TORN_TAIL, p.kind(), context + ": " + p));
    assertEquals(log.lastKey(), (long) log.size(), context + ": the log is gapless from 1");
    return log;
  }

  /** The reads {@link #reads} must give, computed from the events alone by the definitions of SPEC section 5. */
  static List<Read> bruteForce(Iterable<Event> events) {
    long minute = 60_000_000_000L;
    long hour = 60 * minute;
    Map<String, double[]> sums = new HashMap<>();
    Map<String, long[]> counts = new HashMap<>();
    for (Event e : events) {
      SignalSpec signal = SCHEMA.signals().get(e.type());
      String key = signal.name() + " " + e.entity();
      double age = NOW_NANOS - e.nanos();
      double faded = signal.decay() instanceof DecaySpec.Exponential x
          ? e.weight() * Math.pow(2, -age / x.halfLife().toNanos()) : e.weight();
      sums.computeIfAbsent(key, k -> new double[1])[0] += faded;
      long[] c = counts.computeIfAbsent(key, k -> new long[4]);
      c[Window.ONE_HOUR.ordinal()] += e.nanos() / minute > NOW_NANOS / minute - 60 ? 1 : 0;
      c[Window.TWENTY_FOUR_HOURS.ordinal()] += e.nanos() / hour > NOW_NANOS / hour - 24 ? 1 : 0;
      c[Window.SEVEN_DAYS.ordinal()] += e.nanos() / hour > NOW_NANOS / hour - 168 ? 1 : 0;
      c[Window.ALL_TIME.ordinal()]++;
    }
    List<Read> reads = new ArrayList<>();
    for (SignalSpec signal : SCHEMA.signals()) {
      for (long entity = 0; entity < ENTITIES; entity++) {
        String key = signal.name() + " " + entity;
        long[] c = counts.getOrDefault(key, new long[4]);
        List<Long> windowCounts = new ArrayList<>();
        for (Window window : signal.windows()) {
          windowCounts.add(c[window.ordinal()]);
        }
        reads.add(new Read(signal.name(), entity, Math.max(0, sums.getOrDefault(key, new double[1])[0]), windowCounts));
      }
    }
    return reads;
  }

}
