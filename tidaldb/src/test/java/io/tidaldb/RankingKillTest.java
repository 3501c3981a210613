package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.TempTidalHome;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of a process writing signals under SYNC while it checkpoints: after reopening, {@code top}
 * gives exactly the answer of a database that saw only the events in the log, which hold every
 * acknowledged event. Permanent decay and whole weights keep the sums exact whatever order the
 * writer threads applied the events in.
 */
class RankingKillTest {

  static final Instant NOW = Instant.parse("2026-03-01T10:30:15Z");
  static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.permanent())
          .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.ALL_TIME).velocity(true).add()
      .signal("like", EntityKind.ITEM, DecaySpec.permanent()).negativeWeights(true).add()
      .build();
  static final List<RankingProfile> PROFILES = List.of(
      RankingProfile.decayScore("view"),
      RankingProfile.builder().decayScore("view", 1).decayScore("like", 5).windowCount("view", Window.ONE_HOUR, 0.5)
          .velocity("view", Window.TWENTY_FOUR_HOURS, 3600).build(),
      RankingProfile.builder().decayScore("like", -1).windowCount("view", Window.TWENTY_FOUR_HOURS, 1).build());
  /** Registered on the reopened database only: its index, rebuilt by recovery, must answer as the others do. */
  static final RankingProfile INDEXED = RankingProfile.builder().name("indexed").decayScore("view", 1)
      .decayScore("like", 5).build();
  static final List<RankingProfile> ASKED = List.of(PROFILES.get(0), PROFILES.get(1), PROFILES.get(2), INDEXED);
  static final int ENTITIES = 300;

  /** Child: writes from two threads under SYNC, checkpointing every 25 ms; prints each acknowledged event. */
  public static final class WriteUntilKilled {
    public static void main(String[] args) throws Exception {
      PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.US_ASCII);
      TidalDb db = TidalDb.builder().dataDir(Path.of(args[0])).schema(SCHEMA).durability(Durability.SYNC)
          .checkpointInterval(Duration.ofMillis(25)).open();
      out.println("READY " + db.stats().lastSequence());
      for (int t = 0; t < 2; t++) {
        SplittableRandom random = new SplittableRandom(ProcessHandle.current().pid() * 31 + t);
        Thread thread = new Thread(() -> {
          while (true) {
            SignalSpec signal = SCHEMA.signals().get(random.nextInt(2));
            long entity = random.nextInt(ENTITIES);
            double weight = signal.negativeWeights() && random.nextInt(4) == 0 ? -1 : 1 + random.nextInt(3);
            Instant at = NOW.minusSeconds(random.nextLong(2 * 86_400));
            long nanos = at.getEpochSecond() * 1_000_000_000L;
            long seq = db.signal(signal.name(), entity, weight, at);
            synchronized (out) {
              out.println(seq + " " + entity + " " + signal.id() + " " + (float) weight + " " + nanos);
            }
          }
        });
        thread.start();
      }
      new CountDownLatch(1).await();
    }
  }

  @Test
  void killMinus9_thenReopen_topEqualsTheAnswerOfTheLoggedEvents_whichHoldEveryAcknowledgedOne() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      for (int cycle = 0; cycle < 3; cycle++) {
        String context = "cycle " + cycle;
        int target = 200 + 300 * cycle;
        List<String> lines = SignalKillTest.runAndKill(temp, cycle, WriteUntilKilled.class,
            l -> l.size() > target, context);
        TreeMap<Long, SignalKillTest.Event> log = SignalKillTest.readLog(temp.home().wal(), context);
        for (String line : lines.subList(1, lines.size())) {
          SignalKillTest.Event acknowledged = SignalKillTest.Event.parse(line);
          assertEquals(acknowledged, log.get(acknowledged.sequence()), context + ": an acknowledged event is logged");
        }
        try (TidalDb reopened = TidalDb.builder().dataDir(temp.path()).schema(SCHEMA).indexProfile(INDEXED)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).checkpointInterval(Duration.ZERO).open();
            TidalDb fromLog = TidalDb.builder().ephemeral().schema(SCHEMA).clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .open()) {
          for (SignalKillTest.Event e : log.values()) {
            fromLog.signal(SCHEMA.signals().get(e.type()).name(), e.entity(), e.weight(),
                Instant.ofEpochSecond(0, e.nanos()));
          }
          for (RankingProfile profile : ASKED) {
            for (Instant at : List.of(NOW, NOW.minus(Duration.ofHours(20)))) {
              List<ScoredEntity> expected = fromLog.top(profile, 50, at);
              assertFalse(expected.isEmpty(), context);
              assertEquals(expected, reopened.top(profile, 50, at), context + ": " + profile + " at " + at);
            }
          }
        }
      }
      assertTrue(temp.home().ledgerSnapshots().size() >= 1, "the child took checkpoints");
    }
  }
}
