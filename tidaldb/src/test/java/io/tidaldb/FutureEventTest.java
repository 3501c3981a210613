package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.ManualClock;
import io.tidaldb.test.TempTidalHome;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Events dated ahead of the database's clock: accepted up to maxFutureSkew, refused beyond it. */
class FutureEventTest {

  private static final Instant T0 = SignalApiTest.T0;
  private static final Schema SCHEMA = SignalApiTest.SCHEMA;

  private static TidalDb persistent(Path dir, ManualClock clock) {
    return TidalDb.builder().dataDir(dir).clock(clock).schema(SCHEMA).checkpointInterval(Duration.ZERO).open();
  }

  private static List<Executable> everyWritePath(TidalDb db, Instant at) {
    return List.of(
        () -> db.signal("view", 77L, 1.0, at),
        () -> db.signalAsync("view", 77L, 1.0, at),
        () -> db.signalType("view").record(77L, 1.0, at),
        () -> db.signalType("view").recordAsync(77L, 1.0, at));
  }

  @Test
  void event_moreThanAnHourAheadOfTheClock_isRefusedOnEveryWritePath_andNothingIsWritten() {
    ManualClock clock = ManualClock.at(T0);
    try (TempTidalHome temp = TempTidalHome.create(); TidalDb db = persistent(temp.path(), clock)) {
      Instant tooLate = T0.plus(Duration.ofHours(1)).plusMillis(1);
      for (Executable write : everyWritePath(db, tooLate)) {
        InvalidSignalException e = assertThrows(InvalidSignalException.class, write);
        assertTrue(e.getMessage().contains(tooLate.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(T0.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("maxFutureSkew(PT1H)"), e.getMessage());
      }
      assertThrows(InvalidSignalException.class, () -> db.signal("view", 77L, 1.0, Instant.parse("2262-01-01T00:00:00Z")));
      assertEquals(0, db.stats().lastSequence(), "nothing reached the log");
      assertEquals(0.0, db.decayScore("view", 77L, T0));
      assertEquals(1, db.signal("view", 77L, 1.0, T0.plus(Duration.ofHours(1))), "exactly an hour ahead is accepted");
    }
  }

  @Test
  void event_aheadOfTheClock_isAcceptedOnceTheClockMovesOn() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = TidalDb.builder().ephemeral().clock(clock).schema(SCHEMA).open()) {
      Instant at = T0.plus(Duration.ofHours(3));
      assertThrows(InvalidSignalException.class, () -> db.signal("view", 77L, 1.0, at));
      clock.advance(Duration.ofHours(2));
      assertEquals(1, db.signal("view", 77L, 1.0, at), "the bound follows the database's clock");
    }
  }

  @Test
  void maxFutureSkew_setLonger_acceptsFartherEvents_andZeroRefusesAnyAheadOfNow() {
    ManualClock clock = ManualClock.at(T0);
    try (TidalDb db = TidalDb.builder().ephemeral().clock(clock).schema(SCHEMA).maxFutureSkew(Duration.ofDays(2)).open()) {
      assertEquals(1, db.signal("view", 77L, 1.0, T0.plus(Duration.ofDays(2))));
      InvalidSignalException e = assertThrows(InvalidSignalException.class,
          () -> db.signal("view", 77L, 1.0, T0.plus(Duration.ofDays(2)).plusSeconds(1)));
      assertTrue(e.getMessage().contains("maxFutureSkew(PT48H)"), e.getMessage());
    }
    try (TidalDb db = TidalDb.builder().ephemeral().clock(clock).schema(SCHEMA).maxFutureSkew(Duration.ZERO).open()) {
      assertThrows(InvalidSignalException.class, () -> db.signal("view", 77L, 1.0, T0.plusSeconds(1)));
      assertEquals(1, db.signal("view", 77L, 1.0, T0));
    }
  }

  @Test
  void maxFutureSkew_ofCenturies_acceptsTheLatestStorableTime() {
    Instant latest = Instant.parse("2262-04-11T23:47:16.854775807Z");
    try (TidalDb db = TidalDb.builder().ephemeral().clock(ManualClock.at(T0)).schema(SCHEMA)
        .maxFutureSkew(Duration.ofDays(365L * 1000)).open()) {
      assertEquals(1, db.signal("view", 1L, 1.0, latest));
    }
  }

  @Test
  void maxFutureSkew_refusesANegativeDurationAndASecondCall() {
    ConfigException negative = assertThrows(ConfigException.class,
        () -> TidalDb.builder().maxFutureSkew(Duration.ofSeconds(-1)));
    assertTrue(negative.getMessage().contains("maxFutureSkew(PT-1S)"), negative.getMessage());
    assertThrows(ConfigException.class, () -> TidalDb.builder().maxFutureSkew(null));
    assertThrows(ConfigException.class, () -> TidalDb.builder().maxFutureSkew(Duration.ZERO).maxFutureSkew(Duration.ZERO));
    assertEquals(Duration.ofHours(1), TidalDb.builder().ephemeral().resolve().maxFutureSkew());
  }

  @Test
  void recovery_replaysAcknowledgedEvents_whateverTheReopeningClockSays() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = persistent(temp.path(), ManualClock.at(T0))) {
        db.signal("view", 7L, 1.0, T0);
        db.signal("view", 7L, 1.0, T0);
      }
      ManualClock earlier = ManualClock.at(T0.minus(Duration.ofDays(30)));
      try (TidalDb db = persistent(temp.path(), earlier)) {
        assertEquals(2, db.stats().lastSequence());
        assertEquals(2, db.windowCount("view", 7L, Window.ALL_TIME), "events 30 days ahead of this clock are replayed");
      }
    }
  }
}
